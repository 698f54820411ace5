"""Synthetic processes and variants with a known ground truth.

Two generators for scale and accuracy tests of the comparison engine:

* :func:`synthetic_process` builds a realistic, block-structured casework
  process of a given size (start event, sequences, exclusive and parallel
  blocks that are properly split and joined, end event), with labels drawn
  from a Norwegian casework vocabulary.
* :func:`generate_variants` derives "municipal variants" from a standard by
  random edit operations (delete, insert, rename, swap, parallelise, make
  optional, split, merge, change lane/mode/system/legal basis) and records,
  for each variant, the true correspondence between its steps and the
  standard's steps, and every edit it made.

Both are deterministic for a given seed, and every process they return
validates without errors.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from processes.model import (
    Flow,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Step,
    StepKind,
)

__all__ = [
    "DEFAULT_OPERATION_WEIGHTS",
    "OPERATIONS",
    "Correspondence",
    "Edit",
    "Variant",
    "generate_variants",
    "synthetic_process",
]

#: Every edit operation :func:`generate_variants` knows.
OPERATIONS: tuple[str, ...] = (
    "delete",
    "insert",
    "rename",
    "swap",
    "parallel",
    "optional",
    "split",
    "merge",
    "lane",
    "mode",
    "system",
    "legal_basis",
)

#: How often each operation is drawn by default (relative weights). Renames
#: dominate because wording is what differs most between municipalities.
DEFAULT_OPERATION_WEIGHTS: Mapping[str, float] = {
    "delete": 1.5,
    "insert": 1.5,
    "rename": 3.0,
    "swap": 1.0,
    "parallel": 1.0,
    "optional": 1.0,
    "split": 0.7,
    "merge": 0.7,
    "lane": 0.8,
    "mode": 0.8,
    "system": 0.6,
    "legal_basis": 0.6,
}

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

# Verb -> objects it is naturally used with in Norwegian casework. The
# product gives a few hundred labels that read like real task names.
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "Motta": ("søknaden", "ettersendt dokumentasjon", "klagen", "uttalelse fra nabo", "betalingen", "signert avtale"),
    "Registrere": ("søknaden", "saken i sakssystemet", "klagen", "mottatt dokumentasjon", "vedtaket i fagsystemet"),
    "Journalføre": ("innkommende post", "utgående brev", "vedtaket", "saksframlegget"),
    "Kontrollere": ("at søknaden er komplett", "vedlegg", "ansvarsretter", "opplysninger om eiendommen", "beregnet gebyr", "søkers identitet"),
    "Vurdere": ("søknaden", "behov for dispensasjon", "klagen", "økonomisk evne", "uttalelser fra naboer", "om saken er prinsipiell"),
    "Innhente": ("uttalelse fra politiet", "uttalelse fra andre myndigheter", "manglende dokumentasjon", "kredittopplysninger", "uttalelse fra Skatteetaten"),
    "Sende": ("mangelbrev", "foreløpig svar", "vedtaket til søker", "saken på høring", "kopi til naboer", "faktura"),
    "Utarbeide": ("saksframlegg", "utkast til vedtak", "lånedokumenter", "befaringsrapport", "innstilling"),
    "Gjennomføre": ("befaring", "kunnskapsprøve", "kredittvurdering", "tilsyn", "møte med søker"),
    "Beregne": ("saksgebyr", "lånebeløp", "frist for behandling", "gebyr for bevilling"),
    "Godkjenne": ("vedtaket", "lånetilbudet", "ansvarsretter", "utbetalingen"),
    "Fatte": ("vedtak", "vedtak i utvalget", "delegert vedtak"),
    "Varsle": ("naboer", "søker om mangler", "berørte myndigheter", "søker om forlenget frist"),
    "Oppdatere": ("matrikkelen", "bevillingsregisteret", "kunderegisteret", "status i saken"),
    "Arkivere": ("saken", "vedtaket", "signert låneavtale"),
    "Avslutte": ("saken", "saken i arkivet"),
    "Behandle": ("klagen", "saken politisk", "søknad om dispensasjon", "søknaden i formannskapet"),
    "Fakturere": ("saksgebyret", "bevillingsgebyret", "etablereravgift"),
    "Utbetale": ("lånet", "tilskuddet"),
    "Publisere": ("vedtaket på nettsiden", "postlisten"),
    "Informere": ("søker om status", "Husbanken", "politiet om vedtaket"),
    "Tinglyse": ("pantedokument",),
    "Signere": ("vedtaket", "låneavtalen"),
    "Fordele": ("saken til saksbehandler", "innkommende post"),
    "Skanne": ("papirsøknaden", "innkommende post"),
    "Kvalitetssikre": ("saksframlegget", "utkastet til vedtak"),
}

_SEND_VERBS = frozenset({"Sende", "Varsle", "Informere", "Publisere"})
_RECEIVE_VERBS = frozenset({"Motta"})
_SERVICE_VERBS = frozenset({"Beregne", "Oppdatere", "Fakturere", "Utbetale", "Publisere"})
_MANUAL_VERBS = frozenset({"Gjennomføre", "Skanne", "Signere"})

_LANES: tuple[str, ...] = (
    "Servicetorget",
    "Saksbehandler",
    "Arkiv",
    "Leder",
    "Økonomi",
    "Søker",
    "Politisk utvalg",
    "Fagavdeling",
)

_SYSTEMS: tuple[str, ...] = (
    "Elements",
    "ePhorte",
    "WebSak",
    "Acos WebSak",
    "Public 360",
    "Altinn",
    "eByggesak",
    "Visma",
    "Husbanken Startskudd",
    "Outlook",
)

# Forvaltningsloven (fvl.) provisions that apply to most casework.
_LEGAL_BASES: tuple[str, ...] = (
    "fvl. § 11 a",
    "fvl. § 16",
    "fvl. § 17",
    "fvl. § 24",
    "fvl. § 25",
    "fvl. § 27",
    "fvl. § 28",
    "fvl. § 29",
)

# Bokmål synonyms and rewordings used by municipalities. Each group is a set
# of interchangeable words or phrases; a rename replaces one with another.
_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("journalføre", "registrere", "arkivere"),
    ("vedtak", "avgjørelse", "beslutning"),
    ("vedtaket", "avgjørelsen", "beslutningen"),
    ("behandle", "vurdere", "saksbehandle"),
    ("motta", "ta imot"),
    ("sende", "oversende", "ekspedere"),
    ("kontrollere", "sjekke", "gjennomgå"),
    ("innhente", "hente inn", "be om"),
    ("utarbeide", "skrive", "lage"),
    ("godkjenne", "innvilge"),
    ("varsle", "underrette", "orientere"),
    ("informere", "orientere"),
    ("mangelbrev", "brev om mangler"),
    ("befaring", "stedlig kontroll"),
    ("uttalelse", "høringsuttalelse", "merknad"),
    ("dokumentasjon", "vedlegg", "dokumenter"),
    ("saksgebyr", "gebyr", "behandlingsgebyr"),
    ("saksgebyret", "gebyret", "behandlingsgebyret"),
    ("søker", "søkeren"),
    ("saksframlegg", "saksutredning"),
    ("fatte", "treffe"),
    ("avslutte", "lukke", "ferdigstille"),
    ("utbetale", "betale ut"),
    ("foreløpig svar", "foreløpig melding"),
)

# Bokmål -> nynorsk word forms (only forms that really differ).
_NYNORSK: dict[str, str] = {
    "motta": "ta imot",
    "mottatt": "motteke",
    "ikke": "ikkje",
    "fra": "frå",
    "hva": "kva",
    "hvem": "kven",
    "befaring": "synfaring",
    "beslutning": "avgjerd",
    "avgjørelse": "avgjerd",
    "avgjørelsen": "avgjerda",
    "behandle": "handsame",
    "behandling": "handsaming",
    "saksbehandler": "sakshandsamar",
    "søker": "søkjar",
    "søkers": "søkjaren sin",
    "uttalelse": "fråsegn",
    "uttalelser": "fråsegner",
    "foreløpig": "førebels",
    "eiendommen": "eigedomen",
    "eiendom": "eigedom",
    "bolig": "bustad",
    "boligen": "bustaden",
    "tillatelse": "løyve",
    "bevilling": "løyve",
    "naboer": "naboar",
    "opplysninger": "opplysningar",
    "dokumenter": "dokument",
    "lånedokumenter": "lånedokument",
    "lånetilbudet": "lånetilbodet",
    "tilskuddet": "tilskotet",
    "myndigheter": "styresmakter",
    "andre": "andre",
    "berørte": "råka",
    "beregne": "rekne ut",
    "beregnet": "utrekna",
    "høring": "høyring",
    "skriftlig": "skriftleg",
    "nødvendig": "naudsynt",
    "offentlig": "offentleg",
    "utvalget": "utvalet",
    "mangler": "manglar",
    "ansvarsretter": "ansvarsrettar",
    "vedlegg": "vedlegg",
    "møte": "møte",
    "kunnskapsprøve": "kunnskapsprøve",
    "innkommende": "innkomande",
    "utgående": "utgåande",
    "etter": "etter",
    "uke": "veke",
    "uker": "veker",
}
# Identity entries are kept out of the map so it only holds real differences.
_NYNORSK = {k: v for k, v in _NYNORSK.items() if k != v}

_SPLIT_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("{label} – forberede", "{label} – ferdigstille"),
    ("{label}: utkast", "Kvalitetssikre: {lower}"),
    ("Starte: {lower}", "Fullføre: {lower}"),
)

# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Correspondence:
    """Steps of the standard that correspond to steps of a variant.

    ``kind`` is ``"identical"`` (same label), ``"renamed"`` (1:1, another
    label), ``"split"`` (one standard step became several) or ``"merged"``
    (several standard steps became one).
    """

    standard: tuple[str, ...]
    variant: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Edit:
    """One edit operation applied to make a variant.

    ``standard`` holds the ids in the standard the edit touched (empty for an
    inserted step), ``variant`` the ids in the final variant it produced or
    touched (empty for a deleted step); ``description`` says what was done.
    """

    operation: str
    standard: tuple[str, ...]
    variant: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Variant:
    """A generated variant with its ground truth."""

    process: Process
    truth: tuple[Correspondence, ...]
    edits: tuple[Edit, ...] = field(default=())


# --------------------------------------------------------------------------
# synthetic_process
# --------------------------------------------------------------------------


class _Labels:
    """Draws mostly distinct casework labels from the vocabulary."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self._rng = rng
        pool = [(verb, obj) for verb, objs in _VOCABULARY.items() for obj in objs]
        rng.shuffle(pool)
        self._pool = pool
        self._taken = {t.casefold() for t in taken}
        self._round = 1

    def draw(self) -> tuple[str, str]:
        """Return (label, verb)."""
        while True:
            if not self._pool:
                # Vocabulary exhausted: reuse it with a qualifier, as real
                # processes do for repeated rounds ("… (runde 2)").
                self._round += 1
                self._pool = [(verb, obj) for verb, objs in _VOCABULARY.items() for obj in objs]
                self._rng.shuffle(self._pool)
            verb, obj = self._pool.pop()
            label = f"{verb} {obj}" if self._round == 1 else f"{verb} {obj} (runde {self._round})"
            if label.casefold() not in self._taken:
                self._taken.add(label.casefold())
                return label, verb


# Which lane a verb's work usually belongs to, most likely first. A step goes
# to the first of these lanes the process has (most of the time), so that
# registering is done by the archive and invoicing by finance, as in real
# swimlane diagrams.
_LANE_AFFINITY: dict[str, tuple[str, ...]] = {
    "Motta": ("Servicetorget", "Arkiv"),
    "Registrere": ("Arkiv", "Servicetorget"),
    "Journalføre": ("Arkiv", "Servicetorget"),
    "Skanne": ("Arkiv", "Servicetorget"),
    "Fordele": ("Leder", "Servicetorget"),
    "Arkivere": ("Arkiv",),
    "Avslutte": ("Arkiv", "Saksbehandler"),
    "Godkjenne": ("Leder",),
    "Fatte": ("Leder", "Politisk utvalg", "Saksbehandler"),
    "Fakturere": ("Økonomi",),
    "Utbetale": ("Økonomi",),
    "Behandle": ("Saksbehandler", "Politisk utvalg"),
    "Signere": ("Søker", "Leder"),
    "Gjennomføre": ("Fagavdeling", "Saksbehandler"),
}


def _lane_for(rng: random.Random, verb: str, label: str, lanes: Sequence[str]) -> str | None:
    if not lanes:
        return None
    if "politisk" in label or "formannskapet" in label or "utvalget" in label:
        preferred: tuple[str, ...] = ("Politisk utvalg",) + _LANE_AFFINITY.get(verb, ())
    else:
        preferred = _LANE_AFFINITY.get(verb, ("Saksbehandler",))
    present = [lane for lane in preferred if lane in lanes]
    # Mostly the usual lane, sometimes another: municipalities organise differently.
    if present and rng.random() < 0.85:
        return present[0]
    return rng.choice(list(lanes))


def _step_for(
    rng: random.Random, step_id: str, label: str, verb: str, lanes: Sequence[str]
) -> Step:
    if verb in _SERVICE_VERBS and rng.random() < 0.6:
        kind, mode = StepKind.SERVICE_TASK, Mode.AUTOMATED
    elif verb in _SEND_VERBS:
        kind, mode = StepKind.SEND_TASK, Mode.DIGITAL
    elif verb in _RECEIVE_VERBS:
        kind, mode = StepKind.RECEIVE_TASK, Mode.DIGITAL
    elif verb in _MANUAL_VERBS:
        kind, mode = StepKind.MANUAL_TASK, rng.choice((Mode.MANUAL, Mode.PAPER))
    else:
        kind, mode = StepKind.USER_TASK, rng.choice((Mode.DIGITAL, Mode.DIGITAL, Mode.MANUAL))
    lane = _lane_for(rng, verb, label, lanes)
    if lane == "Søker":
        mode = Mode.SELF_SERVICE
    return Step(
        step_id,
        label,
        kind,
        lane=lane,
        mode=mode,
        system=rng.choice(_SYSTEMS) if mode is not Mode.MANUAL else None,
        legal_basis=rng.choice(_LEGAL_BASES) if rng.random() < 0.3 else None,
        handling_days=rng.choice((0.5, 1.0, 1.0, 2.0, 3.0, 5.0, 10.0)),
    )


# A block is either a task ("task") or a gateway block (kind, branches), where
# each branch is a list of blocks; an empty branch is an exclusive bypass.
_Block = tuple[str, list[list["_Block"]]]


def _plan(rng: random.Random, budget: int, depth: int, gateway_share: float) -> list[_Block]:
    blocks: list[_Block] = []
    while budget > 0:
        if budget >= 3 and depth < 2 and rng.random() < gateway_share:
            kind = "and" if rng.random() < 0.4 else "xor"
            k = 3 if budget >= 4 and rng.random() < 0.25 else 2
            # An exclusive block may have one empty branch (a bypass).
            empty = 1 if kind == "xor" and rng.random() < 0.35 else 0
            least = k - empty
            size = rng.randint(least, min(budget, least + 4))
            sizes = [1] * least
            for _ in range(size - least):
                sizes[rng.randrange(least)] += 1
            branches = [_plan(rng, s, depth + 1, gateway_share) for s in sizes]
            branches.extend([] for _ in range(empty))
            blocks.append((kind, branches))
            budget -= size
        else:
            blocks.append(("task", []))
            budget -= 1
    return blocks


def synthetic_process(
    n_steps: int,
    *,
    seed: int,
    lanes: int = 3,
    gateway_share: float = 0.2,
) -> Process:
    """Build a realistic block-structured casework process with ``n_steps`` steps.

    The process has one start event, one end event and ``n_steps - 2`` tasks
    arranged in sequences and in exclusive and parallel blocks (each split
    is joined by a gateway of the same kind, nested at most two deep). Labels
    come from a Norwegian casework vocabulary and are distinct up to
    ``n_steps`` of about 130; steps carry lane, mode, system, some a legal
    basis, and handling days.

    Parameters
    ----------
    n_steps
        Number of steps including the start and end events (at least 3).
    seed
        Seed for the random choices; the same seed gives the same process.
    lanes
        Number of lanes (0 to 8); 0 leaves steps without lanes.
    gateway_share
        Probability, at each position, of opening a gateway block instead
        of a single task (0 gives a pure sequence).

    Returns
    -------
    Process
        A process that validates without errors.

    Raises
    ------
    ValueError
        If ``n_steps``, ``lanes`` or ``gateway_share`` is out of range.

    Examples
    --------
    >>> p = synthetic_process(40, seed=1)
    >>> len(p.steps)
    40
    >>> [s.kind.value for s in p.steps][:1]
    ['start_event']
    >>> [e for e in p.validate() if e.severity == "error"]
    []
    >>> synthetic_process(40, seed=1) == p
    True
    """
    if n_steps < 3:
        raise ValueError(f"n_steps must be at least 3 (start, one task, end), got {n_steps}")
    if not 0 <= lanes <= len(_LANES):
        raise ValueError(f"lanes must be between 0 and {len(_LANES)}, got {lanes}")
    if not 0.0 <= gateway_share <= 1.0:
        raise ValueError(f"gateway_share must be between 0 and 1, got {gateway_share}")
    rng = random.Random(seed)
    lane_names = list(_LANES[:lanes])
    process = Process(
        f"synthetic-{n_steps}-{seed}",
        f"Syntetisk saksbehandlingsprosess ({n_steps} steg)",
        lanes=lane_names,
        metadata={"generated": "true", "seed": str(seed), "illustrative": "true"},
        documentation="Syntetisk prosess laget av processes.generate – ikke en kommunes faktiske prosess.",
    )
    labels = _Labels(rng)
    counters = {"step": 0, "gateway": 0}
    first_lane = lane_names[0] if lane_names else None
    process.add_step(Step("start", "Henvendelse mottatt", StepKind.START_EVENT, lane=first_lane))

    def new_task() -> str:
        counters["step"] += 1
        step_id = f"t{counters['step']:02d}"
        label, verb = labels.draw()
        process.add_step(_step_for(rng, step_id, label, verb, lane_names))
        return step_id

    def new_gateway(kind: GatewayKind, role: str, label: str = "", lane: str | None = None) -> str:
        counters["gateway"] += 1
        gateway_id = f"g{counters['gateway']:02d}_{role}"
        process.add_gateway(Gateway(gateway_id, kind, label, lane=lane))
        return gateway_id

    def emit(blocks: list[_Block], entry: str, condition: str | None = None) -> str:
        """Emit blocks after ``entry``; return the id of the last element."""
        last = entry
        for kind, branches in blocks:
            if kind == "task":
                node = new_task()
                process.add_flow(Flow(last, node, condition))
                last, condition = node, None
                continue
            gw_kind = GatewayKind.PARALLEL if kind == "and" else GatewayKind.EXCLUSIVE
            question = ""
            if gw_kind is GatewayKind.EXCLUSIVE:
                question = rng.choice(
                    (
                        "Er søknaden komplett?",
                        "Trengs mer dokumentasjon?",
                        "Er saken prinsipiell?",
                        "Innvilges søknaden?",
                        "Er det kommet merknader?",
                        "Kreves dispensasjon?",
                    )
                )
            # A gateway sits in the lane of the work before it, so swimlane
            # diagrams have no lane-less band.
            before = process[last]
            lane = before.lane if before.lane is not None else first_lane
            split = new_gateway(gw_kind, "split", question, lane)
            join = new_gateway(gw_kind, "join", "", lane)
            process.add_flow(Flow(last, split, condition))
            answers = iter(("Ja", "Nei", "Annet"))
            for branch in branches:
                branch_condition = next(answers) if gw_kind is GatewayKind.EXCLUSIVE else None
                end = emit(branch, split, branch_condition)
                process.add_flow(Flow(end, join, branch_condition if end == split else None))
            last, condition = join, None
        return last

    plan = _plan(rng, n_steps - 2, 0, gateway_share)
    last = emit(plan, "start")
    process.add_step(Step("end", "Saken avsluttet", StepKind.END_EVENT, lane=first_lane))
    process.add_flow(Flow(last, "end"))
    return process


# --------------------------------------------------------------------------
# generate_variants
# --------------------------------------------------------------------------


class _Group:
    """A correspondence under construction (mutable while editing)."""

    __slots__ = ("kind", "standard", "variant")

    def __init__(self, standard: list[str], variant: list[str], kind: str) -> None:
        self.standard = standard
        self.variant = variant
        self.kind = kind


class _Editor:
    """Applies edit operations to a copy of the standard, tracking the truth."""

    def __init__(self, standard: Process, rng: random.Random) -> None:
        self.p = standard.copy()
        self.std = standard
        self.rng = rng
        self.groups: list[_Group] = [
            _Group([s.id], [s.id], "identical") for s in standard.steps
        ]
        self.edits: list[tuple[str, tuple[str, ...], list[str], str]] = []
        self.labels = _Labels(rng, (s.label for s in standard.steps))
        self.fresh = 0

    # -- helpers ----------------------------------------------------------
    def new_id(self, base: str) -> str:
        while True:
            self.fresh += 1
            candidate = f"{base}_x{self.fresh}"
            if candidate not in self.p:
                return candidate

    def group_of(self, step_id: str) -> _Group | None:
        for g in self.groups:
            if step_id in g.variant:
                return g
        return None

    def one_to_one(self, step_id: str) -> _Group | None:
        g = self.group_of(step_id)
        if g is not None and len(g.standard) == 1 and len(g.variant) == 1:
            return g
        return None

    def ins(self, node: str) -> list[Flow]:
        return [f for f in self.p.flows if f.target == node]

    def outs(self, node: str) -> list[Flow]:
        return [f for f in self.p.flows if f.source == node]

    def simple(self, step: Step) -> bool:
        """An activity on a plain path: one flow in, one out, nothing attached or nested."""
        if not step.is_activity:
            return False
        if any(
            isinstance(e, Step) and (e.attached_to == step.id or e.parent == step.id) for e in self.p.elements
        ):
            return False
        return len(self.ins(step.id)) == 1 and len(self.outs(step.id)) == 1

    def _is_parallel(self, element_id: str) -> bool:
        element = self.p.get(element_id)
        return isinstance(element, Gateway) and element.kind is GatewayKind.PARALLEL

    def has_flow(self, source: str, target: str) -> bool:
        return any(f.source == source and f.target == target for f in self.p.flows)

    def record(self, op: str, standard: Iterable[str], variant: Iterable[str], text: str) -> None:
        self.edits.append((op, tuple(standard), list(variant), text))

    def std_ids(self, step_id: str) -> tuple[str, ...]:
        g = self.group_of(step_id)
        return tuple(g.standard) if g else ()

    def chains(self) -> list[tuple[Step, Step]]:
        """Pairs a -> b of simple activities directly connected, same parent."""
        pairs = []
        for f in self.p.flows:
            a, b = self.p.get(f.source), self.p.get(f.target)
            if (
                isinstance(a, Step)
                and isinstance(b, Step)
                and a.parent == b.parent
                and self.simple(a)
                and self.simple(b)
            ):
                pairs.append((a, b))
        return pairs

    def candidates(self, *, one_to_one: bool = True, simple: bool = True) -> list[Step]:
        out = []
        for s in self.p.steps:
            if simple and not self.simple(s):
                continue
            if one_to_one and self.one_to_one(s.id) is None:
                continue
            out.append(s)
        return out

    # -- operations (each returns False when it has nothing to work on) -----
    def op_delete(self) -> bool:
        options = []
        for s in self.candidates():
            (fin,), (fout,) = self.ins(s.id), self.outs(s.id)
            if fin.source == fout.target or self.has_flow(fin.source, fout.target):
                continue
            # Deleting the only step of a parallel branch would leave an empty
            # branch, which no modeller draws.
            if self._is_parallel(fin.source) and self._is_parallel(fout.target):
                continue
            options.append((s, fin, fout))
        if not options:
            return False
        s, fin, fout = self.rng.choice(options)
        std = self.std_ids(s.id)
        self.p.remove_element(s.id)
        self.p.add_flow(Flow(fin.source, fout.target, fin.condition or fout.condition))
        group = self.group_of(s.id)
        if group is not None:
            self.groups.remove(group)
        self.record("delete", std, [], f"deleted «{s.label}»")
        return True

    def op_insert(self) -> bool:
        flows = [
            f
            for f in self.p.flows
            if (src := self.p.get(f.source)) is not None
            and src.parent is None
            and not (isinstance(src, Step) and src.kind == StepKind.BOUNDARY_EVENT)
            and (tgt := self.p.get(f.target)) is not None
            and tgt.parent is None
        ]
        if not flows:
            return False
        f = self.rng.choice(flows)
        label, verb = self.labels.draw()
        new = _step_for(self.rng, self.new_id("ins"), label, verb, self.p.lanes)
        self.p.add_step(new)
        self.p.remove_flow(f)
        self.p.add_flow(Flow(f.source, new.id, f.condition))
        self.p.add_flow(Flow(new.id, f.target))
        self.record("insert", [], [new.id], f"inserted «{label}»")
        return True

    def op_rename(self) -> bool:
        options = [s for s in self.candidates(simple=False) if s.label.strip()]
        if not options:
            return False
        s = self.rng.choice(options)
        new_label = _reword(s.label, self.rng)
        if new_label == s.label:
            return False
        self.p.replace_element(s.replace(label=new_label))
        group = self.group_of(s.id)
        if group is not None and group.kind == "identical":
            group.kind = "renamed"
        self.record("rename", self.std_ids(s.id), [s.id], f"renamed «{s.label}» to «{new_label}»")
        return True

    def op_swap(self) -> bool:
        options = []
        for a, b in self.chains():
            (fin,), (fout,) = self.ins(a.id), self.outs(b.id)
            if fin.source != b.id and fout.target != a.id:
                options.append((a, b, fin, fout))
        if not options:
            return False
        a, b, fin, fout = self.rng.choice(options)
        (mid,) = self.outs(a.id)
        for f in (fin, mid, fout):
            self.p.remove_flow(f)
        self.p.add_flow(Flow(fin.source, b.id, fin.condition))
        self.p.add_flow(Flow(b.id, a.id))
        self.p.add_flow(Flow(a.id, fout.target, fout.condition))
        self.record(
            "swap", self.std_ids(a.id) + self.std_ids(b.id), [b.id, a.id], f"moved «{b.label}» before «{a.label}»"
        )
        return True

    def op_parallel(self) -> bool:
        options = self.chains()
        if not options:
            return False
        a, b = self.rng.choice(options)
        (fin,), (mid,), (fout,) = self.ins(a.id), self.outs(a.id), self.outs(b.id)
        for f in (fin, mid, fout):
            self.p.remove_flow(f)
        split, join = self.new_id("par_split"), self.new_id("par_join")
        self.p.add_gateway(Gateway(split, GatewayKind.PARALLEL, lane=a.lane, parent=a.parent))
        self.p.add_gateway(Gateway(join, GatewayKind.PARALLEL, lane=a.lane, parent=a.parent))
        self.p.add_flow(Flow(fin.source, split, fin.condition))
        for s in (a, b):
            self.p.add_flow(Flow(split, s.id))
            self.p.add_flow(Flow(s.id, join))
        self.p.add_flow(Flow(join, fout.target, fout.condition))
        self.record(
            "parallel",
            self.std_ids(a.id) + self.std_ids(b.id),
            [a.id, b.id],
            f"made «{a.label}» and «{b.label}» parallel",
        )
        return True

    def op_optional(self) -> bool:
        options = self.candidates(one_to_one=False)
        if not options:
            return False
        s = self.rng.choice(options)
        (fin,), (fout,) = self.ins(s.id), self.outs(s.id)
        self.p.remove_flow(fin)
        self.p.remove_flow(fout)
        split, join = self.new_id("opt_split"), self.new_id("opt_join")
        question = f"Er «{s.label}» nødvendig?"
        self.p.add_gateway(Gateway(split, GatewayKind.EXCLUSIVE, question, lane=s.lane, parent=s.parent))
        self.p.add_gateway(Gateway(join, GatewayKind.EXCLUSIVE, lane=s.lane, parent=s.parent))
        self.p.add_flow(Flow(fin.source, split, fin.condition))
        self.p.add_flow(Flow(split, s.id, "Ja"))
        self.p.add_flow(Flow(split, join, "Nei"))
        self.p.add_flow(Flow(s.id, join))
        self.p.add_flow(Flow(join, fout.target, fout.condition))
        self.record("optional", self.std_ids(s.id), [s.id], f"made «{s.label}» optional")
        return True

    def op_split(self) -> bool:
        options = self.candidates()
        if not options:
            return False
        s = self.rng.choice(options)
        (fin,), (fout,) = self.ins(s.id), self.outs(s.id)
        first_label, second_label = _split_labels(s.label, self.rng)
        first = s.replace(id=self.new_id(s.id), label=first_label, handling_days=_half(s.handling_days))
        second = s.replace(id=self.new_id(s.id), label=second_label, handling_days=_half(s.handling_days))
        self.p.remove_element(s.id)
        self.p.add_step(first)
        self.p.add_step(second)
        self.p.add_flow(Flow(fin.source, first.id, fin.condition))
        self.p.add_flow(Flow(first.id, second.id))
        self.p.add_flow(Flow(second.id, fout.target, fout.condition))
        group = self.one_to_one(s.id)
        assert group is not None  # guaranteed by candidates()
        group.variant = [first.id, second.id]
        group.kind = "split"
        self.record(
            "split",
            tuple(group.standard),
            [first.id, second.id],
            f"split «{s.label}» into «{first_label}» and «{second_label}»",
        )
        return True

    def op_merge(self) -> bool:
        options = [
            (a, b) for a, b in self.chains() if self.one_to_one(a.id) and self.one_to_one(b.id)
        ]
        if not options:
            return False
        a, b = self.rng.choice(options)
        (fin,), (fout,) = self.ins(a.id), self.outs(b.id)
        label = f"{a.label} og {_lower_first(b.label)}"
        days = (a.handling_days or 0) + (b.handling_days or 0) or None
        merged = a.replace(id=self.new_id(a.id), label=label, handling_days=days)
        ga, gb = self.one_to_one(a.id), self.one_to_one(b.id)
        assert ga is not None and gb is not None
        self.p.remove_element(a.id)
        self.p.remove_element(b.id)
        self.p.add_step(merged)
        self.p.add_flow(Flow(fin.source, merged.id, fin.condition))
        self.p.add_flow(Flow(merged.id, fout.target, fout.condition))
        self.groups.remove(gb)
        ga.standard = ga.standard + gb.standard
        ga.variant = [merged.id]
        ga.kind = "merged"
        self.record("merge", tuple(ga.standard), [merged.id], f"merged «{a.label}» and «{b.label}» into «{label}»")
        return True

    def _attribute(self, op: str, attr: str, choices: Sequence[object]) -> bool:
        options = [s for s in self.p.steps if s.is_activity]
        if not options:
            return False
        s = self.rng.choice(options)
        current = getattr(s, attr)
        values = [v for v in choices if v != current]
        if not values:
            return False
        value = self.rng.choice(values)
        self.p.replace_element(s.replace(**{attr: value}))
        self.record(op, self.std_ids(s.id), [s.id], f"changed {attr} of «{s.label}» from {current!r} to {value!r}")
        return True

    def op_lane(self) -> bool:
        lanes = list(self.p.lanes)
        if len(lanes) < 2:
            return False
        return self._attribute("lane", "lane", lanes)

    def op_mode(self) -> bool:
        return self._attribute("mode", "mode", list(Mode))

    def op_system(self) -> bool:
        return self._attribute("system", "system", _SYSTEMS)

    def op_legal_basis(self) -> bool:
        return self._attribute("legal_basis", "legal_basis", _LEGAL_BASES)


def _half(days: float | None) -> float | None:
    return None if days is None else days / 2


def _lower_first(text: str) -> str:
    # Keep acronyms and proper names ("NAV", "Husbanken") as they are.
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _split_labels(label: str, rng: random.Random) -> tuple[str, str]:
    if " og " in label:
        first, second = label.split(" og ", 1)
        if first.strip() and second.strip():
            return first.strip(), second.strip()[:1].upper() + second.strip()[1:]
    one, two = rng.choice(_SPLIT_TEMPLATES)
    lower = _lower_first(label)
    return one.format(label=label, lower=lower), two.format(label=label, lower=lower)


_WORD = re.compile(r"\w+", re.UNICODE)


def _match_case(word: str, template: str) -> str:
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def _synonym(label: str, rng: random.Random) -> str | None:
    lowered = label.casefold()
    options = []
    for group in _SYNONYMS:
        for phrase in group:
            for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
                options.append((m.start(), m.end(), [g for g in group if g != phrase]))
    if not options:
        return None
    start, end, replacements = rng.choice(options)
    new = _match_case(rng.choice(replacements), label[start:end])
    return label[:start] + new + label[end:]


def _nynorsk(label: str) -> str | None:
    changed = False

    def swap(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group(0)
        replacement = _NYNORSK.get(word.casefold())
        if replacement is None:
            return word
        changed = True
        return _match_case(replacement, word)

    result = _WORD.sub(swap, label)
    return result if changed else None


def _typo(label: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(label) if c.isalpha()]
    if len(positions) < 3:
        return label + "."
    i = rng.choice(positions[1:-1])
    kind = rng.randrange(3)
    if kind == 0 and label[i + 1].isalpha():  # transpose two letters
        return label[:i] + label[i + 1] + label[i] + label[i + 2 :]
    if kind == 1:  # drop a letter
        return label[:i] + label[i + 1 :]
    return label[:i] + label[i] + label[i:]  # double a letter


def _reword(label: str, rng: random.Random) -> str:
    """A realistic rewording: synonym, nynorsk form, or typo, in that preference."""
    if rng.random() < 0.15:
        return _typo(label, rng)
    ways = ["synonym", "nynorsk"]
    rng.shuffle(ways)
    for way in ways:
        new = _synonym(label, rng) if way == "synonym" else _nynorsk(label)
        if new is not None and new != label:
            return new
    return _typo(label, rng)


def _weights(operations: Sequence[str] | Mapping[str, float]) -> tuple[list[str], list[float]]:
    if isinstance(operations, Mapping):
        names, weights = list(operations), [float(w) for w in operations.values()]
    else:
        names, weights = list(operations), [1.0] * len(operations)
    unknown = [n for n in names if n not in OPERATIONS]
    if unknown:
        raise ValueError(f"unknown edit operation(s) {unknown}; known: {', '.join(OPERATIONS)}")
    if not names or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("operations must name at least one operation with a positive weight")
    return names, weights


def _reid(
    process: Process, rng: random.Random
) -> tuple[Process, dict[str, str]]:
    """Give every element a fresh id (BPMN-modeller style) and shuffle their order."""
    elements = process.elements
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for e in elements:
        prefix = "Gateway" if isinstance(e, Gateway) else ("Event" if e.is_event else "Activity")
        while True:
            new = f"{prefix}_{rng.getrandbits(28):07x}"
            if new not in used:
                used.add(new)
                mapping[e.id] = new
                break
    order = list(elements)
    rng.shuffle(order)
    out = Process(
        process.id, process.name, lanes=process.lanes, metadata=process.metadata, documentation=process.documentation
    )
    for e in order:
        parent = mapping.get(e.parent, e.parent) if e.parent else None
        if isinstance(e, Gateway):
            out.add_gateway(e.replace(id=mapping[e.id], parent=parent))
        else:
            attached = mapping.get(e.attached_to, e.attached_to) if e.attached_to else None
            out.add_step(e.replace(id=mapping[e.id], parent=parent, attached_to=attached))
    flows = process.flows
    rng.shuffle(flows)
    for f in flows:
        out.add_flow(f.replace(source=mapping.get(f.source, f.source), target=mapping.get(f.target, f.target), id=None))
    return out, mapping


def _remapper(mapping: Mapping[str, str]) -> Callable[[Iterable[str]], tuple[str, ...]]:
    def remap(ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(mapping.get(i, i) for i in ids)

    return remap


def generate_variants(
    standard: Process,
    n: int,
    *,
    seed: int,
    edits: int | tuple[int, int] = (1, 6),
    operations: Sequence[str] | Mapping[str, float] = DEFAULT_OPERATION_WEIGHTS,
    reid: bool = False,
) -> list[Variant]:
    """Derive ``n`` variants of ``standard`` by random edits, with the true correspondence.

    Each variant applies a number of edit operations drawn from
    ``operations``: ``delete`` a step (its neighbours are reconnected),
    ``insert`` a new step, ``rename`` a step (a casework synonym such as
    registrere/journalføre, a nynorsk form such as motta → ta imot, or a typo),
    ``swap`` two adjacent steps, make a sequential pair ``parallel``, make a
    step ``optional`` (exclusive bypass), ``split`` a step in two, ``merge``
    two consecutive steps, or change a step's ``lane``, ``mode``, ``system`` or
    ``legal_basis``. An operation that has nothing to work on (for example a
    merge in a process without two consecutive tasks) is replaced by another.

    Unchanged steps keep their ids unless ``reid`` is true, in which case
    every element gets a fresh id and the elements are shuffled, so that a
    matcher cannot rely on ids or order.

    Parameters
    ----------
    standard
        The process to vary; it is not modified.
    n
        Number of variants.
    seed
        Seed; the same seed and inputs give the same variants.
    edits
        Number of edits per variant, or an inclusive (low, high) range drawn
        per variant.
    operations
        Operation names (drawn uniformly) or a mapping name → weight; see
        :data:`OPERATIONS`.
    reid
        Give every element of each variant a fresh id.

    Returns
    -------
    list[Variant]
        Each with the variant process, its ground truth (one
        :class:`Correspondence` per group of corresponding steps; standard
        steps that were deleted appear in none) and the edits applied.

    Raises
    ------
    ValueError
        For a negative ``n``, a bad ``edits`` range or an unknown operation.

    Examples
    --------
    >>> std = synthetic_process(12, seed=3)
    >>> [v] = generate_variants(std, 1, seed=7, edits=2, operations=["rename"])
    >>> [e.operation for e in v.edits]
    ['rename', 'rename']
    >>> sorted({c.kind for c in v.truth})
    ['identical', 'renamed']
    >>> [e for e in v.process.validate() if e.severity == "error"]
    []
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    low, high = (edits, edits) if isinstance(edits, int) else edits
    if low < 0 or high < low:
        raise ValueError(f"edits must be a count >= 0 or a range (low, high) with 0 <= low <= high, got {edits!r}")
    names, weights = _weights(operations)
    master = random.Random(seed)
    variants: list[Variant] = []
    for index in range(n):
        rng = random.Random(master.getrandbits(64))
        editor = _Editor(standard, rng)
        wanted = rng.randint(low, high)
        done = 0
        # Bounded retries: an operation may find nothing to do (or a rename
        # may produce the same label); give up after a generous number.
        attempts = 0
        while done < wanted and attempts < wanted * 20 + 20:
            attempts += 1
            op = rng.choices(names, weights)[0]
            if getattr(editor, f"op_{op}")():
                done += 1
        process = editor.p
        process.id = f"{standard.id}-variant-{index + 1}"
        process.metadata = {
            **standard.metadata,
            "generated": "true",
            "seed": str(seed),
            "variant": str(index + 1),
        }
        mapping: dict[str, str] = {}
        if reid:
            process, mapping = _reid(process, rng)
        remap = _remapper(mapping)

        # A rename followed by another may restore the original label: the
        # kind of a 1:1 correspondence is decided by the final labels.
        for g in editor.groups:
            if len(g.standard) == 1 and len(g.variant) == 1:
                same = standard.step(g.standard[0]).label == editor.p.step(g.variant[0]).label
                g.kind = "identical" if same else "renamed"
        order = {s.id: k for k, s in enumerate(standard.steps)}
        truth = tuple(
            sorted(
                (Correspondence(tuple(g.standard), remap(g.variant), g.kind) for g in editor.groups),
                key=lambda c: order[c.standard[0]],
            )
        )
        present = {e.id for e in process.elements}
        edit_list = tuple(
            Edit(op, std, tuple(i for i in remap(var) if i in present), text)
            for op, std, var, text in editor.edits
        )
        variants.append(Variant(process, truth, edit_list))
    return variants
