"""Demo data for a development machine: DigiTrøndelag, a coordinator and process owners."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from processes import Flow, Process, Step, samples
from processes.formats import write_process
from processes.generate import generate_variants
from registry.cooperations.models import Cooperation
from registry.cooperations.services import add_membership, create_cooperation
from registry.divergence.services import divergence_state, request_missing
from registry.extensions import db
from registry.graphs import parse_upload
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    get_municipality,
    import_municipalities,
    load_reference_list,
)
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow
from registry.users.services import create_user
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import (
    get_or_create_standard,
    get_or_create_variant,
    save_version,
)

__all__ = ["SYNTHETIC_SEED", "DemoAccount", "has_data", "seed_demo", "seed_processes"]

#: Seed of the synthetic variants, so every first start shows the same map.
SYNTHETIC_SEED = 2024

#: The case type whose synthetic variants fill the cooperation to every member (the rich map).
FULL_CASE = "byggesak"

SYNTHETIC_COMMENT = (
    "Syntetisk eksempel laget av processes.generate (frø {seed}, endringer: {edits}) – "
    "ikke kommunens faktiske prosess."
)
SAMPLE_COMMENT = "Illustrativt eksempel fra processes.samples – ikke kommunens faktiske prosess."

DIGI_TRONDELAG = (
    "DigiTrøndelag er samarbeidet om digitalisering mellom kommunene i Trøndelag. "
    "Her sammenligner kommunene saksbehandlingsprosessene sine og blir enige om felles standarder."
)
VAERNESREGIONEN = "Værnesregionen er et interkommunalt samarbeid mellom kommunene rundt Værnes."
VAERNES_MEMBERS = ("5032", "5033", "5034", "5035", "5036")

# (e-mail, name, role description, municipality numbers owned)
OWNERS = (
    ("trondheim@demo.kommune.no", "Tone Trondheim", ("5001",)),
    ("stjordal@demo.kommune.no", "Stian Stjørdal", ("5035",)),
    ("steinkjer@demo.kommune.no", "Siri Steinkjer", ("5006",)),
)


@dataclass(frozen=True)
class DemoAccount:
    """Credentials to print once on the console."""

    email: str
    password: str
    role: str


def has_data() -> bool:
    """True when the database already has users or cooperations."""
    users = db.session.scalar(select(func.count()).select_from(User)) or 0
    cooperations = db.session.scalar(select(func.count()).select_from(Cooperation)) or 0
    return bool(users or cooperations)


def _password() -> str:
    return secrets.token_urlsafe(12)


def seed_demo() -> list[DemoAccount]:
    """Load municipalities, two cooperations and demo users; return their credentials."""
    import_municipalities(load_reference_list())
    digi = create_cooperation(name="DigiTrøndelag", slug="digi-trondelag", description=DIGI_TRONDELAG)
    current_trondelag = db.session.scalars(
        select(Municipality)
        .where(Municipality.county_number == "50", Municipality.valid_to.is_(None))
        .order_by(Municipality.number)
    ).all()
    for m in current_trondelag:
        add_membership(digi, m, joined_on=dt.date(2020, 1, 1))
    vaernes = create_cooperation(name="Værnesregionen", slug="vaernesregionen", description=VAERNESREGIONEN)
    for number in VAERNES_MEMBERS:
        add_membership(vaernes, get_municipality(number), joined_on=dt.date(2020, 1, 1))

    accounts = []
    password = _password()
    create_user(email="admin@demo.kommune.no", name="Anne Admin", password=password, is_admin=True)
    accounts.append(DemoAccount("admin@demo.kommune.no", password, "administrator"))
    password = _password()
    create_user(
        email="koordinator@demo.kommune.no", name="Kari Koordinator", password=password, coordinator_of=[digi]
    )
    accounts.append(DemoAccount("koordinator@demo.kommune.no", password, "coordinator of DigiTrøndelag"))
    for email, name, numbers in OWNERS:
        password = _password()
        owned = [get_municipality(n) for n in numbers]
        create_user(email=email, name=name, password=password, owner_of=owned)
        accounts.append(
            DemoAccount(email, password, "process owner for " + ", ".join(str(m) for m in owned))
        )
    seed_processes(digi, author=db.session.scalar(select(User).where(User.email == "koordinator@demo.kommune.no")))
    seed_follow_up(digi)
    seed_gains(digi)
    seed_gain_plan(digi)
    return accounts


#: Illustrative byggesak cases per year for some members (number -> cases), for the gains pages.
GAIN_CASES = {"5001": 2400, "5006": 350, "5021": 150, "5031": 260, "5035": 420}
#: Illustrative work minutes per case by the step's mode, and postage and print per case on paper.
GAIN_MINUTES = {"paper": 20.0, "manual": 15.0, "digital": 10.0, "automated": 1.0, "self_service": 2.0}
GAIN_POSTAGE = 14.0
ILLUSTRATIVE = "Illustrativt eksempel"


def seed_gains(cooperation: Cooperation) -> None:
    """Illustrative gains inputs, labelled as such: an hourly cost, default savings, byggesak figures of five members."""
    from registry.comparisons.services import latest_version
    from registry.gains.services import (
        StepFigures,
        save_assumptions,
        save_process_inputs,
    )
    from registry.graphs import load_process

    save_assumptions(
        cooperation,
        hourly_cost=750,
        hourly_source=ILLUSTRATIVE + ": snitt saksbehandler med sosiale kostnader",
        savings_source=ILLUSTRATIVE,
        savings={
            ("paper", "digital"): (0.2, 0.3, 0.5),
            ("manual", "digital"): (0.1, 0.2, 0.3),
            ("manual", "automated"): (0.4, 0.6, 0.8),
            ("digital", "automated"): (0.3, 0.5, 0.7),
            ("", "self_service"): (0.1, 0.25, 0.4),
        },
        user=None,
    )
    process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == FULL_CASE))
    if process_type is None:
        return
    for number, cases in GAIN_CASES.items():
        variant = db.session.scalar(
            select(Variant).where(
                Variant.process_type_id == process_type.id, Variant.municipality_id == get_municipality(number).id
            )
        )
        version = latest_version(variant) if variant is not None else None
        if variant is None or version is None:
            continue
        steps = {}
        for step in load_process(version).steps:
            mode = step.mode.value if step.mode is not None else None
            if step.is_activity and mode in GAIN_MINUTES:
                steps[step.id] = StepFigures(GAIN_MINUTES[mode], GAIN_POSTAGE if mode == "paper" else None)
        save_process_inputs(
            variant, cases_per_year=cases, cases_source=ILLUSTRATIVE + " (saker og minutter)", steps=steps, user=None
        )


#: The member whose gevinstrealiseringsplan the demo follows: a baseline, an event log then, a new version
#: that drops the step the plan removes, and an event log since.
PLAN_MEMBER = "5035"


def _illustrative_log(process: Process, *, start: dt.datetime, days: int, cases: int, seed: int,
                      skip: frozenset[str] = frozenset()) -> bytes:
    """An invented CSV event log of ``process``'s activities (labelled illustrative in its file name).

    Cases start evenly over ``days`` days; each goes through the activities in the order the
    process lists them, one to three days apart; «Befaring» is needed in two cases of five.
    Activities whose step id is in ``skip`` are left out.
    """
    import random

    rnd = random.Random(seed)
    rows = ["saksnummer;aktivitet;tidspunkt"]
    steps = [s for s in process.steps if s.is_activity and s.id not in skip]
    for i in range(cases):
        at = start + dt.timedelta(days=days * i / cases)
        for step in steps:
            if "befaring" in step.label.lower() and rnd.random() < 0.6:
                continue
            at += dt.timedelta(days=rnd.choice((1, 1, 2, 3)), hours=rnd.randrange(8))
            rows.append(f"ILL-{seed}-{i:04d};{step.label};{at:%Y-%m-%d %H:%M}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def seed_gain_plan(cooperation: Cooperation) -> None:
    """Illustrative gevinstrealiseringsplan of one member: baseline four months ago, realised since.

    Stjørdal records its baseline with an event log of the months before; soon after it saves a
    version without the step the plan removes; a new event log measures the months since. The plan
    page then shows what is realised beside what was expected. Everything is marked illustrative.
    """
    from processes.harmonise import ChangeKind
    from registry.comparisons.services import latest_version
    from registry.gains.services import plan_state, save_event_log, save_gain_plan
    from registry.graphs import load_process

    process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == FULL_CASE))
    if process_type is None:
        return
    municipality = get_municipality(PLAN_MEMBER)
    variant = db.session.scalar(
        select(Variant).where(Variant.process_type_id == process_type.id, Variant.municipality_id == municipality.id)
    )
    version = latest_version(variant) if variant is not None else None
    if variant is None or version is None:
        return
    owner = db.session.scalar(select(User).where(User.email == "stjordal@demo.kommune.no"))
    now = utcnow()
    baseline_at = now - dt.timedelta(days=130)
    # The version the baseline is taken from must be older than the baseline.
    db.session.execute(update(ProcessVersion).where(ProcessVersion.id == version.id)
                       .values(created_at=now - dt.timedelta(days=300)))
    db.session.expire_all()
    version = latest_version(variant)
    process = load_process(version)
    first = save_event_log(
        variant, data=_illustrative_log(process, start=now - dt.timedelta(days=290), days=100, cases=104, seed=1),
        filename="illustrativ-hendelseslogg-vaar.csv", options={}, period_days=None, max_bytes=None, user=owner,
    )
    first.uploaded_at = baseline_at
    state = plan_state(variant, cooperation, version)
    if state is None or not state.lines:
        return
    removed = [e for e in state.lines if e.expected.change.kind == ChangeKind.REMOVE_STEP]
    entries = {
        e.key: ("Leder byggesak", (now + dt.timedelta(days=180)).date(),
                "Illustrativt eksempel: timer per sak i fagsystemet, målt i hendelsesloggen")
        for e in (removed or state.lines[:1])
    }
    plan = save_gain_plan(state, entries, user=owner)
    plan.baseline_date = baseline_at.date()
    if not removed:
        return
    # Since: the steps the plan removes are gone from the process (ids of the others kept).
    gone = {step_id for e in removed for step_id in e.expected.change.variant_steps}
    changed = process.copy()
    for step_id in gone:
        if step_id not in changed:
            continue
        before = [f for f in changed.flows if f.target == step_id]
        after = [f for f in changed.flows if f.source == step_id]
        changed.remove_element(step_id)
        for f in before:
            for g in after:
                if not any(x.source == f.source and x.target == g.target for x in changed.flows):
                    changed.add_flow(Flow(f.source, g.target, condition=f.condition))
    new = _save(variant, write_process(changed, "yaml"), "byggesak-stjordal-v2.yaml", author=owner,
                comment="Illustrativt eksempel: fulgt opp endringsplanen mot standarden")
    db.session.flush()
    db.session.execute(update(ProcessVersion).where(ProcessVersion.id == new.id)
                       .values(created_at=now - dt.timedelta(days=110)))
    db.session.expire_all()
    second = save_event_log(
        variant, data=_illustrative_log(changed, start=now - dt.timedelta(days=100), days=40, cases=47, seed=2),
        filename="illustrativ-hendelseslogg-hoest.csv", options={}, period_days=None, max_bytes=None, user=owner,
    )
    second.uploaded_at = now - dt.timedelta(days=3)
    # The new version's pairs for the heatmap, as seed_processes computes them for the others.
    request_missing(divergence_state(cooperation, process_type))
    db.session.flush()


def seed_follow_up(cooperation: Cooperation) -> None:
    """Illustrative follow-up of two members' byggesak change plans (marked as illustrative in the notes)."""
    from registry.comparisons.services import latest_version
    from registry.harmonisation.followup import save_deviation, set_status
    from registry.harmonisation.services import plans_for_variant

    process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == FULL_CASE))
    if process_type is None:
        return
    today = dt.date.today()
    for number, owner_email in (("5001", "trondheim@demo.kommune.no"), ("5006", "steinkjer@demo.kommune.no")):
        variant = db.session.scalar(
            select(Variant).where(
                Variant.process_type_id == process_type.id,
                Variant.municipality_id == get_municipality(number).id,
            )
        )
        version = latest_version(variant) if variant is not None else None
        if variant is None or version is None:
            continue
        owner = db.session.scalar(select(User).where(User.email == owner_email))
        plans = plans_for_variant(variant, version, cooperation=cooperation)
        if not plans:
            continue
        changes, _justified = plans[0].entries()
        if number == "5001":
            steps = [
                ("planned", today + dt.timedelta(days=90), "Illustrativt eksempel: tas i forbindelse med nytt fagsystem."),
                ("in_progress", None, "Illustrativt eksempel: arbeidsgruppe i gang."),
            ]
            for entry, (status, day, note) in zip(changes, steps):
                set_status(variant, cooperation, entry, status=status, planned_for=day, note=note, user=owner)
        elif changes:
            system = next((e for e in changes if "system" in str(e.change.kind)), None)
            entry, category, reason = (
                (system, "system", "Illustrativt eksempel: kommunen bytter fagsystem når kontrakten går ut i 2028.")
                if system is not None
                else (changes[0], "organisation", "Illustrativt eksempel: løses i en felles enhet med nabokommunen.")
            )
            save_deviation(
                variant,
                cooperation,
                entry,
                category=category,
                reason=reason,
                valid_until=dt.date(2028, 12, 31) if category == "system" else None,
                user=owner,
            )


def _save(owner: Variant | Standard, data: bytes, filename: str, *, author: User | None, comment: str, **kw: Any) -> ProcessVersion:
    parsed = parse_upload(data, filename=filename)
    return save_version(
        owner,
        content=parsed.content,
        step_count=parsed.step_count,
        source_format=parsed.source_format,
        source_filename=filename,
        source_data=data,
        author=author,
        comment=comment,
        **kw,
    )


#: The practice most synthetic byggesak members share and the standard lacks: a check of the
#: declared responsibilities after the neighbour notice, and land registration left to the
#: surveying office's own process.
SHARED_STEP = ("ansvarsrett", "Kontrollere erklæringer om ansvarsrett", "nabovarsel")
DROPPED_STEP = "matrikkel"


def _shared_practice(process: Process) -> list[str]:
    """Give a synthetic variant the shared local practice; returns what was done, in words."""
    done = []
    new_id, label, after = SHARED_STEP
    if after in process and new_id not in process:
        outgoing = [f for f in process.flows if f.source == after]
        for f in outgoing:
            process.remove_flow(f)
            process.add_flow(f.replace(source=new_id))
        process.add_step(Step(new_id, label, lane=process.step(after).lane))
        process.add_flow(Flow(after, new_id))
        done.append(f"la til «{label}»")
    if DROPPED_STEP in process:
        gone = process.step(DROPPED_STEP).label
        before = [f for f in process.flows if f.target == DROPPED_STEP]
        following = [f for f in process.flows if f.source == DROPPED_STEP]
        process.remove_element(DROPPED_STEP)
        for f in before:
            for g in following:
                if not any(x.source == f.source and x.target == g.target for x in process.flows):
                    process.add_flow(Flow(f.source, g.target, condition=f.condition))
        done.append(f"tok bort «{gone}»")
    return done


#: Months back the demo's history starts: the standard was published then, and the members
#: registered their processes one by one since, so «utvikling over tid» has something to show.
HISTORY_MONTHS = 8


def _spread_over_months(standard_version: ProcessVersion, process_type: ProcessType) -> None:
    """Date the demo's versions over the last months (the content stays; only when it was saved moves)."""
    now = utcnow()
    start = now - dt.timedelta(days=30 * HISTORY_MONTHS)
    # A core UPDATE: saved versions are immutable to the ORM, and rightly so; demo history is the exception.
    db.session.execute(
        update(ProcessVersion)
        .where(ProcessVersion.id == standard_version.id)
        .values(created_at=start, approved_at=start, published_at=start)
    )
    variants = db.session.scalars(
        select(Variant).where(Variant.process_type_id == process_type.id).order_by(Variant.id)
    ).all()
    for n, variant in enumerate(variants):
        months_ago = (n * 5) % HISTORY_MONTHS
        db.session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.variant_id == variant.id)
            .values(created_at=now - dt.timedelta(days=30 * months_ago + 1))
        )
    db.session.expire_all()


def seed_processes(cooperation: Cooperation, *, author: User | None = None) -> None:
    """Process types, published standards and members' variants from the engine's samples.

    Every sample case type becomes a process type with the cooperation's standard
    (published) and the sample variants of its municipalities. For ``FULL_CASE`` the
    other members get synthetic variants (``processes.generate``, fixed seed), marked as
    such in their comment and metadata. Comparisons with the standard are computed as
    each version is saved; the pairwise comparisons of the heatmap at the end.
    """
    today = dt.date.today()
    members = {m.number: m for m in cooperation.members_on(today)}
    for case in samples.case_types():
        process_type = ProcessType(
            slug=case.slug,
            name_nb=case.name_nb,
            name_en=case.name_en,
            description=case.description_nb,
            legal_basis=case.legal_basis,
            k_code=case.k_kode,
            created_by=author,
        )
        db.session.add(process_type)
        db.session.flush()
        standard = get_or_create_standard(cooperation, process_type)
        version = _save(
            standard,
            samples.sample_bytes(case.slug, "standard"),
            f"{case.slug}-standard.yaml",
            author=author,
            comment="Standard for " + cooperation.name + ". " + SAMPLE_COMMENT,
            status="published",
            effective_from=dt.date(today.year, 1, 1),
        )
        now = utcnow()
        version.approved_by, version.approved_at = author, now
        version.published_by, version.published_at = author, now
        sample_numbers = [n for n in samples.variants(case.slug) if n in members]
        for number in sample_numbers:
            _save(
                get_or_create_variant(members[number], process_type),
                samples.sample_bytes(case.slug, number),
                f"{case.slug}-{number}.yaml",
                author=None,
                comment=SAMPLE_COMMENT,
            )
        if case.slug == FULL_CASE:
            others = [n for n in sorted(members) if n not in sample_numbers]
            generated = generate_variants(samples.standard(case.slug), len(others), seed=SYNTHETIC_SEED, edits=(1, 6))
            for n, (number, variant) in enumerate(zip(others, generated)):
                process = variant.process
                edits = "; ".join(e.description for e in variant.edits)
                if n % 7:
                    # Most members share a local practice the standard does not have, so that the
                    # proposed common standard departs from the current one in a way worth reading.
                    edits += "; " + "; ".join(_shared_practice(process))
                process.metadata.update(
                    {"synthetic": "true", "seed": str(SYNTHETIC_SEED), "municipality": number,
                     "municipality_name": members[number].name}
                )
                _save(
                    get_or_create_variant(members[number], process_type),
                    write_process(process, "yaml"),
                    f"{case.slug}-{number}-syntetisk.yaml",
                    author=None,
                    comment=SYNTHETIC_COMMENT.format(seed=SYNTHETIC_SEED, edits=edits),
                )
        db.session.flush()
        _spread_over_months(version, process_type)
        state = divergence_state(cooperation, process_type)
        request_missing(state)
        db.session.flush()
