"""PNML Petri nets (ProM, WoPeD, the PNML 2009 grammar) as processes.

How a Petri net maps onto :class:`~processes.model.Process`
-------------------------------------------------------------

- **Named transitions** become steps of kind ``task``; the step id is the
  transition id and the label is its ``<name><text>`` (line breaks and runs
  of spaces collapsed to one space, as tools wrap long names).
- **Silent transitions** are structure, not steps: a transition without a
  name, with an empty name, with a τ-like name (``tau``, ``τ``, ``silent``,
  ``invisible``, ``skip``) or flagged invisible by a tool
  (``<toolspecific activity="$invisible$">`` from ProM). A silent transition
  with several inputs or outputs becomes a **parallel gateway** (it
  synchronises or forks tokens); one with a single input and output is only
  a link and disappears.
- **Places** are structure as well. A place with several inputs or outputs
  becomes an **exclusive gateway** (a choice or a merge of alternative
  paths); a place with one input and one output is only a flow and
  disappears.
- Every place marked in the initial marking becomes an unnamed **start
  event** (id = place id; when no place is marked, every place without
  incoming arcs counts as marked); every place without outgoing arcs becomes an
  unnamed **end event** (id = place id). When such a place also splits or
  joins, the event is followed (or preceded) by an exclusive gateway with id
  ``<place id>#gateway``.
- Element ids stay as they are in the file, so alignments can refer to them.

The result keeps :meth:`Process.step_graph` right: a step leads to another
step exactly when a path of places and silent transitions connects the two
transitions in the net. Arc weights, inhibitor/reset arcs, final markings,
graphics and tool-specific data other than the invisibility flag are
ignored. Only the first ``<net>`` of a file is read; nested ``<page>``\\ s are
flattened, and ``referencePlace``/``referenceTransition`` nodes are resolved
to the node they refer to.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from processes.exceptions import FormatError
from processes.formats._xml import DEFAULT_MAX_BYTES, local_name, parse_xml
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind

__all__ = ["is_pnml", "read_pnml"]

# Matched against the label with white space stripped: the old trailing
# ``.*\s*$`` let two quantifiers share the same characters and backtracked
# quadratically (no overlapping quantifiers on user data: DESIGN.md, habit 15).
_SILENT_NAME = re.compile(r"(tau|τ|silent|invisible|skip|\$invisible\$)(\s*[\d_.-].*)?", re.IGNORECASE)


def is_pnml(data: bytes) -> bool:
    """Return True if ``data`` looks like a PNML document (root element ``pnml``).

    Examples
    --------
    >>> is_pnml(b'<?xml version="1.0"?><pnml><net id="n"/></pnml>')
    True
    >>> is_pnml(b"<definitions/>")
    False
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    return re.search(rb"<(\w+:)?pnml[\s>]", head) is not None


def _text(node: etree._Element, child: str) -> str | None:
    """The ``<child><text>`` of a node with white space collapsed, or None when absent."""
    for sub in node:
        if local_name(sub.tag) == child:
            for t in sub:
                if local_name(t.tag) == "text":
                    return " ".join((t.text or "").split())
            return ""
    return None


def _is_invisible(node: etree._Element) -> bool:
    for sub in node:
        if local_name(sub.tag) == "toolspecific":
            if (sub.get("activity") or "").strip() == "$invisible$":
                return True
            if (sub.get("invisible") or "").strip().lower() == "true":
                return True
    return False


def _marking(node: etree._Element) -> int:
    text = _text(node, "initialMarking")
    if not text:
        return 0
    # PNML 2009 writes "1"; older ProM versions write "Default,1".
    digits = text.rsplit(",", 1)[-1].strip()
    try:
        return int(digits)
    except ValueError:
        return 0


def read_pnml(
    data: bytes,
    *,
    source: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Process:
    """Read a PNML Petri net as a process.

    Parameters
    ----------
    data
        The file contents.
    source
        The file name, used in error messages and as the process name when
        the net has none.
    max_bytes
        Size limit (None for no limit).

    Returns
    -------
    Process
        Named transitions as steps; places and silent transitions as
        gateways or flows (see the module documentation).

    Raises
    ------
    FormatError
        Not XML, not PNML, no net, an element without id, a duplicate id, or
        an arc between unknown nodes or between two nodes of the same kind.

    Examples
    --------
    >>> net = '''<pnml><net id="n1"><page id="p">
    ...   <place id="start"><initialMarking><text>1</text></initialMarking></place>
    ...   <transition id="t1"><name><text>Motta søknad</text></name></transition>
    ...   <place id="mid"/>
    ...   <transition id="t2"><name><text>Fatte vedtak</text></name></transition>
    ...   <place id="end"/>
    ...   <arc id="a1" source="start" target="t1"/><arc id="a2" source="t1" target="mid"/>
    ...   <arc id="a3" source="mid" target="t2"/><arc id="a4" source="t2" target="end"/>
    ... </page></net></pnml>'''.encode()
    >>> p = read_pnml(net, source="eksempel.pnml")
    >>> [(s.id, s.label, s.kind.value) for s in p.steps]
    [('start', '', 'start_event'), ('t1', 'Motta søknad', 'task'), ('t2', 'Fatte vedtak', 'task'), ('end', '', 'end_event')]
    >>> sorted(p.step_graph().edges)
    [('start', 't1'), ('t1', 't2'), ('t2', 'end')]
    """
    root = parse_xml(data, source=source, max_bytes=max_bytes)
    if local_name(root.tag) != "pnml":
        raise FormatError(
            f"the root element is <{local_name(root.tag)}>, not <pnml>",
            code="not_pnml",
            params={"root": local_name(root.tag)},
            source=source,
            line=root.sourceline,
            hint="is this a PNML Petri net?",
        )
    net = next((n for n in root if local_name(n.tag) == "net"), None)
    if net is None:
        raise FormatError(
            "the PNML file contains no <net>", code="no_petri_net", source=source, line=root.sourceline
        )

    places: dict[str, etree._Element] = {}
    transitions: dict[str, etree._Element] = {}
    arcs: list[etree._Element] = []
    refs: dict[str, str] = {}
    seen: set[str] = set()
    document_order: list[str] = []
    for node in net.iter():
        tag = local_name(node.tag)
        if tag not in {
            "place",
            "transition",
            "arc",
            "referencePlace",
            "referenceTransition",
        }:
            continue
        if node.getparent() is not None and local_name(node.getparent().tag) in {
            "marking",
            "finalmarkings",
        }:
            continue
        nid = (node.get("id") or "").strip()
        if not nid:
            raise FormatError(
                f"a <{tag}> has no id",
                code="missing_id",
                params={"tag": tag},
                source=source,
                line=node.sourceline,
                hint="give every node an id",
            )
        if nid in seen:
            raise FormatError(
                f"the id {nid!r} is used more than once",
                code="duplicate_id",
                params={"id": nid},
                source=source,
                line=node.sourceline,
                element=nid,
            )
        seen.add(nid)
        if tag == "place":
            places[nid] = node
            document_order.append(nid)
        elif tag == "transition":
            transitions[nid] = node
            document_order.append(nid)
        elif tag == "arc":
            arcs.append(node)
        else:
            ref = (node.get("ref") or "").strip()
            if not ref:
                raise FormatError(
                    f"a <{tag}> has no ref attribute",
                    code="missing_attribute",
                    params={"tag": tag, "attribute": "ref"},
                    source=source,
                    line=node.sourceline,
                    element=nid,
                )
            refs[nid] = ref

    def resolve(nid: str, arc: etree._Element) -> str:
        hops = 0
        while nid in refs:
            nid = refs[nid]
            hops += 1
            if hops > len(refs):
                raise FormatError(
                    "reference nodes refer to each other in a cycle",
                    code="reference_cycle",
                    source=source,
                    line=arc.sourceline,
                    element=nid,
                )
        if nid not in places and nid not in transitions:
            raise FormatError(
                f"an arc refers to a node that does not exist: {nid!r}",
                code="unknown_flow_end",
                params={"ref": nid},
                source=source,
                line=arc.sourceline,
                element=arc.get("id"),
            )
        return nid

    succ: dict[str, list[str]] = {n: [] for n in (*places, *transitions)}
    pred: dict[str, list[str]] = {n: [] for n in (*places, *transitions)}
    for arc in arcs:
        s = resolve((arc.get("source") or "").strip(), arc)
        t = resolve((arc.get("target") or "").strip(), arc)
        if (s in places) == (t in places):
            kind = "places" if s in places else "transitions"
            raise FormatError(
                f"an arc connects two {kind} ({s!r} -> {t!r}); a Petri net arc joins a place and a transition",
                code="arc_joins_same_kind",
                params={"kind": kind, "source": s, "target": t},
                source=source,
                line=arc.sourceline,
                element=arc.get("id"),
            )
        if t not in succ[s]:
            succ[s].append(t)
            pred[t].append(s)

    name = _text(net, "name") or (Path(source).stem if source else "")
    process = Process(net.get("id") or (Path(source).stem if source else "pnml"), name)
    process.metadata["format"] = "pnml"

    # enter[node] is the element that flows into the node reach, leave[node]
    # the one that flows out of it start from; they differ when a start or
    # end event and a gateway together represent one place.
    enter: dict[str, str] = {}
    leave: dict[str, str] = {}
    taken = set(seen)

    def fresh(base: str) -> str:
        candidate = f"{base}#gateway"
        k = 2
        while candidate in taken:
            candidate = f"{base}#gateway{k}"
            k += 1
        taken.add(candidate)
        return candidate

    def add_transition(tid: str, node: etree._Element) -> None:
        label = _text(node, "name")
        silent = (
            not label or _SILENT_NAME.fullmatch(label.strip()) is not None or _is_invisible(node)
        )
        if not silent:
            process.add_step(
                Step(tid, label or "", StepKind.TASK, line=node.sourceline)
            )
            enter[tid] = leave[tid] = tid
        elif len(pred[tid]) > 1 or len(succ[tid]) > 1:
            process.add_gateway(
                Gateway(tid, GatewayKind.PARALLEL, line=node.sourceline)
            )
            enter[tid] = leave[tid] = tid

    marked = {pid for pid, node in places.items() if _marking(node) > 0}
    if not marked:
        # Nets exported without an initial marking: their source places start them.
        marked = {pid for pid in places if not pred[pid] and succ[pid]}

    def add_place(pid: str, node: etree._Element) -> None:
        ins, outs = len(pred[pid]), len(succ[pid])
        branching = ins > 1 or outs > 1
        is_start = pid in marked
        is_end = outs == 0
        if is_start and is_end and ins == 0:
            return  # an isolated marked place: nothing happens there
        if is_start:
            process.add_step(Step(pid, "", StepKind.START_EVENT, line=node.sourceline))
            enter[pid] = leave[pid] = pid
            if branching or ins > 0:
                # Flows back into a marked place (loops) meet at a gateway after the start event.
                gw = fresh(pid)
                process.add_gateway(
                    Gateway(gw, GatewayKind.EXCLUSIVE, line=node.sourceline)
                )
                process.add_flow(Flow(pid, gw))
                enter[pid] = leave[pid] = gw
        elif is_end:
            if ins == 0:
                return
            process.add_step(Step(pid, "", StepKind.END_EVENT, line=node.sourceline))
            enter[pid] = leave[pid] = pid
            if ins > 1:
                gw = fresh(pid)
                process.add_gateway(
                    Gateway(gw, GatewayKind.EXCLUSIVE, line=node.sourceline)
                )
                process.add_flow(Flow(gw, pid))
                enter[pid] = gw
        elif branching:
            process.add_gateway(
                Gateway(pid, GatewayKind.EXCLUSIVE, line=node.sourceline)
            )
            enter[pid] = leave[pid] = pid

    for nid in document_order:
        if nid in transitions:
            add_transition(nid, transitions[nid])
        else:
            add_place(nid, places[nid])

    # Connect kept elements through the chains of dropped (one-in, one-out) nodes.
    flows: set[tuple[str, str]] = set()
    for node in sorted(leave):
        source_id = leave[node]
        stack = list(reversed(succ[node]))
        visited: set[str] = set()
        while stack:
            nxt = stack.pop()
            if nxt in enter:
                if (source_id, enter[nxt]) not in flows:
                    flows.add((source_id, enter[nxt]))
                    process.add_flow(Flow(source_id, enter[nxt]))
                continue
            if nxt in visited:
                continue
            visited.add(nxt)
            stack.extend(reversed(succ[nxt]))
    return process
