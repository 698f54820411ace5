"""Server-side time of the harmonisation pages: the proposed common standard and a member's change plan.

Seeds a fresh SQLite database (in a temporary directory) with the 38 × 40 cooperation of
``benchmarks.divergence_map`` (38 members, a synthetic 40-step published standard, one
generated variant per member) and the demo data (DigiTrøndelag's 38 members), then
requests, with the Flask test client as the coordinator of both, side by side in rounds
(every page once per round, so noise hits all alike):

- the proposal page ``/samarbeid/<coop>/forslag/<slug>`` **from its stored result** (the
  target, ≤ 300 ms): "worker caches empty" rows empty the registry's per-worker caches
  (``registry.harmonisation.services._CACHE``: step classes, proposals, inlined drawings)
  before each request, as on another worker; "viewed again" rows leave them;
- the proposal page **computed**: the stored proposals and the per-worker caches are
  deleted before each request, so the page computes the proposal at once (inline mode,
  no task queue) in both languages, drawings included; with a queue this is the job's time
  and the page answers «beregnes…» at once;
- the change plan ``/kommuner/<nr>/prosesser/<slug>/endringsplan`` (target ≤ 200 ms)
  warm (step classes cached by the worker) and cold (per-worker caches emptied).

The parsed-process cache (``registry.graphs``) stays warm in every row (one warm-up
request per page fills it), as on a worker that has served any page of the cooperation.

    .venv/bin/python -m benchmarks.harmonisation_pages            # 15 rounds
    .venv/bin/python -m benchmarks.harmonisation_pages --runs 31
    .venv/bin/python -m benchmarks.harmonisation_pages --profile  # cProfile of the plan page, warm and cold
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from benchmarks.divergence_map import N_MEMBERS, N_STEPS, PASSWORD, _save
from processes.formats import write_process
from processes.generate import generate_variants, synthetic_process
from registry import create_app
from registry.cooperations.models import Cooperation
from registry.cooperations.services import add_membership, create_cooperation
from registry.demo import seed_processes
from registry.extensions import db
from registry.harmonisation import services as harmonisation
from registry.harmonisation.models import StoredProposal, StoredStepClasses
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    create_municipality,
    import_municipalities,
    load_reference_list,
)
from registry.process_types.models import ProcessType
from registry.users.models import User
from registry.users.services import create_user, set_roles
from registry.variants.models import Variant
from registry.variants.services import get_or_create_standard, get_or_create_variant

PROPOSAL_TARGET_MS = 300.0
PLAN_TARGET_MS = 200.0


def seed(app: Any) -> float:
    """The 38 × 40 cooperation (comparisons with the standard only, as saved); returns the seconds spent."""
    start = time.perf_counter()
    with app.app_context():
        coop = create_cooperation(name="Benk", slug="benk", description="")
        members = []
        for i in range(N_MEMBERS):
            m = create_municipality(number=f"{9000 + i}", name=f"Kommune {i:02d}", county_number="90", county_name="Test")
            add_membership(coop, m, joined_on=dt.date(2020, 1, 1))
            members.append(m)
        create_user(email="koordinator@benk.no", name="K", password=PASSWORD, coordinator_of=[coop])
        process_type = ProcessType(slug="benk", name_nb="Benk", name_en="Bench")
        db.session.add(process_type)
        db.session.flush()
        standard = synthetic_process(N_STEPS, seed=40)
        _save(get_or_create_standard(coop, process_type), write_process(standard, "yaml"), status="published")
        for m, v in zip(members, generate_variants(standard, N_MEMBERS, seed=41, edits=(1, 6))):
            _save(get_or_create_variant(m, process_type), write_process(v.process, "yaml"))
        db.session.commit()
    return time.perf_counter() - start


def seed_demo(app: Any) -> tuple[float, str]:
    """The demo's DigiTrøndelag; returns the seconds spent and a byggesak member's number."""
    start = time.perf_counter()
    with app.app_context():
        import_municipalities(load_reference_list())
        digi = create_cooperation(name="DigiTrøndelag", slug="digi-trondelag", description="")
        for m in db.session.scalars(
            select(Municipality).where(Municipality.county_number == "50", Municipality.valid_to.is_(None))
        ):
            add_membership(digi, m, joined_on=dt.date(2020, 1, 1))
        seed_processes(db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag")))
        user = db.session.scalar(select(User).where(User.email == "koordinator@benk.no"))
        assert user is not None
        set_roles(user, coordinator_of=[*user.coordinated_cooperations, digi], owner_of=[])
        db.session.commit()
        number = db.session.scalar(
            select(Municipality.number)
            .join(Variant, Variant.municipality_id == Municipality.id)
            .join(ProcessType, ProcessType.id == Variant.process_type_id)
            .where(ProcessType.slug == "byggesak")
            .order_by(Municipality.number)
            .limit(1)
        )
        assert number is not None
    return time.perf_counter() - start, number


def empty_worker_caches(app: Any) -> None:
    """As on another worker: no step classes, proposals or inlined drawings in memory."""
    with harmonisation._LOCK:
        harmonisation._CACHE.clear()


def no_kept_classes(slug: str) -> Callable[[Any], None]:
    """As on the first view after a new version before any job ran: no step classes kept anywhere."""

    def before(app: Any) -> None:
        with app.app_context():
            coop_id = db.session.scalar(select(Cooperation.id).where(Cooperation.slug == slug))
            db.session.execute(delete(StoredStepClasses).where(StoredStepClasses.cooperation_id == coop_id))
            db.session.commit()
        empty_worker_caches(app)

    return before


def no_stored_proposals(slug: str) -> Callable[[Any], None]:
    """As after a member saved a new version: no stored proposal of cooperation ``slug``, nothing in memory."""

    def before(app: Any) -> None:
        with app.app_context():
            coop_id = db.session.scalar(select(Cooperation.id).where(Cooperation.slug == slug))
            db.session.execute(delete(StoredProposal).where(StoredProposal.cooperation_id == coop_id))
            db.session.commit()
        empty_worker_caches(app)

    return before


def nothing(app: Any) -> None:
    pass


Row = tuple[str, str, Callable[[Any], None]]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(app: Any, client: Any, rows: list[Row], runs: int) -> list[tuple[float, float, int]]:
    """(median ms, p95 ms, KiB) per row; every round requests every row once, in order."""
    for _label, url, _before in rows:  # warm-up: parsed processes, templates, stored proposals
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times: list[list[float]] = [[] for _ in rows]
    sizes = [0] * len(rows)
    for _ in range(runs):
        for i, (_label, url, before) in enumerate(rows):
            before(app)
            t = time.perf_counter()
            response = client.get(url)
            times[i].append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            body = response.get_data(as_text=True)
            assert "being computed" not in body and "could not be computed" not in body, url
            sizes[i] = len(response.data)
    return [(statistics.median(t), _p95(t), sizes[i]) for i, t in enumerate(times)]


def profile(app: Any, client: Any, url: str, before: Callable[[Any], None], runs: int = 5) -> str:
    """cProfile of ``runs`` requests of ``url`` (``before`` each), the top functions by cumulative time."""
    profiler = cProfile.Profile()
    for _ in range(runs):
        before(app)
        profiler.enable()
        client.get(url)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the plan page, warm and cold")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(tmp) / "bench.sqlite"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        })
        with app.app_context():
            db.create_all()
        seconds = seed(app)
        demo_seconds, demo_member = seed_demo(app)
        client = app.test_client()
        login = client.post("/logg-inn", data={"email": "koordinator@benk.no", "password": PASSWORD})
        assert login.status_code == 302
        proposal = "/samarbeid/benk/forslag/benk"
        plan = "/kommuner/9000/prosesser/benk/endringsplan"
        demo_proposal = "/samarbeid/digi-trondelag/forslag/byggesak"
        demo_plan = f"/kommuner/{demo_member}/prosesser/byggesak/endringsplan"
        rows: list[Row] = [
            ("proposal 38 × 40, stored, worker caches empty", proposal, empty_worker_caches),
            ("proposal 38 × 40, stored, viewed again", proposal, nothing),
            ("proposal 38 × 40, computed (no stored result)", proposal, no_stored_proposals("benk")),
            ("plan 38 × 40, warm", plan, nothing),
            ("plan 38 × 40, cold (worker caches empty, classes kept)", plan, empty_worker_caches),
            ("plan 38 × 40, classes made (nothing kept)", plan, no_kept_classes("benk")),
            ("demo byggesak proposal 38 × 20, stored, caches empty", demo_proposal, empty_worker_caches),
            ("demo byggesak proposal, computed", demo_proposal, no_stored_proposals("digi-trondelag")),
            (f"demo byggesak plan ({demo_member}), warm", demo_plan, nothing),
            (f"demo byggesak plan ({demo_member}), cold", demo_plan, empty_worker_caches),
            (f"demo byggesak plan ({demo_member}), classes made", demo_plan, no_kept_classes("digi-trondelag")),
        ]
        print(f"Seeding: 38 × 40 cooperation {seconds:.1f} s; demo processes {demo_seconds:.1f} s")
        results = measure(app, client, rows, args.runs)
        width = max(len(label) for label, _u, _b in rows)
        print(f"\n| {'page':<{width}} | median ms | p95 ms | KiB |")
        print(f"|{'-' * (width + 2)}|---:|---:|---:|")
        for (label, _url, _before), (median, p95, size) in zip(rows, results):
            print(f"| {label:<{width}} | {median:.1f} | {p95:.1f} | {size / 1024:.0f} |")
        stored, plan_warm = results[0][0], results[3][0]
        print(
            f"\nproposal from its stored result: {stored:.1f} ms median of {args.runs}, target "
            f"{PROPOSAL_TARGET_MS:.0f} ms: {'met' if stored <= PROPOSAL_TARGET_MS else 'NOT met'}"
        )
        print(
            f"change plan (warm): {plan_warm:.1f} ms median of {args.runs}, target {PLAN_TARGET_MS:.0f} ms: "
            f"{'met' if plan_warm <= PLAN_TARGET_MS else 'NOT met'}; cold: {results[4][0]:.1f} ms"
        )
        if args.profile:
            print("\n--- plan 38 × 40, warm ---")
            print(profile(app, client, plan, nothing))
            print("\n--- plan 38 × 40, cold ---")
            print(profile(app, client, plan, empty_worker_caches))


if __name__ == "__main__":
    main()
