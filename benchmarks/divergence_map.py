"""Server-side render time of the divergence map page: 38 municipalities × a 40-step standard.

Seeds a fresh SQLite database (in a temporary directory) with a cooperation of 38
members, a synthetic 40-step standard (``processes.generate.synthetic_process``) and
one generated variant per member (1–6 edits each), computes every stored comparison
(38 with the standard, 703 pairs for the heatmap) through the registry's services,
then requests the map page with the Flask test client as the cooperation's
coordinator and reports the median of N requests (after one warm-up request, which
fills the parsed-process cache). "Built anew" rows empty the registry's caches of built
maps and rendered map tables before each request, as after a new version is saved;
"viewed again" rows measure the page while those caches hold it. The demo's byggesak map (38 × 20) is measured the
same way, side by side.

    .venv/bin/python -m benchmarks.divergence_map            # N = 15
    .venv/bin/python -m benchmarks.divergence_map --runs 31
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from processes.formats import write_process
from processes.generate import generate_variants, synthetic_process
from registry import create_app
from registry.cooperations.models import Cooperation
from registry.cooperations.services import add_membership, create_cooperation
from registry.demo import seed_processes
from registry.divergence.services import divergence_state, request_missing
from registry.extensions import db
from registry.graphs import parse_upload
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    create_municipality,
    import_municipalities,
    load_reference_list,
)
from registry.process_types.models import ProcessType
from registry.users.models import User
from registry.users.services import create_user, set_roles
from registry.variants.services import (
    get_or_create_standard,
    get_or_create_variant,
    save_version,
)

PASSWORD = "a long benchmark password"
N_MEMBERS = 38
N_STEPS = 40
TARGET_MS = 200.0


def _save(owner: object, data: bytes, **kw: object) -> None:
    parsed = parse_upload(data, filename="p.yaml")
    save_version(
        owner,  # type: ignore[arg-type]
        content=parsed.content,
        step_count=parsed.step_count,
        source_format=parsed.source_format,
        source_filename="p.yaml",
        source_data=data,
        author=None,
        **kw,  # type: ignore[arg-type]
    )


def seed(app: object) -> float:
    """The 38 × 40 cooperation; returns the seconds spent."""
    start = time.perf_counter()
    with app.app_context():  # type: ignore[attr-defined]
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
        request_missing(divergence_state(coop, process_type))
        db.session.commit()
    return time.perf_counter() - start


#: The registry's caches of built maps and rendered map tables; emptied for the "built anew" rows.
MAP_CACHES = ("divergence_maps", "divergence_tables")


def measure(app: object, client: object, rows: list[tuple[str, str, bool]], runs: int) -> list[tuple[float, int]]:
    """Median milliseconds and page size per row; rounds request every row once, so noise hits all alike.

    A row whose third item is true is measured as the first view after new stored results:
    the map caches are emptied before each of its requests (the parsed processes stay cached).
    """
    for _label, url, _cold in rows:  # warm-up: parsed-process cache, template compilation
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)
    times: list[list[float]] = [[] for _ in rows]
    sizes: list[int] = [0] * len(rows)
    for _ in range(runs):
        for i, (_label, url, cold) in enumerate(rows):
            if cold:
                for name in MAP_CACHES:
                    app.extensions.get(name, {}).clear()  # type: ignore[attr-defined]
            t = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            times[i].append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
            sizes[i] = len(response.data)
    return [(statistics.median(times[i]), sizes[i]) for i in range(len(rows))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(tmp) / "bench.sqlite"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
        app = create_app(config)
        with app.app_context():
            db.create_all()
        seconds = seed(app)
        with app.app_context():
            import_municipalities(load_reference_list())
            digi = create_cooperation(name="DigiTrøndelag", slug="digi-trondelag", description="")
            for m in db.session.scalars(
                select(Municipality).where(Municipality.county_number == "50", Municipality.valid_to.is_(None))
            ):
                add_membership(digi, m, joined_on=dt.date(2020, 1, 1))
            demo_start = time.perf_counter()
            seed_processes(db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag")))
            db.session.commit()
            demo_seconds = time.perf_counter() - demo_start
            user = db.session.scalar(select(User).where(User.email == "koordinator@benk.no"))
            set_roles(user, coordinator_of=[*user.coordinated_cooperations, digi], owner_of=[])  # type: ignore[union-attr]
            db.session.commit()
        client = app.test_client()
        login = client.post("/logg-inn", data={"email": "koordinator@benk.no", "password": PASSWORD})
        assert login.status_code == 302
        rows = [
            ("38 × 40 map, built anew (target ≤ 200 ms)", "/samarbeid/benk/avvik/benk", True),
            ("38 × 40 map, viewed again", "/samarbeid/benk/avvik/benk", False),
            ("38 × 40, filtered (status missing), anew", "/samarbeid/benk/avvik/benk?status=missing", True),
            ("38 × 40, sorted by overall, anew", "/samarbeid/benk/avvik/benk?sort=overall&dir=desc", True),
            ("38 × 40, XLSX export, anew", "/samarbeid/benk/avvik/benk/eksport.xlsx", True),
            ("demo byggesak 38 × 20, anew", "/samarbeid/digi-trondelag/avvik/byggesak", True),
            ("demo byggesak 38 × 20, viewed again", "/samarbeid/digi-trondelag/avvik/byggesak", False),
            ("demo step search «befaring» (4 types)", "/samarbeid/digi-trondelag/sok?q=befaring", False),
        ]
        print(f"Seeding: 38 × 40 cooperation {seconds:.1f} s (741 comparisons); demo processes {demo_seconds:.1f} s")
        print(f"{'page':<42} {'median ms':>10} {'KiB':>7}")
        results = measure(app, client, rows, args.runs)
        for (label, _url, _cold), (median, size) in zip(rows, results):
            print(f"{label:<42} {median:>10.1f} {size / 1024:>7.0f}")
        main_median = results[0][0]
        verdict = "met" if main_median <= TARGET_MS else "NOT met"
        print(f"\n38 × 40 map: {main_median:.1f} ms median of {args.runs}, target {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
