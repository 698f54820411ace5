"""The process graph: steps, gateways, flows, lanes, and their validation.

A :class:`Process` is a directed graph. Its nodes are **steps** (every named
activity or event: tasks, sub-processes, call activities, start/end/
intermediate/boundary events) and **gateways** (structure only). Its edges
are **flows**, optionally labelled with a condition.

Elements are frozen dataclasses; a :class:`Process` is a small mutable
container around them that keeps a :mod:`networkx` view in sync.

Sub-processes are represented by nesting, not flattening: the sub-process is
a step of kind ``subprocess`` in the parent flow, and the steps inside it
carry ``parent=<id of the sub-process step>``. Inner flows connect inner
elements only. :meth:`Process.step_graph` gives the step-to-step view that the
comparison engine uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import networkx as nx

from processes.exceptions import ModelError

__all__ = [
    "ACTIVITY_KINDS",
    "EVENT_KINDS",
    "Element",
    "Flow",
    "FlowKind",
    "Gateway",
    "GatewayKind",
    "Mode",
    "Problem",
    "Process",
    "Severity",
    "Step",
    "StepKind",
]


_E = TypeVar("_E", bound=StrEnum)


class StepKind(StrEnum):
    """What kind of step a node is (BPMN activity and event types)."""

    TASK = "task"
    USER_TASK = "user_task"
    SERVICE_TASK = "service_task"
    MANUAL_TASK = "manual_task"
    SEND_TASK = "send_task"
    RECEIVE_TASK = "receive_task"
    SCRIPT_TASK = "script_task"
    BUSINESS_RULE_TASK = "business_rule_task"
    SUBPROCESS = "subprocess"
    CALL_ACTIVITY = "call_activity"
    START_EVENT = "start_event"
    END_EVENT = "end_event"
    INTERMEDIATE_EVENT = "intermediate_event"
    BOUNDARY_EVENT = "boundary_event"


EVENT_KINDS = frozenset(
    {StepKind.START_EVENT, StepKind.END_EVENT, StepKind.INTERMEDIATE_EVENT, StepKind.BOUNDARY_EVENT}
)
ACTIVITY_KINDS = frozenset(set(StepKind) - EVENT_KINDS)


class GatewayKind(StrEnum):
    """How a gateway splits or joins the flow."""

    EXCLUSIVE = "exclusive"
    PARALLEL = "parallel"
    INCLUSIVE = "inclusive"
    EVENT_BASED = "event_based"
    COMPLEX = "complex"


class Mode(StrEnum):
    """How a step is carried out, as a process owner describes it."""

    MANUAL = "manual"
    PAPER = "paper"
    DIGITAL = "digital"
    AUTOMATED = "automated"
    SELF_SERVICE = "self_service"


class FlowKind(StrEnum):
    """What a flow means.

    A **sequence** flow passes the work on inside one party's process; a
    **message** flow goes from one party (pool) to another: the sender sends
    and carries on, the receiver waits for the message.
    """

    SEQUENCE = "sequence"
    MESSAGE = "message"


class Severity(StrEnum):
    """How serious a validation problem is."""

    ERROR = "error"
    WARNING = "warning"


def _frozen_mapping(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


def _coerce(enum: type[_E], value: object, what: str) -> _E:
    """Turn a string into an enum member, or raise ModelError listing the allowed values."""
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ModelError(f"unknown {what} {value!r}; allowed: {allowed}") from None


@dataclass(frozen=True)
class Step:
    """A named activity or event.

    Parameters
    ----------
    id
        The id it had in the source file (kept as is).
    label
        The name people see, e.g. "Sende nabovarsel".
    kind
        Task, sub-process, event, ... (:class:`StepKind`).
    lane
        Organisational unit or role that performs it (the lane name).
    mode, system, legal_basis, handling_days, documentation
        Optional attributes process owners care about.
    parent
        Id of the sub-process step this step is nested in, if any.
    attached_to
        For boundary events: the id of the activity they are attached to.
    metrics
        Numbers measured for the step, e.g. ``{"frequency": 120}`` from an
        event log.
    attributes
        Any further string attributes worth keeping.
    line
        Line in the source file (not part of equality).
    pool
        The party (BPMN pool, participant) whose process the step belongs to,
        when the process is a collaboration of several parties; else None.
    """

    id: str
    label: str = ""
    kind: StepKind = StepKind.TASK
    lane: str | None = None
    mode: Mode | None = None
    system: str | None = None
    legal_basis: str | None = None
    handling_days: float | None = None
    documentation: str | None = None
    parent: str | None = None
    attached_to: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict, hash=False)
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    line: int | None = field(default=None, compare=False, hash=False)
    pool: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ModelError(f"a step needs a non-empty string id, got {self.id!r}")
        object.__setattr__(self, "kind", _coerce(StepKind, self.kind, "step kind"))
        if self.mode is not None:
            object.__setattr__(self, "mode", _coerce(Mode, self.mode, "mode"))
        object.__setattr__(self, "metrics", _frozen_mapping(self.metrics))
        object.__setattr__(self, "attributes", _frozen_mapping(self.attributes))

    @property
    def is_event(self) -> bool:
        """True for start, end, intermediate and boundary events."""
        return self.kind in EVENT_KINDS

    @property
    def is_activity(self) -> bool:
        """True for tasks, sub-processes and call activities."""
        return self.kind in ACTIVITY_KINDS

    def replace(self, **changes: Any) -> Step:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Gateway:
    """A split or join; structure, not a step. ``pool`` as for :class:`Step`."""

    id: str
    kind: GatewayKind = GatewayKind.EXCLUSIVE
    label: str = ""
    lane: str | None = None
    parent: str | None = None
    line: int | None = field(default=None, compare=False, hash=False)
    pool: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ModelError(f"a gateway needs a non-empty string id, got {self.id!r}")
        object.__setattr__(self, "kind", _coerce(GatewayKind, self.kind, "gateway kind"))

    def replace(self, **changes: Any) -> Gateway:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Flow:
    """A flow from one element to another: a sequence flow, or a message flow between pools.

    ``condition`` is the flow's label: the condition of a sequence flow, the
    name of the message of a message flow. ``kind`` is a :class:`FlowKind`
    (default: sequence).

    >>> Flow("send", "receive", "Søknad", kind="message").kind.value
    'message'
    >>> Flow("a", "b").kind.value
    'sequence'
    """

    source: str
    target: str
    condition: str | None = None
    id: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict, hash=False)
    line: int | None = field(default=None, compare=False, hash=False)
    kind: FlowKind = FlowKind.SEQUENCE

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", _frozen_mapping(self.metrics))
        object.__setattr__(self, "kind", _coerce(FlowKind, self.kind, "flow kind"))

    @property
    def is_message(self) -> bool:
        """True for a message flow (between pools)."""
        return self.kind == FlowKind.MESSAGE

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """A total order for flows, used for deterministic output."""
        return (self.source, self.target, self.condition or "", self.id or "", self.kind.value)

    def replace(self, **changes: Any) -> Flow:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


Element = Step | Gateway


# Validation messages, bokmål and English. ``{element}`` and other fields are
# filled from Problem.params.
_MESSAGES: dict[str, tuple[str, str]] = {
    "empty": (
        "Prosessen har ingen steg.",
        "The process has no steps.",
    ),
    "no_start": (
        "Prosessen har ikke noe startpunkt: alle steg har et steg foran seg.",
        "The process has no start: every step has a step before it.",
    ),
    "no_start_event": (
        "Prosessen har ingen starthendelse; «{label}» regnes som første steg.",
        "The process has no start event; “{label}” is taken as the first step.",
    ),
    "no_end": (
        "Prosessen har ikke noe sluttpunkt: flyten går i ring.",
        "The process has no end: the flow goes round in a circle.",
    ),
    "unreachable": (
        "Steget «{label}» kan ikke nås fra starten av prosessen.",
        "The step “{label}” cannot be reached from the start of the process.",
    ),
    "dead_end": (
        "Steget «{label}» har ingen vei videre, men er ikke en slutthendelse.",
        "The step “{label}” leads nowhere but is not an end event.",
    ),
    "unknown_source": (
        "En flyt ({flow}) går fra et element som ikke finnes: «{ref}».",
        "A flow ({flow}) starts at an element that does not exist: “{ref}”.",
    ),
    "unknown_target": (
        "En flyt ({flow}) går til et element som ikke finnes: «{ref}».",
        "A flow ({flow}) leads to an element that does not exist: “{ref}”.",
    ),
    "duplicate_id": (
        "Id-en «{element}» er brukt mer enn én gang.",
        "The id “{element}” is used more than once.",
    ),
    "eventlog_missing_label": (
        "{count} hendelser i loggen mangler «{attribute}» og er utelatt.",
        "{count} events in the log have no “{attribute}” and were left out.",
    ),
    "eventlog_bad_timestamp": (
        "{count} hendelser har et tidspunkt som ikke kan leses; de er tatt med uten tid.",
        "{count} events have a timestamp that cannot be read; they are kept without a time.",
    ),
    "missing_id": (
        "Et element mangler id og er tatt vare på som «{element}».",
        "An element has no id; it is kept as “{element}”.",
    ),
    "gateway_single_branch": (
        "Porten «{label}» har bare én vei inn og én vei ut, og deler eller samler derfor ingenting.",
        "The gateway “{label}” has only one way in and one way out, so it neither splits nor joins.",
    ),
    "gateway_isolated": (
        "Porten «{label}» er ikke koblet til noe.",
        "The gateway “{label}” is not connected to anything.",
    ),
    "missing_label": (
        "Et steg av typen {kind} ({element}) mangler navn.",
        "A step of kind {kind} ({element}) has no name.",
    ),
    "unknown_parent": (
        "Steget «{label}» ligger i et delprosess-steg som ikke finnes: «{ref}».",
        "The step “{label}” is nested in a sub-process that does not exist: “{ref}”.",
    ),
    "unknown_attachment": (
        "Grensehendelsen «{label}» er festet til et steg som ikke finnes: «{ref}».",
        "The boundary event “{label}” is attached to a step that does not exist: “{ref}”.",
    ),
    "unknown_lane": (
        "Steget «{label}» hører til en rolle som ikke er definert: «{ref}».",
        "The step “{label}” is in a lane that is not defined: “{ref}”.",
    ),
    "message_within_pool": (
        ("Meldingen fra «{source}» til «{target}» går innenfor én og samme part; "
         "bruk en vanlig flyt, eller legg mottakeren i en annen part (pool)."),
        ("The message from “{source}” to “{target}” stays within one party; "
         "use an ordinary flow, or put the receiver in another party (pool)."),
    ),
    "message_to_black_box": (
        ("Meldingen fra «{step}» til «{pool}» er utelatt: den parten har ingen prosess i filen, "
         "så ingen steg tar imot den."),
        ("The message from “{step}” to “{pool}” is left out: that party has no process in the file, "
         "so no step receives it."),
    ),
    "message_to_pool": (
        ("Meldingen fra «{step}» til «{pool}» er utelatt: den går til parten som helhet, "
         "og parten har ikke én starthendelse den kan bety. Trekk meldingen til steget som tar imot den."),
        ("The message from “{step}” to “{pool}” is left out: it goes to the party as a whole, "
         "and the party has no single start event it could mean. Draw it to the step that receives it."),
    ),
    "message_from_pool": (
        ("Meldingen fra «{pool}» til «{step}» er utelatt: den kommer fra parten som helhet, "
         "og parten har ikke én slutthendelse den kan bety. Trekk meldingen fra steget som sender den."),
        ("The message from “{pool}” to “{step}” is left out: it comes from the party as a whole, "
         "and the party has no single end event it could mean. Draw it from the step that sends it."),
    ),
    "message_from_black_box": (
        ("Meldingen fra «{pool}» til «{step}» er utelatt: den parten har ingen prosess i filen, "
         "så ingen steg sender den."),
        ("The message from “{pool}” to “{step}” is left out: that party has no process in the file, "
         "so no step sends it."),
    ),
}


# Added when an importer kept an offending element under a new id.
_RENAMED_SUFFIX = (
    " Det andre elementet er tatt vare på som «{renamed_to}».",
    " The second element is kept as “{renamed_to}”.",
)


@dataclass(frozen=True)
class Problem:
    """One validation finding, with where it is.

    ``code`` is stable (e.g. ``"unreachable"``); :meth:`message` gives the
    sentence in bokmål (``"nb"``) or English (``"en"``).
    """

    severity: Severity
    code: str
    element_id: str | None = None
    line: int | None = None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def message(self, lang: str = "nb") -> str:
        """Return the problem as one sentence in ``lang`` (``"nb"`` or ``"en"``)."""
        nb, en = _MESSAGES.get(self.code, ("{text}", "{text}"))
        template = en if lang == "en" else nb
        values = {"element": self.element_id or "", "label": self.element_id or "", "text": self.code}
        values.update(self.params)
        try:
            text = template.format(**values)
        except (KeyError, IndexError):
            return template
        if "renamed_to" in self.params:
            nb_more, en_more = _RENAMED_SUFFIX
            text += (en_more if lang == "en" else nb_more).format(renamed_to=self.params["renamed_to"])
        return text

    def where(self) -> str:
        """Return "element 'x', line N" for the parts that are known."""
        parts = []
        if self.element_id:
            parts.append(f"element '{self.element_id}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{self.severity}: {self.message('en')}" + (f" [{where}]" if where else "")


class Process:
    """A process graph: steps and gateways connected by flows.

    Parameters
    ----------
    id
        Identifier of the process (from the source file, or chosen).
    name
        Human-readable name, e.g. "Søknad om tillatelse i ett trinn".
    lanes
        Ordered lane names (organisational units/roles). Steps refer to them
        by name in :attr:`Step.lane`.
    metadata
        Free string metadata (municipality, source format, ...).

    Examples
    --------
    >>> p = Process("p", "Eksempel")
    >>> p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT))
    >>> p.add_step(Step("a", "Vurdere søknaden"))
    >>> p.add_flow(Flow("s", "a"))
    >>> [s.label for s in p.steps]
    ['Søknad mottatt', 'Vurdere søknaden']
    >>> sorted(p.graph.edges)
    [('s', 'a')]
    """

    def __init__(
        self,
        id: str = "process",
        name: str = "",
        *,
        lanes: Iterable[str] = (),
        metadata: Mapping[str, str] | None = None,
        documentation: str | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.lanes: list[str] = list(lanes)
        self.metadata: dict[str, str] = dict(metadata or {})
        self.documentation = documentation
        #: Problems found while importing (e.g. duplicate ids); reported by validate().
        self.import_problems: list[Problem] = []
        self._elements: dict[str, Element] = {}
        self._flows: list[Flow] = []
        self._graph: nx.DiGraph | None = None
        self._step_graph: nx.DiGraph | None = None

    # -- building ---------------------------------------------------------
    def _add(self, element: Element) -> None:
        if element.id in self._elements:
            raise ModelError(f"duplicate element id {element.id!r}")
        self._elements[element.id] = element
        self._graph = None
        self._step_graph = None

    def add_step(self, step: Step) -> None:
        """Add a step; raises :class:`ModelError` if its id is taken."""
        if not isinstance(step, Step):
            raise ModelError(f"expected a Step, got {type(step).__name__}")
        self._add(step)

    def add_gateway(self, gateway: Gateway) -> None:
        """Add a gateway; raises :class:`ModelError` if its id is taken."""
        if not isinstance(gateway, Gateway):
            raise ModelError(f"expected a Gateway, got {type(gateway).__name__}")
        self._add(gateway)

    def add_flow(self, flow: Flow) -> None:
        """Add a flow. Flows to unknown ids are kept and reported by :meth:`validate`."""
        if not isinstance(flow, Flow):
            raise ModelError(f"expected a Flow, got {type(flow).__name__}")
        self._flows.append(flow)
        self._graph = None
        self._step_graph = None

    def replace_element(self, element: Element) -> None:
        """Replace the element with the same id (e.g. a renamed step)."""
        if element.id not in self._elements:
            raise ModelError(f"no element with id {element.id!r}")
        self._elements[element.id] = element
        self._graph = None
        self._step_graph = None

    def remove_element(self, element_id: str) -> None:
        """Remove an element and every flow from or to it."""
        if element_id not in self._elements:
            raise ModelError(f"no element with id {element_id!r}")
        del self._elements[element_id]
        self._flows = [f for f in self._flows if element_id not in (f.source, f.target)]
        self._graph = None
        self._step_graph = None

    def remove_flow(self, flow: Flow) -> None:
        """Remove one flow (the first equal one)."""
        try:
            self._flows.remove(flow)
        except ValueError:
            raise ModelError(f"no flow {flow.source!r} -> {flow.target!r}") from None
        self._graph = None
        self._step_graph = None

    def copy(self) -> Process:
        """Return an independent copy (elements are immutable and shared)."""
        other = Process(
            self.id, self.name, lanes=self.lanes, metadata=self.metadata, documentation=self.documentation
        )
        other.import_problems = list(self.import_problems)
        other._elements = dict(self._elements)
        other._flows = list(self._flows)
        return other

    # -- reading ----------------------------------------------------------
    @property
    def elements(self) -> list[Element]:
        """All steps and gateways, in insertion order."""
        return list(self._elements.values())

    @property
    def steps(self) -> list[Step]:
        """All steps, in insertion order."""
        return [e for e in self._elements.values() if isinstance(e, Step)]

    @property
    def gateways(self) -> list[Gateway]:
        """All gateways, in insertion order."""
        return [e for e in self._elements.values() if isinstance(e, Gateway)]

    @property
    def flows(self) -> list[Flow]:
        """All flows, in insertion order."""
        return list(self._flows)

    def __contains__(self, element_id: object) -> bool:
        return element_id in self._elements

    def __getitem__(self, element_id: str) -> Element:
        return self._elements[element_id]

    def __iter__(self) -> Iterator[Element]:
        return iter(list(self._elements.values()))

    def __len__(self) -> int:
        return len(self._elements)

    def get(self, element_id: str) -> Element | None:
        """Return the element with this id, or None."""
        return self._elements.get(element_id)

    def step(self, step_id: str) -> Step:
        """Return the step with this id; KeyError if it is not a step."""
        element = self._elements[step_id]
        if not isinstance(element, Step):
            raise KeyError(step_id)
        return element

    @property
    def graph(self) -> nx.DiGraph:
        """A networkx view: node attribute ``element``, edge attribute ``flow``.

        Flows whose ends are unknown are left out (see :meth:`validate`). The
        graph is cached until the process changes; do not modify it.
        """
        if self._graph is None:
            g = nx.DiGraph(id=self.id, name=self.name)
            # Speed: the node and adjacency dicts of the new, still empty graph are
            # filled directly, as add_node/add_edge would fill them (same insertion
            # order, one attribute dict per edge shared by both directions), at
            # under half the cost; the graph is built for every new process.
            nodes, succ, pred = g._node, g._succ, g._pred
            elements = self._elements
            for element_id, element in elements.items():
                nodes[element_id] = {"element": element}
                succ[element_id] = {}
                pred[element_id] = {}
            for flow in self._flows:
                source, target = flow.source, flow.target
                if source in elements and target in elements:
                    out = succ[source]
                    # A sequence flow and a message flow between the same two elements
                    # are one edge: the sequence flow's.
                    if target in out and flow.is_message:
                        continue
                    # (A later flow between the same two elements replaces the
                    # attribute; the edge keeps its place, as with add_edge.)
                    data = {"flow": flow}
                    out[target] = data
                    pred[target][source] = data
            self._graph = g
        return self._graph

    def step_graph(self) -> nx.DiGraph:
        """Steps only: an edge u -> v when a flow path leads from u to v through gateways only.

        Node attribute ``step`` holds the :class:`Step`. Gateways disappear;
        a path through several gateways becomes one edge. Message flows are
        edges too (the receiver waits for the sender). This is the view in
        which two processes are compared. Like :attr:`graph` it is cached
        until the process changes, and frozen: do not modify it.
        """
        if self._step_graph is not None:
            return self._step_graph
        flow_succ = self.graph._succ
        sg = nx.DiGraph()
        # Speed: filled directly, as add_node/add_edge would (see graph).
        nodes, succ, pred = sg._node, sg._succ, sg._pred
        for element in self._elements.values():
            if isinstance(element, Step):
                nodes[element.id] = {"step": element}
                succ[element.id] = {}
                pred[element.id] = {}
        for node in list(nodes):
            out = succ[node]
            stack = list(flow_succ[node])
            seen: set[str] = set()
            while stack:
                nxt = stack.pop()
                if nxt in seen:
                    continue
                seen.add(nxt)
                if nxt in nodes:  # a step
                    if nxt not in out:
                        data: dict[str, object] = {}
                        out[nxt] = data
                        pred[nxt][node] = data
                else:
                    stack.extend(flow_succ[nxt])
        self._step_graph = nx.freeze(sg)
        return self._step_graph

    def start_ids(self) -> list[str]:
        """Where a case begins: the top-level start events.

        A start event that a flow leads to is not where a case begins: a
        party that starts when another party's message arrives, or a start
        event that a flow was drawn into (which BPMN does not allow). Unless
        every start event is such. With no start events: the top-level
        elements with no incoming flow.

        >>> p = Process()
        >>> for sid, kind in (("s1", "start_event"), ("send", "send_task"), ("s2", "start_event")):
        ...     p.add_step(Step(sid, sid, kind))
        >>> p.add_flow(Flow("s1", "send"))
        >>> p.add_flow(Flow("send", "s2", kind="message"))
        >>> p.start_ids()
        ['s1']
        """
        # (A start event is no boundary event: the top-level elements are needed
        # only when there is none.)
        starts = [
            e.id
            for e in self._elements.values()
            if e.parent is None and isinstance(e, Step) and e.kind == StepKind.START_EVENT
        ]
        # (g.pred[x] is x's predecessors; g.in_degree(x) builds a degree view per call.)
        pred = self.graph.pred
        if starts:
            own = [s for s in starts if not pred[s]]
            return own or starts
        top = [e for e in self._elements.values() if e.parent is None and not _is_boundary(e)]
        return [e.id for e in top if not pred[e.id]]

    @property
    def pools(self) -> list[str]:
        """The parties (pools) of a collaboration, in order of first use; empty for one party."""
        return list(dict.fromkeys(e.pool for e in self._elements.values() if e.pool is not None))

    def sequence_out_degree(self, element_id: str) -> int:
        """How many sequence flows (not message flows) leave the element."""
        g = self.graph
        if element_id not in g:
            return 0
        return sum(1 for _, _, f in g.out_edges(element_id, data="flow") if not f.is_message)

    # -- comparison -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Process):
            return NotImplemented
        return (
            self.id == other.id
            and self.name == other.name
            and self.lanes == other.lanes
            and self.metadata == other.metadata
            and self.documentation == other.documentation
            and self._elements == other._elements
            and sorted(self._flows, key=Flow.sort_key) == sorted(other._flows, key=Flow.sort_key)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable container

    def __repr__(self) -> str:
        return (
            f"Process(id={self.id!r}, name={self.name!r}, steps={len(self.steps)}, "
            f"gateways={len(self.gateways)}, flows={len(self._flows)})"
        )

    # -- validation -------------------------------------------------------
    def validate(self) -> list[Problem]:
        """Return every problem found, errors first, each with where it is.

        Checks: empty process, no start, unreachable elements, dead ends,
        flows to unknown ids, duplicate ids (found on import), gateways that
        neither split nor join, unnamed activities, unknown parents, lanes and
        attachments.
        """
        problems: list[Problem] = list(self.import_problems)
        E, W = Severity.ERROR, Severity.WARNING

        def label(e: Element) -> str:
            return e.label or e.id

        steps = self.steps
        if not steps:
            problems.append(Problem(E, "empty"))
            return _sorted(problems)

        for f in self._flows:
            name = f.id or f"{f.source} → {f.target}"
            if f.source not in self._elements:
                problems.append(Problem(E, "unknown_source", f.id, f.line, {"flow": name, "ref": f.source}))
            if f.target not in self._elements:
                problems.append(Problem(E, "unknown_target", f.id, f.line, {"flow": name, "ref": f.target}))
            source, target = self._elements.get(f.source), self._elements.get(f.target)
            if f.is_message and source is not None and target is not None and source.pool == target.pool:
                problems.append(
                    Problem(
                        W,
                        "message_within_pool",
                        f.id,
                        f.line,
                        {"source": label(source), "target": label(target), "pool": source.pool or ""},
                    )
                )

        lanes = set(self.lanes)
        for e in self._elements.values():
            if e.parent is not None and not isinstance(self._elements.get(e.parent), Step):
                problems.append(Problem(E, "unknown_parent", e.id, e.line, {"label": label(e), "ref": e.parent}))
            if lanes and e.lane is not None and e.lane not in lanes:
                problems.append(Problem(W, "unknown_lane", e.id, e.line, {"label": label(e), "ref": e.lane}))
            if isinstance(e, Step):
                if e.attached_to is not None and e.attached_to not in self._elements:
                    problems.append(
                        Problem(E, "unknown_attachment", e.id, e.line, {"label": label(e), "ref": e.attached_to})
                    )
                if e.is_activity and not e.label.strip():
                    problems.append(Problem(W, "missing_label", e.id, e.line, {"kind": e.kind.value}))

        g = self.graph
        for gw in self.gateways:
            ins, outs = g.in_degree(gw.id), g.out_degree(gw.id)
            if ins == 0 and outs == 0:
                problems.append(Problem(W, "gateway_isolated", gw.id, gw.line, {"label": label(gw)}))
            elif ins <= 1 and outs <= 1:
                problems.append(Problem(W, "gateway_single_branch", gw.id, gw.line, {"label": label(gw)}))

        # Reachability is checked per scope: the top level, and each sub-process body.
        scopes: dict[str | None, list[Element]] = {}
        for e in self._elements.values():
            scopes.setdefault(e.parent, []).append(e)
        for parent, members in scopes.items():
            problems.extend(self._check_scope(parent, members))
        return _sorted(problems)

    def _check_scope(self, parent: str | None, members: list[Element]) -> list[Problem]:
        E, W = Severity.ERROR, Severity.WARNING
        g = self.graph
        problems: list[Problem] = []
        flowing = [e for e in members if not _is_boundary(e)]
        if not flowing:
            return problems
        starts = [e.id for e in flowing if isinstance(e, Step) and e.kind == StepKind.START_EVENT]
        if not starts:
            starts = [e.id for e in flowing if g.in_degree(e.id) == 0]
            if not starts:
                if parent is None:
                    problems.append(Problem(E, "no_start"))
                return problems
            first = self._elements[starts[0]]
            if parent is None and len(flowing) > 1:
                problems.append(
                    Problem(W, "no_start_event", first.id, first.line, {"label": first.label or first.id})
                )
        # Boundary events start their own path from the activity they are attached to.
        roots = set(starts) | {e.id for e in members if _is_boundary(e)}
        reached: set[str] = set()
        for root in roots:
            reached.add(root)
            reached |= nx.descendants(g, root)
        for e in flowing:
            if e.id not in reached:
                problems.append(
                    Problem(Severity.ERROR, "unreachable", e.id, e.line, {"label": e.label or e.id})
                )
        has_end = False
        for e in members:
            # A step whose only way out is a message to another party still ends its own pool's path.
            if self.sequence_out_degree(e.id) == 0:
                if isinstance(e, Step) and e.kind == StepKind.END_EVENT:
                    has_end = True
                elif isinstance(e, Step) and not (e.kind == StepKind.START_EVENT and len(members) == 1):
                    has_end = True
                    problems.append(Problem(W, "dead_end", e.id, e.line, {"label": e.label or e.id}))
                elif isinstance(e, Gateway) and g.in_degree(e.id) > 0:
                    problems.append(Problem(W, "dead_end", e.id, e.line, {"label": e.label or e.id}))
        if not has_end and parent is None:
            problems.append(Problem(E, "no_end"))
        return problems


def _is_boundary(e: Element) -> bool:
    return isinstance(e, Step) and e.kind == StepKind.BOUNDARY_EVENT


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    return sorted(problems, key=lambda p: (order[p.severity], p.line if p.line is not None else 1 << 30))
