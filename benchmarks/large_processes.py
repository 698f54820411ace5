"""Large processes: parse, preview, confirm and version diff, and the refusal of one over the cap.

For each size (synthetic casework processes, ``synthetic_process(n)``, uploaded as BPMN
without diagram, and a generated variant of it as the next version):

- **parse**: :func:`registry.graphs.parse_upload` (read, canonical YAML, validation), the
  work of the upload request;
- **engine diff**: :func:`processes.compare.compare` of the two versions (alignment, diff,
  similarities), the work of a version-diff job; with ``--engine-only`` just these two,
  which also run on an older checkout for a side-by-side figure;
- **upload**, **preview**, **confirm** and **version diff page**: requests through the
  Flask test client on a fresh SQLite file, inline mode (no queue: the slowest case,
  everything in the request); the version diff page of versions over 400 steps is
  computed once and then read from the store, so its first and later views are timed;
- **first anonymous views** of the process page, a version page and the comparison page
  (drawings are made, or not, on a first view).

A process above the registry's cap (``UPLOAD_MAX_STEPS``, 2,000) is refused: the time to
refuse is printed too.

Run from the repository root::

    .venv/bin/python -m benchmarks.large_processes
    .venv/bin/python -m benchmarks.large_processes --engine-only --sizes 500,1000,2000
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from processes.compare import compare
from processes.formats import read_process, write_process
from processes.generate import generate_variants, synthetic_process

__all__ = ["main"]


def _median_s(run: Callable[[], object], repeat: int) -> float:
    return _medians(run, repeat)[0]


def _medians(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (less disturbed by a busy machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _files(n: int) -> tuple[bytes, bytes]:
    standard = synthetic_process(n, seed=2026)
    variant = generate_variants(standard, 1, seed=2027)[0].process
    return write_process(standard, "bpmn", layout=False), write_process(variant, "bpmn", layout=False)


def engine(sizes: Sequence[int], repeat: int) -> None:
    """Parse (engine read + canonical YAML + validation) and compare, medians in seconds."""
    print(f"{'steps':>6} {'parse s':>9} {'(cpu s)':>8} {'engine diff s':>14} {'(cpu s)':>8}")
    for n in sizes:
        first, second = _files(n)

        def parse(data: bytes = first) -> None:
            process = read_process(data, filename="p.bpmn", max_bytes=None)
            write_process(process, "yaml")
            process.validate()

        a = read_process(first, filename="a.bpmn", max_bytes=None)
        b = read_process(second, filename="b.bpmn", max_bytes=None)
        parse_wall, parse_cpu = _medians(parse, repeat)
        diff_wall, diff_cpu = _medians(lambda a=a, b=b: compare(a, b), repeat)
        print(f"{n:>6} {parse_wall:>9.2f} {parse_cpu:>8.2f} {diff_wall:>14.2f} {diff_cpu:>8.2f}", flush=True)


def web(sizes: Sequence[int], repeat: int, cap: int) -> None:
    """Upload, preview, confirm and version diff through the registry, medians in seconds."""
    from registry import create_app
    from registry.extensions import db
    from tests.registry.process_factories import build_site, client_as

    url = "/kommuner/5001/prosesser/byggesak"
    print(f"{'steps':>6} {'parse s':>8} {'upload s':>9} {'preview s':>10} {'confirm s':>10} "
          f"{'diff 1st s':>11} {'diff again s':>13}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app(
                {
                    "TESTING": True,
                    "SECRET_KEY": "benchmark",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'large.sqlite'}",
                    "WTF_CSRF_ENABLED": False,
                    "RATELIMIT_ENABLED": False,
                    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                    "UPLOAD_MAX_PENDING": 100,
                    "UPLOAD_MAX_STEPS": cap,
                }
            )
            with app.app_context():
                db.create_all()
            build_site(app, with_variant=False)
            owner = client_as(app, "owner")
            first, second = _files(n)
            from registry.graphs import parse_upload

            with app.app_context():
                parse = _median_s(lambda data=first: parse_upload(data, filename="p.bpmn"), repeat)
            uploads, previews, confirms = [], [], []
            for data in [first] * repeat + [second]:
                start = time.perf_counter()
                response = owner.post(
                    url + "/last-opp",
                    data={"file": (io.BytesIO(data), "p.bpmn"), "format": ""},
                    content_type="multipart/form-data",
                )
                uploads.append(time.perf_counter() - start)
                if response.status_code != 302:
                    print(f"{n:>6} refused after {uploads[-1]:.2f} s (status {response.status_code})")
                    break
                location = response.headers["Location"]
                start = time.perf_counter()
                assert owner.get(location).status_code == 200
                previews.append(time.perf_counter() - start)
                start = time.perf_counter()
                assert owner.post(location, data={"comment": ""}).status_code == 302
                confirms.append(time.perf_counter() - start)
            else:
                last = repeat + 1  # versions 1..repeat are the standard, the last one the variant
                diff_url = f"{url}/versjoner/forskjell?fra={last - 1}&til={last}"
                start = time.perf_counter()
                page = owner.get(diff_url)
                first_view = time.perf_counter() - start
                assert page.status_code == 200
                again = _median_s(lambda client=owner, target=diff_url: client.get(target), repeat)
                print(f"{n:>6} {parse:>8.2f} {statistics.median(uploads):>9.2f} {statistics.median(previews):>10.2f} "
                      f"{statistics.median(confirms):>10.2f} {first_view:>11.2f} {again:>13.2f}")
                # What an anonymous visitor's first views cost (nothing cached in this process yet
                # for these pages' drawings).
                anonymous = client_as(app, "anonymous")
                firsts = []
                for page_url in (url, f"{url}/versjoner/1", f"{url}/sammenlign/standard/digi-trondelag"):
                    start = time.perf_counter()
                    assert anonymous.get(page_url).status_code == 200
                    firsts.append(time.perf_counter() - start)
                print(f"{'':>6} first anonymous views: process page {firsts[0]:.2f} s, version page "
                      f"{firsts[1]:.2f} s, comparison page {firsts[2]:.2f} s")
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", default="500,1000,2000,4000", help="steps per process, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per median")
    parser.add_argument("--cap", type=int, default=2000, help="UPLOAD_MAX_STEPS for the web part")
    parser.add_argument("--engine-only", action="store_true", help="only parse and compare (runs on older code)")
    args: Any = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    print("Engine (medians):")
    engine(sizes, args.repeat)
    if not args.engine_only:
        print("\nRegistry, inline mode (medians):")
        web(sizes, args.repeat, args.cap)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
