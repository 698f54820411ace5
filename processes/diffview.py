"""The diff diagram: a variant drawn against the standard.

:func:`diff_diagram` draws process B (the variant) with
:func:`processes.render.render` and marks each step by how it relates to
process A (the standard). Every mark differs by line style or shape *and* by
colour *and* carries a symbol, so the diagram reads in greyscale and for
colour-blind readers:

============  =====================================  ======
status        drawing                                symbol
============  =====================================  ======
matched       plain, as in an ordinary diagram
renamed       dashed blue border                     ✎
split/merged  dashed blue border                     ✂ / ⊕
missing       "ghost" from A at its place: dotted    −
              grey border, grey text, dotted flows
extra         double green border, bold              +
moved         bold orange border                     ↕
============  =====================================  ======

A legend explains the marks, and in SVG each marked step's hover text gives
the sentences (:mod:`processes.explain`) about it. Labels are drawn as
written: the renderer escapes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from processes.diff import Difference, DifferenceKind
from processes.explain import explain
from processes.model import Flow, FlowKind, Process, Step, StepKind
from processes.render import RenderFormat, Style, render

if TYPE_CHECKING:
    from processes.align import Alignment
    from processes.compare import Comparison

__all__ = ["STYLES", "diff_diagram", "diff_process"]

#: The look of each status (see the module docstring).
STYLES: dict[str, Style] = {
    "matched": Style(),
    "renamed": Style(penstyle="dashed", color="#1565c0", fill="#e3f2fd", badge="✎"),
    "split": Style(penstyle="dashed", color="#1565c0", fill="#e3f2fd", badge="✂"),
    "merged": Style(penstyle="dashed", color="#1565c0", fill="#e3f2fd", badge="⊕"),
    "missing": Style(
        penstyle="dotted",
        color="#9e9e9e",
        fill="#fafafa",
        fontcolor="#616161",
        badge="−",
    ),
    "extra": Style(
        penstyle="bold", peripheries=2, color="#2e7d32", fill="#e8f5e9", badge="+"
    ),
    "moved": Style(penstyle="bold", color="#e65100", fill="#fff3e0", badge="↕"),
}
_GHOST_FLOW = Style(penstyle="dotted", color="#9e9e9e")
_EXTRA_FLOW = Style(penstyle="bold", color="#2e7d32")

_LEGEND = {
    "nb": {
        "matched": "Likt i begge",
        "renamed": "Nytt navn",
        "split": "Delt i flere steg",
        "merged": "Slått sammen",
        "missing": "Mangler (vist fra {A})",
        "extra": "Bare i {B}",
        "moved": "Flyttet",
        "title": "{B} sammenlignet med {A}",
        "a": "standarden",
        "b": "Varianten",
    },
    "en": {
        "matched": "Same in both",
        "renamed": "Renamed",
        "split": "Split into several steps",
        "merged": "Merged",
        "missing": "Missing (shown from {A})",
        "extra": "Only in {B}",
        "moved": "Moved",
        "title": "{B} compared with {A}",
        "a": "the standard",
        "b": "The variant",
    },
}


def diff_process(
    a: Process, b: Process, alignment: Alignment, differences: Sequence[Difference]
) -> tuple[Process, dict[str, str], dict[tuple[str, str], str]]:
    """Build the drawn process: B plus a ghost of every step missing from A.

    Returns the process, the status of each marked step (by id in the drawn
    process; ``"moved+renamed"`` for a step with two marks) and the status
    of each marked flow (``"missing"`` or ``"extra"``). A ghost gets a fresh id and is connected, by ghost flows,
    to the counterparts in B of its neighbours in A (or to their ghosts).
    """
    drawn = b.copy()
    status: dict[str, str] = {}
    flows: dict[tuple[str, str], str] = {}
    image: dict[str, str] = {}
    for m in alignment.matches:
        kind = str(getattr(m.kind, "value", m.kind))
        rep = next((y for y in m.b if y in b), None)
        if rep is None:
            continue
        for x in m.a:
            image.setdefault(x, rep)
        if kind in ("renamed", "split", "merged"):
            for y in m.b:
                if y in b:
                    status[y] = kind
    for d in differences:
        if d.kind == DifferenceKind.EXTRA_STEP:
            status.update({y: "extra" for y in d.b if y in b})
        elif d.kind == DifferenceKind.ORDER_CHANGED and d.b and d.b[0] in b:
            # A renamed step that also moved keeps both symbols: "moved+renamed".
            previous = status.get(d.b[0])
            status[d.b[0]] = "moved" if previous is None else f"moved+{previous}"
        elif d.kind == DifferenceKind.EXTRA_FLOW and len(d.b) == 2:
            flows[(d.b[0], d.b[1])] = "extra"

    missing = [
        d.a[0]
        for d in differences
        if d.kind == DifferenceKind.MISSING_STEP and d.a and d.a[0] in a
    ]
    for x in missing:
        ghost = "ghost:" + x
        while ghost in drawn:
            ghost += "'"
        image[x] = ghost
    lanes = set(drawn.lanes)
    for x in missing:
        step = a.step(x)
        changes: dict[str, object] = {
            "id": image[x],
            "parent": image.get(step.parent or "", None),
        }
        if step.kind == StepKind.BOUNDARY_EVENT:
            host = image.get(step.attached_to or "")
            if host is None or host.startswith("ghost:"):
                changes["kind"], changes["attached_to"] = (
                    StepKind.INTERMEDIATE_EVENT,
                    None,
                )
            else:
                changes["attached_to"] = host
        if step.lane is not None and drawn.lanes and step.lane not in lanes:
            drawn.lanes.append(step.lane)
            lanes.add(step.lane)
        drawn.add_step(step.replace(**changes))
        status[image[x]] = "missing"
    sg = a.step_graph()
    missing_set = set(missing)
    for x in missing:
        for u, v in list(sg.in_edges(x)) + list(sg.out_edges(x)):
            if u == v or (u in missing_set and v in missing_set and (u, v) in flows):
                continue
            if u in image and v in image and (image[u], image[v]) not in flows:
                # A message to or from a missing step is drawn as a message.
                edge = a.graph.get_edge_data(u, v)
                kind = edge["flow"].kind if edge is not None else FlowKind.SEQUENCE
                drawn.add_flow(Flow(image[u], image[v], kind=kind))
                flows[(image[u], image[v])] = "missing"
    for d in differences:
        if (
            d.kind == DifferenceKind.MISSING_FLOW
            and len(d.b) == 2
            and all(y in b for y in d.b)
            and (d.b[0], d.b[1]) not in flows
            # B has an ordinary flow where A sends a message: that flow is drawn already.
            and not d.details.get("instead")
        ):
            message = d.details.get("flow") == "message"
            drawn.add_flow(Flow(d.b[0], d.b[1], kind=FlowKind.MESSAGE if message else FlowKind.SEQUENCE))
            flows[(d.b[0], d.b[1])] = "missing"
    return drawn, status, flows


def diff_diagram(
    comparison: Comparison | tuple[Process, Process, Alignment, Sequence[Difference]],
    fmt: RenderFormat = "svg",
    *,
    lang: str = "nb",
    title: str | None = None,
    a_name: str | None = None,
    b_name: str | None = None,
) -> bytes:
    """Draw the variant B against the standard A, with a legend.

    Parameters
    ----------
    comparison
        A :class:`~processes.compare.Comparison`, or ``(a, b, alignment,
        differences)``.
    fmt
        ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``.
    lang
        ``"nb"`` or ``"en"`` for the legend, title and hover texts.
    title
        Heading; default "<B> sammenlignet med <A>".
    a_name, b_name
        Names of A and B; default those of the comparison, else
        "standarden"/"varianten".

    Returns
    -------
    bytes
        The drawing.

    Raises
    ------
    ValueError
        For an unknown format or language.

    Examples
    --------
    >>> from processes.compare import compare
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> c = compare(chain("Motta søknad", "Sende nabovarsel", "Fatte vedtak"), chain("Motta søknad", "Fatte vedtak"))
    >>> dot = diff_diagram(c, "dot").decode()
    >>> "Sende nabovarsel −" in dot and "Mangler (vist fra standarden)" in dot
    True
    """
    if lang not in _LEGEND:
        raise ValueError(f"lang must be 'nb' or 'en', not {lang!r}")
    if isinstance(comparison, tuple):
        a, b, alignment, differences = comparison
    else:
        a, b, alignment, differences = (
            comparison.a,
            comparison.b,
            comparison.alignment,
            comparison.differences,
        )
        a_name = a_name or comparison.a_name
        b_name = b_name or comparison.b_name
    words = _LEGEND[lang]
    a_word = a_name or words["a"]
    b_word = b_name or words["b"]
    drawn, status, flow_status = diff_process(a, b, alignment, differences)

    # Hover text: the sentences about each marked step.
    notes: dict[str, list[str]] = {}
    ghost_of = {
        sid: sid.split(":", 1)[1].rstrip("'")
        for sid, s in status.items()
        if s == "missing"
    }
    for d in differences:
        sentence = explain(d, a, b, a_name=a_name, b_name=b_name, lang=lang)
        for y in d.b:
            notes.setdefault(y, []).append(sentence)
        if d.kind == DifferenceKind.MISSING_STEP:
            for ghost, x in ghost_of.items():
                if x in d.a:
                    notes.setdefault(ghost, []).append(sentence)
    step_styles: dict[str, Style] = {}
    for sid in drawn.elements:
        if not isinstance(sid, Step):
            continue
        state = status.get(sid.id)
        note = notes.get(sid.id)
        if state is None and not note:
            continue
        marks = (state or "matched").split("+")
        base = STYLES[marks[0]]
        badges = [STYLES[m].badge for m in marks if STYLES[m].badge]
        tooltip = " ".join(note) if note else None
        step_styles[sid.id] = Style(
            fill=base.fill,
            color=base.color,
            penstyle=base.penstyle,
            fontcolor=base.fontcolor,
            peripheries=base.peripheries,
            shape=base.shape,
            badge=" ".join(b for b in badges if b) or None,
            tooltip=tooltip,
        )
    flow_styles = {
        pair: (_GHOST_FLOW if s == "missing" else _EXTRA_FLOW)
        for pair, s in flow_status.items()
    }
    used = {"matched"} | {m for state in status.values() for m in state.split("+")}
    legend = [
        (
            words[key].format(
                A=a_word, B=b_word[0].lower() + b_word[1:] if not b_name else b_word
            ),
            STYLES[key],
        )
        for key in (
            "matched",
            "renamed",
            "split",
            "merged",
            "missing",
            "extra",
            "moved",
        )
        if key in used or key in ("renamed", "missing", "extra", "moved")
    ]
    heading = title if title is not None else words["title"].format(A=a_word, B=b_word)
    return render(
        drawn,
        fmt,
        lang=lang,
        step_styles=step_styles,
        flow_styles=flow_styles,
        legend=legend,
        title=heading,
    )
