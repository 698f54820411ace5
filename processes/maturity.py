"""Digital maturity: how the steps of a process are carried out, and how that changes.

Every step of a process model may say its **mode**
(:class:`processes.model.Mode`): on paper, manual, digital, automated or
self-service. This module counts them:

- :func:`maturity` for one process: the number and share of steps by mode,
  the paper steps by name, and — said plainly — the steps whose mode is not
  stated (``unknown``);
- :func:`combine` for a municipality across its processes (the counts add
  up; every part is kept);
- :func:`maturity_table` for a cooperation: municipalities × process types,
  with row and column totals;
- :func:`maturity_over_time` for the versions of one process, with what
  changed from one version to the next.

What counts as a step: every activity (task, sub-process, call activity);
events have no mode and are left out. A sub-process whose inner steps are in
the model is a container: its inner steps are counted instead of it.

Formulas: ``share(mode) = count(mode) / total``; the **digital share** is
the share of steps done digitally, automatically or as self-service,
``(digital + automated + self_service) / total``, and
``digital_share_known`` the same among the steps whose mode is stated (None
when there are none). Unknown steps count in ``total``: a model that does not
say how its steps are done is not thereby digital. Shares are exact ratios;
sentences round them to whole percent (half up).

Bounds: :func:`maturity` is linear in the number of steps; :func:`combine`,
:func:`maturity_table` and :func:`maturity_over_time` are linear in the
total number of steps they are given.

Examples
--------
>>> from processes.model import Process, Step, StepKind
>>> p = Process("p", "Byggesak")
>>> p.add_step(Step("start", "Søknad mottatt", StepKind.START_EVENT))
>>> p.add_step(Step("motta", "Motta søknad", mode="digital"))
>>> p.add_step(Step("befaring", "Gjennomføre befaring", mode="manual"))
>>> p.add_step(Step("vedtak", "Sende vedtak", mode="paper"))
>>> p.add_step(Step("arkiv", "Arkivere"))
>>> m = maturity(p)
>>> m.total, m.counts["paper"], m.counts["unknown"], m.digital_share
(4, 1, 1, 0.25)
>>> print(m.text())
1 av 4 steg (25 %) gjøres digitalt, automatisk eller som selvbetjening. 1 steg gjøres på papir: «Sende vedtak». For 1 steg er arbeidsmåten ikke oppgitt: «Arkivere».
>>> print(m.breakdown_text("en"))
Mode: 1 on paper, 1 manual, 1 digital, 0 automated, 0 self-service, 1 unknown.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from processes.harmonise import join_names
from processes.model import Mode, Process, Step, StepKind

__all__ = [
    "DIGITAL_MODES",
    "MODES",
    "UNKNOWN",
    "Maturity",
    "MaturityPoint",
    "MaturityTable",
    "StepRef",
    "combine",
    "maturity",
    "maturity_over_time",
    "maturity_table",
]

#: The key for steps whose mode is not stated.
UNKNOWN = "unknown"
#: Every key of :attr:`Maturity.counts`, from the least to the most digital, then unknown.
MODES = ("paper", "manual", "digital", "automated", "self_service", UNKNOWN)
#: The modes that count as digital.
DIGITAL_MODES = frozenset({Mode.DIGITAL.value, Mode.AUTOMATED.value, Mode.SELF_SERVICE.value})

_WORDS = {
    "nb": {"paper": "på papir", "manual": "manuelt", "digital": "digitalt", "automated": "automatisk",
           "self_service": "selvbetjening", UNKNOWN: "ukjent"},
    "en": {"paper": "on paper", "manual": "manual", "digital": "digital", "automated": "automated",
           "self_service": "self-service", UNKNOWN: "unknown"},
}


def _check_lang(lang: str) -> None:
    if lang not in ("nb", "en"):
        raise ValueError(f"unknown language {lang!r}; use nb or en")


def _pct(num: int, den: int, lang: str) -> str:
    """A share as a whole percent, half up: «67 %» / «67%»."""
    x = Fraction(num * 100, den) if den else Fraction(0)
    n = int(x) + (1 if x - int(x) >= Fraction(1, 2) else 0)
    return f"{n} %" if lang == "nb" else f"{n}%"


def _quoted(labels: Sequence[str], lang: str, most: int = 5) -> str:
    q = [f"«{x}»" if lang == "nb" else f"“{x}”" for x in labels[:most]]
    rest = len(labels) - len(q)
    word = " og " if lang == "nb" else " and "
    if rest > 0:
        tail = f"{rest} {'til' if lang == 'nb' else 'more'}"
        return ", ".join(q) + word + tail
    if len(q) <= 1:
        return "".join(q)
    return ", ".join(q[:-1]) + word + q[-1]


@dataclass(frozen=True)
class StepRef:
    """A step named in a maturity: which process (its key or name), its id and label."""

    process: str
    step_id: str
    label: str


@dataclass(frozen=True)
class Maturity:
    """How the steps of one process (or several, combined) are carried out.

    ``counts`` has every key of :data:`MODES`; ``total`` is their sum.
    ``paper_steps`` and ``unknown_steps`` name the steps on paper and those
    whose mode is not stated. ``parts`` are the maturities that were
    combined (empty for one process).
    """

    name: str
    counts: Mapping[str, int] = field(hash=False)
    paper_steps: tuple[StepRef, ...] = ()
    unknown_steps: tuple[StepRef, ...] = ()
    parts: Mapping[str, Maturity] = field(default_factory=dict, hash=False)

    @property
    def total(self) -> int:
        """The number of steps counted."""
        return sum(self.counts.values())

    @property
    def known(self) -> int:
        """The number of steps whose mode is stated."""
        return self.total - self.counts[UNKNOWN]

    @property
    def digital(self) -> int:
        """The number of steps done digitally, automatically or as self-service."""
        return sum(self.counts[m] for m in DIGITAL_MODES)

    def share(self, mode: str) -> float:
        """``counts[mode] / total`` (0.0 when there are no steps)."""
        return self.counts[mode] / self.total if self.total else 0.0

    @property
    def shares(self) -> dict[str, float]:
        """Mode -> share of all counted steps."""
        return {m: self.share(m) for m in MODES}

    @property
    def digital_share(self) -> float | None:
        """The digital steps' share of all steps (None when there are no steps)."""
        return self.digital / self.total if self.total else None

    @property
    def digital_share_known(self) -> float | None:
        """The digital steps' share of the steps whose mode is stated (None when none is)."""
        return self.digital / self.known if self.known else None

    def text(self, lang: str = "nb") -> str:
        """The maturity in two or three plain sentences, unknown modes said outright."""
        _check_lang(lang)
        nb = lang == "nb"
        n = self.total
        if n == 0:
            return ("Det er ingen steg å telle arbeidsmåten for." if nb
                    else "There are no steps whose mode could be counted.")
        d = self.digital
        noun = "steg" if nb else ("step" if n == 1 else "steps")
        if nb:
            out = [f"{d} av {n} steg ({_pct(d, n, lang)}) gjøres digitalt, automatisk eller som selvbetjening."]
        else:
            verb = "is" if d == 1 else "are"
            out = [f"{d} of {n} {noun} ({_pct(d, n, lang)}) {verb} done digitally, automatically or as self-service."]
        paper = [s.label or s.step_id for s in self.paper_steps]
        if paper:
            k = len(paper)
            if nb:
                out.append(f"{k} steg gjøres på papir: {_quoted(paper, lang)}.")
            else:
                out.append(f"{k} {'step is' if k == 1 else 'steps are'} done on paper: {_quoted(paper, lang)}.")
        else:
            out.append("Ingen steg gjøres på papir." if nb else "No step is done on paper.")
        unknown = [s.label or s.step_id for s in self.unknown_steps]
        if unknown:
            k = len(unknown)
            if nb:
                out.append(f"For {k} steg er arbeidsmåten ikke oppgitt: {_quoted(unknown, lang)}.")
            else:
                out.append(f"For {k} {'step' if k == 1 else 'steps'} the mode is not stated: {_quoted(unknown, lang)}.")
        return " ".join(out)

    def breakdown_text(self, lang: str = "nb") -> str:
        """«Arbeidsmåte: 1 på papir, 1 manuelt, …, 1 ukjent.»"""
        _check_lang(lang)
        parts = ", ".join(f"{self.counts[m]} {_WORDS[lang][m]}" for m in MODES)
        return f"Arbeidsmåte: {parts}." if lang == "nb" else f"Mode: {parts}."

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data for a page, a table or a chart."""
        return {
            "name": self.name,
            "total": self.total,
            "counts": {m: self.counts[m] for m in MODES},
            "shares": self.shares,
            "digital": self.digital,
            "digital_share": self.digital_share,
            "digital_share_known": self.digital_share_known,
            "paper_steps": [{"process": s.process, "step_id": s.step_id, "label": s.label} for s in self.paper_steps],
            "unknown_steps": [{"process": s.process, "step_id": s.step_id, "label": s.label}
                              for s in self.unknown_steps],
            "text": self.text(lang),
            "parts": {k: v.to_dict(lang) for k, v in self.parts.items()},
        }


def _counted(process: Process) -> list[Step]:
    containers = {s.parent for s in process.steps if s.parent}
    return [
        s for s in process.steps
        if s.is_activity and not (s.kind == StepKind.SUBPROCESS and s.id in containers)
    ]


def maturity(process: Process, *, name: str | None = None) -> Maturity:
    """Count the steps of one process by mode (see the module's docstring). Linear in the steps.

    ``name`` names the process in :attr:`StepRef.process` (default: its name, else its id).
    """
    key = name if name is not None else (process.name or process.id)
    counts = dict.fromkeys(MODES, 0)
    paper: list[StepRef] = []
    unknown: list[StepRef] = []
    for s in _counted(process):
        mode = s.mode.value if s.mode is not None else UNKNOWN
        counts[mode] += 1
        if mode == Mode.PAPER.value:
            paper.append(StepRef(key, s.id, s.label))
        elif mode == UNKNOWN:
            unknown.append(StepRef(key, s.id, s.label))
    return Maturity(key, counts, tuple(paper), tuple(unknown))


def combine(parts: Mapping[str, Maturity], *, name: str = "") -> Maturity:
    """Add up several maturities (e.g. a municipality's processes): counts add, steps are listed.

    >>> from processes.model import Process, Step
    >>> a, b = Process("a", "Byggesak"), Process("b", "Startlån")
    >>> a.add_step(Step("x", "Sende vedtak", mode="paper")); b.add_step(Step("y", "Søke", mode="self_service"))
    >>> both = combine({"byggesak": maturity(a), "startlan": maturity(b)}, name="Malvik")
    >>> both.total, both.digital_share, [s.process for s in both.paper_steps]
    (2, 0.5, ['Byggesak'])
    """
    counts = dict.fromkeys(MODES, 0)
    paper: list[StepRef] = []
    unknown: list[StepRef] = []
    for m in parts.values():
        for k in MODES:
            counts[k] += m.counts[k]
        paper.extend(m.paper_steps)
        unknown.extend(m.unknown_steps)
    return Maturity(name, counts, tuple(paper), tuple(unknown), dict(parts))


@dataclass(frozen=True)
class MaturityTable:
    """Municipalities × process types (see :func:`maturity_table`).

    ``cells`` maps (member, process type) to a :class:`Maturity`; a member
    without that process has no cell. ``rows`` are the members' totals,
    ``columns`` the process types' totals, ``total`` everything.
    """

    members: tuple[str, ...]
    types: tuple[str, ...]
    cells: Mapping[tuple[str, str], Maturity] = field(hash=False)
    rows: Mapping[str, Maturity] = field(hash=False)
    columns: Mapping[str, Maturity] = field(hash=False)
    total: Maturity

    def cell(self, member: str, process_type: str) -> Maturity | None:
        """The maturity of one member's process of one type, or None if it has none."""
        return self.cells.get((member, process_type))

    def grid(self) -> list[tuple[str, list[Maturity | None], Maturity]]:
        """Rows for a table: (member, its cells in the order of ``types``, its total)."""
        return [(m, [self.cell(m, t) for t in self.types], self.rows[m]) for m in self.members]

    def text(self, lang: str = "nb") -> str:
        """The table in one sentence: the range of digital shares (ties named together), and unknown modes."""
        _check_lang(lang)
        nb = lang == "nb"
        t = self.total
        if t.total == 0:
            return "Tabellen har ingen steg." if nb else "The table has no steps."
        shares = {m: Fraction(r.digital, r.total) for m, r in self.rows.items() if r.total}
        hi, lo = max(shares.values()), min(shares.values())
        best = join_names([m for m, v in shares.items() if v == hi], lang)
        worst = join_names([m for m, v in shares.items() if v == lo], lang)
        hi_pct = _pct(hi.numerator, hi.denominator, lang)
        lo_pct = _pct(lo.numerator, lo.denominator, lang)
        u = t.counts[UNKNOWN]
        if nb:
            text = (f"Samlet gjøres {_pct(t.digital, t.total, lang)} av stegene digitalt; "
                    f"høyest {best} ({hi_pct}), lavest {worst} ({lo_pct}).")
            if u:
                text += f" For {u} av {t.total} steg er arbeidsmåten ikke oppgitt."
            return text
        text = (f"In all, {_pct(t.digital, t.total, lang)} of the steps are done digitally; "
                f"highest {best} ({hi_pct}), lowest {worst} ({lo_pct}).")
        if u:
            text += f" For {u} of {t.total} steps the mode is not stated."
        return text


def maturity_table(processes: Mapping[str, Mapping[str, Process]]) -> MaturityTable:
    """Build the municipalities × process types table from member -> process type -> process.

    Members keep the order given; process types are in the order they first
    appear. Linear in the total number of steps.

    >>> from processes.model import Process, Step
    >>> def one(mode):
    ...     p = Process("p", "x"); p.add_step(Step("s", "Steg", mode=mode)); return p
    >>> table = maturity_table({"Malvik": {"byggesak": one("digital")},
    ...                         "Skaun": {"byggesak": one("paper"), "startlan": one(None)}})
    >>> table.types, table.cell("Malvik", "startlan")
    (('byggesak', 'startlan'), None)
    >>> print(table.text())
    Samlet gjøres 33 % av stegene digitalt; høyest Malvik (100 %), lavest Skaun (0 %). For 1 av 3 steg er arbeidsmåten ikke oppgitt.
    """
    types: list[str] = []
    cells: dict[tuple[str, str], Maturity] = {}
    for member, by_type in processes.items():
        for t, process in by_type.items():
            if t not in types:
                types.append(t)
            cells[(member, t)] = maturity(process, name=t)
    rows = {
        m: combine({t: cells[(m, t)] for t in types if (m, t) in cells}, name=m) for m in processes
    }
    columns = {
        t: combine({m: cells[(m, t)] for m in processes if (m, t) in cells}, name=t) for t in types
    }
    total = combine(rows, name="")
    return MaturityTable(tuple(processes), tuple(types), cells, rows, columns, total)


@dataclass(frozen=True)
class MaturityPoint:
    """One version in :func:`maturity_over_time`: its maturity and what changed since the version before.

    ``left_paper`` are the steps (ids of this version) that were on paper in
    the version before and are not now; ``went_paper`` the reverse; matched
    by step id.
    """

    when: _dt.date | str
    maturity: Maturity
    digital_change: int
    left_paper: tuple[StepRef, ...] = ()
    went_paper: tuple[StepRef, ...] = ()

    def text(self, lang: str = "nb") -> str:
        """What changed from the version before, in a sentence."""
        _check_lang(lang)
        nb = lang == "nb"
        when = self.when.isoformat() if isinstance(self.when, _dt.date) else str(self.when)
        m = self.maturity
        share = _pct(m.digital, m.total, lang) if m.total else "–"
        out = [f"{when}: {m.digital} av {m.total} steg digitale ({share})." if nb
               else f"{when}: {m.digital} of {m.total} steps digital ({share})."]
        if self.digital_change:
            k = self.digital_change
            if nb and abs(k) == 1:
                out.append(f"1 digitalt steg {'mer' if k > 0 else 'mindre'} enn før.")
            elif nb:
                out.append(f"{abs(k)} {'flere' if k > 0 else 'færre'} digitale steg enn før.")
            else:
                out.append(f"{abs(k)} {'more' if k > 0 else 'fewer'} digital {'step' if abs(k) == 1 else 'steps'} "
                           "than before.")
        if self.left_paper:
            names = _quoted([s.label or s.step_id for s in self.left_paper], lang)
            out.append(f"Ikke lenger på papir: {names}." if nb else f"No longer on paper: {names}.")
        if self.went_paper:
            names = _quoted([s.label or s.step_id for s in self.went_paper], lang)
            out.append(f"Nå på papir: {names}." if nb else f"Now on paper: {names}.")
        if m.counts[UNKNOWN]:
            u = m.counts[UNKNOWN]
            out.append(f"For {u} steg er arbeidsmåten ikke oppgitt." if nb
                       else f"For {u} {'step' if u == 1 else 'steps'} the mode is not stated.")
        return " ".join(out)


def maturity_over_time(versions: Iterable[tuple[_dt.date | str, Process]]) -> tuple[MaturityPoint, ...]:
    """The maturity of each version of one process, oldest first as given, with the changes between them.

    Linear in the total number of steps.

    >>> from processes.model import Process, Step
    >>> v1 = Process("p", "Byggesak"); v1.add_step(Step("vedtak", "Sende vedtak", mode="paper"))
    >>> v2 = Process("p", "Byggesak"); v2.add_step(Step("vedtak", "Sende vedtak", mode="digital"))
    >>> points = maturity_over_time([("2025-01", v1), ("2026-01", v2)])
    >>> print(points[1].text())
    2026-01: 1 av 1 steg digitale (100 %). 1 digitalt steg mer enn før. Ikke lenger på papir: «Sende vedtak».
    """
    out: list[MaturityPoint] = []
    before: Maturity | None = None
    for when, process in versions:
        m = maturity(process)
        if before is None:
            out.append(MaturityPoint(when, m, 0))
        else:
            was_paper = {s.step_id for s in before.paper_steps}
            now_paper = {s.step_id for s in m.paper_steps}
            labels = {s.id: s.label for s in process.steps}
            left = tuple(
                StepRef(m.name, s.step_id, labels.get(s.step_id, s.label))
                for s in before.paper_steps if s.step_id not in now_paper and s.step_id in labels
            )
            went = tuple(s for s in m.paper_steps if s.step_id not in was_paper)
            out.append(MaturityPoint(when, m, m.digital - before.digital, left, went))
        before = m
    return tuple(out)
