"""BPMN 2.0 XML: read any tool's export, write BPMN with diagram interchange.

How BPMN maps onto :class:`~processes.model.Process`
------------------------------------------------------

- **Pools.** Every ``<process>`` in the file contributes its elements to one
  :class:`Process`. When more than one process has content (several pools),
  lane names are qualified by the pool name (``"Søker / Privatperson"``) and
  the elements of a pool without lanes get the pool name as their lane, so
  the organisation that does the work is not lost. A pool's name is the
  participant's name, else the process's name. Every element of such a
  collaboration also carries its pool in :attr:`Step.pool` /
  :attr:`Gateway.pool` (a single pool leaves it None), so that the parties
  stay apart even where lanes were renamed. Black-box pools (participants
  without a process) hold no elements.
- **Message flows** become flows of kind ``message``
  (:class:`~processes.model.FlowKind`) from the sender to the receiver, the
  message's name as their ``condition``: the receiver waits for the message,
  so a multi-party process is one connected process. A message flow whose
  end is a whole pool means that pool's only start event (as target) or only
  end event (as source); one to or from a black-box pool, or a pool without
  such a single event, is left out with a warning in
  :attr:`Process.import_problems` (no step of this file sends or receives it).
- **Lanes** (``laneSet``, nested ``childLaneSet``, ``flowNodeRef``) become
  :attr:`Step.lane` / :attr:`Gateway.lane` and the ordered
  :attr:`Process.lanes`. A nested lane is named by its path
  (``"Byggesak / Saksbehandler"``); an element gets its innermost lane.
  Elements inside a sub-process that no lane lists inherit the sub-process's
  lane.
- **Sub-processes** (``subProcess``, ``adHocSubProcess``, ``transaction``)
  are steps of kind ``subprocess``; their inner elements carry
  ``parent=<sub-process id>``. Call activities are steps of kind
  ``call_activity``; the process they call, when it is in the same file, is
  imported as another pool.
- **Events** are steps whether named or not; boundary events carry
  ``attached_to``. Event definitions (message, timer, ...) are not kept.
- **Flows**: ``sequenceFlow`` with the flow's name as condition, else the
  text of its ``conditionExpression``.
- **Ignored**: data objects and stores, associations, text annotations,
  groups, event definitions, vendor extensions (Camunda,
  Zeebe, Signavio, Altinn, ...) and the diagram (BPMN DI) of the input.

Attributes that BPMN has no field for (mode, system, legal basis, handling
time, metrics, free attributes, process metadata) are written to, and read
back from, ``extensionElements`` in the project's namespace
:data:`KP_NAMESPACE` (prefix ``kp``), so that ``read_bpmn(write_bpmn(p)) ==
p``. Other tools keep or drop them; they never change what BPMN says.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from processes.exceptions import FormatError, ModelError, UnsupportedFormatError
from processes.formats._xml import DEFAULT_MAX_BYTES, local_name, parse_xml
from processes.model import (
    Element,
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Problem,
    Process,
    Severity,
    Step,
    StepKind,
)

__all__ = [
    "BPMN_NAMESPACE",
    "KP_NAMESPACE",
    "is_bpmn",
    "read_bpmn",
    "write_bpmn",
]

#: The BPMN 2.0 model namespace (what nearly every tool writes).
BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NAMESPACE = "http://www.omg.org/spec/DD/20100524/DC"
DI_NAMESPACE = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
#: The project's extension namespace for attributes BPMN has no field for.
KP_NAMESPACE = "https://kommuneprosess.no/schema/1.0"

# Namespaces that some tools (and BPMN 2.0 betas) used for the model instead
# of the final one. Any of them is read as BPMN.
_OTHER_MODEL_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/BPMN/20100501/MODEL",
        "http://www.omg.org/spec/BPMN/20100501/BPMN20.xsd",
        "http://www.omg.org/spec/BPMN/20100524/MODEL-XMI",
        "http://schema.omg.org/spec/BPMN/2.0",
        "http://www.omg.org/bpmn20",
    }
)

_TASK_KINDS: dict[str, StepKind] = {
    "task": StepKind.TASK,
    "userTask": StepKind.USER_TASK,
    "serviceTask": StepKind.SERVICE_TASK,
    "manualTask": StepKind.MANUAL_TASK,
    "sendTask": StepKind.SEND_TASK,
    "receiveTask": StepKind.RECEIVE_TASK,
    "scriptTask": StepKind.SCRIPT_TASK,
    "businessRuleTask": StepKind.BUSINESS_RULE_TASK,
    "callActivity": StepKind.CALL_ACTIVITY,
    "startEvent": StepKind.START_EVENT,
    "endEvent": StepKind.END_EVENT,
    "intermediateCatchEvent": StepKind.INTERMEDIATE_EVENT,
    "intermediateThrowEvent": StepKind.INTERMEDIATE_EVENT,
    "implicitThrowEvent": StepKind.INTERMEDIATE_EVENT,
    "boundaryEvent": StepKind.BOUNDARY_EVENT,
}
_CONTAINER_TAGS = frozenset({"subProcess", "adHocSubProcess", "transaction"})
_GATEWAY_KINDS: dict[str, GatewayKind] = {
    "exclusiveGateway": GatewayKind.EXCLUSIVE,
    "parallelGateway": GatewayKind.PARALLEL,
    "inclusiveGateway": GatewayKind.INCLUSIVE,
    "eventBasedGateway": GatewayKind.EVENT_BASED,
    "complexGateway": GatewayKind.COMPLEX,
}
# The element written for each kind (the reverse of the two tables above).
_STEP_TAGS: dict[StepKind, str] = {
    StepKind.TASK: "task",
    StepKind.USER_TASK: "userTask",
    StepKind.SERVICE_TASK: "serviceTask",
    StepKind.MANUAL_TASK: "manualTask",
    StepKind.SEND_TASK: "sendTask",
    StepKind.RECEIVE_TASK: "receiveTask",
    StepKind.SCRIPT_TASK: "scriptTask",
    StepKind.BUSINESS_RULE_TASK: "businessRuleTask",
    StepKind.SUBPROCESS: "subProcess",
    StepKind.CALL_ACTIVITY: "callActivity",
    StepKind.START_EVENT: "startEvent",
    StepKind.END_EVENT: "endEvent",
    # A "none" intermediate event is a throw event in BPMN.
    StepKind.INTERMEDIATE_EVENT: "intermediateThrowEvent",
    StepKind.BOUNDARY_EVENT: "boundaryEvent",
}
_GATEWAY_TAGS: dict[GatewayKind, str] = {kind: tag for tag, kind in _GATEWAY_KINDS.items()}

_SEPARATOR = " / "
# Space between the pools of a collaboration on the diagram (pixels).
_POOL_GAP = 40.0


# ---------------------------------------------------------------------------
# Text helpers shared by reader and writer (the writer checks what the reader
# will see, and stores the exact value in kp: only when the two differ).
# ---------------------------------------------------------------------------


# One line break, then any white space: "[\r\n]+\s*" let two quantifiers share the
# breaks (harmless here, but no overlapping quantifiers on user data: DESIGN.md, habit 15).
_HYPHEN_BREAK = re.compile(r"(?<=\w)-[ \t]*[\r\n]\s*")


def _normalise_label(text: str | None) -> str:
    r"""Collapse whitespace and line breaks (``&#10;``) into single spaces.

    A line break right after a hyphen is a wrap inside a word
    ("Sub-&#10;Process"), so it joins without a space.

    >>> _normalise_label("Sende\n  nabovarsel ")
    'Sende nabovarsel'
    >>> _normalise_label("Collapsed Sub-\r\nProcess")
    'Collapsed Sub-Process'
    """
    if not text:
        return ""
    return " ".join(_HYPHEN_BREAK.sub("-", text).split())


def _clean_text(text: str | None) -> str | None:
    """Documentation and conditions: trimmed; empty means absent."""
    if text is None:
        return None
    text = text.strip()
    return text or None


_XML_UNSAFE = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _xml_safe(text: str) -> bool:
    return _XML_UNSAFE.search(text) is None


def _safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (the exact value goes to kp:exact)."""
    return _XML_UNSAFE.sub("", text)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def is_bpmn(root: etree._Element) -> bool:
    """True if ``root`` is a BPMN 2.0 ``<definitions>`` element (any prefix).

    Examples
    --------
    >>> from lxml import etree
    >>> is_bpmn(etree.fromstring(b'<d:definitions xmlns:d="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'))
    True
    >>> is_bpmn(etree.fromstring(b'<definitions/>'))
    False
    """
    return local_name(root.tag) == "definitions" and _is_model_namespace(_namespace(root.tag))


def _namespace(tag: object) -> str | None:
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return None


def _is_model_namespace(ns: str | None) -> bool:
    if ns is None:
        return False
    if ns == BPMN_NAMESPACE or ns in _OTHER_MODEL_NAMESPACES:
        return True
    # Tolerate other spellings of the OMG model namespace (e.g. an https:// or
    # trailing-slash variant), but never the diagram (DI) namespace.
    low = ns.lower().rstrip("/")
    return "omg.org" in low and "bpmn" in low and low.endswith("model")


@dataclass(frozen=True)
class _Participant:
    """A pool of the collaboration: its id, name, and the id of its <process> if it has content."""

    id: str
    name: str
    process: str | None


@dataclass
class _Reader:
    source: str | None
    ns: str
    process: Process = field(default_factory=Process)
    lane_of: dict[str, str] = field(default_factory=dict)
    lane_refs: list[tuple[str, str, int]] = field(default_factory=list)
    seen_ids: dict[str, int | None] = field(default_factory=dict)
    # For every element: id as read, and the element's container (for lane inheritance).
    containers: dict[str, str | None] = field(default_factory=dict)
    pending: list[tuple[Element, etree._Element]] = field(default_factory=list)
    flows: list[tuple[Flow, etree._Element]] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    # Where a pool's own name goes in Process.lanes if elements fall back to it.
    pool_positions: dict[str, int] = field(default_factory=dict)
    # The pool (party) being walked, and the pool of every element read (several pools only).
    current_pool: str | None = None
    pool_of: dict[str, str] = field(default_factory=dict)
    # The <process> (its XML id) each top-level and nested element was read from.
    current_process: str | None = None
    process_of: dict[str, str] = field(default_factory=dict)
    # Message flows of the collaboration, after the elements (their ends may be pools).
    messages: list[tuple[Flow, etree._Element]] = field(default_factory=list)
    # Process.lanes exactly as written, when the pools' lanes would not read back in order.
    exact_lanes: list[str] | None = None

    def bpmn_children(self, el: etree._Element) -> Iterator[tuple[str, etree._Element]]:
        for child in el:
            if isinstance(child.tag, str) and _namespace(child.tag) == self.ns:
                yield local_name(child.tag), child

    def fail(self, message: str, el: etree._Element | None = None, *, code: str, **kw: Any) -> FormatError:
        line = el.sourceline if el is not None else None
        return FormatError(message, code=code, source=self.source, line=line, **kw)

    # -- ids ------------------------------------------------------------
    def claim_id(self, el: etree._Element, tag: str) -> str:
        """Return a unique id for ``el``; duplicates and missing ids are kept under a new id."""
        raw = el.get("id")
        line = el.sourceline
        if raw is None or not raw.strip():
            new = self._free(f"{tag}_line{line}")
            self.process.import_problems.append(
                Problem(
                    Severity.WARNING,
                    "missing_id",
                    new,
                    line,
                    {"text": f"<{tag}> on line {line} has no id; it is kept as '{new}'"},
                )
            )
            self.seen_ids[new] = line
            return new
        if raw in self.seen_ids:
            new = self._free(f"{raw}~dup")
            first = self.seen_ids[raw]
            self.process.import_problems.append(
                Problem(
                    Severity.ERROR,
                    "duplicate_id",
                    raw,
                    line,
                    {
                        "element": raw,
                        "renamed_to": new,
                        "first_line": str(first) if first is not None else "",
                        "text": f"the id '{raw}' is used again on line {line} "
                        f"(first on line {first}); the second <{tag}> is kept as '{new}' "
                        f"and flows that name '{raw}' go to the first",
                    },
                )
            )
            self.seen_ids[new] = line
            return new
        self.seen_ids[raw] = line
        return str(raw)

    def _free(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.seen_ids:
            candidate = f"{base}{n}"
            n += 1
        return candidate

    # -- walking --------------------------------------------------------
    def read_lanes(self, lane_set: etree._Element, prefix: list[str], depth: int) -> None:
        for tag, lane in self.bpmn_children(lane_set):
            if tag != "lane":
                continue
            own = lane.get("name")
            name = _normalise_label(own) if own is not None else (lane.get("id") or "")
            path = [*prefix, name] if name or not prefix else prefix
            full = _SEPARATOR.join(p for p in path if p)
            kp = _kp(lane)
            undeclared = kp is not None and kp.get("undeclared") == "true"
            repeated = kp is not None and kp.get("repeated") == "true"
            exact = _exact_string(_exact_values_checked(kp, self.source, lane.get("id")), "name") if kp is not None else None
            if exact is not None:
                full = exact
            if not undeclared and (full not in self.lanes or repeated):
                self.lanes.append(full)
            for ref_tag, ref in self.bpmn_children(lane):
                if ref_tag == "flowNodeRef" and ref.text:
                    # Resolved in finish(), when every id is known.
                    self.lane_refs.append((ref.text, full, depth))
                elif ref_tag == "childLaneSet":
                    self.read_lanes(ref, path, depth + 1)

    def walk(self, container: etree._Element, parent: str | None, pool_lane: str | None) -> None:
        for tag, el in self.bpmn_children(container):
            if tag == "laneSet":
                self.read_lanes(el, [pool_lane] if pool_lane else [], 0)
            elif tag in _TASK_KINDS or tag in _CONTAINER_TAGS:
                self.read_step(tag, el, parent, pool_lane)
            elif tag in _GATEWAY_KINDS:
                gid = self.claim_id(el, tag)
                gw = Gateway(
                    gid,
                    _GATEWAY_KINDS[tag],
                    label=_normalise_label(el.get("name")),
                    parent=parent,
                    line=el.sourceline,
                )
                self.add(gw, el, parent, pool_lane)
            elif tag == "sequenceFlow":
                self.read_flow(el)

    def read_step(self, tag: str, el: etree._Element, parent: str | None, pool_lane: str | None) -> None:
        sid = self.claim_id(el, tag)
        kind = StepKind.SUBPROCESS if tag in _CONTAINER_TAGS else _TASK_KINDS[tag]
        attached = el.get("attachedToRef") if tag == "boundaryEvent" else None
        step = Step(
            sid,
            _normalise_label(el.get("name")),
            kind,
            documentation=self.documentation(el),
            parent=parent,
            attached_to=attached.strip() if attached else None,
            line=el.sourceline,
        )
        self.add(step, el, parent, pool_lane)
        if tag in _CONTAINER_TAGS:
            self.walk(el, sid, pool_lane)

    def documentation(self, el: etree._Element) -> str | None:
        texts = [_clean_text("".join(d.itertext())) for t, d in self.bpmn_children(el) if t == "documentation"]
        joined = "\n\n".join(t for t in texts if t)
        return joined or None

    def add(self, element: Element, el: etree._Element, parent: str | None, pool_lane: str | None) -> None:
        self.containers[element.id] = parent
        if self.current_pool is not None:
            self.pool_of[element.id] = self.current_pool
        if self.current_process is not None:
            self.process_of[element.id] = self.current_process
        if pool_lane is not None:
            self.lane_of.setdefault(f"\0pool:{element.id}", pool_lane)
        self.pending.append((element, el))

    def read_flow(self, el: etree._Element) -> None:
        fid = self.claim_id(el, "sequenceFlow")
        name = _normalise_label(el.get("name")) or None
        condition = name
        if condition is None:
            for t, c in self.bpmn_children(el):
                if t == "conditionExpression":
                    condition = _clean_text("".join(c.itertext()))
        source = (el.get("sourceRef") or "").strip()
        target = (el.get("targetRef") or "").strip()
        self.flows.append((Flow(source, target, condition, fid, line=el.sourceline), el))

    # -- finishing ------------------------------------------------------
    def finish(self) -> Process:
        p = self.process
        depth_of: dict[str, int] = {}
        for ref, lane, depth in self.lane_refs:
            node = self.resolve_ref(ref)
            # The innermost lane wins: parent lanes list their children's nodes too.
            if depth >= depth_of.get(node, -1):
                self.lane_of[node] = lane
                depth_of[node] = depth
        resolved = {id(element): self.resolve_lane(element.id) for element, _ in self.pending}
        lanes = list(self.lanes)
        used = set(resolved.values())
        for pool, position in sorted(self.pool_positions.items(), key=lambda kv: -kv[1]):
            if pool in used and pool not in lanes:
                lanes.insert(position, pool)
        p.lanes = lanes if self.exact_lanes is None else self.exact_lanes
        # Ids the writer had to replace (not valid XML names) come back from kp:exact;
        # references to them (parent, attachment, flow ends) are mapped the same way.
        original: dict[str, str] = {}
        for element, el in self.pending:
            kp = _kp(el)
            if kp is not None:
                exact_id = _exact_string(_exact_values_checked(kp, self.source, element.id), "id")
                if isinstance(exact_id, str):
                    original[element.id] = exact_id
        for element, el in self.pending:
            changes: dict[str, Any] = {"lane": resolved[id(element)], "pool": self.pool_of.get(element.id)}
            if element.parent is not None:
                changes["parent"] = original.get(element.parent, element.parent)
            if isinstance(element, Step) and element.attached_to is not None:
                attached = self.resolve_ref(element.attached_to)
                changes["attached_to"] = original.get(attached, attached)
            element = _apply_kp(element.replace(**changes), _kp(el), self.source)
            try:
                if isinstance(element, Step):
                    p.add_step(element)
                else:
                    p.add_gateway(element)
            except ModelError as exc:  # a kp:exact id that clashes with another element
                raise self.fail(
                    f"cannot add element: {exc}",
                    el,
                    code="invalid_element",
                    params={"detail": str(exc)},
                    element=element.id,
                ) from None
        for flow, el in self.flows:
            source, target = self.resolve_ref(flow.source), self.resolve_ref(flow.target)
            flow = flow.replace(source=original.get(source, source), target=original.get(target, target))
            p.add_flow(_apply_flow_kp(flow, _kp(el), self.source))
        for flow, el in self.messages:
            source, target = self.resolve_ref(flow.source), self.resolve_ref(flow.target)
            flow = flow.replace(source=original.get(source, source), target=original.get(target, target))
            p.add_flow(_apply_flow_kp(flow, _kp(el), self.source))
        return p

    def read_messages(self, collab: etree._Element, participants: Mapping[str, _Participant]) -> None:
        """Message flows between pools; an end that is a whole pool is resolved or left out with a reason."""
        for tag, el in self.bpmn_children(collab):
            if tag != "messageFlow":
                continue
            fid = self.claim_id(el, "messageFlow")
            name = _normalise_label(el.get("name")) or None
            ends: list[str] = []
            for attr, role in (("sourceRef", "source"), ("targetRef", "target")):
                ref = (el.get(attr) or "").strip()
                party = None if self.resolve_ref(ref) in self.seen_ids else participants.get(ref.rsplit(":", 1)[-1])
                if party is not None:
                    end = self.pool_end(party, role)
                    if end is None:
                        self.drop_message(el, fid, party, role, ends, (el.get("targetRef") or "").strip())
                        break
                    ref = end
                ends.append(ref)
            else:
                flow = Flow(ends[0], ends[1], name, fid, line=el.sourceline, kind=FlowKind.MESSAGE)
                self.messages.append((flow, el))

    def pool_end(self, party: _Participant, role: str) -> str | None:
        """The element a message to (or from) a whole pool means: its one start (or end) event."""
        if party.process is None:
            return None
        wanted = StepKind.START_EVENT if role == "target" else StepKind.END_EVENT
        found = [
            element.id
            for element, _ in self.pending
            if self.process_of.get(element.id) == party.process
            and element.parent is None
            and isinstance(element, Step)
            and element.kind == wanted
        ]
        return found[0] if len(found) == 1 else None

    def drop_message(
        self, el: etree._Element, fid: str, party: _Participant, role: str, ends: list[str], target: str
    ) -> None:
        other = ends[0] if role == "target" else self.resolve_ref(target)
        label = next((e.label or e.id for e, _ in self.pending if e.id == other), other)
        code = "message_to_black_box" if role == "target" else "message_from_black_box"
        if party.process is not None:
            code = "message_to_pool" if role == "target" else "message_from_pool"
        pool = party.name or party.id
        self.process.import_problems.append(
            Problem(
                Severity.WARNING,
                code,
                fid,
                el.sourceline,
                {
                    "step": label,
                    "pool": pool,
                    "text": f"the message flow '{fid}' {'to' if role == 'target' else 'from'} the pool "
                    f"'{pool}' is left out: "
                    + (
                        "that pool has no process in the file"
                        if party.process is None
                        else f"the pool has no single {'start' if role == 'target' else 'end'} event it could mean"
                    ),
                },
            )
        )

    def resolve_ref(self, ref: str) -> str:
        """The id a reference means: as written, or without a QName prefix ("tns:Task_1")."""
        ref = ref.strip()
        if ref in self.seen_ids or ":" not in ref:
            return ref
        local = ref.rsplit(":", 1)[-1]
        return local if local in self.seen_ids else ref

    def resolve_lane(self, element_id: str) -> str | None:
        current: str | None = element_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            if current in self.lane_of:
                return self.lane_of[current]
            current = self.containers.get(current)
        return self.lane_of.get(f"\0pool:{element_id}")


def read_bpmn(
    data: bytes,
    *,
    source: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Process:
    """Read a BPMN 2.0 XML file into a :class:`Process`.

    See the module docstring for how pools, lanes, sub-processes and events
    are mapped. Every element keeps its id and its line in the file.

    Parameters
    ----------
    data
        The file's bytes (any encoding XML declares; a UTF-8 BOM is fine).
    source
        The file name, used in error messages.
    max_bytes
        Refuse larger inputs (``None``: no limit).

    Returns
    -------
    Process
        All pools' elements in one process. Non-fatal findings (duplicate
        ids, elements without an id) are in :attr:`Process.import_problems`.

    Raises
    ------
    FormatError
        Empty or malformed XML, a DOCTYPE, or a kp: extension value that
        cannot be read.
    UnsupportedFormatError
        Well-formed XML that is not BPMN 2.0 (wrong root element, or no
        ``<process>``).
    InputTooLargeError
        ``data`` is larger than ``max_bytes``.

    Examples
    --------
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
    ...   <process id="p" name="Startlån">
    ...     <startEvent id="s" name="Søknad&#10;mottatt"/>
    ...     <userTask id="t" name="Vurdere søknaden"/>
    ...     <sequenceFlow id="f" sourceRef="s" targetRef="t"/>
    ...   </process>
    ... </definitions>'''
    >>> p = read_bpmn(xml.encode())
    >>> [(s.label, s.kind.value, s.line) for s in p.steps]
    [('Søknad mottatt', 'start_event', 3), ('Vurdere søknaden', 'user_task', 4)]
    >>> [(f.source, f.target) for f in p.flows]
    [('s', 't')]
    """
    try:
        root = parse_xml(data, source=source, max_bytes=max_bytes)
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding in the XML declaration
        raise FormatError(
            f"the file cannot be decoded as XML: {exc}", code="encoding", params={"detail": str(exc)}, source=source
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # parse_xml looks for "<!DOCTYPE" in the raw bytes, which misses it in
        # UTF-16/32 files; the parsed document tells for any encoding.
        raise FormatError(
            "the file declares a DOCTYPE; DTDs and entities are refused for safety",
            code="doctype",
            source=source,
            hint="remove the <!DOCTYPE ...> declaration",
        )
    tag = local_name(root.tag)
    ns = _namespace(root.tag)
    if not is_bpmn(root):
        raise _not_bpmn(root, tag, ns, source)
    reader = _Reader(source, ns or BPMN_NAMESPACE)
    processes = [el for t, el in reader.bpmn_children(root) if t == "process"]
    if not processes:
        found = sorted({t for t, _ in reader.bpmn_children(root)})
        raise UnsupportedFormatError(
            "the BPMN file has no <process> element, so there is no process to import"
            + (f" (it holds: {', '.join(found)})" if found else " (<definitions> is empty)"),
            code="no_bpmn_process",
            params={"found": ", ".join(found)},
            source=source,
            line=root.sourceline,
            element=root.get("id"),
            hint="export the process (not only a collaboration, choreography or diagram) from the modelling tool",
        )

    pool_names: dict[str, str] = {}
    first_participant: str = ""
    for t, collab in reader.bpmn_children(root):
        if t != "collaboration":
            continue
        for pt, participant in reader.bpmn_children(collab):
            if pt == "participant":
                ref = (participant.get("processRef") or "").strip()
                name = _normalise_label(participant.get("name"))
                if ref and name:
                    pool_names.setdefault(ref, name)
                    pool_names.setdefault(ref.rsplit(":", 1)[-1], name)
                first_participant = first_participant or name

    with_content = [el for el in processes if any(True for _ in reader.bpmn_children(el))]
    several = len(with_content) > 1
    for el in processes:
        pool = pool_names.get(el.get("id") or "") or _normalise_label(el.get("name"))
        if several and pool:
            reader.pool_positions.setdefault(pool, len(reader.lanes))
        # Every element of a collaboration of several parties knows its party.
        reader.current_pool = (pool or el.get("id") or "") or None if several else None
        reader.current_process = el.get("id") or f"\0line{el.sourceline}"
        reader.walk(el, None, pool if several and pool else None)
    reader.current_pool = reader.current_process = None
    walked = {el.get("id") for el in with_content}
    for t, collab in reader.bpmn_children(root):
        if t != "collaboration":
            continue
        participants: dict[str, _Participant] = {}
        for pt, participant in reader.bpmn_children(collab):
            if pt == "participant" and participant.get("id"):
                ref = (participant.get("processRef") or "").strip().rsplit(":", 1)[-1]
                participants[str(participant.get("id"))] = _Participant(
                    str(participant.get("id")), _normalise_label(participant.get("name")), ref if ref in walked else None
                )
        reader.read_messages(collab, participants)

    p = reader.process
    main = with_content[0] if len(with_content) == 1 else (processes[0] if len(processes) == 1 else None)
    if main is not None:
        p.id = main.get("id") or root.get("id") or "process"
        p.name = (
            _normalise_label(main.get("name"))
            or pool_names.get(main.get("id") or "", "")
            or _normalise_label(root.get("name"))
        )
        p.documentation = reader.documentation(main)
        _read_process_kp(p, _kp(main), source)
    else:
        collab_el = next((c for t, c in reader.bpmn_children(root) if t == "collaboration"), None)
        p.id = root.get("id") or (collab_el.get("id") if collab_el is not None else None) or "process"
        p.name = (
            _normalise_label(root.get("name"))
            or (_normalise_label(collab_el.get("name")) if collab_el is not None else "")
            or first_participant
        )
        if collab_el is not None:
            # Several parties: what write_bpmn keeps of the process as a whole is on the collaboration.
            p.documentation = reader.documentation(collab_el)
            kp = _kp(collab_el)
            _read_process_kp(p, kp, source)
            if kp is not None:
                reader.exact_lanes = _exact_lanes(kp, source)
    return reader.finish()


def _not_bpmn(root: etree._Element, tag: str, ns: str | None, source: str | None) -> UnsupportedFormatError:
    shown = f"<{tag}>" + (f" in namespace {ns}" if ns else " without a namespace")
    hint: str | None
    if tag == "definitions":
        message = f"the root element is {shown}, which is not the BPMN 2.0 model namespace"
        hint = f"a BPMN 2.0 file has <definitions xmlns=\"{BPMN_NAMESPACE}\">"
    elif _is_model_namespace(ns):
        message = f"the root element is <{tag}> in the BPMN namespace, but a BPMN 2.0 file starts with <definitions>"
        hint = "did you mean <definitions>?" if tag.lower().startswith("definition") else None
    else:
        message = f"this XML file is not BPMN 2.0: the root element is {shown}, not <definitions>"
        hint = "export the process as BPMN 2.0 XML from the modelling tool"
    return UnsupportedFormatError(
        message,
        code="not_bpmn",
        params={"root": tag, "namespace": ns or ""},
        source=source,
        line=root.sourceline,
        element=tag,
        hint=hint,
    )


# -- kp: extension (read side) -----------------------------------------------


def _kp(el: etree._Element) -> etree._Element | None:
    """The kp:properties element in ``el``'s extensionElements, if any."""
    for ext in el:
        if isinstance(ext.tag, str) and local_name(ext.tag) == "extensionElements":
            for child in ext:
                if child.tag == f"{{{KP_NAMESPACE}}}properties":
                    return child
    return None


def _exact_values(kp: etree._Element) -> dict[str, Any]:
    """Exact values of fields whose plain BPMN form would not read back equal."""
    out: dict[str, Any] = {}
    for child in kp:
        if child.tag == f"{{{KP_NAMESPACE}}}exact":
            key = child.get("field") or ""
            value = _json(child, child.get("json"))
            if not (isinstance(value, str) or (value is None and key in _OPTIONAL_TEXT)):
                raise _KpError(f"kp:exact for {key!r} must hold a JSON string, not {value!r}", child)
            out[key] = value
    return out


def _exact_values_checked(kp: etree._Element, source: str | None, element: str | None) -> dict[str, Any]:
    try:
        return _exact_values(kp)
    except _KpError as exc:
        raise FormatError(
            str(exc), code="invalid_extension", params={"detail": str(exc)}, source=source,
            line=exc.el.sourceline, element=element,
        ) from None


def _exact_string(exact: Mapping[str, Any], key: str) -> str | None:
    value = exact.get(key)
    return value if isinstance(value, str) else None


_OPTIONAL_TEXT = frozenset(
    {"id", "lane", "parent", "attached_to", "documentation", "system", "legal_basis", "condition", "pool"}
)


class _KpError(Exception):
    def __init__(self, message: str, el: etree._Element) -> None:
        super().__init__(message)
        self.el = el


def _json(el: etree._Element, text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        raise _KpError(f"kp:{local_name(el.tag)} holds invalid JSON {text!r}", el) from None


def _kp_pairs(kp: etree._Element, name: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for child in kp:
        if child.tag != f"{{{KP_NAMESPACE}}}{name}":
            continue
        if child.get("json") is not None:
            value = _json(child, child.get("json"))
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
                raise _KpError(f"kp:{name} json must be a [name, value] pair of strings", child)
            pairs.append((value[0], value[1]))
        else:
            pairs.append((child.get("name") or "", child.get("value") or ""))
    return pairs


def _float(el: etree._Element, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _KpError(f"{text!r} is not a number", el) from None


def _apply_kp(element: Element, kp: etree._Element | None, source: str | None) -> Element:
    if kp is None:
        return element
    try:
        changes: dict[str, Any] = {}
        exact = _exact_values(kp)
        for name in ("id", "label", "lane", "parent", "attached_to", "documentation", "pool"):
            if name in exact:
                changes[name] = exact[name]
        if "noLane" in kp.attrib:
            changes["lane"] = None
        if isinstance(element, Step):
            if kp.get("mode") is not None:
                mode = kp.get("mode") or ""
                if mode not in {m.value for m in Mode}:
                    raise _KpError(f"kp mode {mode!r} is not one of {', '.join(m.value for m in Mode)}", kp)
                changes["mode"] = Mode(mode)
            for attr, key in (("system", "system"), ("legalBasis", "legal_basis")):
                if kp.get(attr) is not None:
                    changes[key] = kp.get(attr)
                if key in exact:
                    changes[key] = exact[key]
            if kp.get("handlingDays") is not None:
                changes["handling_days"] = _float(kp, kp.get("handlingDays") or "")
            metrics = {k: _float(kp, v) for k, v in _kp_pairs(kp, "metric")}
            if metrics:
                changes["metrics"] = metrics
            attributes = dict(_kp_pairs(kp, "attribute"))
            if attributes:
                changes["attributes"] = attributes
        return element.replace(**changes) if changes else element
    except _KpError as exc:
        raise FormatError(
            str(exc), code="invalid_extension", params={"detail": str(exc)}, source=source,
            line=exc.el.sourceline, element=element.id,
        ) from None
    except (ModelError, ValueError, TypeError) as exc:  # e.g. an empty kp:exact id
        raise FormatError(
            f"invalid kp: extension: {exc}", code="invalid_extension", params={"detail": str(exc)},
            source=source, line=kp.sourceline, element=element.id,
        ) from None


def _apply_flow_kp(flow: Flow, kp: etree._Element | None, source: str | None) -> Flow:
    if kp is None:
        return flow
    try:
        exact = _exact_values(kp)
        changes: dict[str, Any] = {k: exact[k] for k in ("id", "source", "target", "condition") if k in exact}
        metrics = {k: _float(kp, v) for k, v in _kp_pairs(kp, "metric")}
        if metrics:
            changes["metrics"] = metrics
        return flow.replace(**changes) if changes else flow
    except _KpError as exc:
        raise FormatError(
            str(exc), code="invalid_extension", params={"detail": str(exc)}, source=source,
            line=exc.el.sourceline, element=flow.id,
        ) from None


def _exact_lanes(kp: etree._Element, source: str | None) -> list[str] | None:
    """The lane list kept in kp:exact "lanes" (a JSON list of strings, itself held as a string)."""
    text = _exact_string(_exact_values_checked(kp, source, None), "lanes")
    if text is None:
        return None
    try:
        lanes = json.loads(text)
    except ValueError:
        lanes = None
    if not (isinstance(lanes, list) and all(isinstance(x, str) for x in lanes)):
        raise FormatError(
            "kp:exact for the lanes must hold a JSON list of lane names",
            code="invalid_extension",
            params={"detail": "kp:exact for the lanes must hold a JSON list of lane names"},
            source=source,
            line=kp.sourceline,
            hint="remove the kp:exact field=\"lanes\" element to use the lanes of the pools",
        )
    return lanes


def _read_process_kp(p: Process, kp: etree._Element | None, source: str | None) -> None:
    if kp is None:
        return
    try:
        exact = _exact_values(kp)
        for key in ("id", "name", "documentation"):
            if key in exact:
                if exact[key] is None and key != "documentation":
                    raise _KpError(f"kp:exact for the process {key} must be a string", kp)
                setattr(p, key, exact[key])
        p.metadata = dict(_kp_pairs(kp, "metadata"))
    except _KpError as exc:
        raise FormatError(
            str(exc), code="invalid_extension", params={"detail": str(exc)}, source=source, line=exc.el.sourceline
        ) from None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write_bpmn(process: Process, *, layout: bool = True) -> bytes:
    """Write ``process`` as BPMN 2.0 XML, with a diagram (BPMN DI) by default.

    Lanes become one pool (a collaboration with one participant) with a
    lane set; a process of several parties (:attr:`Step.pool`) becomes one
    participant and ``<process>`` per pool, each with the lanes named after
    it (``"Kommunen / Byggesak"`` is the lane ``Byggesak`` of ``Kommunen``),
    and its message flows ``<messageFlow>`` elements of the collaboration.
    Steps inside a sub-process are nested in its ``subProcess`` element. Attributes BPMN has no field for go to ``extensionElements``
    in the :data:`KP_NAMESPACE` namespace, so that reading the result with
    :func:`read_bpmn` gives an equal process. Ids that are not valid XML
    names are replaced by generated ones (the original is kept in kp:).

    Parameters
    ----------
    process
        The process to write.
    layout
        Add BPMN DI shapes and edges, laid out by
        :func:`processes.render.layout`, so that the file opens in Camunda
        Modeler and bpmn.io. Without it, the file holds the model only.

    Returns
    -------
    bytes
        UTF-8 XML with an XML declaration.

    Examples
    --------
    >>> p = Process("p", "Startlån", lanes=["Saksbehandler"])
    >>> p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT, lane="Saksbehandler"))
    >>> p.add_step(Step("t", "Vurdere søknaden", StepKind.USER_TASK, lane="Saksbehandler", system="Acos"))
    >>> p.add_flow(Flow("s", "t", id="f1"))
    >>> data = write_bpmn(p, layout=False)
    >>> b'<bpmn:userTask id="t" name="Vurdere s\\xc3\\xb8knaden">' in data
    True
    >>> read_bpmn(data) == p
    True
    """
    return _Writer(process).write(layout=layout)


def _B(name: str) -> str:
    return f"{{{BPMN_NAMESPACE}}}{name}"


def _K(name: str) -> str:
    return f"{{{KP_NAMESPACE}}}{name}"


_NSMAP = {
    "bpmn": BPMN_NAMESPACE,
    "bpmndi": BPMNDI_NAMESPACE,
    "dc": DC_NAMESPACE,
    "di": DI_NAMESPACE,
    "kp": KP_NAMESPACE,
    "xsi": XSI_NAMESPACE,
}


class _Writer:
    def __init__(self, process: Process) -> None:
        self.p = process
        self.xml_ids: dict[str, str] = {}
        self.used: set[str] = set()
        # What read_bpmn will give each element as lane and pool, where write_pools() decides it.
        self.implied_lanes: dict[str, str | None] = {}
        self.implied_pools: dict[str, str | None] = {}
        self.message_targets = {f.target for f in process.flows if f.is_message}
        for e in process.elements:
            self.xml_ids[e.id] = self._mint(e.id)

    def _mint(self, original: str) -> str:
        base = original if _NCNAME.match(original) and not original.startswith("kp_") else None
        if base is None:
            cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", _ascii(original))[:40].strip("_.-") or "id"
            base = f"kp_{cleaned}"
        candidate, n = base, 2
        while candidate in self.used:
            candidate = f"{base}_{n}"
            n += 1
        self.used.add(candidate)
        return candidate

    def ref(self, element_id: str) -> str:
        """The XML id for a reference; unknown ids get a stable generated name."""
        if element_id not in self.xml_ids:
            self.xml_ids[element_id] = self._mint(element_id)
        return self.xml_ids[element_id]

    # -- structure ------------------------------------------------------
    def nestable(self) -> dict[str, str | None]:
        """Where each element is written: its parent sub-process, or top level (None)."""
        p = self.p
        where: dict[str, str | None] = {}
        for e in p.elements:
            parent = e.parent
            ok = parent is not None
            seen = {e.id}
            current = parent
            while ok and current is not None:
                holder = p.get(current)
                if not isinstance(holder, Step) or holder.kind != StepKind.SUBPROCESS or current in seen:
                    ok = False
                    break
                seen.add(current)
                current = holder.parent
            where[e.id] = parent if ok else None
        return where

    def write(self, *, layout: bool) -> bytes:
        p = self.p
        where = self.nestable()
        if len(self._homes(where)) > 1:
            return self.write_pools(where, layout=layout)
        declared = list(p.lanes)
        used_lanes = [e.lane for e in p.elements if e.lane is not None and where[e.id] is None]
        extra = [lane for lane in dict.fromkeys(used_lanes) if lane not in declared]
        all_lanes = declared + extra
        # Message flows live in a collaboration, so they need the pool too.
        has_pool = bool(all_lanes) or any(f.is_message for f in p.flows)

        root = etree.Element(_B("definitions"), nsmap=_NSMAP)
        root.set("id", self._mint("Definitions_1"))
        root.set("targetNamespace", "https://kommuneprosess.no/bpmn")
        root.set("exporter", "kommuneprosess")
        root.set("exporterVersion", "1.0")

        # The process keeps its id unless a step already has it (or it is not an XML name).
        process_xml_id = self._mint(p.id if p.id not in self.xml_ids else f"Process_{p.id}")
        self.process_xml_id = process_xml_id
        participant_id = self._mint("Participant_" + process_xml_id)
        collab_id = self._mint("Collaboration_" + process_xml_id)
        if has_pool:
            collab = etree.SubElement(root, _B("collaboration"), id=collab_id)
            participant = etree.SubElement(collab, _B("participant"), id=participant_id)
            if p.name:
                participant.set("name", _safe(p.name))
            participant.set("processRef", process_xml_id)
        proc = etree.SubElement(root, _B("process"), id=process_xml_id, isExecutable="false")
        if p.name:
            proc.set("name", _safe(p.name))
        if p.documentation is not None:
            etree.SubElement(proc, _B("documentation")).text = _safe(p.documentation)
        self.process_kp(proc)

        lane_ids: dict[str, str] = {}  # lane name -> id of its (first) lane element
        lane_elements: list[tuple[str, str]] = []  # every lane element written: (name, id)
        if all_lanes:
            lane_set = etree.SubElement(proc, _B("laneSet"), id=self._mint("LaneSet_" + process_xml_id))
            members: dict[str, list[str]] = {lane: [] for lane in all_lanes}
            for e in p.elements:
                if e.lane is not None and where[e.id] is None:
                    members[e.lane].append(self.xml_ids[e.id])
            for i, lane in enumerate(all_lanes, 1):
                kp_attrs: dict[str, str] = {}
                if lane in lane_ids:
                    # Process.lanes names this lane twice: an empty band keeps the count.
                    kp_attrs["repeated"] = "true"
                lane_id = self._mint(f"Lane_{i}")
                lane_ids.setdefault(lane, lane_id)
                lane_elements.append((lane, lane_id))
                lane_el = etree.SubElement(lane_set, _B("lane"), id=lane_id, name=_safe(lane))
                if lane in extra:
                    kp_attrs["undeclared"] = "true"
                exact = {}
                if _safe(lane) != lane or _lane_read_back(lane) != lane:
                    exact["name"] = lane
                if kp_attrs or exact:
                    self.kp_block(lane_el, kp_attrs, exact=exact)
                for ref in members[lane] if lane_ids[lane] == lane_id else ():
                    etree.SubElement(lane_el, _B("flowNodeRef")).text = ref

        containers: dict[str | None, etree._Element] = {None: proc}
        written: dict[str, etree._Element] = {}  # element id -> its flow node element
        # Containers first, in an order where a parent comes before its children.
        order = self._nesting_order(where)
        for e in order:
            host = containers[where[e.id]]
            el = self.element(host, e, where)
            written[e.id] = el
            if isinstance(e, Step) and e.kind == StepKind.SUBPROCESS:
                containers[e.id] = el
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for i, flow in enumerate(p.flows, 1):
            if flow.is_message:
                self.flow(collab, flow, i)  # has_pool: there is a collaboration
                continue
            s_where = where.get(flow.source)
            t_where = where.get(flow.target)
            host = containers[s_where] if s_where == t_where and flow.source in where else proc
            fid = self.flow(host, flow, i)
            outgoing.setdefault(flow.source, []).append(fid)
            incoming.setdefault(flow.target, []).append(fid)
        for element_id, el in written.items():
            _flow_refs(el, incoming.get(element_id, ()), outgoing.get(element_id, ()))

        if layout:
            self.diagram(root, has_pool, participant_id, collab_id, lane_elements, where)
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return data

    def _homes(self, where: Mapping[str, str | None]) -> dict[str, list[str]]:
        """Pools that top-level elements belong to -> the ids of every element written in each."""
        p = self.p
        homes: dict[str, list[str]] = {}
        for e in p.elements:
            top: Element = e
            seen = {e.id}
            while where[top.id] is not None and where[top.id] not in seen:
                seen.add(str(where[top.id]))
                top = p[str(where[top.id])]
            if top.pool is not None:
                homes.setdefault(top.pool, [])
        first = next(iter(homes), None)
        for e in p.elements:
            top = e
            seen = {e.id}
            while where[top.id] is not None and where[top.id] not in seen:
                seen.add(str(where[top.id]))
                top = p[str(where[top.id])]
            home = top.pool if top.pool is not None else first
            if home is not None:
                homes[home].append(e.id)
        return homes

    def write_pools(self, where: Mapping[str, str | None], *, layout: bool) -> bytes:
        """Write a collaboration of several parties: one participant and one <process> per pool.

        Each pool's lanes are those named after it (``"Pool / Lane"``, written
        as ``Lane``; the reader qualifies them again) or, for any other lane,
        the pool of the first element in it. Message flows go into the
        collaboration. Process-level fields are kept on the collaboration.
        Anything the reader would not give back the same is kept in kp:.
        """
        p = self.p
        homes = self._homes(where)
        pools = list(homes)
        home_of = {eid: pool for pool, ids in homes.items() for eid in ids}
        seen_back: dict[str, str] = {}  # pool -> the name the reader sees
        for pool in pools:
            seen_back[pool] = _normalise_label(_safe(pool))
        declared = list(p.lanes)
        used_lanes = [e.lane for e in p.elements if e.lane is not None and where[e.id] is None]
        extra = [lane for lane in dict.fromkeys(used_lanes) if lane not in declared]
        all_lanes = declared + extra

        def owner(lane: str) -> str:
            named = [pool for pool in pools if lane == pool or lane.startswith(pool + _SEPARATOR)]
            if named:
                return max(named, key=len)
            users = [e for e in p.elements if e.lane == lane and where[e.id] is None]
            return home_of[users[0].id] if users else pools[0]

        root = etree.Element(_B("definitions"), nsmap=_NSMAP)
        root_id = self._mint(p.id)
        root.set("id", root_id)
        if p.name:
            root.set("name", _safe(p.name))
        root.set("targetNamespace", "https://kommuneprosess.no/bpmn")
        root.set("exporter", "kommuneprosess")
        root.set("exporterVersion", "1.0")
        collab_id = self._mint("Collaboration_1")
        collab = etree.SubElement(root, _B("collaboration"), id=collab_id)
        if p.documentation is not None:
            etree.SubElement(collab, _B("documentation")).text = _safe(p.documentation)
        exact: dict[str, Any] = {}
        if root_id != p.id:
            exact["id"] = p.id
        if _normalise_label(_safe(p.name)) != p.name or not p.name:
            exact["name"] = p.name  # without a name the reader would take the first pool's
        if p.documentation is not None and _clean_text(_safe(p.documentation)) != p.documentation:
            exact["documentation"] = p.documentation

        procs: dict[str, etree._Element] = {}
        pool_shapes: list[tuple[str, list[tuple[str, str]], list[str]]] = []
        read_lanes: list[str] = []  # Process.lanes as read_bpmn will build it (see _Reader.finish)
        positions: dict[str, int] = {}
        for n, pool in enumerate(pools, 1):
            proc_id = self._mint(f"Process_{n}")
            participant_id = self._mint(f"Participant_{n}")
            participant = etree.SubElement(collab, _B("participant"), id=participant_id, name=_safe(pool))
            participant.set("processRef", proc_id)
            proc = etree.SubElement(root, _B("process"), id=proc_id, name=_safe(pool), isExecutable="false")
            procs[pool] = proc
            back = seen_back[pool]
            reader_pool = back or proc_id
            if back:
                positions.setdefault(back, len(read_lanes))
            mine = [lane for lane in all_lanes if owner(lane) == pool and lane != pool]
            lane_elements: list[tuple[str, str]] = []
            listed: set[str] = set()
            if mine:
                lane_set = etree.SubElement(proc, _B("laneSet"), id=self._mint(f"LaneSet_{n}"))
                written_names: set[str] = set()
                for i, lane in enumerate(mine, 1):
                    own = lane[len(pool) + len(_SEPARATOR) :] if lane.startswith(pool + _SEPARATOR) else lane
                    lane_id = self._mint(f"Lane_{n}_{i}")
                    lane_el = etree.SubElement(lane_set, _B("lane"), id=lane_id, name=_safe(own))
                    lane_elements.append((lane, lane_id))
                    kp_attrs: dict[str, str] = {}
                    if lane in written_names:
                        kp_attrs["repeated"] = "true"
                    if lane in extra:
                        kp_attrs["undeclared"] = "true"
                    full = _SEPARATOR.join(x for x in (back, _normalise_label(_safe(own))) if x)
                    lane_exact = {"name": lane} if full != lane else {}
                    if kp_attrs or lane_exact:
                        self.kp_block(lane_el, kp_attrs, exact=lane_exact)
                    if lane not in extra and (lane not in read_lanes or lane in written_names):
                        read_lanes.append(lane)
                    if lane not in written_names:
                        for e in p.elements:
                            if e.lane == lane and where[e.id] is None and home_of[e.id] == pool:
                                etree.SubElement(lane_el, _B("flowNodeRef")).text = self.xml_ids[e.id]
                                listed.add(e.id)
                    written_names.add(lane)
            for eid in homes[pool]:
                self.implied_pools[eid] = reader_pool
            fallback = back or None
            for eid in homes[pool]:
                top = eid
                while where[top] is not None:
                    top = str(where[top])
                self.implied_lanes[eid] = p[top].lane if top in listed else fallback
            pool_shapes.append((participant_id, lane_elements, homes[pool]))
        used = set(self.implied_lanes.values())
        for back, position in sorted(positions.items(), key=lambda kv: -kv[1]):
            if back in used and back not in read_lanes:
                read_lanes.insert(position, back)
        if read_lanes != list(p.lanes):
            exact["lanes"] = json.dumps(list(p.lanes), ensure_ascii=False)
        block = self.kp_block(collab, {}, exact=exact)
        if p.metadata:
            if block is None:
                block = self.kp_block(collab, {}, force=True)
            assert block is not None
            for key, value in p.metadata.items():
                _pair(block, "metadata", key, value)

        containers: dict[str | None, etree._Element] = {}
        written: dict[str, etree._Element] = {}
        for e in self._nesting_order(where):
            host = containers[where[e.id]] if where[e.id] is not None else procs[home_of[e.id]]
            el = self.element(host, e, where)
            written[e.id] = el
            if isinstance(e, Step) and e.kind == StepKind.SUBPROCESS:
                containers[e.id] = el
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for i, flow in enumerate(p.flows, 1):
            if flow.is_message:
                self.flow(collab, flow, i)
                continue
            s_where = where.get(flow.source)
            if flow.source in where and s_where == where.get(flow.target) and s_where is not None:
                host = containers[s_where]
            else:
                host = procs[home_of.get(flow.source, pools[0])]
            fid = self.flow(host, flow, i)
            outgoing.setdefault(flow.source, []).append(fid)
            incoming.setdefault(flow.target, []).append(fid)
        for element_id, el in written.items():
            _flow_refs(el, incoming.get(element_id, ()), outgoing.get(element_id, ()))

        if layout:
            self.process_xml_id = next(iter(procs.values())).get("id") or ""
            self.diagram(root, True, "", collab_id, [], where, pools=pool_shapes)
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return data

    def _nesting_order(self, where: Mapping[str, str | None]) -> list[Element]:
        p = self.p
        done: set[str] = set()
        out: list[Element] = []

        def visit(e: Element) -> None:
            if e.id in done:
                return
            parent = where[e.id]
            if parent is not None and parent not in done:
                visit(p[parent])
            done.add(e.id)
            out.append(e)

        for e in p.elements:
            visit(e)
        return out

    def element(self, host: etree._Element, e: Element, where: Mapping[str, str | None]) -> etree._Element:
        tag = _STEP_TAGS[e.kind] if isinstance(e, Step) else _GATEWAY_TAGS[e.kind]
        if tag == "intermediateThrowEvent" and e.id in self.message_targets:
            tag = "intermediateCatchEvent"  # it waits for a message
        el = etree.SubElement(host, _B(tag), id=self.xml_ids[e.id])
        if e.label:
            el.set("name", _safe(e.label))
        exact: dict[str, Any] = {}
        attrs: dict[str, str] = {}
        if self.xml_ids[e.id] != e.id:
            exact["id"] = e.id
        if _normalise_label(_safe(e.label)) != e.label:
            exact["label"] = e.label
        if where[e.id] != e.parent:
            exact["parent"] = e.parent
        # Lane as the reader will resolve it: flowNodeRef at top level, inherited inside.
        if where[e.id] is None:
            implied = e.lane
        else:
            implied = self._inherited_lane(where[e.id], where)
        implied = self.implied_lanes.get(e.id, implied)
        if self.implied_pools.get(e.id) != e.pool:
            exact["pool"] = e.pool
        if implied != e.lane:
            if e.lane is None:
                attrs["noLane"] = "true"
            else:
                exact["lane"] = e.lane
        if isinstance(e, Step):
            if e.documentation is not None:
                etree.SubElement(el, _B("documentation")).text = _safe(e.documentation)
                if _clean_text(_safe(e.documentation)) != e.documentation:
                    exact["documentation"] = e.documentation
            if e.kind == StepKind.BOUNDARY_EVENT and e.attached_to is not None:
                el.set("attachedToRef", self.ref(e.attached_to))
                if self.xml_ids[e.attached_to] != e.attached_to:
                    exact["attached_to"] = e.attached_to
            elif e.attached_to is not None:
                exact["attached_to"] = e.attached_to
            if e.mode is not None:
                attrs["mode"] = e.mode.value
            for key, attr in (("system", "system"), ("legal_basis", "legalBasis")):
                value = getattr(e, key)
                if value is not None:
                    if _xml_safe(value):
                        attrs[attr] = value
                    else:
                        exact[key] = value
            if e.handling_days is not None:
                attrs["handlingDays"] = repr(float(e.handling_days))
            self.kp_block(el, attrs, exact=exact, metrics=e.metrics, attributes=e.attributes)
        else:
            self.kp_block(el, attrs, exact=exact)
        return el

    def _inherited_lane(self, container: str | None, where: Mapping[str, str | None]) -> str | None:
        seen: set[str] = set()
        while container is not None and container not in seen:
            seen.add(container)
            if where[container] is None:
                return self.p[container].lane
            container = where[container]
        return None

    def flow(self, host: etree._Element, flow: Flow, index: int) -> str:
        """Write one sequence flow (a message flow: into the collaboration ``host``); return its XML id."""
        fid = flow.id if flow.id is not None and _NCNAME.match(flow.id) and flow.id not in self.used else None
        if fid is not None:
            self.used.add(fid)
        else:
            fid = self._mint(f"Flow_{index}" if flow.id is None else flow.id)
        el = etree.SubElement(host, _B("messageFlow" if flow.is_message else "sequenceFlow"), id=fid)
        el.set("sourceRef", self.ref(flow.source))
        el.set("targetRef", self.ref(flow.target))
        exact: dict[str, Any] = {}
        if fid != flow.id:
            exact["id"] = flow.id
        if self.xml_ids[flow.source] != flow.source:
            exact["source"] = flow.source
        if self.xml_ids[flow.target] != flow.target:
            exact["target"] = flow.target
        if flow.condition is not None:
            text = _safe(flow.condition)
            el.set("name", text)
            # What read_bpmn will see: the name, else the expression (both hold ``text``);
            # a message flow has a name only.
            seen = (_normalise_label(text) or None) if flow.is_message else (_normalise_label(text) or _clean_text(text))
            if seen != flow.condition:
                exact["condition"] = flow.condition
        self.kp_block(el, {}, exact=exact, metrics=flow.metrics)
        if flow.condition is not None and not flow.is_message:
            expr = etree.SubElement(el, _B("conditionExpression"))
            expr.set(f"{{{XSI_NAMESPACE}}}type", "bpmn:tFormalExpression")
            expr.text = _safe(flow.condition)
        return fid

    def process_kp(self, proc: etree._Element) -> None:
        p = self.p
        exact: dict[str, Any] = {}
        if self.process_xml_id != p.id:
            exact["id"] = p.id
        if _normalise_label(_safe(p.name)) != p.name:
            exact["name"] = p.name
        if p.documentation is not None and _clean_text(_safe(p.documentation)) != p.documentation:
            exact["documentation"] = p.documentation
        block = self.kp_block(proc, {}, exact=exact)
        if p.metadata:
            if block is None:
                block = self.kp_block(proc, {}, force=True)
            assert block is not None
            for key, value in p.metadata.items():
                _pair(block, "metadata", key, value)

    def kp_block(
        self,
        el: etree._Element,
        attrs: Mapping[str, str],
        *,
        exact: Mapping[str, Any] | None = None,
        metrics: Mapping[str, float] | None = None,
        attributes: Mapping[str, str] | None = None,
        force: bool = False,
    ) -> etree._Element | None:
        if not (attrs or exact or metrics or attributes or force):
            return None
        ext = etree.Element(_B("extensionElements"))
        # BPMN wants extensionElements right after documentation.
        position = sum(1 for child in el if child.tag == _B("documentation"))
        el.insert(position, ext)
        block = etree.SubElement(ext, _K("properties"))
        for key, value in attrs.items():
            block.set(key, value)
        for key, value in (exact or {}).items():
            etree.SubElement(block, _K("exact"), field=key, json=json.dumps(value))
        for key, number in (metrics or {}).items():
            _pair(block, "metric", key, _number(number))
        for key, text in (attributes or {}).items():
            _pair(block, "attribute", key, text)
        return block

    # -- diagram --------------------------------------------------------
    def diagram(
        self,
        root: etree._Element,
        has_pool: bool,
        participant_id: str,
        collab_id: str,
        lane_elements: Sequence[tuple[str, str]],
        where: Mapping[str, str | None],
        *,
        pools: Sequence[tuple[str, Sequence[tuple[str, str]], Sequence[str]]] | None = None,
    ) -> None:
        from processes.render import layout as compute_layout

        p = self.p
        # Lay out the structure as written: an element whose parent is not a
        # sub-process it can be nested in sits at the top level of the diagram.
        shown = p.copy()
        for e in p.elements:
            if where[e.id] != e.parent:
                shown.replace_element(e.replace(parent=where[e.id]))
        lay = compute_layout(shown)
        if pools is not None:
            lay = self._spread_pools(lay, pools)
        diagram = etree.SubElement(root, f"{{{BPMNDI_NAMESPACE}}}BPMNDiagram", id="BPMNDiagram_1")
        plane = etree.SubElement(
            diagram,
            f"{{{BPMNDI_NAMESPACE}}}BPMNPlane",
            id="BPMNPlane_1",
            bpmnElement=collab_id if has_pool else self.process_xml_id,
        )
        boxes: dict[str, tuple[float, float, float, float]] = {}
        if pools is not None:
            self._pool_shapes(plane, lay, pools)
        elif has_pool:
            # The pool encloses every lane band and every shape, with BPMN's
            # 30-pixel label band on the left of the lanes.
            lane_boxes = [lay.lanes[name] for name, _ in lane_elements if name in lay.lanes]
            rects = [(b.x, b.y, b.x + b.width, b.y + b.height) for b in [*lane_boxes, *lay.nodes.values()]]
            x0 = min([r[0] for r in rects], default=30.0) - 30.0
            y0 = min([r[1] for r in rects], default=0.0)
            x1 = max([r[2] for r in rects], default=max(lay.width, 200.0))
            y1 = max([r[3] for r in rects], default=max(lay.height, 100.0))
            lane_rects: dict[str, tuple[float, float, float, float]] = {}  # by lane element id
            placed: set[str] = set()
            for name, lane_id in lane_elements:
                box = lay.lanes.get(name)
                if box is None or name in placed:
                    # A lane the layout did not place (or a repeated name): a thin band below.
                    lane_rects[lane_id] = (x0 + 30.0, y1, x1 - x0 - 30.0, 60.0)
                    y1 += 60.0
                else:
                    lane_rects[lane_id] = (box.x, box.y, box.width, box.height)
                placed.add(name)
            _shape(
                plane,
                self._mint(participant_id + "_di"),
                participant_id,
                (x0, y0, x1 - x0, y1 - y0),
                horizontal=True,
            )
            for _, lane_id in lane_elements:
                _shape(plane, self._mint(lane_id + "_di"), lane_id, lane_rects[lane_id], horizontal=True)
        next_x = 0.0
        hosts = set(where.values())  # the sub-processes written with inner elements
        for e in self._nesting_order(where):
            box = lay.nodes.get(e.id)
            if box is None:
                w, h = _default_size(e)
                host = boxes.get(e.attached_to) if isinstance(e, Step) and e.attached_to else None
                if host is not None:
                    rect = (host[0] + host[2] - w / 2, host[1] + host[3] - h / 2, w, h)
                else:
                    rect = (next_x, lay.height + 40.0, w, h)
                    next_x += w + 40.0
            else:
                rect = (box.x, box.y, box.width, box.height)
            boxes[e.id] = rect
            expanded: bool | None = None
            if isinstance(e, Step) and e.kind == StepKind.SUBPROCESS:
                expanded = e.id in hosts
            xml_id = self.xml_ids[e.id]
            _shape(plane, self._mint(xml_id + "_di"), xml_id, rect, expanded=expanded)
        back = {v: k for k, v in self.xml_ids.items()}  # XML id -> element id
        for flow_el in [*root.iter(_B("sequenceFlow")), *root.iter(_B("messageFlow"))]:
            self._edge(plane, flow_el, lay, boxes, back)

    def _spread_pools(
        self, lay: Any, pools: Sequence[tuple[str, Sequence[tuple[str, str]], Sequence[str]]]
    ) -> Any:
        """Move each pool's lanes, shapes and inner edges down, so that the pools do not touch.

        Pools are stacked in the order their bands have in the layout; a gap
        of :data:`_POOL_GAP` separates them. An edge between two pools (a
        message flow) loses its routed points and is drawn straight.
        """
        from processes.render import Box, Layout

        lane_pool: dict[str, int] = {}
        node_pool: dict[str, int] = {}
        for k, (_, lane_elements, members) in enumerate(pools):
            for name, _ in lane_elements:
                lane_pool.setdefault(name, k)
            for m in members:
                node_pool[m] = k
                lane = self.p[m].lane if m in self.p else None
                if lane is not None:
                    lane_pool.setdefault(lane, k)

        def top(k: int) -> float:
            ys = [b.y for n, b in lay.lanes.items() if lane_pool.get(n) == k]
            ys += [b.y for n, b in lay.nodes.items() if node_pool.get(n) == k]
            return min(ys, default=float(k))

        order = sorted(range(len(pools)), key=top)
        offset = {k: _POOL_GAP * rank for rank, k in enumerate(order)}

        def moved(box: Any, k: int | None) -> Any:
            dy = offset.get(k, 0.0) if k is not None else 0.0
            return Box(box.x, box.y + dy, box.width, box.height) if dy else box

        edges: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {}
        for (source, target), points in lay.edges.items():
            pool = node_pool.get(source)
            if pool != node_pool.get(target):
                continue  # between pools: drawn straight from the moved shapes
            dy = offset.get(pool, 0.0) if pool is not None else 0.0
            edges[(source, target)] = tuple((x, y + dy) for x, y in points)
        return Layout(
            nodes={n: moved(b, node_pool.get(n)) for n, b in lay.nodes.items()},
            edges=edges,
            lanes={n: moved(b, lane_pool.get(n)) for n, b in lay.lanes.items()},
            width=lay.width,
            height=lay.height + _POOL_GAP * max(len(pools) - 1, 0),
        )

    def _pool_shapes(
        self,
        plane: etree._Element,
        lay: Any,
        pools: Sequence[tuple[str, Sequence[tuple[str, str]], Sequence[str]]],
    ) -> None:
        """One pool shape per party around its lane bands and its elements, then its lanes."""
        bottom = max(lay.height, 100.0)
        for participant_id, lane_elements, members in pools:
            names = [name for name, _ in lane_elements]
            own = {lane for m in members if m in self.p and (lane := self.p[m].lane) is not None}
            bands = [lay.lanes[name] for name in [*names, *sorted(own)] if name in lay.lanes]
            nodes = [lay.nodes[m] for m in members if m in lay.nodes]
            rects = [(b.x, b.y, b.x + b.width, b.y + b.height) for b in [*bands, *nodes]]
            if not rects:
                rects = [(30.0, bottom, 230.0, bottom + 100.0)]
                bottom += 100.0
            x0 = min(r[0] for r in rects) - 30.0
            y0 = min(r[1] for r in rects)
            x1 = max(r[2] for r in rects)
            y1 = max(r[3] for r in rects)
            lane_rects: list[tuple[str, tuple[float, float, float, float]]] = []
            for name, lane_id in lane_elements:
                box = lay.lanes.get(name)
                if box is None:
                    lane_rects.append((lane_id, (x0 + 30.0, y1, x1 - x0 - 30.0, 60.0)))
                    y1 += 60.0
                else:
                    lane_rects.append((lane_id, (box.x, box.y, box.width, box.height)))
            _shape(plane, self._mint(participant_id + "_di"), participant_id, (x0, y0, x1 - x0, y1 - y0), horizontal=True)
            for lane_id, rect in lane_rects:
                _shape(plane, self._mint(lane_id + "_di"), lane_id, rect, horizontal=True)

    def _edge(
        self,
        plane: etree._Element,
        flow_el: etree._Element,
        lay: Any,
        boxes: Mapping[str, tuple[float, float, float, float]],
        back: Mapping[str, str],
    ) -> None:
        source = back.get(flow_el.get("sourceRef") or "")
        target = back.get(flow_el.get("targetRef") or "")
        if source not in boxes or target not in boxes:
            return  # an edge needs both ends on the diagram
        assert source is not None and target is not None
        points = lay.edges.get((source, target))
        if not points or len(points) < 2:
            sx, sy, sw, sh = boxes[source]
            tx, ty, _, th = boxes[target]
            points = ((sx + sw, sy + sh / 2), (tx, ty + th / 2))
        edge = etree.SubElement(
            plane,
            f"{{{BPMNDI_NAMESPACE}}}BPMNEdge",
            id=self._mint(f"{flow_el.get('id')}_di"),
            bpmnElement=flow_el.get("id") or "",
        )
        for x, y in points:
            etree.SubElement(edge, f"{{{DI_NAMESPACE}}}waypoint", x=_coord(x), y=_coord(y))


# What a flow node may hold before its <incoming>/<outgoing> (BPMN 2.0 XSD: tBaseElement,
# then tFlowElement); everything a subclass adds (loop characteristics, inner elements of a
# sub-process, event definitions) comes after them.
_BEFORE_FLOW_REFS = frozenset(
    _B(name) for name in ("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef")
)


def _flow_refs(el: etree._Element, incoming: Sequence[str], outgoing: Sequence[str]) -> None:
    """Write a flow node's ``<incoming>`` and ``<outgoing>`` flow references where the XSD wants them.

    BPMN tools (bpmn-moddle, hence Camunda Modeler and bpmnlint) take a node's
    connections from these references, not from the flows' ``sourceRef``/``targetRef``.
    """
    anchor: etree._Element | None = None  # the last child that comes before them
    for child in el:
        if child.tag not in _BEFORE_FLOW_REFS:
            break
        anchor = child
    for tag, refs in (("incoming", incoming), ("outgoing", outgoing)):
        for ref in refs:
            ref_el = etree.Element(_B(tag))
            ref_el.text = ref
            # Each after the one before: insert(index) would walk the children every time,
            # quadratic for a gateway with thousands of flows.
            if anchor is None:
                el.insert(0, ref_el)
            else:
                anchor.addnext(ref_el)
            anchor = ref_el


def _lane_read_back(lane: str) -> str:
    return _normalise_label(lane)


def _ascii(text: str) -> str:
    return text.encode("ascii", "ignore").decode("ascii")


def _number(value: float) -> str:
    return repr(float(value))


def _coord(value: float) -> str:
    if not math.isfinite(value):
        value = 0.0
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pair(block: etree._Element, name: str, key: str, value: str) -> None:
    if _xml_safe(key) and _xml_safe(value):
        etree.SubElement(block, _K(name), name=key, value=value)
    else:
        etree.SubElement(block, _K(name), json=json.dumps([key, value]))


def _default_size(e: Element) -> tuple[float, float]:
    if isinstance(e, Gateway):
        return 50.0, 50.0
    if e.is_event:
        return 36.0, 36.0
    return 100.0, 80.0


def _shape(
    plane: etree._Element,
    shape_id: str,
    element_id: str,
    rect: tuple[float, float, float, float],
    *,
    horizontal: bool | None = None,
    expanded: bool | None = None,
) -> None:
    shape = etree.SubElement(plane, f"{{{BPMNDI_NAMESPACE}}}BPMNShape", id=shape_id, bpmnElement=element_id)
    if horizontal is not None:
        shape.set("isHorizontal", "true" if horizontal else "false")
    if expanded is not None:
        shape.set("isExpanded", "true" if expanded else "false")
    x, y, w, h = rect
    etree.SubElement(shape, f"{{{DC_NAMESPACE}}}Bounds", x=_coord(x), y=_coord(y), width=_coord(w), height=_coord(h))

