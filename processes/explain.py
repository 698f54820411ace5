"""Differences and comparisons in plain words, in bokmål and English.

:func:`explain` turns one :class:`~processes.diff.Difference` into one short
sentence that names the steps (in «…» in bokmål, “…” in English) and the two
processes, for example «Steget «Sende nabovarsel» finnes i standarden, men
mangler i Malvik.» :func:`format_report` writes a whole comparison as text.

Process A is called "standarden"/"the standard" unless a name is given;
process B "varianten"/"the variant". Steps that are matched are named by
their label in A (the standard's words), steps found only in B by theirs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from processes.diff import Difference, DifferenceKind
from processes.model import Gateway, Mode, Process, Step, StepKind

if TYPE_CHECKING:
    from processes.compare import Comparison

__all__ = [
    "LANGUAGES",
    "evidence_text",
    "explain",
    "format_report",
    "name_of",
    "summarise",
]

#: Languages the sentences exist in.
LANGUAGES = ("nb", "en")

_MODE_WORDS = {
    "nb": {
        Mode.MANUAL: "manuelt",
        Mode.PAPER: "på papir",
        Mode.DIGITAL: "digitalt",
        Mode.AUTOMATED: "automatisk",
        Mode.SELF_SERVICE: "som selvbetjening",
    },
    "en": {
        Mode.MANUAL: "manually",
        Mode.PAPER: "on paper",
        Mode.DIGITAL: "digitally",
        Mode.AUTOMATED: "automatically",
        Mode.SELF_SERVICE: "as self-service",
    },
}

# Sentence templates. Fields: {A}/{B} "i standarden"-style place phrases,
# {x}, {y}: quoted step names, {xs}/{ys}: quoted lists, {va}/{vb}: values.
_TEMPLATES: dict[str, dict[str, str]] = {
    "nb": {
        "missing_step": "{Nx} finnes {A}, men mangler {B}.",
        "extra_step": "{Ny} finnes {B}, men ikke {A}.",
        "renamed_step": "{Nx} heter {y} {B}.",
        "split_step": "{Nx} er delt i {ys} {B}.",
        "merged_steps": "Stegene {xs} er slått sammen til {y} {B}.",
        "order_changed_after": "{BB} kommer {y1} etter {y2}; {A} kommer det før.",
        "order_changed_before": "{BB} kommer {y1} før {y2}; {A} kommer det etter.",
        "parallel_in_a": "{xs} skjer samtidig {A}, men etter hverandre {B}.",
        "parallel_in_b": "{xs} skjer etter hverandre {A}, men samtidig {B}.",
        "optional_in_b": "{BB} kan {nx} hoppes over; {A} gjøres det alltid.",
        "optional_in_a": "{AA} kan {nx} hoppes over; {B} gjøres det alltid.",
        "optional_in_b_share": "{BB} gjøres {nx} bare i {share} av sakene; {A} gjøres det alltid.",
        "optional_in_a_share": "{AA} gjøres {nx} bare i {share} av sakene; {B} gjøres det alltid.",
        "flows_between_a": "{AA} går flyten rett mellom {x} og {xs}, men ikke {B}.",
        "flows_between_b": "{BB} går flyten rett mellom {x} og {ys}, men ikke {A}.",
        "flows_between_both": "{AA} går flyten rett mellom {x} og {xs}, {B} i stedet mellom {x} og {ys}.",
        "flows_elsewhere": "Flyten går også ulikt rundt {n} andre steg ({count} forbindelser): {xs}.",
        "missing_flow": "{AA} går flyten rett fra {x1} til {x2}, men ikke {B}.",
        "extra_flow": "{BB} går flyten rett fra {y1} til {y2}, men ikke {A}.",
        "missing_message": "{AA} går {m} fra {x1} til {x2}, men ikke {B}.",
        "extra_message": "{BB} går {m} fra {y1} til {y2}, men ikke {A}.",
        "missing_message_instead": "{AA} går {m} fra {x1} til {x2}; {B} går flyten rett dit, uten melding.",
        "extra_message_instead": "{BB} går {m} fra {y1} til {y2}; {A} går flyten rett dit, uten melding.",
        "kind_changed": "{Nx} er {va} {A}, men {vb} {B}.",
        "lane_changed": "{Nx} utføres av {va} {A}, men av {vb} {B}.",
        "mode_changed": "{Nx} gjøres {va} {A}, men {vb} {B}.",
        "system_changed": "{Nx} gjøres i {va} {A}, men i {vb} {B}.",
        "legal_basis_changed": "{Nx} har hjemmel i {va} {A}, men i {vb} {B}.",
        "handling_days_changed": "Behandlingstiden for {x} er {va} {A}, men {vb} {B}.",
        "lane_renamed": "Rollen {va} heter {vb} {B}.",
        "system_renamed": "Fagsystemet {va} er byttet ut med {vb} {B}.",
        "lane_changed_only_a": "{Nx} utføres av {va} {A}; {B} er det ikke oppgitt hvem som gjør det.",
        "lane_changed_only_b": "{Nx} utføres av {vb} {B}; {A} er det ikke oppgitt hvem som gjør det.",
        "mode_changed_only_a": "{Nx} gjøres {va} {A}; {B} er det ikke oppgitt hvordan.",
        "mode_changed_only_b": "{Nx} gjøres {vb} {B}; {A} er det ikke oppgitt hvordan.",
        "system_changed_only_a": "{Nx} gjøres i {va} {A}; {B} er det ikke oppgitt noe fagsystem.",
        "system_changed_only_b": "{Nx} gjøres i {vb} {B}; {A} er det ikke oppgitt noe fagsystem.",
        "legal_basis_changed_only_a": "{Nx} har hjemmel i {va} {A}; {B} er det ikke oppgitt noen hjemmel.",
        "legal_basis_changed_only_b": "{Nx} har hjemmel i {vb} {B}; {A} er det ikke oppgitt noen hjemmel.",
        "handling_days_changed_only_a": "Behandlingstiden for {x} er {va} {A}; {B} er den ikke oppgitt.",
        "handling_days_changed_only_b": "Behandlingstiden for {x} er {vb} {B}; {A} er den ikke oppgitt.",
    },
    "en": {
        "missing_step": "{Nx} is in {A} but missing in {B}.",
        "extra_step": "{Ny} is in {B} but not in {A}.",
        "renamed_step": "{Nx} is called {y} in {B}.",
        "split_step": "{Nx} is split into {ys} in {B}.",
        "merged_steps": "The steps {xs} are merged into {y} in {B}.",
        "order_changed_after": "In {B}, {y1} comes after {y2}; in {A} it comes before.",
        "order_changed_before": "In {B}, {y1} comes before {y2}; in {A} it comes after.",
        "parallel_in_a": "{xs} happen at the same time in {A}, but one after the other in {B}.",
        "parallel_in_b": "{xs} happen one after the other in {A}, but at the same time in {B}.",
        "optional_in_b": "In {B}, {nx} can be skipped; in {A} it is always done.",
        "optional_in_a": "In {A}, {nx} can be skipped; in {B} it is always done.",
        "optional_in_b_share": "In {B}, {nx} is done in only {share} of the cases; in {A} it is always done.",
        "optional_in_a_share": "In {A}, {nx} is done in only {share} of the cases; in {B} it is always done.",
        "flows_between_a": "In {A}, the flow goes straight between {x} and {xs}, but not in {B}.",
        "flows_between_b": "In {B}, the flow goes straight between {x} and {ys}, but not in {A}.",
        "flows_between_both": "In {A}, the flow goes straight between {x} and {xs}; in {B} instead between {x} and {ys}.",
        "flows_elsewhere": "The flow also differs around {n} other steps ({count} connections): {xs}.",
        "missing_flow": "In {A}, the flow goes straight from {x1} to {x2}, but not in {B}.",
        "extra_flow": "In {B}, the flow goes straight from {y1} to {y2}, but not in {A}.",
        "missing_message": "In {A}, {m} goes from {x1} to {x2}, but not in {B}.",
        "extra_message": "In {B}, {m} goes from {y1} to {y2}, but not in {A}.",
        "missing_message_instead": "In {A}, {m} goes from {x1} to {x2}; in {B} the flow goes straight there, without a message.",
        "extra_message_instead": "In {B}, {m} goes from {y1} to {y2}; in {A} the flow goes straight there, without a message.",
        "kind_changed": "{Nx} is {va} in {A}, but {vb} in {B}.",
        "lane_changed": "{Nx} is done by {va} in {A}, but by {vb} in {B}.",
        "mode_changed": "{Nx} is done {va} in {A}, but {vb} in {B}.",
        "system_changed": "{Nx} is done in {va} in {A}, but in {vb} in {B}.",
        "legal_basis_changed": "{Nx} is based on {va} in {A}, but on {vb} in {B}.",
        "handling_days_changed": "The handling time for {x} is {va} in {A}, but {vb} in {B}.",
        "lane_renamed": "The lane {va} is called {vb} in {B}.",
        "system_renamed": "The system {va} is replaced by {vb} in {B}.",
        "lane_changed_only_a": "{Nx} is done by {va} in {A}; {B} does not say who does it.",
        "lane_changed_only_b": "{Nx} is done by {vb} in {B}; {A} does not say who does it.",
        "mode_changed_only_a": "{Nx} is done {va} in {A}; {B} does not say how.",
        "mode_changed_only_b": "{Nx} is done {vb} in {B}; {A} does not say how.",
        "system_changed_only_a": "{Nx} is done in {va} in {A}; {B} names no system.",
        "system_changed_only_b": "{Nx} is done in {vb} in {B}; {A} names no system.",
        "legal_basis_changed_only_a": "{Nx} is based on {va} in {A}; {B} names no legal basis.",
        "legal_basis_changed_only_b": "{Nx} is based on {vb} in {B}; {A} names no legal basis.",
        "handling_days_changed_only_a": "The handling time for {x} is {va} in {A}; {B} does not state it.",
        "handling_days_changed_only_b": "The handling time for {x} is {vb} in {B}; {A} does not state it.",
    },
}


def _quote(text: str, lang: str) -> str:
    text = " ".join(text.split()) or "?"
    return f"«{text}»" if lang == "nb" else f"“{text}”"


def _join(items: Sequence[str], lang: str) -> str:
    word = " og " if lang == "nb" else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + word + items[-1]


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(
            f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}"
        )


def _place(
    name: str | None, default_nb: str, default_en: str, lang: str
) -> tuple[str, str]:
    """Return the place phrase ("i standarden") and its sentence-initial form ("I standarden")."""
    if lang == "nb":
        phrase = f"i {name}" if name else f"i {default_nb}"
        return phrase, phrase[0].upper() + phrase[1:]
    if name:
        return name, name
    return f"the {default_en}", f"The {default_en}"


# A kind with its indefinite article ("er en sendeoppgave"), for kind_changed.
_KIND_WORDS: dict[StepKind, tuple[str, str]] = {
    # A saksbehandler's words, not BPMN's («en brukeroppgave», «en sendeoppgave»).
    StepKind.TASK: ("en vanlig oppgave", "a plain task"),
    StepKind.USER_TASK: ("en oppgave for saksbehandler", "a task for a case officer"),
    StepKind.MANUAL_TASK: ("en manuell oppgave", "a manual task"),
    StepKind.SERVICE_TASK: ("et steg systemet gjør automatisk", "a step a system does automatically"),
    StepKind.SCRIPT_TASK: ("et automatisk skript", "an automatic script"),
    StepKind.BUSINESS_RULE_TASK: ("en regelstyrt vurdering", "a rule-based decision"),
    StepKind.SEND_TASK: ("et steg som sender en melding", "a step that sends a message"),
    StepKind.RECEIVE_TASK: ("et steg som venter på en melding", "a step that waits for a message"),
    StepKind.SUBPROCESS: ("en delprosess", "a sub-process"),
    StepKind.CALL_ACTIVITY: ("en egen prosess som brukes her", "another process used here"),
    StepKind.START_EVENT: ("starten på prosessen", "the start of the process"),
    StepKind.END_EVENT: ("slutten på prosessen", "the end of the process"),
    StepKind.INTERMEDIATE_EVENT: ("en hendelse underveis", "an event on the way"),
    StepKind.BOUNDARY_EVENT: ("en hendelse mens et steg pågår", "an event during a step"),
}

# An unnamed element, by its kind ("slutthendelsen" + "etter «X»").
_UNNAMED: dict[str, tuple[str, str]] = {
    StepKind.START_EVENT: ("starthendelsen", "the start event"),
    StepKind.END_EVENT: ("slutthendelsen", "the end event"),
    StepKind.INTERMEDIATE_EVENT: ("mellomhendelsen", "the intermediate event"),
    StepKind.BOUNDARY_EVENT: ("grensehendelsen", "the boundary event"),
    StepKind.SUBPROCESS: ("delprosessen uten navn", "the unnamed sub-process"),
    "gateway": ("porten uten navn", "the unnamed gateway"),
    "step": ("steget uten navn", "the unnamed step"),
}
_POSITION = {
    "nb": {"after": "etter", "before": "før", "on": "på", "in": "i"},
    "en": {"after": "after", "before": "before", "on": "on", "in": "in"},
}
# How far name_of() looks for a named neighbour (elements visited).
_NEIGHBOUR_LIMIT = 200


def _label(process: Process, step_id: str) -> str:
    element = process.get(step_id)
    if element is None:
        return step_id
    return element.label.strip()


def _noun(process: Process, step_id: str, lang: str) -> str:
    element = process.get(step_id)
    is_event = getattr(element, "is_event", False)
    if lang == "nb":
        return "hendelsen" if is_event else "steget"
    return "the event" if is_event else "the step"


def _named_neighbour(process: Process, element_id: str, *, forward: bool) -> str | None:
    """The label of the nearest named step before (or after) the element, along ordinary flows first."""
    g = process.graph
    if element_id not in g:
        return None
    for messages in (False, True):
        queue = [element_id]
        seen = {element_id}
        head = 0
        while head < len(queue) and len(seen) < _NEIGHBOUR_LIMIT:
            node = queue[head]
            head += 1
            edges = g.out_edges(node, data="flow") if forward else g.in_edges(node, data="flow")
            for u, v, flow in sorted(edges, key=lambda e: (e[0], e[1])):
                nxt = v if forward else u
                if nxt in seen or (flow.is_message and not messages):
                    continue
                seen.add(nxt)
                element = process[nxt]
                if isinstance(element, Step) and element.label.strip():
                    return element.label.strip()
                queue.append(nxt)
    return None


def name_of(process: Process, element_id: str, lang: str = "nb", *, quote: bool = True) -> str:
    """How a sentence names an element: its label in quotes, else its kind and position.

    An element without a name is never called by its id (which means nothing
    to a person): it is "the end event after 'X'", with X the nearest named
    step before it (after it, for a start event, or if none is before it);
    a boundary event is "on" its activity; failing all that, "in" its pool.

    Parameters
    ----------
    process
        The process the element is in.
    element_id
        Its id.
    lang
        ``"nb"`` or ``"en"``.
    quote
        Put a label in quotes (for a sentence); without, a named element is
        its plain label and an unnamed one's description starts with a
        capital (for a table cell or a heading).

    Raises
    ------
    ValueError
        For a language other than ``"nb"`` or ``"en"``.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step, StepKind
    >>> p = Process()
    >>> p.add_step(Step("Task_1", "Aktenvermerk anlegen"))
    >>> p.add_step(Step("Event_00e2q3k", "", StepKind.END_EVENT))
    >>> p.add_flow(Flow("Task_1", "Event_00e2q3k"))
    >>> name_of(p, "Task_1")
    '«Aktenvermerk anlegen»'
    >>> name_of(p, "Event_00e2q3k")
    'slutthendelsen etter «Aktenvermerk anlegen»'
    >>> name_of(p, "Event_00e2q3k", "en")
    'the end event after “Aktenvermerk anlegen”'
    >>> name_of(p, "Task_1", quote=False), name_of(p, "Event_00e2q3k", quote=False)
    ('Aktenvermerk anlegen', 'Slutthendelsen etter «Aktenvermerk anlegen»')
    """
    _check_lang(lang)
    element = process.get(element_id)
    if element is None:
        return _quote(element_id, lang) if quote else element_id
    if element.label.strip():
        return _quote(element.label, lang) if quote else " ".join(element.label.split())
    described = _describe(process, element, lang)
    return described if quote else described[0].upper() + described[1:]


def _describe(process: Process, element: Step | Gateway, lang: str) -> str:
    element_id = element.id
    i = 1 if lang == "en" else 0
    if isinstance(element, Gateway):
        what = _UNNAMED["gateway"][i]
    else:
        what = _UNNAMED.get(element.kind, _UNNAMED["step"])[i]
    words = _POSITION[lang]
    if isinstance(element, Step) and element.attached_to is not None:
        host = process.get(element.attached_to)
        if host is not None and host.label.strip():
            return f"{what} {words['on']} {_quote(host.label, lang)}"
    first = "before" if isinstance(element, Step) and element.kind == StepKind.START_EVENT else "after"
    for where in (first, "before" if first == "after" else "after"):
        neighbour = _named_neighbour(process, element_id, forward=where == "before")
        if neighbour is not None:
            return f"{what} {words[where]} {_quote(neighbour, lang)}"
    if element.pool:
        return f"{what} {words['in']} {_quote(element.pool, lang)}"
    return what


def _named(process: Process, step_id: str, lang: str) -> tuple[str, str]:
    """(name, noun phrase): «X» and "steget «X»", or the same description twice for an unnamed element."""
    name = name_of(process, step_id, lang)
    if _label(process, step_id) or process.get(step_id) is None:
        return name, f"{_noun(process, step_id, lang)} {name}"
    return name, name


def explain(
    difference: Difference,
    a: Process,
    b: Process,
    *,
    a_name: str | None = None,
    b_name: str | None = None,
    lang: str = "nb",
) -> str:
    """Say ``difference`` in one sentence.

    Parameters
    ----------
    difference
        A difference found by :func:`processes.diff.diff`.
    a, b
        The two processes (for the step labels).
    a_name, b_name
        What to call the processes, e.g. a municipality ("Malvik"). Default:
        "standarden"/"the standard" and "varianten"/"the variant".
    lang
        ``"nb"`` (bokmål) or ``"en"``.

    Raises
    ------
    ValueError
        For a language other than ``"nb"`` or ``"en"``.

    Examples
    --------
    >>> from processes.model import Process, Step
    >>> a = Process(); a.add_step(Step("s1", "Sende nabovarsel"))
    >>> d = Difference(DifferenceKind.MISSING_STEP, ("s1",), ())
    >>> explain(d, a, Process(), b_name="Malvik")
    'Steget «Sende nabovarsel» finnes i standarden, men mangler i Malvik.'
    >>> explain(d, a, Process(), b_name="Malvik", lang="en")
    'The step “Sende nabovarsel” is in the standard but missing in Malvik.'
    """
    _check_lang(lang)
    A, AA = _place(a_name, "standarden", "standard", lang)
    B, BB = _place(b_name, "varianten", "variant", lang)
    kind = difference.kind
    details = difference.details
    qa = [name_of(a, x, lang) for x in difference.a]
    qb = [name_of(b, y, lang) for y in difference.b]
    if difference.a:
        noun = _noun(a, difference.a[0], lang)
    elif difference.b:
        noun = _noun(b, difference.b[0], lang)
    else:
        noun = "steget" if lang == "nb" else "the step"
    nx = _named(a, difference.a[0], lang)[1] if difference.a else f"{noun} "
    ny = _named(b, difference.b[0], lang)[1] if difference.b else f"{noun} "
    fields = {
        "A": A,
        "AA": AA,
        "B": B,
        "BB": BB,
        "noun": noun,
        "Noun": noun[0].upper() + noun[1:],
        "nx": nx,
        "Nx": nx[0].upper() + nx[1:],
        "ny": ny,
        "Ny": ny[0].upper() + ny[1:],
        "m": "",
        "x": qa[0] if qa else "",
        "y": qb[0] if qb else "",
        "xs": _join(qa, lang),
        "ys": _join(qb, lang),
        "x1": qa[0] if qa else "",
        "x2": qa[1] if len(qa) > 1 else "",
        # Matched steps are named in the standard's words, even in sentences about B.
        "y1": qa[0] if qa else (qb[0] if qb else ""),
        "y2": qa[1] if len(qa) > 1 else (qb[1] if len(qb) > 1 else ""),
        "va": "",
        "vb": "",
    }
    templates = _TEMPLATES[lang]
    if kind == DifferenceKind.EXTRA_FLOW:
        fields["y1"], fields["y2"] = (qb + ["", ""])[:2]
    if kind == DifferenceKind.ORDER_CHANGED:
        key = "order_changed_" + details.get("b_order", "after")
    elif kind == DifferenceKind.PARALLEL_VS_SEQUENTIAL:
        key = "parallel_in_" + details.get("parallel_in", "a")
        fields["xs"] = (
            fields["xs"][0].upper() + fields["xs"][1:] if fields["xs"] else ""
        )
    elif kind == DifferenceKind.OPTIONAL_VS_MANDATORY:
        key = "optional_in_" + details.get("optional_in", "b")
        if details.get("share"):
            key += "_share"
            fields["share"] = _percent(float(details["share"]), lang)
    elif kind == DifferenceKind.LANE_CHANGED and details.get("scope") == "lane":
        key = "lane_renamed"
    elif kind == DifferenceKind.SYSTEM_CHANGED and details.get("scope") == "system":
        key = "system_renamed"
    elif kind in (DifferenceKind.MISSING_FLOW, DifferenceKind.EXTRA_FLOW) and details.get("flow") == "message":
        key = ("missing_message" if kind == DifferenceKind.MISSING_FLOW else "extra_message") + (
            "_instead" if details.get("instead") else ""
        )
        message = details.get("message", "")
        if lang == "nb":
            fields["m"] = f"meldingen {_quote(message, lang)}" if message else "en melding"
        else:
            fields["m"] = f"the message {_quote(message, lang)}" if message else "a message"
    else:
        key = kind.value
    if kind == DifferenceKind.KIND_CHANGED:
        fields["va"] = _kind_word(details.get("a", ""), lang)
        fields["vb"] = _kind_word(details.get("b", ""), lang)
        sentence = templates[key].format(**fields)
        return sentence[0].upper() + sentence[1:]
    if key.endswith("_changed") and (details.get("a", "") == "") != (
        details.get("b", "") == ""
    ):
        key += "_only_b" if details.get("a", "") == "" else "_only_a"
    if kind == DifferenceKind.MODE_CHANGED:
        words = _MODE_WORDS[lang]
        fields["va"] = _mode_word(details.get("a", ""), words)
        fields["vb"] = _mode_word(details.get("b", ""), words)
    elif kind == DifferenceKind.HANDLING_DAYS_CHANGED:
        fields["va"] = _days(details.get("a", "?"), lang)
        fields["vb"] = _days(details.get("b", "?"), lang)
    elif "a" in details or "b" in details:
        fields["va"] = _quote(details.get("a", ""), lang)
        fields["vb"] = _quote(details.get("b", ""), lang)
    sentence = templates[key].format(**fields)
    return sentence[0].upper() + sentence[1:]


def _percent(share: float, lang: str) -> str:
    """A share (0-1) as a percentage: "3 %" in bokmål, "3%" in English; one decimal below 10 % and near 100 %.

    >>> _percent(0.03, "nb"), _percent(0.0349, "en"), _percent(0.996, "nb"), _percent(0.0004, "en")
    ('3 %', '3.5%', '99,6 %', 'less than 0.1%')
    """
    percent = share * 100
    if percent < 0.1:
        return "under 0,1 %" if lang == "nb" else "less than 0.1%"
    text = f"{percent:.0f}" if 10 <= percent <= 99 else f"{percent:.1f}".removesuffix(".0")
    return text.replace(".", ",") + " %" if lang == "nb" else text + "%"


_FLOW_KINDS = (DifferenceKind.MISSING_FLOW, DifferenceKind.EXTRA_FLOW)


def _names(names: Sequence[str], limit: int, lang: str) -> str:
    """Join at most ``limit`` names; the rest are counted ("og 3 andre")."""
    if len(names) <= limit:
        return _join(list(names), lang)
    rest = len(names) - limit + 1
    more = f"{rest} andre" if lang == "nb" else f"{rest} others"
    return _join([*names[: limit - 1], more], lang)


def summarise(
    differences: Sequence[Difference],
    a: Process,
    b: Process,
    *,
    a_name: str | None = None,
    b_name: str | None = None,
    lang: str = "nb",
    max_flow_sentences: int = 5,
    max_names: int = 4,
) -> list[str]:
    """Say ``differences`` in sentences a person can read: flow differences grouped by step.

    Every difference but the sequence flows gets its sentence from
    :func:`explain`. When there are more than ``max_flow_sentences`` flow
    differences (two processes discovered differently from logs give
    hundreds), they are grouped instead: the step touched by most of them
    first, with every flow to or from it in one sentence ("In A the flow
    goes straight between X and Y, Z; in B instead between X and W"), then
    the next, and so on; after ``max_flow_sentences - 1`` such sentences,
    one more sentence counts the steps and flows left. A sentence names at
    most ``max_names`` steps and counts the others.

    Parameters
    ----------
    differences
        From :func:`processes.diff.diff`, in its order.
    a, b, a_name, b_name, lang
        As for :func:`explain`.
    max_flow_sentences
        At most this many sentences about flows.
    max_names
        At most this many step names in one sentence.

    Raises
    ------
    ValueError
        For a language other than ``"nb"`` or ``"en"``, or limits below 2.

    Examples
    --------
    >>> from processes.model import Process, Step
    >>> a, b = Process(), Process()
    >>> for p in (a, b):
    ...     for x in "PQRST":
    ...         p.add_step(Step(x, x))
    >>> extra = [Difference(DifferenceKind.EXTRA_FLOW, ("P", y), ("P", y)) for y in "QRST"]
    >>> missing = [Difference(DifferenceKind.MISSING_FLOW, xy, xy) for xy in [("Q", "R"), ("P", "S"), ("S", "T")]]
    >>> for sentence in summarise(extra + missing, a, b, lang="en", max_flow_sentences=2):
    ...     print(sentence)
    In the standard, the flow goes straight between “P” and “S”; in the variant instead between “P” and “Q”, “R”, “S” and “T”.
    The flow also differs around 4 other steps (2 connections): “Q”, “R”, “S” and “T”.
    """
    _check_lang(lang)
    if max_flow_sentences < 2 or max_names < 2:
        raise ValueError("max_flow_sentences and max_names must be 2 or more")
    flows = [d for d in differences if d.kind in _FLOW_KINDS and d.details.get("flow", "sequence") != "message"]
    if len(flows) <= max_flow_sentences:
        return [explain(d, a, b, a_name=a_name, b_name=b_name, lang=lang) for d in differences]
    A, AA = _place(a_name, "standarden", "standard", lang)
    B, BB = _place(b_name, "varianten", "variant", lang)

    def ends(d: Difference) -> tuple[tuple[str, str], tuple[str, str]]:
        # Matched steps are named in the standard's words; a flow of B between steps A lacks, in B's.
        if len(d.a) == 2:
            return ("a", d.a[0]), ("a", d.a[1])
        return ("b", d.b[0]), ("b", d.b[1])

    def name(end: tuple[str, str]) -> str:
        return name_of(a if end[0] == "a" else b, end[1], lang)

    groups: list[tuple[tuple[str, str], list[Difference]]] = []
    remaining = list(flows)
    while remaining:
        touched: dict[tuple[str, str], int] = {}
        for d in remaining:
            for end in dict.fromkeys(ends(d)):
                touched[end] = touched.get(end, 0) + 1
        step = max(touched, key=lambda end: touched[end])  # the first of the most touched, in diff order
        mine = [d for d in remaining if step in ends(d)]
        remaining = [d for d in remaining if step not in ends(d)]
        groups.append((step, mine))

    templates = _TEMPLATES[lang]
    sentences: list[str] = []
    for step, mine in groups[: max_flow_sentences - 1] if len(groups) > max_flow_sentences else groups:
        here = name(step)
        others = {kind: [name(e) for d in mine if d.kind == kind for e in ends(d) if e != step] for kind in _FLOW_KINDS}
        # A flow from the step back to itself (or to a namesake) names it once.
        only_a = list(dict.fromkeys(others[DifferenceKind.MISSING_FLOW])) or ([here] if any(
            d.kind == DifferenceKind.MISSING_FLOW for d in mine) else [])
        only_b = list(dict.fromkeys(others[DifferenceKind.EXTRA_FLOW])) or ([here] if any(
            d.kind == DifferenceKind.EXTRA_FLOW for d in mine) else [])
        itself = ["seg selv" if lang == "nb" else "itself"]
        only_a = [n for n in only_a if n != here] or (itself if only_a else [])
        only_b = [n for n in only_b if n != here] or (itself if only_b else [])
        key = "flows_between_both" if only_a and only_b else "flows_between_a" if only_a else "flows_between_b"
        sentence = templates[key].format(
            A=A, AA=AA, B=B, BB=BB, x=here, xs=_names(only_a, max_names, lang), ys=_names(only_b, max_names, lang)
        )
        sentences.append(sentence[0].upper() + sentence[1:])
    if len(groups) > max_flow_sentences:
        rest = groups[max_flow_sentences - 1 :]
        steps = list(dict.fromkeys(name(e) for _, mine in rest for d in mine for e in ends(d)))
        sentence = templates["flows_elsewhere"].format(
            n=len(steps), count=sum(len(mine) for _, mine in rest), xs=_names(steps, max_names, lang)
        )
        sentences.append(sentence)
    out: list[str] = []
    grouped = {id(d) for d in flows}
    for d in differences:
        if id(d) not in grouped:
            out.append(explain(d, a, b, a_name=a_name, b_name=b_name, lang=lang))
        elif sentences:
            out.extend(sentences)
            sentences = []
    return out


def _kind_word(value: str, lang: str) -> str:
    try:
        nb, en = _KIND_WORDS[StepKind(value)]
    except ValueError:
        return value
    return en if lang == "en" else nb


def _days(value: str, lang: str) -> str:
    one = value in ("1", "1.0")
    if lang == "nb":
        return value.replace(".", ",") + (" dag" if one else " dager")
    return value + (" day" if one else " days")


def _mode_word(value: str, words: dict[Mode, str]) -> str:
    try:
        return words[Mode(value)]
    except ValueError:
        return value


_REPORT = {
    "nb": {
        "title": "Sammenligning av {A} og {B}",
        "similarity": "Likhet",
        "overall": ("Samlet", "et veid gjennomsnitt av de tre målene under."),
        "labels": (
            "Stegnavn",
            "hvor mange steg som har en motpart, og hvor like navnene er.",
        ),
        "structure": (
            "Struktur",
            "hvor mye av flyten mellom stegene som er den samme.",
        ),
        "behaviour": (
            "Forløp",
            "om stegene kommer i samme rekkefølge, samtidig eller som alternativer.",
        ),
        "matches": "Steg som svarer til hverandre ({n})",
        "differences": "Forskjeller ({n})",
        "none": "Ingen forskjeller.",
        "confidence": "sikkerhet {p} %",
        "kinds": {
            "identical": "likt",
            "renamed": "nytt navn",
            "split": "delt",
            "merged": "slått sammen",
        },
        "a_default": "standarden",
        "b_default": "varianten",
    },
    "en": {
        "title": "Comparison of {A} and {B}",
        "similarity": "Similarity",
        "overall": ("Overall", "a weighted mean of the three measures below."),
        "labels": (
            "Step names",
            "how many steps have a counterpart, and how alike their names are.",
        ),
        "structure": (
            "Structure",
            "how much of the flow between the steps is the same.",
        ),
        "behaviour": (
            "Behaviour",
            "whether the steps happen in the same order, at the same time or as alternatives.",
        ),
        "matches": "Corresponding steps ({n})",
        "differences": "Differences ({n})",
        "none": "No differences.",
        "confidence": "confidence {p} %",
        "kinds": {
            "identical": "same",
            "renamed": "renamed",
            "split": "split",
            "merged": "merged",
        },
        "a_default": "the standard",
        "b_default": "the variant",
    },
}


# What each evidence code of a match (processes.align.EVIDENCE) says, in the
# order the codes are listed there; a code without words here is left out.
_EVIDENCE_WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "confirmed": "bekreftet av en person",
        "same_label": "samme navn",
        "same_wording": "samme ordlyd, i annen bøyning eller på nynorsk og bokmål",
        "same_words": "samme ord når bøyning og synonymer ses bort fra",
        "similar_words": "noen ord felles",
        "repeated_label": "navnet finnes flere ganger i samme prosess",
        "other_step_same_label": "et annet steg har nøyaktig ett av navnene",
        "neighbours_agree": "stegene før og etter svarer også til hverandre",
        "neighbours_differ": "stegene før og etter svarer ikke til hverandre",
        "same_actor": "utføres av samme rolle",
        "other_actor": "utføres av roller med helt ulike navn",
        "same_id": "samme id i begge filene",
        "generic_words_only": "bare vanlige ord felles, som søknad eller sak",
        "contradiction": "motsatte handlinger eller ulike tall",
        "parts_of_one_step": "stegene gjør til sammen det ene steget",
        "specialisation": "hvert steg gjør det ene steget i et bestemt tilfelle",
        "same_place": "de eneste ukoblede stegene på samme sted, med ord felles",
        "not_paired": "ikke koblet av registeret selv",
        "no_words_in_common": "ingen ord felles",
        "one_neighbour_agrees": "stegene før eller stegene etter svarer til hverandre",
    },
    "en": {
        "confirmed": "confirmed by a person",
        "same_label": "same name",
        "same_wording": "the same wording, in another inflection or in nynorsk and bokmål",
        "same_words": "same words once inflection and synonyms are set aside",
        "similar_words": "some words in common",
        "repeated_label": "the name occurs more than once in one process",
        "other_step_same_label": "another step has exactly one of the names",
        "neighbours_agree": "the steps before and after correspond too",
        "neighbours_differ": "the steps before and after do not correspond",
        "same_actor": "done by the same role",
        "other_actor": "done by roles with entirely different names",
        "same_id": "the same id in both files",
        "generic_words_only": "only common words in common, such as application or case",
        "contradiction": "opposite actions or different numbers",
        "parts_of_one_step": "the steps together do what the one step does",
        "specialisation": "each step does the one step in a particular case",
        "same_place": "the only unpaired steps in the same place, with words in common",
        "not_paired": "not paired by the registry itself",
        "no_words_in_common": "no words in common",
        "one_neighbour_agrees": "the steps before or the steps after correspond",
    },
}


def evidence_text(codes: Sequence[str], lang: str = "nb") -> str:
    """What a match's evidence codes (:attr:`processes.align.Match.evidence`) say, as one phrase.

    Examples
    --------
    >>> evidence_text(["same_label", "neighbours_agree"])
    'samme navn; stegene før og etter svarer også til hverandre'
    >>> evidence_text(["similar_words", "contradiction"], "en")
    'some words in common; opposite actions or different numbers'

    Raises
    ------
    ValueError
        For a language other than ``"nb"`` or ``"en"``.
    """
    _check_lang(lang)
    words = _EVIDENCE_WORDS[lang]
    return "; ".join(words[c] for c in codes if c in words)


def format_report(comparison: Comparison, lang: str = "nb") -> str:
    """Write ``comparison`` as a plain-text report: scores (each with what it means), matches, differences.

    Raises
    ------
    ValueError
        For a language other than ``"nb"`` or ``"en"``.
    """
    _check_lang(lang)
    words = _REPORT[lang]
    a, b = comparison.a, comparison.b
    a_name = comparison.a_name or str(words["a_default"])
    b_name = comparison.b_name or str(words["b_default"])
    lines = [str(words["title"]).format(A=a_name, B=b_name), ""]
    lines.append(str(words["similarity"]))
    sim = comparison.similarity.as_dict()
    for key in ("overall", "labels", "structure", "behaviour"):
        name, meaning = words[key]
        percent = f"{sim[key] * 100:.0f} %"
        lines.append(f"  {name + ':':<11} {percent:>6}  {meaning}")
    lines.append("")
    matches = comparison.alignment.matches
    lines.append(str(words["matches"]).format(n=len(matches)))
    kinds = words["kinds"]
    assert isinstance(kinds, dict)
    for m in matches:
        left = _join([name_of(a, x, lang) for x in m.a], lang)
        right = _join([name_of(b, y, lang) for y in m.b], lang)
        kind = str(getattr(m.kind, "value", m.kind))
        how = kinds.get(kind, kind)
        if m.confidence is not None:
            # Rounded down: 0.998 is not certainty, so it reads 99 %, not 100 %.
            sure = str(words["confidence"]).format(p=math.floor(m.confidence * 100))
            how = f"{how}, {sure}: {evidence_text(m.evidence, lang)}"
        lines.append(f"  {left} ↔ {right}  ({how})")
    lines.append("")
    # Hundreds of flow differences (two discovered processes) are grouped by step.
    texts = summarise(
        comparison.differences, a, b, a_name=comparison.a_name, b_name=comparison.b_name, lang=lang
    )
    lines.append(str(words["differences"]).format(n=len(comparison.differences)))
    if not texts:
        lines.append("  " + str(words["none"]))
    lines.extend(f"  - {t}" for t in texts)
    return "\n".join(lines) + "\n"
