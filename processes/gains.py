"""Gains (gevinstrealisering): what a change plan is worth, with every step of the arithmetic shown.

KS's guidance on *gevinstrealisering* asks for three kinds of gain — **time
saved**, **avoided costs** and **better quality** — measured from a dated
baseline (*nullpunkt*), each calculation broken into documented steps and
every assumption and uncertainty written down. This module computes them from
a municipality's change plan (:func:`processes.harmonise.change_plan`):

- **time saved**: working hours per year (``hours``), and what they cost
  (``nok``, at the cooperation's hourly cost);
- **avoided costs**: postage and print per year when a paper step stops being
  paper (``postage_nok``, part of ``nok``);
- **better quality**: the change in lead time, *saksbehandlingstid*, per case
  (``lead_days``).

Signs: a **positive** figure is a gain (hours saved, kroner saved, days
shorter); a negative one is added work, added cost or a longer lead time.

Inputs
------
All inputs are frozen dataclasses that a registry can store row by row:

- :class:`StepInput` per step of a municipality's process: work minutes per
  case (the time someone works on it, not the lead time in days), postage and
  print per case (counted only while the step's mode is paper), the share of
  cases that go through the step, and a lead time in days. The step's **mode**
  is the process model's own attribute (:attr:`processes.model.Step.mode`):
  the change plan is made from the model, so the estimate never overrides it.
- :class:`ProcessInput` per municipality and process: cases per year, typed in
  (``cases_source`` says from where) or taken from an event log
  (:func:`measure`, which also gives measured shares and durations per step).
- :class:`CooperationAssumptions` per cooperation: the hourly cost in NOK with
  its source (:class:`HourlyCost`), the default saving per mode change
  (:class:`ModeSaving`, e.g. paper → digital) with a low / expected / high
  value (:class:`Spread`), and optional reference figures for the steps of
  the standard.

Formulas
--------
With N cases per year, p the share of cases through a step (0–1), m its work
minutes per case, s a saving share (0–1), H the hourly cost, c postage and
print per case and d a lead time in days:

=================================  ============================================================
change                             gain
=================================  ============================================================
mode change a → b                  hours = N·p·m·s / 60; postage = N·p·c when a is paper and b
                                   is not (−N·p·c the other way); lead = p·d·s_lead
mode change with only b → a given  hours = −N·p·m·s/(1−s) / 60 (the inverse: the minutes grow
                                   back to what they were before the saving)
step removed (y)                   hours = N·p_y·m_y / 60; postage = N·p_y·c_y if paper;
                                   lead = p_y·d_y
step added (x)                     hours = −N·p_x·m_x / 60; postage = −N·p_x·c_x if paper;
                                   lead = −p_x·d_x
steps merged or split              hours = (Σ N·p_y·m_y − Σ N·p_x·m_x) / 60, the variant's steps
                                   minus the target's (unchanged when the target's minutes are
                                   not known)
handling time changed              lead = p_y·(d_y − d_x)
anything else (rename, move, …)    0: no gain is modelled, and the line says so
every line                         nok = hours·H + postage
=================================  ============================================================

Where an input is missing the estimate never invents it. It takes, in this
order: the value given; for cases, shares and durations, what an event log
measured; the step's own attribute (``handling_days``, ``metrics``); for the
target's steps, the cooperation's reference figure; the **median of the other
members that have it** (low and high are then their minimum and maximum); and
failing all that it leaves the term out (counts it as 0). Each fallback is an
:class:`Assumption` with a ``code``, the input, the step, the value used and
the members it came from, and a sentence in bokmål and English.

Low / expected / high come from the spreads of the inputs (saving shares,
medians of members). Every quantity is a product of non-negative factors, so
the low gain is the product of the low factors (the high ones for added
work), and low ≤ expected ≤ high holds in every line by construction.

Arithmetic is exact (:class:`fractions.Fraction`); **rounding is done once,
at the end**, half away from zero: hours and days to one decimal, kroner to
whole kroner, for every line and every total. A total is the rounded sum of
the exact lines, so it can differ by a rounding step from the sum of the
rounded lines. The numbers inside a sentence are rounded for reading.

Bounds: every function here is linear in the size of its inputs (changes,
steps, members); :func:`measure` is linear in the number of steps of the two
processes.

Examples
--------
>>> from processes.model import Flow, Process, Step
>>> from processes.harmonise import change_plan
>>> def chain(*steps):
...     p = Process("p", "Byggesak")
...     for i, (sid, label, mode) in enumerate(steps):
...         p.add_step(Step(sid, label, mode=mode))
...         if i:
...             p.add_flow(Flow(steps[i - 1][0], sid))
...     return p
>>> standard = chain(("motta", "Motta søknad", "digital"), ("vedtak", "Fatte vedtak", "digital"))
>>> malvik = chain(("m1", "Motta søknad", "paper"), ("m2", "Fatte vedtak", "digital"))
>>> plan = change_plan(malvik, standard)
>>> inputs = ProcessInput("Malvik", cases_per_year=120, steps=(StepInput("m1", work_minutes=25, postage_nok=12),))
>>> assumptions = CooperationAssumptions(
...     hourly_cost=HourlyCost(650, "Eksempel: snitt saksbehandler med sosiale kostnader"),
...     mode_savings=(ModeSaving("paper", "digital", Spread(0.3, 0.4, 0.5)),))
>>> result = estimate(plan, inputs, assumptions)
>>> line = result.lines[0]
>>> line.hours
Spread(low=15.0, expected=20.0, high=25.0)
>>> for sentence in line.sentences():
...     print(sentence)
120 saker/år × 25 min × 40 % spart (lav 30 %, høy 50 %) = 20 timer/år spart (lav 15, høy 25)
120 saker/år × 12 kr porto og trykk = 1 440 kr/år spart
20 timer/år (lav 15, høy 25) × 650 kr/time = 13 000 kr/år spart (lav 9 750, høy 16 250)
>>> result.nok
Spread(low=11190.0, expected=14440.0, high=17690.0)
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from processes.exceptions import ProcessError
from processes.harmonise import Change, ChangeKind, ChangePlan, StepClasses, join_names
from processes.labels import normalise
from processes.model import Mode, Process, Step

__all__ = [
    "BASES",
    "STATUSES",
    "Assumption",
    "Baseline",
    "Calculation",
    "CooperationAssumptions",
    "CooperationGains",
    "GainError",
    "GainEstimate",
    "GainLine",
    "HourlyCost",
    "LaterState",
    "MeasuredStep",
    "Measurement",
    "ModeSaving",
    "PeerValues",
    "ProcessInput",
    "RankedChange",
    "RankedMember",
    "Realisation",
    "RealisedLine",
    "Spread",
    "StepInput",
    "Term",
    "cooperation_gains",
    "estimate",
    "estimate_cooperation",
    "log_period_days",
    "measure",
    "peer_values",
    "realised",
    "round_half_up",
]

_LANGS = ("nb", "en")

# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

_ERROR_TEXTS: dict[str, str] = {
    "not_a_number": "{what} must be a finite number, got {value}",
    "negative": "{what} must be 0 or more, got {value}",
    "share_out_of_range": "{what} must be a share between 0 and 1, got {value}",
    "spread_order": "{what}: low <= expected <= high does not hold ({low}, {expected}, {high})",
    "not_positive": "{what} must be more than 0, got {value}",
    "same_mode": "a mode saving needs two different modes, got {mode} -> {mode}",
    "duplicate_mode_saving": "the saving for {source} -> {target} is given twice",
    "duplicate_step": "the step {step} has inputs twice",
    "member_mismatch": "the inputs are for {inputs} but the change plan is for {plan}",
    "unknown_change": "a change to estimate is not one of the plan's changes ({change})",
    "unknown_language": "unknown language {lang}; use nb or en",
}


class GainError(ProcessError, ValueError):
    """A gain input or call is wrong. ``code`` and ``params`` say what; the registry words it.

    The English ``str()`` is for programmers and logs; users get the
    registry's sentence for ``code`` filled with ``params``.

    Codes: ``not_a_number``, ``negative``, ``share_out_of_range``,
    ``spread_order``, ``not_positive``, ``same_mode``,
    ``duplicate_mode_saving``, ``duplicate_step``, ``member_mismatch``,
    ``unknown_change``, ``unknown_language``. ``params["what"]`` names the
    input (e.g. ``"work_minutes"``) and ``params["step"]`` the step, where
    there is one.

    >>> error = GainError("negative", what="work_minutes", value=-5, step="m1")
    >>> error.code, error.params
    ('negative', {'what': 'work_minutes', 'value': -5, 'step': 'm1'})
    >>> str(error)
    'work_minutes must be 0 or more, got -5 (step m1)'
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params)
        template = _ERROR_TEXTS.get(code, code)
        try:
            text = template.format(**params)
        except (KeyError, IndexError):
            text = template
        if "step" in params and "{step}" not in template:
            text += f" (step {params['step']})"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.code, self.params))


def _rebuild_error(code: str, params: dict[str, Any]) -> GainError:
    return GainError(code, **params)


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise GainError("unknown_language", lang=lang)


def _number(value: object, what: str, step: str | None = None) -> Fraction:
    extra = {"step": step} if step is not None else {}
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise GainError("not_a_number", what=what, value=repr(value), **extra)
    if isinstance(value, float) and not math.isfinite(value):
        raise GainError("not_a_number", what=what, value=repr(value), **extra)
    return Fraction(value)


def _non_negative(value: object, what: str, step: str | None = None) -> Fraction:
    x = _number(value, what, step)
    if x < 0:
        raise GainError("negative", what=what, value=value, **({"step": step} if step else {}))
    return x


def _share(value: object, what: str, step: str | None = None) -> Fraction:
    x = _number(value, what, step)
    if not 0 <= x <= 1:
        raise GainError("share_out_of_range", what=what, value=value, **({"step": step} if step else {}))
    return x


# --------------------------------------------------------------------------
# Exact triples (low, expected, high) and rounding
# --------------------------------------------------------------------------

_X = tuple[Fraction, Fraction, Fraction]
_ZERO: _X = (Fraction(0), Fraction(0), Fraction(0))
_ONE: _X = (Fraction(1), Fraction(1), Fraction(1))


def _const(v: Fraction) -> _X:
    return (v, v, v)


def _mul(a: _X, b: _X) -> _X:
    """Product of two non-negative triples (monotone in every factor)."""
    return (a[0] * b[0], a[1] * b[1], a[2] * b[2])


def _neg(a: _X) -> _X:
    return (-a[2], -a[1], -a[0])


def _add(a: _X, b: _X) -> _X:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sum(items: Iterable[_X]) -> _X:
    total = _ZERO
    for x in items:
        total = _add(total, x)
    return total


def round_half_up(value: Fraction | float, places: int = 0) -> Fraction:
    """Round half away from zero to ``places`` decimals, exactly.

    >>> float(round_half_up(Fraction(5, 2))), float(round_half_up(-2.5)), float(round_half_up(0.25, 1))
    (3.0, -3.0, 0.3)
    """
    x = Fraction(value)
    scale = Fraction(10) ** places
    y = abs(x) * scale
    n = int(y)
    if y - n >= Fraction(1, 2):
        n += 1
    return (n if x >= 0 else -n) / scale


@dataclass(frozen=True)
class Spread:
    """A low / expected / high value; ``low <= expected <= high`` always holds.

    >>> Spread(0.3, 0.4, 0.5).expected
    0.4
    >>> Spread(0.5, 0.4, 0.3)
    Traceback (most recent call last):
    ...
    processes.gains.GainError: value: low <= expected <= high does not hold (0.5, 0.4, 0.3)
    """

    low: float
    expected: float
    high: float

    def __post_init__(self) -> None:
        lo, ex, hi = (_number(v, "value") for v in (self.low, self.expected, self.high))
        if not lo <= ex <= hi:
            raise GainError("spread_order", what="value", low=self.low, expected=self.expected, high=self.high)

    @classmethod
    def exactly(cls, value: float) -> Spread:
        """The same value three times (no uncertainty)."""
        return cls(value, value, value)

    @property
    def is_exact(self) -> bool:
        """True when low, expected and high are the same."""
        return self.low == self.expected == self.high

    def _exact(self) -> _X:
        return (Fraction(self.low), Fraction(self.expected), Fraction(self.high))


def _spread(x: _X, places: int) -> Spread:
    return Spread(*(float(round_half_up(v, places)) for v in x))


def _spread_raw(x: _X) -> Spread:
    return Spread(float(x[0]), float(x[1]), float(x[2]))


def _checked_spread(value: Spread, what: str, *, share: bool) -> Spread:
    for v in (value.low, value.expected, value.high):
        if share:
            _share(v, what)
        else:
            _non_negative(v, what)
    return value


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    """What a municipality knows about one step of its process.

    Parameters
    ----------
    step_id
        The step's id in the municipality's process (or, in
        :attr:`CooperationAssumptions.reference`, in the standard).
    work_minutes
        Minutes someone works on the step per case that goes through it
        (not the lead time).
    postage_nok
        Postage and print per case, NOK; counted only while the step's mode
        is paper.
    case_share
        The share of cases that go through the step, 0–1 (e.g. 0.3 when only
        three cases in ten need a site visit).
    lead_days
        How many days the step adds to the lead time, per case that goes
        through it (overrides the model's ``handling_days``).
    note
        Where the figures come from, in the owner's words.
    """

    step_id: str
    work_minutes: float | None = None
    postage_nok: float | None = None
    case_share: float | None = None
    lead_days: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.work_minutes is not None:
            _non_negative(self.work_minutes, "work_minutes", self.step_id)
        if self.postage_nok is not None:
            _non_negative(self.postage_nok, "postage_nok", self.step_id)
        if self.case_share is not None:
            _share(self.case_share, "case_share", self.step_id)
        if self.lead_days is not None:
            _non_negative(self.lead_days, "lead_days", self.step_id)


def _by_step(steps: Sequence[StepInput]) -> dict[str, StepInput]:
    out: dict[str, StepInput] = {}
    for s in steps:
        if s.step_id in out:
            raise GainError("duplicate_step", step=s.step_id)
        out[s.step_id] = s
    return out


@dataclass(frozen=True)
class MeasuredStep:
    """What an event log measured for one step of the model (see :func:`measure`)."""

    step_id: str
    activity: str
    cases: int
    case_share: float
    lead_days: float | None


@dataclass(frozen=True)
class Measurement:
    """Cases and per-step shares and durations measured from an event log.

    ``cases`` were seen over ``period_days`` days; ``cases_per_year`` scales
    them to 365 days. ``duration`` says what a step's ``lead_days`` measure
    (the log's ``process.metadata["duration"]``: ``start_to_complete`` or
    ``since_previous_event``). ``unmatched`` are the log's activities that no
    step of the model has.
    """

    cases: int
    period_days: float
    steps: Mapping[str, MeasuredStep] = field(default_factory=dict, hash=False)
    unmatched: tuple[str, ...] = ()
    duration: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        _non_negative(self.cases, "cases")
        if _number(self.period_days, "period_days") <= 0:
            raise GainError("not_positive", what="period_days", value=self.period_days)
        object.__setattr__(self, "steps", dict(self.steps))

    @property
    def cases_per_year(self) -> Fraction:
        """``cases × 365 / period_days``, exact."""
        return Fraction(self.cases) * 365 / Fraction(self.period_days)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (what the registry stores with a baseline); :meth:`from_dict` reads it back.

        >>> m = Measurement(3, 73, {"m2": MeasuredStep("m2", "Fatte vedtak", 3, 1.0, 10.0)}, ("Purre",))
        >>> Measurement.from_dict(m.to_dict()) == m
        True
        """
        return {
            "cases": self.cases, "period_days": float(self.period_days), "duration": self.duration,
            "source": self.source, "unmatched": list(self.unmatched),
            "steps": [
                {"step_id": s.step_id, "activity": s.activity, "cases": s.cases, "case_share": s.case_share,
                 "lead_days": s.lead_days}
                for s in self.steps.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Measurement:
        """The measurement :meth:`to_dict` wrote; a wrong value raises :class:`GainError`."""
        steps: dict[str, MeasuredStep] = {}
        for row in data.get("steps", ()):
            lead = row.get("lead_days")
            step = MeasuredStep(
                str(row["step_id"]), str(row.get("activity", "")), int(_non_negative(row.get("cases", 0), "cases")),
                float(_share(row.get("case_share", 1.0), "case_share", str(row["step_id"]))),
                None if lead is None else float(_non_negative(lead, "lead_days", str(row["step_id"]))),
            )
            steps[step.step_id] = step
        return cls(
            int(_non_negative(data.get("cases", 0), "cases")), float(_number(data.get("period_days"), "period_days")),
            steps, tuple(str(u) for u in data.get("unmatched", ())), str(data.get("duration", "")),
            str(data.get("source", "")),
        )


def log_period_days(log_process: Process) -> float | None:
    """The days an event log covers, from its first to its last event; None when its events have no times.

    A log whose events all fall on one day counts as one day, so that
    ``cases_per_year`` stays finite. :func:`processes.formats.eventlog.discover`
    writes ``first_event`` and ``last_event`` into the metadata.

    >>> p = Process("log")
    >>> p.metadata.update(first_event="2025-01-01T08:00:00+00:00", last_event="2025-07-02T08:00:00+00:00")
    >>> log_period_days(p)
    182.0
    >>> log_period_days(Process("no times")) is None
    True
    """
    first, last = log_process.metadata.get("first_event"), log_process.metadata.get("last_event")
    if not first or not last:
        return None
    try:
        days = (_dt.datetime.fromisoformat(last) - _dt.datetime.fromisoformat(first)).total_seconds() / 86400
    except ValueError:
        return None
    return max(days, 1.0)


def measure(log_process: Process, model: Process, *, period_days: float, source: str = "") -> Measurement:
    """What a discovered event-log process says about a municipality's process model.

    The log's activities are matched with the model's steps by id, else by
    normalised label (:func:`processes.labels.normalise`). Per matched step:
    its ``cases`` and ``case_share`` and its mean duration
    (``duration_mean_days``) as lead days: the mean, not the median, because
    means add up along a path. The log's period is not in the log's summary,
    so the caller gives it (``period_days``, e.g. from the first to the last
    event). Linear in the number of steps.

    >>> from processes.formats.eventlog import Event, discover
    >>> day = 86400.0
    >>> cases = [[Event("Motta søknad", 0.0), Event("Fatte vedtak", 10 * day)]] * 3
    >>> log = discover(cases)
    >>> from processes.model import Process, Step
    >>> model = Process("p"); model.add_step(Step("m1", "Motta søknad")); model.add_step(Step("m2", "Fatte vedtak"))
    >>> m = measure(log, model, period_days=73)
    >>> m.cases, float(m.cases_per_year), m.steps["m2"].lead_days, m.steps["m2"].case_share
    (3, 15.0, 10.0, 1.0)
    """
    by_id = {s.id: s for s in model.steps}
    by_label: dict[str, str] = {}
    for s in model.steps:
        key = normalise(s.label)
        if key and key not in by_label:
            by_label[key] = s.id
    steps: dict[str, MeasuredStep] = {}
    unmatched: list[str] = []
    for s in log_process.steps:
        if s.is_event and "cases" not in s.metrics:
            continue
        if "cases" not in s.metrics:
            continue
        target = s.id if s.id in by_id else by_label.get(normalise(s.label))
        if target is None or target in steps:
            if not s.is_event:
                unmatched.append(s.label or s.id)
            continue
        lead = s.metrics.get("duration_mean_days")
        steps[target] = MeasuredStep(
            target, s.label or s.id, int(s.metrics["cases"]), float(s.metrics.get("case_share", 1.0)),
            float(lead) if lead is not None else None,
        )
    cases = int(log_process.metadata.get("cases", "0") or 0)
    return Measurement(cases, period_days, steps, tuple(unmatched), log_process.metadata.get("duration", ""), source)


@dataclass(frozen=True)
class ProcessInput:
    """One municipality's inputs for one process.

    Parameters
    ----------
    member
        The municipality.
    steps
        :class:`StepInput` per step (by the step ids of its process).
    cases_per_year
        Cases per year, typed in; ``cases_source`` says where it comes from
        (e.g. «KOSTRA 2025»). When None, an event log's measurement gives it.
    measurement
        What an event log measured (:func:`measure`): cases per year, and per
        step its share of cases and its duration.
    """

    member: str
    steps: tuple[StepInput, ...] = ()
    cases_per_year: float | None = None
    cases_source: str = ""
    measurement: Measurement | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        _by_step(self.steps)
        if self.cases_per_year is not None:
            _non_negative(self.cases_per_year, "cases_per_year")

    def step(self, step_id: str) -> StepInput | None:
        """The inputs for one step, or None."""
        for s in self.steps:
            if s.step_id == step_id:
                return s
        return None


@dataclass(frozen=True)
class HourlyCost:
    """The cost of one working hour, NOK, and where the figure comes from."""

    nok: float
    source: str

    def __post_init__(self) -> None:
        _non_negative(self.nok, "hourly_cost")


def _mode(value: Mode | str | None) -> Mode | None:
    return None if value is None else Mode(str(value))


@dataclass(frozen=True)
class ModeSaving:
    """The share of a step's work minutes saved when its mode changes ``source`` → ``target``.

    ``source`` None means "from any mode" (e.g. → self-service). ``work_share``
    and ``lead_share`` (of the step's lead days) are shares 0–1 with low /
    expected / high. ``note`` says where the figures come from.
    """

    source: Mode | None
    target: Mode
    work_share: Spread
    lead_share: Spread = field(default_factory=lambda: Spread(0, 0, 0))
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", _mode(self.source))
        object.__setattr__(self, "target", Mode(str(self.target)))
        if self.source == self.target:
            raise GainError("same_mode", mode=self.target.value)
        _checked_spread(self.work_share, "work_share", share=True)
        _checked_spread(self.lead_share, "lead_share", share=True)


@dataclass(frozen=True)
class CooperationAssumptions:
    """The cooperation's assumptions, editable by the coordinator.

    ``hourly_cost`` (None: hours are not turned into kroner, and the estimate
    says so); ``mode_savings`` (at most one per pair of modes); ``reference``
    figures for the standard's steps (by the standard's step ids), used for
    steps a member adds or merges into; ``note`` for the whole set.
    """

    hourly_cost: HourlyCost | None = None
    mode_savings: tuple[ModeSaving, ...] = ()
    reference: tuple[StepInput, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode_savings", tuple(self.mode_savings))
        object.__setattr__(self, "reference", tuple(self.reference))
        seen: set[tuple[Mode | None, Mode]] = set()
        for ms in self.mode_savings:
            key = (ms.source, ms.target)
            if key in seen:
                raise GainError(
                    "duplicate_mode_saving", source=ms.source.value if ms.source else "*", target=ms.target.value
                )
            seen.add(key)
        _by_step(self.reference)

    def saving(self, source: Mode | None, target: Mode) -> ModeSaving | None:
        """The saving for exactly this pair (``source`` None: the "from any mode" entry)."""
        for ms in self.mode_savings:
            if ms.source == source and ms.target == target:
                return ms
        return None


# --------------------------------------------------------------------------
# Peers: the other members' values, for medians
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerValues:
    """The members' own values, for the medians used where one member lacks a value.

    ``cases_per_year`` is (member, value) pairs; ``work_minutes``,
    ``postage_nok``, ``case_share`` and ``lead_days`` map a step key (the step
    class id with step classes, else the step id) to (member, value) pairs.
    Build it with :func:`peer_values`.
    """

    cases_per_year: tuple[tuple[str, float], ...] = ()
    work_minutes: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict, hash=False)
    postage_nok: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict, hash=False)


def peer_values(inputs: Iterable[ProcessInput], *, classes: StepClasses | None = None) -> PeerValues:
    """Collect the members' given values by step class (or by step id without classes).

    Only values a member gave (or measured, for cases per year) count; a
    median is never made of medians. Linear in the number of step inputs.

    >>> peers = peer_values([ProcessInput("A", (StepInput("s1", work_minutes=10),), 100),
    ...                      ProcessInput("B", (StepInput("s1", work_minutes=30),), 300)])
    >>> peers.cases_per_year, peers.work_minutes["s1"]
    ((('A', 100.0), ('B', 300.0)), (('A', 10.0), ('B', 30.0)))
    """
    cases: list[tuple[str, float]] = []
    minutes: dict[str, list[tuple[str, float]]] = defaultdict(list)
    postage: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for pi in inputs:
        if pi.cases_per_year is not None:
            cases.append((pi.member, float(pi.cases_per_year)))
        elif pi.measurement is not None:
            cases.append((pi.member, float(pi.measurement.cases_per_year)))
        for s in pi.steps:
            key = s.step_id
            if classes is not None:
                key = classes.class_of(pi.member, s.step_id) or s.step_id
            if s.work_minutes is not None:
                minutes[key].append((pi.member, float(s.work_minutes)))
            if s.postage_nok is not None:
                postage[key].append((pi.member, float(s.postage_nok)))
    return PeerValues(
        tuple(cases),
        {k: tuple(v) for k, v in minutes.items()},
        {k: tuple(v) for k, v in postage.items()},
    )


# --------------------------------------------------------------------------
# Results: terms, calculations, assumptions
# --------------------------------------------------------------------------

#: Where a value comes from.
BASES = ("given", "event_log", "step", "reference", "median", "default", "cooperation", "inverse", "left_out",
         "baseline", "result")


@dataclass(frozen=True)
class Term:
    """One factor of a calculation: its value, unit, and where it comes from.

    ``name`` is one of ``cases_per_year``, ``case_share``, ``work_minutes``,
    ``saving_share``, ``added_share``, ``lead_share``, ``postage_nok``,
    ``lead_days``, ``lead_days_target`` (the target's, in a handling-time change), ``hours``, ``hourly_cost``;
    ``basis`` one of :data:`BASES`; ``step`` the step id it belongs to;
    ``members`` the members a median was taken of.
    """

    name: str
    value: Spread
    unit: str
    basis: str
    step: str | None = None
    members: tuple[str, ...] = ()


_UNITS = {
    "cases_per_year": "cases/year", "case_share": "share", "work_minutes": "minutes", "saving_share": "share",
    "added_share": "share", "lead_share": "share", "postage_nok": "NOK", "lead_days": "days",
    "lead_days_target": "days", "hours": "hours/year", "hourly_cost": "NOK/hour",
}


def _term(name: str, x: _X, basis: str, step: str | None = None, members: tuple[str, ...] = ()) -> Term:
    return Term(name, _spread_raw(x), _UNITS[name], basis, step, members)


def _fmt(value: float, lang: str, places: int = 1) -> str:
    """A number for reading: up to ``places`` decimals, bokmål with a comma and spaces for thousands."""
    x = float(round_half_up(value, places))
    if x == int(x):
        text = f"{int(x):,}"
    else:
        text = f"{x:,.{places}f}".rstrip("0").rstrip(".")
    if lang == "nb":
        text = text.replace(",", " ").replace(".", ",")
    return text.replace("-", "−")


def _pct(value: float, lang: str) -> str:
    return f"{_fmt(value * 100, lang)} %" if lang == "nb" else f"{_fmt(value * 100, lang)}%"


def _range(lo: str, hi: str, lang: str) -> str:
    return f" (lav {lo}, høy {hi})" if lang == "nb" else f" (low {lo}, high {hi})"


def _term_text(t: Term, lang: str) -> str:
    v = t.value
    nb = lang == "nb"

    def num(x: float) -> str:
        return _fmt(x, lang, 1 if t.name == "hours" else 2)

    if t.name in ("saving_share", "added_share", "lead_share", "case_share"):
        word = {
            "saving_share": ("spart", "saved"), "added_share": ("mer", "more"),
            "lead_share": ("kortere", "shorter"), "case_share": ("av sakene", "of cases"),
        }[t.name][0 if nb else 1]
        text = f"{_pct(v.expected, lang)} {word}"
        if not v.is_exact:
            text += _range(_pct(v.low, lang), _pct(v.high, lang), lang)
        return text
    unit = {
        "cases_per_year": ("saker/år", "cases/year"), "work_minutes": ("min", "min"),
        "lead_days": ("dager", "days"), "lead_days_target": ("dager", "days"),
        "hours": ("timer/år", "hours/year"),
    }
    if t.name in unit:
        u = unit[t.name][0 if nb else 1]
        if t.name in ("lead_days", "lead_days_target") and v.expected == 1 and v.is_exact:
            u = "dag" if nb else "day"
        text = f"{num(v.expected)} {u}"
        if not v.is_exact:
            text += _range(num(v.low), num(v.high), lang)
        return text
    if t.name == "postage_nok":
        text = f"{num(v.expected)} kr porto og trykk" if nb else f"NOK {num(v.expected)} postage and print"
        if not v.is_exact:
            text += _range(num(v.low), num(v.high), lang)
        return text
    if t.name == "hourly_cost":
        return f"{num(v.expected)} kr/time" if nb else f"NOK {num(v.expected)}/hour"
    return f"{num(v.expected)} {t.unit}"


@dataclass(frozen=True)
class Calculation:
    """One step of the arithmetic: terms multiplied, and the (rounded, signed) result.

    ``quantity`` is ``hours`` (hours per year), ``nok`` (kroner per year for
    the hours), ``postage_nok`` (kroner per year) or ``lead_days`` (days per
    case). ``sign`` is +1 when the product is saved, −1 when it is added; the
    result carries the sign. ``role`` is ``gain`` in an estimate; in a
    realisation ``before`` (the cost at the baseline) or ``now`` (the cost now).
    """

    quantity: str
    terms: tuple[Term, ...]
    sign: int
    result: Spread
    step: str | None = None
    role: str = "gain"

    def text(self, lang: str = "nb") -> str:
        """The calculation as a sentence: «120 saker/år × 25 min = 50 timer/år spart»."""
        _check_lang(lang)
        nb = lang == "nb"
        shown = [
            t for t in self.terms
            if not (self.quantity != "lead_days" and t.name == "case_share" and t.value.is_exact
                    and t.value.expected == 1)
        ]
        parts = [_term_text(t, lang) for t in shown if t.name not in ("lead_days", "lead_days_target")]
        days_now = [t for t in shown if t.name == "lead_days"]
        days_then = [t for t in shown if t.name == "lead_days_target"]
        if days_now and days_then:
            # The handling-time change: p × (d_variant − d_target).
            unit_word = "dager" if nb else "days"
            parts.append(f"({_fmt(days_now[0].value.expected, lang, 2)} − "
                         f"{_fmt(days_then[0].value.expected, lang, 2)} {unit_word})")
        else:
            parts[1:1] = [_term_text(t, lang) for t in days_now]
        left = " × ".join(parts)
        r = self.result
        lo, hi = (r.low, r.high) if self.sign >= 0 else (-r.high, -r.low)
        ex = abs(r.expected)
        places = 0 if self.quantity in ("nok", "postage_nok") else 1

        def num(x: float) -> str:
            return _fmt(x, lang, places)

        if self.quantity == "hours":
            amount = f"{num(ex)} {'timer/år' if nb else 'hours/year'}"
            word = ("spart" if nb else "saved") if self.sign >= 0 else ("mer arbeid" if nb else "more work")
        elif self.quantity in ("nok", "postage_nok"):
            amount = f"{num(ex)} kr/år" if nb else f"NOK {num(ex)}/year"
            word = ("spart" if nb else "saved") if self.sign >= 0 else ("mer" if nb else "more")
        else:
            amount = f"{num(ex)} {('dag' if nb else 'day') if ex == 1 else ('dager' if nb else 'days')}"
            if self.sign >= 0:
                word = "kortere saksbehandlingstid per sak" if nb else "shorter lead time per case"
            else:
                word = "lengre saksbehandlingstid per sak" if nb else "longer lead time per case"
        if self.role in ("before", "now"):
            # A cost, not a gain: the product without a word for saved or added.
            value = amount
            prefix = {"before": ("Ved nullpunktet: ", "At the baseline: "), "now": ("Nå: ", "Now: ")}[self.role]
            left = prefix[0 if nb else 1] + left
        else:
            value = f"{amount} {word}"
        if lo != hi:
            value += _range(num(lo), num(hi), lang)
        return f"{left} = {value}"


_INPUT_WORDS = {
    "cases_per_year": ("Saker per år", "Cases per year"),
    "work_minutes": ("Arbeidstid per sak", "Work minutes per case"),
    "postage_nok": ("Porto og trykk per sak", "Postage and print per case"),
    "case_share": ("Andelen saker", "The share of cases"),
    "lead_days": ("Saksbehandlingstiden", "The lead time"),
    "hourly_cost": ("Timekostnaden", "The hourly cost"),
    "mode_saving": ("Innsparingen ved endret arbeidsmåte", "The saving of the change of mode"),
    "mode": ("Arbeidsmåten", "The mode"),
}

_MODE_NAMES = {
    "nb": {"manual": "manuelt", "paper": "papir", "digital": "digitalt", "automated": "automatisk",
           "self_service": "selvbetjening", None: "ukjent"},
    "en": {"manual": "manual", "paper": "paper", "digital": "digital", "automated": "automated",
           "self_service": "self-service", None: "unknown"},
}


def _mode_name(mode: Mode | None, lang: str) -> str:
    return _MODE_NAMES[lang][mode.value if mode is not None else None]


@dataclass(frozen=True)
class Assumption:
    """One assumption or missing input, as data and as a sentence.

    ``code``: ``given`` (a value stated with its source), ``event_log``
    (measured), ``median`` (the median of the members named in ``members``),
    ``reference`` (the cooperation's figure for the standard's step),
    ``all_cases`` (share unknown: all cases assumed), ``left_out`` (missing,
    counted as 0), ``unchanged`` (the work assumed unchanged),
    ``mode_saving`` / ``inverse_mode_saving`` (the cooperation's default
    saving used, or its inverse), ``no_mode_saving`` (no default for the
    pair: not counted), ``postage_falls_away``, ``lead_in_other_line``,
    ``lead_sequential``, ``no_hourly_cost``, ``not_modelled``,
    ``not_remeasured`` (a realised figure that assumes nothing changed),
    ``not_at_baseline`` (a baseline value taken from today's),
    ``baseline_volume``. ``missing`` is True when an input was lacking.
    ``params`` holds the figures of the sentence.
    """

    code: str
    input: str
    step: str | None = None
    label: str | None = None
    value: Spread | None = None
    members: tuple[str, ...] = ()
    missing: bool = False
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def text(self, lang: str = "nb") -> str:
        """The assumption as one sentence in ``lang``."""
        _check_lang(lang)
        nb = lang == "nb"
        what = _INPUT_WORDS.get(self.input, (self.input, self.input))[0 if nb else 1]
        of = ""
        if self.label or self.step:
            name = self.label or self.step or ""
            of = f" for «{name}»" if nb else f" for “{name}”"
        p = dict(self.params)
        v = self.value
        val = ""
        if v is not None:
            val = _value_text(self.input, v.expected, lang)
            if not v.is_exact:
                val += _range(_value_text(self.input, v.low, lang), _value_text(self.input, v.high, lang), lang)
        names = join_names(self.members, lang) if self.members else ""
        n = len(self.members)
        c = self.code
        if c == "median":
            if nb:
                return (f"{what}{of} mangler; brukt medianen av de {n} kommunene som har oppgitt det "
                        f"({names}): {val}.")
            return f"{what}{of} is missing; used the median of the {n} members that have it ({names}): {val}."
        if c == "reference":
            return (f"{what}{of} er samarbeidets referanseverdi for standarden: {val}." if nb
                    else f"{what}{of} is the cooperation's reference figure for the standard: {val}.")
        if c == "left_out":
            return (f"{what}{of} mangler, og ingen andre kommuner har oppgitt det; det er ikke regnet med." if nb
                    else f"{what}{of} is missing and no other member has it; it is not counted.")
        if c == "all_cases":
            return (f"{what} som går gjennom «{self.label or self.step}» er ikke kjent; regnet som alle saker." if nb
                    else f"{what} going through “{self.label or self.step}” is not known; all cases assumed.")
        if c == "unchanged":
            return (f"Arbeidstiden for det nye steget{of} er ikke kjent; arbeidet er regnet som uendret." if nb
                    else f"The work minutes of the new step{of} are not known; the work is taken as unchanged.")
        if c in ("mode_saving", "inverse_mode_saving", "no_mode_saving"):
            a = p.get("source_name_" + lang, "")
            b = p.get("target_name_" + lang, "")
            note = p.get("note", "")
            if c == "no_mode_saving":
                return (f"Samarbeidet har ingen standard innsparing for {a} → {b}{of}; endringen er ikke regnet med."
                        if nb else
                        f"The cooperation has no default saving for {a} → {b}{of}; the change is not counted.")
            if c == "inverse_mode_saving":
                return (f"Bare {b} → {a} har en standard innsparing ({val} spart); {a} → {b}{of} er regnet som det "
                        f"omvendte, s/(1−s) mer arbeid." if nb else
                        f"Only {b} → {a} has a default saving ({val} saved); {a} → {b}{of} is taken as its inverse, "
                        f"s/(1−s) more work.")
            src = (f" Kilde: {note}." if nb else f" Source: {note}.") if note else ""
            return (f"Samarbeidets standard innsparing ved {a} → {b}: {val} av arbeidstiden.{src}" if nb
                    else f"The cooperation's default saving for {a} → {b}: {val} of the work minutes.{src}")
        if c == "postage_falls_away":
            return (f"Porto og trykk{of} faller helt bort når steget ikke lenger gjøres på papir." if nb
                    else f"Postage and print{of} fall away entirely once the step is no longer on paper.")
        if c == "lead_in_other_line":
            return (f"Endret saksbehandlingstid{of} er regnet i endringen av behandlingstiden, ikke her." if nb
                    else f"The changed lead time{of} is counted in the handling-time change, not here.")
        if c == "lead_sequential":
            return ("Endringene i saksbehandlingstid er lagt sammen som om stegene kommer etter hverandre; "
                    "steg som gjøres samtidig gir en for høy sum." if nb else
                    "The lead-time changes are added up as if the steps came one after another; "
                    "steps done at the same time make the sum too high.")
        if c == "no_hourly_cost":
            return ("Samarbeidet har ikke oppgitt timekostnad; timene er ikke regnet om til kroner." if nb
                    else "The cooperation has no hourly cost; hours are not turned into kroner.")
        if c == "given":
            src = p.get("source", "")
            tail = (f" (kilde: {src})" if nb else f" (source: {src})") if src else ""
            return f"{what}{of}: {val}{tail}."
        if c == "event_log":
            if self.input == "cases_per_year":
                return (f"Saker per år er målt i hendelsesloggen: {p.get('cases', '')} saker på "
                        f"{p.get('period_days', '')} dager = {val}." if nb else
                        f"Cases per year are measured in the event log: {p.get('cases', '')} cases in "
                        f"{p.get('period_days', '')} days = {val}.")
            return f"{what}{of} er målt i hendelsesloggen: {val}." if nb else f"{what}{of} is measured in the event log: {val}."
        if c == "not_modelled":
            return ("Denne typen endring gir ingen beregnet gevinst her; vurder den for seg." if nb
                    else "This kind of change has no computed gain here; assess it on its own.")
        if c == "not_remeasured":
            return (f"{what}{of} er ikke målt på nytt etter nullpunktet; regnet som uendret." if nb
                    else f"{what}{of} has not been measured again since the baseline; taken as unchanged.")
        if c == "not_at_baseline":
            return (f"{what}{of} ble ikke oppgitt ved nullpunktet; dagens verdi er brukt for begge." if nb
                    else f"{what}{of} was not given at the baseline; today's value is used for both.")
        if c == "baseline_volume":
            return (f"Realisert gevinst er regnet med nullpunktets saksmengde ({val}), slik at flere "
                    "eller færre saker ikke ser ut som gevinst." if nb else
                    f"The realised gain uses the baseline's volume ({val}), so that more or fewer "
                    "cases do not look like a gain.")
        return f"{what}{of}: {c}."

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data with the sentence."""
        return {
            "code": self.code, "input": self.input, "step": self.step, "label": self.label,
            "value": _spread_dict(self.value) if self.value is not None else None,
            "members": list(self.members), "missing": self.missing, "text": self.text(lang),
        }


def _value_text(name: str, value: float, lang: str) -> str:
    """A value of an input with its unit, for an assumption's sentence."""
    nb = lang == "nb"
    x = _fmt(value, lang, 2)
    if name in ("case_share", "mode_saving"):
        return _pct(value, lang)
    if name == "work_minutes":
        return f"{x} min"
    if name == "postage_nok":
        return f"{x} kr" if nb else f"NOK {x}"
    if name == "hourly_cost":
        return f"{x} kr/time" if nb else f"NOK {x}/hour"
    if name == "cases_per_year":
        return f"{_fmt(value, lang, 1)} saker/år" if nb else f"{_fmt(value, lang, 1)} cases/year"
    if name == "lead_days":
        return f"{x} {'dager' if nb else 'days'}" if value != 1 else f"1 {'dag' if nb else 'day'}"
    return x


def _spread_dict(s: Spread) -> dict[str, float]:
    return {"low": s.low, "expected": s.expected, "high": s.high}


# --------------------------------------------------------------------------
# Lines and the estimate
# --------------------------------------------------------------------------

_WORK_KINDS = frozenset({ChangeKind.ADD_STEP, ChangeKind.REMOVE_STEP, ChangeKind.MERGE_STEPS, ChangeKind.SPLIT_STEP})


@dataclass(frozen=True)
class GainLine:
    """The gain of one change of the plan.

    ``hours`` (per year), ``nok`` (per year: the hours at the hourly cost,
    plus ``postage_nok``) and ``lead_days`` (per case, positive = shorter)
    are rounded :class:`Spread`; ``calculations`` show how, ``assumptions``
    what was assumed. ``modelled`` is False for kinds of change that this
    model gives no gain (rename, move, …). ``key`` identifies "the same change"
    across members (kind and step class), for :func:`cooperation_gains`.
    """

    index: int
    change: Change
    key: str
    label: str
    hours: Spread
    nok: Spread
    postage_nok: Spread
    lead_days: Spread
    calculations: tuple[Calculation, ...]
    assumptions: tuple[Assumption, ...]
    modelled: bool
    exact: Mapping[str, _X] = field(default_factory=dict, hash=False, repr=False, compare=False)

    @property
    def kind(self) -> ChangeKind:
        """The kind of change."""
        return self.change.kind

    @property
    def missing(self) -> tuple[Assumption, ...]:
        """The assumptions that stand in for a missing input."""
        return tuple(a for a in self.assumptions if a.missing)

    def text(self, lang: str = "nb") -> str:
        """What the change is (the change plan's sentence)."""
        _check_lang(lang)
        return self.change.text(lang)

    def sentences(self, lang: str = "nb") -> list[str]:
        """Every calculation of the line as a sentence."""
        return [c.text(lang) for c in self.calculations]

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data: figures, calculations (terms and sentences) and assumptions."""
        return {
            "index": self.index, "key": self.key, "kind": self.kind.value, "label": self.label,
            "change": self.text(lang), "modelled": self.modelled,
            "target_steps": list(self.change.target_steps), "variant_steps": list(self.change.variant_steps),
            "hours": _spread_dict(self.hours), "nok": _spread_dict(self.nok),
            "postage_nok": _spread_dict(self.postage_nok), "lead_days": _spread_dict(self.lead_days),
            "calculations": [
                {"quantity": c.quantity, "sign": c.sign, "result": _spread_dict(c.result), "step": c.step,
                 "terms": [{"name": t.name, "value": _spread_dict(t.value), "unit": t.unit, "basis": t.basis,
                            "step": t.step, "members": list(t.members)} for t in c.terms],
                 "text": c.text(lang)}
                for c in self.calculations
            ],
            "assumptions": [a.to_dict(lang) for a in self.assumptions],
        }


def _rounded(hours: _X, nok: _X, postage: _X, lead: _X) -> tuple[Spread, Spread, Spread, Spread]:
    return _spread(hours, 1), _spread(nok, 0), _spread(postage, 0), _spread(lead, 1)


@dataclass(frozen=True)
class GainEstimate:
    """What a change plan is worth for one municipality (see :func:`estimate`).

    Totals (``hours``, ``nok``, ``postage_nok``, ``lead_days``) are rounded
    sums of the exact lines. ``assumptions`` are the estimate-wide ones (cases
    per year, hourly cost, how lead times add up); each line has its own.
    """

    member: str | None
    lines: tuple[GainLine, ...]
    hours: Spread
    nok: Spread
    postage_nok: Spread
    lead_days: Spread
    cases_per_year: Term
    hourly_cost: HourlyCost | None
    assumptions: tuple[Assumption, ...]
    exact: Mapping[str, _X] = field(default_factory=dict, hash=False, repr=False, compare=False)

    @property
    def missing(self) -> tuple[Assumption, ...]:
        """Every assumption that stands in for a missing input, estimate-wide and per line."""
        return tuple(a for a in self.assumptions if a.missing) + tuple(m for line in self.lines for m in line.missing)

    def ranked(self) -> tuple[GainLine, ...]:
        """The lines by expected gain, largest first (kroner, then hours, then plan order)."""
        return tuple(sorted(self.lines, key=lambda ln: (-ln.exact["nok"][1], -ln.exact["hours"][1], ln.index)))

    def summary(self, lang: str = "nb") -> str:
        """The totals as one sentence."""
        _check_lang(lang)
        nb = lang == "nb"
        h, k, d = self.hours, self.nok, self.lead_days
        who = self.member or ("kommunen" if nb else "the municipality")
        hours = _fmt(h.expected, lang)
        nok = _fmt(k.expected, lang, 0)
        days = _fmt(d.expected, lang)
        if nb:
            text = (f"{who}: {hours} timer/år{_range(_fmt(h.low, lang), _fmt(h.high, lang), lang) if not h.is_exact else ''}, "
                    f"{nok} kr/år{_range(_fmt(k.low, lang, 0), _fmt(k.high, lang, 0), lang) if not k.is_exact else ''} "
                    f"og {days} dager per sak i saksbehandlingstid (positive tall er spart)")
        else:
            text = (f"{who}: {hours} hours/year{_range(_fmt(h.low, lang), _fmt(h.high, lang), lang) if not h.is_exact else ''}, "
                    f"NOK {nok}/year{_range(_fmt(k.low, lang, 0), _fmt(k.high, lang, 0), lang) if not k.is_exact else ''} "
                    f"and {days} days of lead time per case (positive figures are saved)")
        n = len(self.missing)
        if n and nb:
            text += f"; {n} {'forutsetning' if n == 1 else 'forutsetninger'} står i stedet for inndata som mangler"
        elif n:
            text += f"; {n} {'assumption stands' if n == 1 else 'assumptions stand'} in for missing inputs"
        return text + "."

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data for a registry page or export."""
        return {
            "member": self.member,
            "hours": _spread_dict(self.hours), "nok": _spread_dict(self.nok),
            "postage_nok": _spread_dict(self.postage_nok), "lead_days": _spread_dict(self.lead_days),
            "cases_per_year": {"value": _spread_dict(self.cases_per_year.value), "basis": self.cases_per_year.basis,
                               "members": list(self.cases_per_year.members)},
            "hourly_cost": ({"nok": self.hourly_cost.nok, "source": self.hourly_cost.source}
                            if self.hourly_cost is not None else None),
            "summary": self.summary(lang),
            "lines": [ln.to_dict(lang) for ln in self.lines],
            "assumptions": [a.to_dict(lang) for a in self.assumptions],
            "missing": [a.to_dict(lang) for a in self.missing],
        }


class _Side:
    """Looks up the values of one process's steps, with fallbacks, recording assumptions."""

    def __init__(
        self,
        process: Process,
        inputs: ProcessInput | None,
        member: str | None,
        *,
        peers: PeerValues | None,
        classes: StepClasses | None,
        reference: Mapping[str, StepInput] | None = None,
        earlier: _Side | None = None,
        earlier_code: str = "not_remeasured",
    ) -> None:
        self.process = process
        self.inputs = _by_step(inputs.steps) if inputs is not None else {}
        self.measurement = inputs.measurement if inputs is not None else None
        self.member = member
        self.peers = peers
        self.classes = classes
        self.reference = reference or {}
        self.earlier = earlier
        self.earlier_code = earlier_code

    def label(self, step_id: str) -> str:
        s = self.process.get(step_id)
        return s.label if isinstance(s, Step) and s.label else step_id

    def key(self, step_id: str, hint: str | None = None) -> str:
        if self.classes is not None and self.member is not None and self.member in self.classes.processes:
            cid = self.classes.class_of(self.member, step_id)
            if cid is not None:
                return cid
        return hint or step_id

    def _median(
        self, table: Mapping[str, tuple[tuple[str, float], ...]], key: str
    ) -> tuple[_X, tuple[str, ...]] | None:
        rows = [(m, v) for m, v in table.get(key, ()) if m != self.member]
        if not rows:
            return None
        values = [Fraction(v) for _, v in rows]
        med = Fraction(statistics.median(values))
        return (min(values), med, max(values)), tuple(m for m, _ in rows)

    def value(self, name: str, step_id: str, notes: list[Assumption], *, hint: str | None = None) -> tuple[_X, Term] | None:
        """``work_minutes`` or ``postage_nok`` of a step: given, earlier, reference, median, or None (left out)."""
        label = self.label(step_id)
        given = self.inputs.get(step_id)
        raw = getattr(given, name) if given is not None else None
        if raw is not None:
            return _const(Fraction(raw)), _term(name, _const(Fraction(raw)), "given", step_id)
        if self.earlier is not None and step_id in self.earlier.process:
            before = self.earlier.inputs.get(step_id)
            raw = getattr(before, name) if before is not None else None
            if raw is not None:
                x = _const(Fraction(raw))
                notes.append(Assumption(self.earlier_code, name, step_id, label, _spread_raw(x), missing=True))
                return x, _term(name, x, "baseline", step_id)
        ref = self.reference.get(step_id)
        raw = getattr(ref, name) if ref is not None else None
        if raw is not None:
            x = _const(Fraction(raw))
            notes.append(Assumption("reference", name, step_id, label, _spread_raw(x)))
            return x, _term(name, x, "reference", step_id)
        if self.peers is not None:
            table = self.peers.work_minutes if name == "work_minutes" else self.peers.postage_nok
            found = self._median(table, self.key(step_id, hint))
            if found is not None:
                x, members = found
                notes.append(Assumption("median", name, step_id, label, _spread_raw(x), members, missing=True))
                return x, _term(name, x, "median", step_id, members)
        return None

    def share(self, step_id: str, notes: list[Assumption]) -> tuple[_X, Term]:
        label = self.label(step_id)
        given = self.inputs.get(step_id)
        if given is not None and given.case_share is not None:
            x = _const(Fraction(given.case_share))
            return x, _term("case_share", x, "given", step_id)
        if self.measurement is not None and step_id in self.measurement.steps:
            x = _const(Fraction(self.measurement.steps[step_id].case_share))
            notes.append(Assumption("event_log", "case_share", step_id, label, _spread_raw(x)))
            return x, _term("case_share", x, "event_log", step_id)
        if self.earlier is not None and step_id in self.earlier.process:
            before = self.earlier.inputs.get(step_id)
            if before is not None and before.case_share is not None:
                x = _const(Fraction(before.case_share))
                notes.append(Assumption(self.earlier_code, "case_share", step_id, label, _spread_raw(x), missing=True))
                return x, _term("case_share", x, "baseline", step_id)
        ref = self.reference.get(step_id)
        if ref is not None and ref.case_share is not None:
            x = _const(Fraction(ref.case_share))
            notes.append(Assumption("reference", "case_share", step_id, label, _spread_raw(x)))
            return x, _term("case_share", x, "reference", step_id)
        step = self.process.get(step_id)
        if isinstance(step, Step) and "case_share" in step.metrics:
            x = _const(_share(step.metrics["case_share"], "case_share", step_id))
            return x, _term("case_share", x, "step", step_id)
        notes.append(Assumption("all_cases", "case_share", step_id, label, Spread.exactly(1.0), missing=True))
        return _ONE, _term("case_share", _ONE, "default", step_id)

    def lead(self, step_id: str, notes: list[Assumption]) -> tuple[_X, Term] | None:
        label = self.label(step_id)
        given = self.inputs.get(step_id)
        if given is not None and given.lead_days is not None:
            x = _const(Fraction(given.lead_days))
            return x, _term("lead_days", x, "given", step_id)
        if self.measurement is not None and step_id in self.measurement.steps:
            measured = self.measurement.steps[step_id].lead_days
            if measured is not None:
                x = _const(Fraction(measured))
                notes.append(Assumption("event_log", "lead_days", step_id, label, _spread_raw(x)))
                return x, _term("lead_days", x, "event_log", step_id)
        if self.earlier is not None and step_id in self.earlier.process:
            before = self.earlier.inputs.get(step_id)
            if before is not None and before.lead_days is not None:
                x = _const(Fraction(before.lead_days))
                notes.append(Assumption(self.earlier_code, "lead_days", step_id, label, _spread_raw(x), missing=True))
                return x, _term("lead_days", x, "baseline", step_id)
        step = self.process.get(step_id)
        if isinstance(step, Step) and step.handling_days is not None:
            x = _const(_non_negative(step.handling_days, "handling_days", step_id))
            return x, _term("lead_days", x, "step", step_id)
        ref = self.reference.get(step_id)
        if ref is not None and ref.lead_days is not None:
            x = _const(Fraction(ref.lead_days))
            notes.append(Assumption("reference", "lead_days", step_id, label, _spread_raw(x)))
            return x, _term("lead_days", x, "reference", step_id)
        return None

    def mode(self, step_id: str) -> Mode | None:
        step = self.process.get(step_id)
        return step.mode if isinstance(step, Step) else None


class _Builder:
    """Collects one line's calculations and exact sums."""

    def __init__(self, role: str = "gain") -> None:
        self.role = role
        self.hours = _ZERO
        self.postage = _ZERO
        self.lead = _ZERO
        self.calcs: list[Calculation] = []
        self.notes: list[Assumption] = []

    def work(self, sign: int, terms: list[Term], factors: list[_X], step: str) -> None:
        product = _ONE
        for f in factors:
            product = _mul(product, f)
        hours = tuple(v / 60 for v in product)
        signed: _X = (hours[0], hours[1], hours[2]) if sign > 0 else _neg((hours[0], hours[1], hours[2]))
        self.hours = _add(self.hours, signed)
        self.calcs.append(Calculation("hours", tuple(terms), sign, _spread(signed, 1), step, self.role))

    def postage_nok(self, sign: int, terms: list[Term], factors: list[_X], step: str) -> None:
        product = _ONE
        for f in factors:
            product = _mul(product, f)
        signed = product if sign > 0 else _neg(product)
        self.postage = _add(self.postage, signed)
        self.calcs.append(Calculation("postage_nok", tuple(terms), sign, _spread(signed, 0), step, self.role))

    def lead_days(self, sign: int, terms: list[Term], factors: list[_X], step: str) -> None:
        product = _ONE
        for f in factors:
            product = _mul(product, f)
        signed = product if sign > 0 else _neg(product)
        self.lead = _add(self.lead, signed)
        self.calcs.append(Calculation("lead_days", tuple(terms), sign, _spread(signed, 1), step, self.role))

    def lead_difference(self, p: tuple[_X, Term], before: tuple[_X, Term], after: tuple[_X, Term], step: str) -> None:
        """p × (d_before − d_after): the handling-time change, which may go either way."""
        diff = before[0][1] - after[0][1]
        signed = _mul(p[0], _const(abs(diff)))
        if diff < 0:
            signed = _neg(signed)
        self.lead = _add(self.lead, signed)
        self.calcs.append(Calculation("lead_days", (p[1], before[1], after[1]), 1 if diff >= 0 else -1,
                                      _spread(signed, 1), step, self.role))


def _is_paper(mode: Mode | None) -> bool:
    return mode == Mode.PAPER


def _mode_params(a: Mode | None, b: Mode | None, note: str = "") -> dict[str, str]:
    out = {"note": note}
    for lang in _LANGS:
        out["source_name_" + lang] = _mode_name(a, lang)
        out["target_name_" + lang] = _mode_name(b, lang)
    return out


def _step_cost(
    b: _Builder, side: _Side, sid: str, sign: int, cases: tuple[_X, Term], hint: str | None = None,
    *, note_postage: bool = False,
) -> tuple[Fraction, Fraction, bool]:
    """Work, postage and lead of one whole step, saved (sign +1) or added (−1), into ``b``.

    Returns the expected hours and postage it added to ``b`` and whether its minutes were known.
    """
    n_x, n_term = cases
    h0, c0 = b.hours[1], b.postage[1]
    p, p_term = side.share(sid, b.notes)
    found = side.value("work_minutes", sid, b.notes, hint=hint)
    if found is not None:
        m, m_term = found
        b.work(sign, [n_term, p_term, m_term], [n_x, p, m], sid)
    if _is_paper(side.mode(sid)):
        post = side.value("postage_nok", sid, b.notes, hint=hint)
        if post is not None:
            c, c_term = post
            b.postage_nok(sign, [n_term, p_term, c_term], [n_x, p, c], sid)
        elif note_postage:
            b.notes.append(Assumption("left_out", "postage_nok", sid, side.label(sid), missing=True))
    lead = side.lead(sid, b.notes)
    if lead is not None and lead[0] != _ZERO:  # a step that takes no days adds no sentence
        d, d_term = lead
        b.lead_days(sign, [p_term, d_term], [p, d], sid)
    return b.hours[1] - h0, b.postage[1] - c0, found is not None


def _line(
    index: int,
    change: Change,
    plan: ChangePlan,
    variant: _Side,
    target: _Side,
    cases: tuple[_X, Term],
    assumptions: CooperationAssumptions,
    handling_changed: frozenset[str],
) -> GainLine:
    b = _Builder()
    n_x, n_term = cases
    kind = change.kind
    xs, ys = change.target_steps, change.variant_steps
    modelled = True

    def step_cost(side: _Side, sid: str, sign: int, hint: str | None) -> bool:
        return _step_cost(b, side, sid, sign, cases, hint, note_postage=True)[2]

    if kind in (ChangeKind.ADD_STEP, ChangeKind.REMOVE_STEP):
        for y in ys:
            if not step_cost(variant, y, +1, None):
                b.notes.append(Assumption("left_out", "work_minutes", y, variant.label(y), missing=True))
        for x in xs:
            if not step_cost(target, x, -1, x):
                b.notes.append(Assumption("left_out", "work_minutes", x, target.label(x), missing=True))
    elif kind in (ChangeKind.MERGE_STEPS, ChangeKind.SPLIT_STEP):
        known = [target.value("work_minutes", x, [], hint=x) is not None for x in xs]
        if all(known) and xs:
            for y in ys:
                if not step_cost(variant, y, +1, xs[0] if len(xs) == 1 else None):
                    b.notes.append(Assumption("left_out", "work_minutes", y, variant.label(y), missing=True))
            for x in xs:
                step_cost(target, x, -1, x)
        else:
            unknown = [x for x, k in zip(xs, known) if not k]
            for x in unknown:
                b.notes.append(Assumption("unchanged", "work_minutes", x, target.label(x), missing=True))
    elif kind == ChangeKind.CHANGE_MODE and xs and ys:
        x, y = xs[0], ys[0]
        a, m_to = variant.mode(y), target.mode(x)
        p, p_term = variant.share(y, b.notes)
        saving: ModeSaving | None = None
        inverse = False
        if m_to is not None:
            saving = assumptions.saving(a, m_to) if a is not None else None
            if saving is None:
                saving = assumptions.saving(None, m_to)
            if saving is None and a is not None:
                back = assumptions.saving(m_to, a)
                if back is not None and back.work_share.high < 1:
                    saving, inverse = back, True
        if saving is None:
            b.notes.append(Assumption("no_mode_saving", "mode_saving", y, variant.label(y), missing=True,
                                      params=_mode_params(a, m_to)))
        else:
            s = saving.work_share._exact()
            code = "inverse_mode_saving" if inverse else "mode_saving"
            b.notes.append(Assumption(code, "mode_saving", y, variant.label(y), saving.work_share,
                                      params=_mode_params(a, m_to, saving.note)))
            found = variant.value("work_minutes", y, b.notes, hint=x)
            if found is None:
                b.notes.append(Assumption("left_out", "work_minutes", y, variant.label(y), missing=True))
            else:
                m, m_term = found
                if inverse:
                    f: _X = (s[0] / (1 - s[0]), s[1] / (1 - s[1]), s[2] / (1 - s[2]))
                    b.work(-1, [n_term, p_term, m_term, _term("added_share", f, "inverse", y)], [n_x, p, m, f], y)
                else:
                    b.work(+1, [n_term, p_term, m_term, _term("saving_share", s, "cooperation", y)], [n_x, p, m, s], y)
            ls = saving.lead_share._exact()
            if ls != _ZERO:
                if x in handling_changed:
                    b.notes.append(Assumption("lead_in_other_line", "lead_days", y, variant.label(y)))
                else:
                    lead = variant.lead(y, b.notes)
                    if lead is None:
                        b.notes.append(Assumption("left_out", "lead_days", y, variant.label(y), missing=True))
                    else:
                        d, d_term = lead
                        if inverse:
                            if ls[2] < 1:
                                g: _X = (ls[0] / (1 - ls[0]), ls[1] / (1 - ls[1]), ls[2] / (1 - ls[2]))
                                b.lead_days(-1, [p_term, d_term, _term("added_share", g, "inverse", y)], [p, d, g], y)
                        else:
                            b.lead_days(+1, [p_term, d_term, _term("lead_share", ls, "cooperation", y)], [p, d, ls], y)
        # Postage: avoided when the step leaves paper, added when it goes to paper.
        if _is_paper(a) and not _is_paper(m_to):
            post = variant.value("postage_nok", y, b.notes, hint=x)
            if post is None:
                b.notes.append(Assumption("left_out", "postage_nok", y, variant.label(y), missing=True))
            else:
                c, c_term = post
                b.notes.append(Assumption("postage_falls_away", "postage_nok", y, variant.label(y)))
                b.postage_nok(+1, [n_term, p_term, c_term], [n_x, p, c], y)
        elif _is_paper(m_to) and not _is_paper(a):
            post = target.value("postage_nok", x, b.notes, hint=x)
            if post is None:
                b.notes.append(Assumption("left_out", "postage_nok", x, target.label(x), missing=True))
            else:
                c, c_term = post
                b.postage_nok(-1, [n_term, p_term, c_term], [n_x, p, c], y)
    elif kind == ChangeKind.CHANGE_HANDLING_DAYS and xs and ys:
        x, y = xs[0], ys[0]
        p, p_term = variant.share(y, b.notes)
        before = variant.lead(y, b.notes)
        after_days = target.process.step(x).handling_days
        if before is None or after_days is None:
            missing_step = y if before is None else x
            side = variant if before is None else target
            b.notes.append(Assumption("left_out", "lead_days", missing_step, side.label(missing_step), missing=True))
        else:
            d_x = _const(_non_negative(after_days, "handling_days", x))
            b.lead_difference((p, p_term), before, (d_x, _term("lead_days_target", d_x, "step", x)), y)
    else:
        modelled = False
        b.notes.append(Assumption("not_modelled", "change", (xs or ys or (None,))[0]))

    hc = assumptions.hourly_cost
    hours = b.hours
    if hc is not None and hours != _ZERO:
        h = _const(Fraction(hc.nok))
        work_nok = tuple(v * h[0] for v in hours)
        wn: _X = (work_nok[0], work_nok[1], work_nok[2])
        sign = 1 if hours[1] >= 0 else -1
        hours_term = _term("hours", hours if sign > 0 else _neg(hours), "result")
        b.calcs.append(Calculation("nok", (hours_term, _term("hourly_cost", h, "cooperation")), sign,
                                   _spread(wn, 0)))
    else:
        wn = _ZERO
    nok = _add(wn, b.postage)
    label_side, sid = (target, xs[0]) if xs else (variant, ys[0]) if ys else (target, "")
    key_step = xs[0] if xs else variant.key(ys[0]) if ys else ""
    if kind in (ChangeKind.MERGE_STEPS, ChangeKind.SPLIT_STEP):
        key_step = "+".join(xs)
    h_s, n_s, p_s, l_s = _rounded(hours, nok, b.postage, b.lead)
    return GainLine(
        index, change, f"{kind.value}:{key_step}", label_side.label(sid) if sid else "",
        h_s, n_s, p_s, l_s, tuple(b.calcs), tuple(b.notes), modelled,
        {"hours": hours, "nok": nok, "postage_nok": b.postage, "lead_days": b.lead},
    )


def _cases(
    inputs: ProcessInput, peers: PeerValues | None, notes: list[Assumption]
) -> tuple[_X, Term]:
    if inputs.cases_per_year is not None:
        x = _const(Fraction(inputs.cases_per_year))
        notes.append(Assumption("given", "cases_per_year", value=_spread_raw(x),
                                params={"source": inputs.cases_source}))
        return x, _term("cases_per_year", x, "given")
    if inputs.measurement is not None:
        m = inputs.measurement
        x = _const(m.cases_per_year)
        notes.append(Assumption("event_log", "cases_per_year", value=_spread_raw(x), params={
            "cases": str(m.cases), "period_days": _fmt(m.period_days, "nb", 2)}))
        return x, _term("cases_per_year", x, "event_log")
    if peers is not None:
        rows = [(m, Fraction(v)) for m, v in peers.cases_per_year if m != inputs.member]
        if rows:
            values = [v for _, v in rows]
            x = (min(values), Fraction(statistics.median(values)), max(values))
            members = tuple(m for m, _ in rows)
            notes.append(Assumption("median", "cases_per_year", value=_spread_raw(x), members=members, missing=True))
            return x, _term("cases_per_year", x, "median", members=members)
    notes.append(Assumption("left_out", "cases_per_year", missing=True))
    return _ZERO, _term("cases_per_year", _ZERO, "left_out")


def estimate(
    plan: ChangePlan,
    inputs: ProcessInput,
    assumptions: CooperationAssumptions,
    *,
    changes: Iterable[Change] | None = None,
    peers: PeerValues | None = None,
    classes: StepClasses | None = None,
) -> GainEstimate:
    """Estimate the gains of carrying out a change plan, change by change.

    Parameters
    ----------
    plan
        A member's change plan (:func:`processes.harmonise.change_plan`) to
        the published standard or a proposal. Justified deviations are not
        changes and are not estimated.
    inputs
        The member's inputs for its process (the plan's variant).
    assumptions
        The cooperation's hourly cost, default mode savings and reference
        figures.
    changes
        Only these changes of the plan (default: all of them, in plan order).
    peers
        The members' values (:func:`peer_values`), for medians where this
        member lacks a value.
    classes
        The step classes the plan was made with, to find "the same step" in
        the other members' inputs.

    Returns
    -------
    GainEstimate
        One :class:`GainLine` per change, the totals, and every assumption.

    Raises
    ------
    GainError
        ``member_mismatch`` when the inputs are for another member than the
        plan; ``unknown_change`` when ``changes`` has a change that is not the
        plan's; input errors (negative minutes, …) when the inputs are built.
    """
    if plan.member is not None and inputs.member != plan.member:
        raise GainError("member_mismatch", inputs=inputs.member, plan=plan.member)
    chosen: list[tuple[int, Change]]
    if changes is None:
        chosen = list(enumerate(plan.changes))
    else:
        position = {id(c): i for i, c in enumerate(plan.changes)}
        chosen = []
        for c in changes:
            if id(c) not in position:
                raise GainError("unknown_change", change=c.kind.value)
            chosen.append((position[id(c)], c))
    member = inputs.member
    reference = _by_step(assumptions.reference)
    variant = _Side(plan.variant, inputs, member, peers=peers, classes=classes)
    target = _Side(plan.target, None, None, peers=peers, classes=None, reference=reference)
    notes: list[Assumption] = []
    cases = _cases(inputs, peers, notes)
    if assumptions.hourly_cost is None:
        notes.append(Assumption("no_hourly_cost", "hourly_cost", missing=True))
    else:
        notes.append(Assumption("given", "hourly_cost", value=Spread.exactly(float(assumptions.hourly_cost.nok)),
                                params={"source": assumptions.hourly_cost.source}))
    handling_changed = frozenset(
        x for c in plan.changes if c.kind == ChangeKind.CHANGE_HANDLING_DAYS for x in c.target_steps
    )
    lines = tuple(
        _line(i, c, plan, variant, target, cases, assumptions, handling_changed) for i, c in chosen
    )
    if sum(1 for ln in lines if ln.exact["lead_days"] != _ZERO) > 1:
        notes.append(Assumption("lead_sequential", "lead_days"))
    return _estimate(member, lines, cases[1], assumptions.hourly_cost, tuple(notes))


def _estimate(
    member: str | None, lines: tuple[GainLine, ...], cases: Term, hc: HourlyCost | None,
    notes: tuple[Assumption, ...],
) -> GainEstimate:
    totals = {q: _sum(ln.exact[q] for ln in lines) for q in ("hours", "nok", "postage_nok", "lead_days")}
    h, n, p, d = _rounded(totals["hours"], totals["nok"], totals["postage_nok"], totals["lead_days"])
    return GainEstimate(member, lines, h, n, p, d, cases, hc, notes, totals)


# --------------------------------------------------------------------------
# The cooperation
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedMember:
    """One member's totals, in the ranking of :class:`CooperationGains`."""

    member: str
    hours: Spread
    nok: Spread
    lead_days: Spread
    missing: int


#: How a ranking names a kind of change: kind -> (bokmål, English).
_KIND_WORDS: dict[ChangeKind, tuple[str, str]] = {
    ChangeKind.ADD_STEP: ("nytt steg", "step added"),
    ChangeKind.REMOVE_STEP: ("steget fjernes", "step removed"),
    ChangeKind.RENAME_STEP: ("nytt navn", "renamed"),
    ChangeKind.MERGE_STEPS: ("steg slås sammen", "steps merged"),
    ChangeKind.SPLIT_STEP: ("steget deles", "step split"),
    ChangeKind.MOVE_STEP: ("ny rekkefølge", "moved"),
    ChangeKind.MAKE_PARALLEL: ("gjøres samtidig", "made parallel"),
    ChangeKind.MAKE_SEQUENTIAL: ("gjøres etter hverandre", "made sequential"),
    ChangeKind.MAKE_OPTIONAL: ("blir valgfritt", "made optional"),
    ChangeKind.MAKE_MANDATORY: ("blir obligatorisk", "made mandatory"),
    ChangeKind.ADD_FLOW: ("ny flyt", "flow added"),
    ChangeKind.REMOVE_FLOW: ("flyt fjernes", "flow removed"),
    ChangeKind.CHANGE_KIND: ("ny stegtype", "kind changed"),
    ChangeKind.CHANGE_LANE: ("ny rolle", "role changed"),
    ChangeKind.CHANGE_MODE: ("ny arbeidsmåte", "mode changed"),
    ChangeKind.CHANGE_SYSTEM: ("nytt fagsystem", "system changed"),
    ChangeKind.CHANGE_LEGAL_BASIS: ("ny hjemmel", "legal basis changed"),
    ChangeKind.CHANGE_HANDLING_DAYS: ("ny behandlingstid", "handling time changed"),
}


@dataclass(frozen=True)
class RankedChange:
    """One change (by :attr:`GainLine.key`) summed over the members that make it."""

    key: str
    kind: ChangeKind
    label: str
    members: tuple[str, ...]
    hours: Spread
    nok: Spread

    def text(self, lang: str = "nb") -> str:
        """«Motta søknad», ny arbeidsmåte: 2 kommuner, 33 timer/år, 27 300 kr/år."""
        _check_lang(lang)
        nb = lang == "nb"
        n = len(self.members)
        hours, nok = _fmt(self.hours.expected, lang), _fmt(self.nok.expected, lang, 0)
        what = _KIND_WORDS.get(self.kind, ("endring", "change"))[0 if nb else 1]
        if nb:
            who = "1 kommune" if n == 1 else f"{n} kommuner"
            return f"«{self.label}», {what}: {who}, {hours} timer/år, {nok} kr/år."
        who = "1 member" if n == 1 else f"{n} members"
        return f"“{self.label}”, {what}: {who}, {hours} hours/year, NOK {nok}/year."


@dataclass(frozen=True)
class CooperationGains:
    """The cooperation's sum and rankings (see :func:`cooperation_gains`).

    ``members`` are ranked by expected kroner (then hours, then name);
    ``changes`` by the same over all members that make them, so the
    coordinator sees where to start. Lead days are per case and are not
    summed over members.
    """

    estimates: Mapping[str, GainEstimate] = field(hash=False)
    hours: Spread
    nok: Spread
    postage_nok: Spread
    members: tuple[RankedMember, ...]
    changes: tuple[RankedChange, ...]

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data: totals and both rankings."""
        return {
            "hours": _spread_dict(self.hours), "nok": _spread_dict(self.nok),
            "postage_nok": _spread_dict(self.postage_nok),
            "members": [{"member": m.member, "hours": _spread_dict(m.hours), "nok": _spread_dict(m.nok),
                         "lead_days": _spread_dict(m.lead_days), "missing": m.missing} for m in self.members],
            "changes": [{"key": c.key, "kind": c.kind.value, "label": c.label, "members": list(c.members),
                         "hours": _spread_dict(c.hours), "nok": _spread_dict(c.nok), "text": c.text(lang)}
                        for c in self.changes],
        }


def cooperation_gains(estimates: Mapping[str, GainEstimate]) -> CooperationGains:
    """Sum the members' estimates and rank members and changes by gain. Linear in the lines.

    >>> empty = cooperation_gains({})
    >>> empty.hours, empty.members
    (Spread(low=0.0, expected=0.0, high=0.0), ())
    """
    hours = _sum(e.exact["hours"] for e in estimates.values())
    nok = _sum(e.exact["nok"] for e in estimates.values())
    postage = _sum(e.exact["postage_nok"] for e in estimates.values())
    members = sorted(
        estimates.items(), key=lambda kv: (-kv[1].exact["nok"][1], -kv[1].exact["hours"][1], kv[0])
    )
    ranked_members = tuple(
        RankedMember(m, e.hours, e.nok, e.lead_days, len(e.missing)) for m, e in members
    )
    by_key: dict[str, list[tuple[str, GainLine]]] = defaultdict(list)
    for m, e in estimates.items():
        for line in e.lines:
            by_key[line.key].append((m, line))
    changes = []
    for key, rows in by_key.items():
        h = _sum(ln.exact["hours"] for _, ln in rows)
        k = _sum(ln.exact["nok"] for _, ln in rows)
        first = rows[0][1]
        changes.append((k[1], h[1], key, RankedChange(
            key, first.kind, first.label, tuple(m for m, _ in rows), _spread(h, 1), _spread(k, 0))))
    changes.sort(key=lambda t: (-t[0], -t[1], t[2]))
    return CooperationGains(
        dict(estimates), _spread(hours, 1), _spread(nok, 0), _spread(postage, 0), ranked_members,
        tuple(c[3] for c in changes),
    )


def estimate_cooperation(
    plans: Mapping[str, ChangePlan],
    inputs: Mapping[str, ProcessInput],
    assumptions: CooperationAssumptions,
    *,
    classes: StepClasses | None = None,
) -> CooperationGains:
    """Estimate every member's plan with the others' values as fallbacks, then sum and rank.

    A member without inputs is estimated with empty inputs (everything it
    lacks comes from the others' medians, and says so). Linear in the plans
    and inputs.
    """
    peers = peer_values(inputs.values(), classes=classes)
    estimates = {
        member: estimate(plan, inputs.get(member) or ProcessInput(member), assumptions, peers=peers,
                         classes=classes)
        for member, plan in plans.items()
    }
    return cooperation_gains(estimates)


# --------------------------------------------------------------------------
# Realised against expected
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The *nullpunkt*: the date, the variant and inputs then, and the gains expected from there.

    Build it with the plan that was made then; :func:`realised` compares a
    later state with it.
    """

    date: _dt.date
    plan: ChangePlan
    inputs: ProcessInput
    expected: GainEstimate

    @classmethod
    def of(
        cls,
        date: _dt.date,
        plan: ChangePlan,
        inputs: ProcessInput,
        assumptions: CooperationAssumptions,
        *,
        peers: PeerValues | None = None,
        classes: StepClasses | None = None,
    ) -> Baseline:
        """The baseline with its expected estimate computed."""
        return cls(date, plan, inputs, estimate(plan, inputs, assumptions, peers=peers, classes=classes))


@dataclass(frozen=True)
class LaterState:
    """A later state: the new version of the member's process and the inputs now (typed in or measured)."""

    date: _dt.date
    process: Process
    inputs: ProcessInput


#: Realisation statuses.
STATUSES = ("realised", "partly", "not_yet", "opposite", "none_expected")


@dataclass(frozen=True)
class RealisedLine:
    """The realised gain of one expected line.

    ``hours``, ``nok``, ``postage_nok`` (per year) and ``lead_days`` (per
    case) are measured: the baseline's cost of the steps the change concerns
    minus their cost now, both at the baseline's cases per year. ``share`` is
    realised / expected (kroner, or hours without an hourly cost), None when
    nothing was expected. ``status`` is one of :data:`STATUSES`; ``quantity``
    what ``share`` compares (``nok``, else ``hours``, else ``lead_days``).
    A change is measured in what its expected line is about: a mode change
    in hours and postage (and lead time unless the plan also changes the
    step's handling time), a handling-time change in lead time, an added,
    removed, merged or split step in all three; other changes in nothing.
    """

    expected: GainLine
    hours: float
    nok: float
    postage_nok: float
    lead_days: float
    share: float | None
    status: str
    calculations: tuple[Calculation, ...]
    assumptions: tuple[Assumption, ...]
    quantity: str = "hours"

    def text(self, lang: str = "nb") -> str:
        """«Forventet 20 timer/år, realisert 12 timer/år (60 %).» in the line's quantity."""
        _check_lang(lang)
        nb = lang == "nb"
        share = f" ({_pct(self.share, lang)})" if self.share is not None else ""
        if self.quantity == "nok":
            exp, got = _fmt(self.expected.nok.expected, lang, 0), _fmt(self.nok, lang, 0)
            unit = "kr/år" if nb else "NOK/year"
        elif self.quantity == "lead_days":
            exp, got = _fmt(self.expected.lead_days.expected, lang), _fmt(self.lead_days, lang)
            unit = "dager kortere saksbehandlingstid per sak" if nb else "days shorter lead time per case"
        else:
            exp, got = _fmt(self.expected.hours.expected, lang), _fmt(self.hours, lang)
            unit = "timer/år" if nb else "hours/year"
        if nb:
            if self.quantity == "lead_days":
                return f"Forventet {exp} og realisert {got} {unit}{share}."
            return f"Forventet {exp} {unit}, realisert {got} {unit}{share}."
        if self.quantity == "lead_days":
            return f"Expected {exp} and realised {got} {unit}{share}."
        return f"Expected {exp} {unit}, realised {got} {unit}{share}."


@dataclass(frozen=True)
class Realisation:
    """Realised beside expected for every line of a baseline (see :func:`realised`)."""

    baseline: Baseline
    later: LaterState
    lines: tuple[RealisedLine, ...]
    hours: float
    nok: float
    assumptions: tuple[Assumption, ...]

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data: per line expected and realised, with the sentences."""
        return {
            "baseline": self.baseline.date.isoformat(), "later": self.later.date.isoformat(),
            "hours": self.hours, "nok": self.nok,
            "lines": [{"key": r.expected.key, "change": r.expected.text(lang),
                       "expected_hours": _spread_dict(r.expected.hours), "expected_nok": _spread_dict(r.expected.nok),
                       "hours": r.hours, "nok": r.nok, "postage_nok": r.postage_nok, "lead_days": r.lead_days,
                       "share": r.share, "status": r.status, "text": r.text(lang),
                       "calculations": [c.text(lang) for c in r.calculations],
                       "assumptions": [a.to_dict(lang) for a in r.assumptions]} for r in self.lines],
            "assumptions": [a.to_dict(lang) for a in self.assumptions],
        }


def _concerned_later(change: Change, baseline: Process, target: Process, later: Process) -> list[str]:
    out: list[str] = []
    for y in change.variant_steps:
        if y in later and isinstance(later.get(y), Step):
            out.append(y)
    labels = {s.id: normalise(s.label) for s in later.steps}
    for x in change.target_steps:
        if x in out:
            continue
        if x in later and isinstance(later.get(x), Step) and x not in baseline:
            out.append(x)
            continue
        want = normalise(target.step(x).label) if x in target else ""
        if not want:
            continue
        for sid, lab in labels.items():
            if lab == want and sid not in out and sid not in baseline:
                out.append(sid)
                break
    return out


def _realised_quantities(change: Change, handling_changed: frozenset[str]) -> frozenset[str]:
    """What a change's realised gain is measured in (the quantities its expected line has)."""
    if change.kind in _WORK_KINDS:
        return frozenset({"hours", "postage_nok", "lead_days"})
    if change.kind == ChangeKind.CHANGE_MODE:
        if any(x in handling_changed for x in change.target_steps):
            return frozenset({"hours", "postage_nok"})
        return frozenset({"hours", "postage_nok", "lead_days"})
    if change.kind == ChangeKind.CHANGE_HANDLING_DAYS:
        return frozenset({"lead_days"})
    return frozenset()


def realised(baseline: Baseline, later: LaterState, assumptions: CooperationAssumptions) -> Realisation:
    """The realised gain of every expected line, measured in a later state.

    For each change of the baseline's plan, the steps it concerns are the
    variant's steps it names (looked up by id in the new version) and the
    target's steps it adds (found in the new version by id, else by label,
    among steps the baseline did not have). The realised gain is

        realised = cost at the baseline − cost now

    where a step's cost is N·p·m/60 hours per year (plus N·p·c postage while
    it is on paper, and p·d lead days per case), with N the **baseline's**
    cases per year on both sides (so that more or fewer cases do not look
    like a gain), and p, m, c, d from the baseline inputs and from the later
    inputs (or their event-log measurement). A value the later state does not
    give is taken from the baseline for the same step (assumed unchanged,
    listed as ``not_remeasured``); a step new since the baseline falls back
    as in :func:`estimate`. Two lines may concern the same step (e.g. a
    mode change and a merge); the realised totals count each step and
    quantity once. Linear in the steps and changes.
    """
    base = baseline.plan
    member = baseline.inputs.member
    notes: list[Assumption] = []
    cases = _cases(baseline.inputs, None, [])
    notes.append(Assumption("baseline_volume", "cases_per_year", value=cases[1].value))
    reference = _by_step(assumptions.reference)
    before = _Side(base.variant, baseline.inputs, member, peers=None, classes=None, reference=None)
    now = _Side(later.process, later.inputs, member, peers=None, classes=None, reference=reference, earlier=before)
    # A value the baseline lacks is taken from now for the same step (and said), so that it does not look like a gain.
    before.earlier, before.earlier_code = now, "not_at_baseline"
    hc = assumptions.hourly_cost
    h_cost = Fraction(hc.nok) if hc is not None else Fraction(0)
    handling_changed = frozenset(
        x for c in base.changes if c.kind == ChangeKind.CHANGE_HANDLING_DAYS for x in c.target_steps
    )
    rows: list[RealisedLine] = []
    distinct: dict[tuple[str, str, str], Fraction] = {}
    for line in baseline.expected.lines:
        change = line.change
        quantities = _realised_quantities(change, handling_changed)
        sides = [("before", before, y, +1) for y in change.variant_steps
                 if y in base.variant and isinstance(base.variant.get(y), Step)]
        sides += [("now", now, sid, -1) for sid in _concerned_later(change, base.variant, base.target, later.process)]
        got = {q: Fraction(0) for q in ("hours", "postage_nok", "lead_days")}
        calcs: list[Calculation] = []
        line_notes: list[Assumption] = []
        if quantities:
            for role, side, sid, sign in sides:
                sb = _Builder(role)
                _step_cost(sb, side, sid, sign, cases)
                values = {"hours": sb.hours[1], "postage_nok": sb.postage[1], "lead_days": sb.lead[1]}
                for q in quantities:
                    got[q] += values[q]
                    distinct[(role, sid, q)] = values[q]
                calcs.extend(c for c in sb.calcs if c.quantity in quantities)
                line_notes.extend(sb.notes)
        hours, postage, lead = got["hours"], got["postage_nok"], got["lead_days"]
        nok = hours * h_cost + postage
        if hc is not None and line.exact["nok"][1] != 0:
            quantity, exp_value, got_value = "nok", line.exact["nok"][1], nok
        elif line.exact["hours"][1] != 0:
            quantity, exp_value, got_value = "hours", line.exact["hours"][1], hours
        else:
            quantity, exp_value, got_value = "lead_days", line.exact["lead_days"][1], lead
        share: float | None = None
        if exp_value == 0:
            status = "none_expected"
        else:
            ratio = got_value / exp_value
            share = float(round_half_up(ratio, 4))
            status = "realised" if ratio >= 1 else "partly" if ratio > 0 else "not_yet" if got_value == 0 else "opposite"
        rows.append(RealisedLine(
            line, float(round_half_up(hours, 1)), float(round_half_up(nok, 0)),
            float(round_half_up(postage, 0)), float(round_half_up(lead, 1)), share, status,
            tuple(calcs), tuple(line_notes), quantity,
        ))
    total_hours = sum((v for (_, _, q), v in distinct.items() if q == "hours"), Fraction(0))
    total_postage = sum((v for (_, _, q), v in distinct.items() if q == "postage_nok"), Fraction(0))
    return Realisation(
        baseline, later, tuple(rows), float(round_half_up(total_hours, 1)),
        float(round_half_up(total_hours * h_cost + total_postage, 0)), tuple(notes),
    )
