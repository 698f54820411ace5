"""The web app under load: 16 concurrent clients for 60 s against the main pages, served by gunicorn.

Target (registry web app issue): p95 ≤ 300 ms with zero errors.

What it does, all on 127.0.0.1:

1. creates a fresh SQLite database in a temporary folder, migrates it and loads the demo
   data with the same commands as ``make run`` (``flask db upgrade``, ``flask seed-demo``);
2. starts gunicorn (``registry:create_app()``, production settings: not debug, a random
   secret key) with ``--workers`` sync workers on a free loopback port;
3. finds the main pages by following the site's links as the demo coordinator (front page,
   municipality list, the DigiTrøndelag cooperation page, its divergence map and a
   comparison page, when those pages exist) and signs in once (pages that need a session
   get the coordinator's cookie);
4. runs ``--clients`` threads for ``--duration`` seconds, each sending one request at a time
   (HTTP/1.1, a new connection per request as gunicorn's sync workers close them) and
   cycling through the pages; every response must be 200 with a complete HTML body;
5. prints latency percentiles, requests per second and errors per page and overall.

The client runs on the same machine (and cores) as the server, so the figures are a
conservative bound for a server with the same cores to itself.

Run from the repository root::

    .venv/bin/python -m benchmarks.web_load                 # 16 clients, 60 s, 4 workers
    .venv/bin/python -m benchmarks.web_load --duration 10   # a quick look
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

#: (label, test on a Flask endpoint name, extra test on the path)
MAIN_PAGES = (
    ("front page", lambda e: e == "pages.index", lambda p: True),
    ("municipality list", lambda e: e == "municipalities.index", lambda p: True),
    ("cooperation page", lambda e: e == "cooperations.show", lambda p: p.rstrip("/").endswith("digi-trondelag")),
    ("divergence map", lambda e: e == "divergence.show", lambda p: "?" not in p),
    ("comparison page", lambda e: e == "comparisons.with_standard", lambda p: True),
    ("proposal page", lambda e: e == "harmonisation.proposal", lambda p: "?" not in p),
    ("change plan", lambda e: e == "harmonisation.plan", lambda p: "?" not in p),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def prepare_database(folder: Path) -> tuple[dict[str, str], str, str]:
    """Migrate and seed a new SQLite database; return the environment and the coordinator's login."""
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "registry.sqlite"),
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        # Secure cookies would need HTTPS; the benchmark talks plain HTTP on loopback.
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_REMEMBER_COOKIE_SECURE": "false",
        "FLASK_RATELIMIT_ENABLED": "false",
    }
    flask = [str(BIN / "flask"), "--app", "registry"]
    seed_env = {**env, "FLASK_DEBUG": "1"}  # seed-demo refuses to run outside debug mode
    subprocess.run([*flask, "db", "upgrade"], env=seed_env, cwd=ROOT, check=True, capture_output=True)
    seeded = subprocess.run(
        [*flask, "seed-demo"], env=seed_env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    match = re.search(r"^\s+(\S+@\S+)\s+(\S+)\s+\(coordinator", seeded.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"seed-demo printed no coordinator account:\n{seeded.stdout}")
    return env, match[1], match[2]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--backlog", "256",
        "--log-level", "warning",
        "registry:create_app()",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _headers = request(port, "/", timeout=2)
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
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
    timeout: float = 30,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Accept-Language": "nb-NO", "User-Agent": "web-load-benchmark"}
        if cookie:
            headers["Cookie"] = cookie
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
    form = urlencode({"csrf_token": token[1].decode(), "email": email, "password": password})
    status, _body, headers = request(port, "/logg-inn", method="POST", body=form, cookie=cookie)
    if status != 302:
        raise SystemExit(f"signing in as {email} answered {status}, not a redirect")
    return _cookies(headers) or cookie


def _cookies(headers: http.client.HTTPMessage) -> str:
    return "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or [])


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

    app = create_app({"TESTING": True, "SECRET_KEY": "only-for-url-matching", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
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


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def load(
    port: int, pages: list[tuple[str, str]], cookie: str, clients: int, duration: float
) -> tuple[dict[str, Stats], float]:
    """``clients`` threads, each with one request in flight, cycling through ``pages``."""
    stats = {label: Stats() for label, _path in pages}
    lock = threading.Lock()
    start = threading.Event()
    stop_at = [0.0]

    def client(index: int) -> None:
        start.wait()
        i = index
        while time.monotonic() < stop_at[0]:
            label, path = pages[i % len(pages)]
            i += 1
            began = time.perf_counter()
            try:
                status, body, _headers = request(port, path, cookie=cookie, timeout=30)
                elapsed = time.perf_counter() - began
                problem = None if status == 200 and body.rstrip().endswith(b"</html>") else f"HTTP {status}"
            except OSError as exc:
                elapsed = time.perf_counter() - began
                problem = type(exc).__name__
            with lock:
                if problem:
                    stats[label].error(problem)
                else:
                    stats[label].latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    began = time.monotonic()
    stop_at[0] = began + duration
    start.set()
    for t in threads:
        t.join()
    return stats, time.monotonic() - began


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def report(stats: dict[str, Stats], elapsed: float, pages: list[tuple[str, str]]) -> bool:
    rows = [(label, path, stats[label]) for label, path in pages]
    everything = Stats(
        latencies=[x for _l, _p, s in rows for x in s.latencies],
        errors={k: sum(s.errors.get(k, 0) for _l, _p, s in rows) for _l, _p, s in rows for k in s.errors},
    )
    rows.append(("all pages", "", everything))
    print(f"{'page':<18} {'path':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for label, path, s in rows:
        n = len(s.latencies)
        errors = sum(s.errors.values())
        if n:
            p50, p95, p99 = (percentile(s.latencies, q) * 1000 for q in (50, 95, 99))
            figures = f"{p50:7.0f} {p95:7.0f} {p99:7.0f}"
        else:
            figures = f"{'–':>7} {'–':>7} {'–':>7}"
        print(f"{label:<18} {path[:34]:<34} {n + errors:8d} {(n + errors) / elapsed:7.1f} {figures} {errors:6d}")
        for kind, count in s.errors.items():
            print(f"{'':<18}   error {kind}: {count}")
    p95_all = percentile(everything.latencies, 95) * 1000 if everything.latencies else float("inf")
    ok = p95_all <= 300 and not everything.errors
    print(f"\ntarget p95 ≤ 300 ms with zero errors: {'met' if ok else 'NOT met'} (p95 {p95_all:.0f} ms, "
          f"{sum(everything.errors.values())} errors, {elapsed:.1f} s)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.duration <= 600 or not 1 <= args.workers <= 8:
        parser.error("keep it bounded: 1–64 clients, 1–600 s, 1–8 workers")

    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    server = None
    try:
        env, email, password = prepare_database(folder)
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        cookie = sign_in(port, email, password)
        pages = find_pages(port, cookie)
        missing = [label for label, _e, _p in MAIN_PAGES if label not in dict(pages)]
        print(f"gunicorn: {args.workers} sync workers on {HOST}:{port}; {args.clients} clients for "
              f"{args.duration:.0f} s; signed in as the demo coordinator; {os.cpu_count()} CPU cores "
              "shared by server and client")
        if missing:
            print(f"pages not found (not built yet?): {', '.join(missing)}")
        # Warm up every worker (imports, first queries) before measuring.
        for _ in range(args.workers * 2):
            for _label, path in pages:
                request(port, path, cookie=cookie)
        load_before = os.getloadavg()[0]
        stats, elapsed = load(port, pages, cookie, args.clients, args.duration)
        print(f"machine load average (1 min) before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores (other work on the machine slows the figures down)\n")
        ok = report(stats, elapsed, pages)
        return 0 if ok and not missing else 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
