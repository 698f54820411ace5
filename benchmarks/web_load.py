"""The web app under load: locust users on the main pages and the JSON API, served by gunicorn.

Target (registry web app issue): p95 ≤ 300 ms for the pages with zero errors (the API reads
and the uploads are reported beside them).

What it does, all on 127.0.0.1:

1. creates a fresh SQLite database in a temporary folder, migrates it and loads the demo
   data with the same commands as ``make run`` (``flask db upgrade``, ``flask seed-demo``),
   and makes two API tokens in it: the Trondheim process owner's (scope ``write``) and the
   demo coordinator's (scope ``coordinate``);
2. starts gunicorn (``registry:create_app()``, production settings: not debug, a random
   secret key, rate limits on, the API's per-token limits raised so that they do not cut the
   load short) with ``--workers`` sync workers on a free loopback port;
3. finds the main pages by following the site's links as the demo coordinator (front page,
   municipality list, the DigiTrøndelag cooperation page, its divergence map, a comparison
   page, a proposal and a change plan, when those pages exist) and signs in once;
4. runs locust (``benchmarks/locustfile.py``) headless for ``--duration`` seconds with
   ``--clients`` users: one uploader that posts a new BPMN version of Trondheim's building
   case process every ``--upload-every`` seconds (``If-Match`` from a GET of the process),
   the others split between page readers (signed in as the coordinator) and API readers
   (locust's weights 1:1) (municipality list, process, comparison with the standard, the standard as BPMN,
   with the coordinator's token), each with one request in flight and no pause;
5. reads locust's statistics CSV and prints p50/p95/p99, requests per second and errors per
   request name, for all pages, all API reads, all uploads and everything; a 412 answer to
   an upload is counted apart as a conflict, not as an error. (The CSV is written by the
   locustfile with locust's own ``StatsCSV`` when locust quits: ``--csv`` rewrites its files
   once a second and misses the last second of requests.)

The client runs on the same machine (and cores) as the server, so the figures are a
conservative bound for a server with the same cores to itself. Locust's percentiles are
its own: response times rounded to 1 ms below 100 ms, 10 ms below 1 s, 100 ms above.

Run from the repository root (locust comes with ``pip install -e .[bench]``)::

    .venv/bin/python -m benchmarks.web_load                 # 16 users, 60 s, 4 workers
    .venv/bin/python -m benchmarks.web_load --duration 10   # a quick look
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")

#: (label, test on a Flask endpoint name, extra test on the path)
MAIN_PAGES = (
    ("front page", lambda e: e == "pages.index", lambda p: True),
    ("municipality list", lambda e: e == "municipalities.index", lambda p: True),
    (
        "cooperation page",
        lambda e: e == "cooperations.show",
        lambda p: p.rstrip("/").endswith("digi-trondelag"),
    ),
    ("divergence map", lambda e: e == "divergence.show", lambda p: "?" not in p),
    ("comparison page", lambda e: e == "comparisons.with_standard", lambda p: True),
    ("proposal page", lambda e: e == "harmonisation.proposal", lambda p: "?" not in p),
    ("change plan", lambda e: e == "harmonisation.plan", lambda p: "?" not in p),
)

#: The uploader's request names (as in benchmarks/locustfile.py).
BEFORE_UPLOAD = "api: process (uploader)"
UPLOAD = "api: upload"
CONFLICT = "api: upload conflict (412)"

#: Who the API users are, as seeded by ``flask seed-demo``.
OWNER = "trondheim@demo.kommune.no"
COORDINATOR = "koordinator@demo.kommune.no"
COOPERATION = "digi-trondelag"
PROCESS = "/api/v1/municipalities/5001/processes/byggesak"
#: (name in the statistics, path) of the API reads, in the order each API reader sends them.
API_READS = (
    ("api: municipality list", "/api/v1/municipalities?per_page=50"),
    ("api: process", PROCESS),
    ("api: comparison", f"{PROCESS}/comparisons/standard/{COOPERATION}"),
    (
        "api: standard as BPMN",
        f"/api/v1/cooperations/{COOPERATION}/standards/byggesak/file?format=bpmn",
    ),
)

# Run in the benchmark's database before gunicorn starts: one token each, printed as JSON.
_MAKE_TOKENS = """
import datetime as dt, json, sys
from sqlalchemy import select
from registry import create_app
from registry.api.tokens import create_token
from registry.extensions import db
from registry.users.models import User

app = create_app()
with app.app_context():
    secrets = {}
    for key, email, scopes in json.loads(sys.argv[1]):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise SystemExit(f"no user {email} in the demo data")
        _token, secrets[key] = create_token(
            user, name="web-load benchmark", scopes=scopes,
            expires_on=dt.date.today() + dt.timedelta(days=2),
        )
    db.session.commit()
    print(json.dumps(secrets))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def prepare_database(folder: Path) -> tuple[dict[str, str], str, str, dict[str, str]]:
    """Migrate and seed a new SQLite database and make the API tokens.

    Returns the server's environment, the coordinator's login and the tokens' secrets
    (``read``: the coordinator's, ``write``: Trondheim's process owner's).
    """
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "registry.sqlite"),
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        # Secure cookies would need HTTPS; the benchmark talks plain HTTP on loopback.
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_REMEMBER_COOKIE_SECURE": "false",
        # Rate limits stay on (their cost is part of every API request), but the API's
        # per-token allowances (600 reads, 60 writes a minute by default) are raised: the
        # benchmark's few tokens send thousands of requests a minute.
        "FLASK_API_RATE_LIMIT": "1000000 per minute",
        "FLASK_API_WRITE_RATE_LIMIT": "100000 per minute",
    }
    flask = [str(BIN / "flask"), "--app", "registry"]
    seed_env = {
        **env,
        "FLASK_DEBUG": "1",
    }  # seed-demo refuses to run outside debug mode
    subprocess.run(
        [*flask, "db", "upgrade"],
        env=seed_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seeded = subprocess.run(
        [*flask, "seed-demo"],
        env=seed_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(
        r"^\s+(\S+@\S+)\s+(\S+)\s+\(coordinator", seeded.stdout, re.MULTILINE
    )
    if not match:
        raise SystemExit(f"seed-demo printed no coordinator account:\n{seeded.stdout}")
    who = [["write", OWNER, ["write"]], ["read", COORDINATOR, ["coordinate"]]]
    made = subprocess.run(
        [sys.executable, "-c", _MAKE_TOKENS, json.dumps(who)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    tokens = json.loads(made.stdout.strip().splitlines()[-1])
    return env, match[1], match[2], tokens


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    """gunicorn in its own process group; what it and the app log goes to ``log``."""
    command = [
        str(BIN / "gunicorn"),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--backlog", "256",
        "--log-level", "warning",
        "registry:create_app()",
    ]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _headers = request(port, "/", timeout=2)
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}"
            )
        time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: str | None = None,
    cookie: str = "",
    token: str = "",
    timeout: float = 30,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One request for the set-up and the warm-up (the load itself is locust's)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Accept-Language": "nb-NO", "User-Agent": "web-load-benchmark"}
        if cookie:
            headers["Cookie"] = cookie
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form (with its CSRF token); return the Cookie header to send."""
    status, body, headers = request(port, "/logg-inn")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or not token:
        raise SystemExit("the sign-in page has no CSRF token")
    cookie = _cookies(headers)
    form = urlencode(
        {"csrf_token": token[1].decode(), "email": email, "password": password}
    )
    status, _body, headers = request(
        port, "/logg-inn", method="POST", body=form, cookie=cookie
    )
    if status != 302:
        raise SystemExit(f"signing in as {email} answered {status}, not a redirect")
    return _cookies(headers) or cookie


def _cookies(headers: http.client.HTTPMessage) -> str:
    return "; ".join(
        value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or []
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def find_pages(port: int, cookie: str, limit: int = 300) -> list[tuple[str, str]]:
    """(label, path) of each main page that exists, found by following links from the front page."""
    from registry import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "only-for-url-matching",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    adapter = app.url_map.bind(HOST)
    base = f"http://{HOST}:{port}"
    found: dict[str, str] = {}
    per_endpoint: dict[str, int] = {}
    queue, seen = deque(["/"]), set()
    fetched = 0
    while queue and fetched < limit and len(found) < len(MAIN_PAGES):
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            endpoint = str(adapter.match(urlsplit(path).path, method="GET")[0])
        except HTTPException:  # not one of our pages
            continue
        # Two addresses per kind of page are enough to find the links onwards.
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        if endpoint in ("static", "pages.set_language") or per_endpoint[endpoint] > 2:
            continue
        for label, is_endpoint, is_path in MAIN_PAGES:
            if label not in found and is_endpoint(endpoint) and is_path(path):
                found[label] = path
        status, body, headers = request(port, path, cookie=cookie)
        fetched += 1
        if status != 200 or "text/html" not in (headers.get("Content-Type") or ""):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        for href in parser.hrefs:
            url = urldefrag(urljoin(base + path, href)).url
            parts = urlsplit(url)
            if parts.netloc == f"{HOST}:{port}":
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return [(label, found[label]) for label, _e, _p in MAIN_PAGES if label in found]


def upload_files(port: int, folder: Path) -> list[Path]:
    """Trondheim's current process as BPMN, and the same with one step renamed.

    The uploader sends them in turn, so that every version differs from the one before and
    the comparisons are computed anew.
    """
    status, body, _h = request(port, PROCESS)
    if status != 200:
        raise SystemExit(f"GET {PROCESS} answered {status}")
    latest = json.loads(body)["latest_version"]
    path = f"{PROCESS}/versions/{latest}/file?format=bpmn"
    status, bpmn, _h = request(port, path)
    if status != 200 or b"definitions" not in bpmn[:2000]:
        raise SystemExit(f"GET {path} answered {status}, not a BPMN file")
    renamed, count = re.subn(
        rb'(<(?:\w+:)?\w*[tT]ask\b[^>]*?\bname=")([^"]*)"', rb'\1\2 (endret)"', bpmn, 1
    )
    if not count:
        raise SystemExit("the process's BPMN has no named task to rename")
    files = [
        folder / "trondheim-byggesak.bpmn",
        folder / "trondheim-byggesak-endret.bpmn",
    ]
    files[0].write_bytes(bpmn)
    files[1].write_bytes(renamed)
    return files


def run_locust(
    port: int, env: dict[str, str], prefix: Path, clients: int, duration: float
) -> subprocess.CompletedProcess[str]:
    """Locust, headless, bounded in users and time; its final statistics go to ``prefix``_*."""
    command = [
        str(BIN / "locust"),
        "-f", str(LOCUSTFILE),
        "--headless",
        "--users", str(clients),
        "--spawn-rate", str(clients),
        "--run-time", f"{duration:.0f}s",
        "--host", f"http://{HOST}:{port}",
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    print("locust command: " + " ".join(command[1:]).replace(str(ROOT) + "/", ""))
    return subprocess.run(
        command,
        env={**env, "WEB_LOAD_CSV_PREFIX": str(prefix)},
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=duration + 120,
    )


def read_stats(prefix: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Locust's rows per request name (and its 'Aggregated' row), and its failures."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        stats = list(csv.DictReader(f))
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as f:
        failures = list(csv.DictReader(f))
    return stats, failures


def report(
    stats: list[dict[str, str]],
    failures: list[dict[str, str]],
    groups: dict[str, dict[str, float]],
    pages: list[tuple[str, str]],
) -> bool:
    """Print the table; True when the pages' p95 is ≤ 300 ms and nothing failed."""
    rows = {row["Name"]: row for row in stats if row["Type"]}
    total = next((row for row in stats if row["Name"] == "Aggregated"), None)
    paths = dict(pages)
    order = [label for label, _p in pages] + [name for name, _p in API_READS]
    order += [BEFORE_UPLOAD, UPLOAD, CONFLICT]
    order += sorted(n for n in rows if n not in order)
    paths.update(dict(API_READS))
    paths.update({BEFORE_UPLOAD: PROCESS, UPLOAD: f"{PROCESS}/versions"})

    def line(
        name: str, path: str, n: int, rps: float, p: list[str], errors: int
    ) -> None:
        if not n:
            p = ["–"] * 3
        print(
            f"{name:<27} {path[:40]:<40} {n:8d} {rps:7.1f} "
            f"{p[0]:>7} {p[1]:>7} {p[2]:>7} {errors:6d}"
        )

    print(
        f"{'request':<27} {'path':<40} {'requests':>8} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    for name in order:
        if name in rows:
            row = rows[name]
            line(
                name,
                paths.get(name, ""),
                int(row["Request Count"]),
                float(row["Requests/s"]),
                [row[q] for q in ("50%", "95%", "99%")],
                int(row["Failure Count"]),
            )
    print()
    for group, g in groups.items():
        line(
            f"all {group}",
            "",
            int(g["requests"]),
            float(g["rps"]),
            [str(g[q]) for q in ("50%", "95%", "99%")],
            int(g["failures"]),
        )
    if total is not None:
        line(
            "everything",
            "",
            int(total["Request Count"]),
            float(total["Requests/s"]),
            [total[q] for q in ("50%", "95%", "99%")],
            int(total["Failure Count"]),
        )
    conflicts = int(rows[CONFLICT]["Request Count"]) if CONFLICT in rows else 0
    print(f"upload conflicts (412, counted apart, not errors): {conflicts}")
    for failure in failures:
        print(
            f"  error {failure['Method']} {failure['Name']}: {failure['Error'][:160]} "
            f"({failure['Occurrences']}x)"
        )
    if total is None or not int(total["Request Count"]):
        print("\nno requests were measured")
        return False
    p95 = float(groups["pages"]["95%"])
    errors = int(total["Failure Count"])
    ok = p95 <= 300 and errors == 0
    print(
        f"\ntarget p95 ≤ 300 ms for the pages with zero errors: {'met' if ok else 'NOT met'} "
        f"(pages p95 {p95:.0f} ms, API reads p95 {groups['api reads']['95%']} ms; "
        f"{errors} errors of {total['Request Count']} requests)"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients", type=int, default=16, help="locust users (default 16)"
    )
    parser.add_argument(
        "--duration", type=float, default=60, help="seconds of load (default 60)"
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn sync workers (default 4)"
    )
    parser.add_argument(
        "--upload-every",
        type=float,
        default=2,
        help="seconds between two uploads of the one uploading user (default 2)",
    )
    args = parser.parse_args(argv)
    if (
        not 3 <= args.clients <= 64
        or not 1 <= args.duration <= 600
        or not 1 <= args.workers <= 8
        or not 0.5 <= args.upload_every <= 60
    ):
        parser.error(
            "keep it bounded: 3–64 users, 1–600 s, 1–8 workers, an upload every 0.5–60 s"
        )

    load_at_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    server = None
    try:
        env, email, password, tokens = prepare_database(folder)
        port = free_port()
        log = folder / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, log)
        cookie = sign_in(port, email, password)
        pages = find_pages(port, cookie)
        missing = [label for label, _e, _p in MAIN_PAGES if label not in dict(pages)]
        uploads = upload_files(port, folder)
        print(
            f"gunicorn: {args.workers} sync workers on {HOST}:{port}; locust, {args.clients} users "
            f"for {args.duration:.0f} s: page readers (signed in as the demo coordinator) and API "
            f"readers (coordinator's token), 1 uploader (owner's token, every "
            f"{args.upload_every:g} s); {os.cpu_count()} CPU cores shared by server and client"
        )
        if missing:
            print(f"pages not found (not built yet?): {', '.join(missing)}")
        # Warm up every worker (imports, first queries, stored comparisons) before measuring.
        for _ in range(args.workers * 2):
            for _label, path in pages:
                request(port, path, cookie=cookie)
            for _name, path in API_READS:
                request(port, path, token=tokens["read"])
        load_before = os.getloadavg()[0]
        locust_env = {
            **os.environ,
            "WEB_LOAD_PAGES": json.dumps(pages),
            "WEB_LOAD_COOKIE": cookie,
            "WEB_LOAD_API_READS": json.dumps(API_READS),
            "WEB_LOAD_PROCESS": PROCESS,
            "WEB_LOAD_READ_TOKEN": tokens["read"],
            "WEB_LOAD_WRITE_TOKEN": tokens["write"],
            "WEB_LOAD_UPLOADS": json.dumps([str(p) for p in uploads]),
            "WEB_LOAD_UPLOAD_EVERY": str(args.upload_every),
        }
        began = dt.datetime.now(dt.UTC)
        prefix = folder / "locust"
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = run_locust(port, locust_env, prefix, args.clients, args.duration)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        print(
            f"locust ran {began:%Y-%m-%d %H:%M} UTC; machine load average (1 min) before the set-up "
            f"{load_at_start:.1f}, before/after the load {load_before:.1f} / "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(other work on the machine slows the figures down); locust itself used "
            f"{locust_cpu:.0f} CPU-seconds of the {(os.cpu_count() or 1) * args.duration:.0f}\n"
        )
        if done.returncode != 0 or not Path(f"{prefix}_stats.csv").exists():
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            raise SystemExit(f"locust exited with {done.returncode}")
        summary_file = Path(f"{prefix}_summary.json")
        if not summary_file.exists():
            raise SystemExit("locust wrote no summary (benchmarks/locustfile.py)")
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        print(
            "locust users: "
            + ", ".join(f"{n} {k}" for k, n in summary["users"].items())
        )
        warnings = [
            line
            for line in done.stderr.splitlines()
            if "WARNING" in line or "CPU" in line
        ]
        if warnings:
            print("locust warned:\n" + "\n".join(warnings[-10:]))
        stats, failures = read_stats(prefix)
        ok = report(stats, failures, summary["groups"], pages)
        logged = [
            line
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and "RATELIMIT_STORAGE_URI is memory://" not in line
        ]
        if logged:
            print(f"\ngunicorn logged {len(logged)} lines; the last ones:")
            print("\n".join(logged[-20:]))
        return 0 if ok and not missing else 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
