"""The users of the web-load benchmark, for locust; run by ``benchmarks/web_load.py``, not by hand.

``web_load.py`` prepares the server (database, demo data, tokens, gunicorn) and passes what
the users need in environment variables:

- ``WEB_LOAD_PAGES``: JSON list of ``[label, path]`` of the main pages it found;
- ``WEB_LOAD_API_READS``: JSON list of ``[name, path]`` of the API reads;
- ``WEB_LOAD_PROCESS``: the API address of the process the uploader writes to;
- ``WEB_LOAD_COOKIE``: the demo coordinator's session cookie (``Cookie`` header);
- ``WEB_LOAD_READ_TOKEN``: the coordinator's API token (scope ``coordinate``);
- ``WEB_LOAD_WRITE_TOKEN``: Trondheim's process owner's API token (scope ``write``);
- ``WEB_LOAD_UPLOADS``: JSON list of BPMN files the uploader sends in turn;
- ``WEB_LOAD_UPLOAD_EVERY``: seconds between two uploads (default 2);
- ``WEB_LOAD_CSV_PREFIX``: where to write the final statistics when locust quits:
  ``PREFIX_stats.csv`` and ``PREFIX_failures.csv`` (locust's CSV format) and
  ``PREFIX_summary.json`` (users of each kind; locust's percentiles over all pages, all API
  reads and all uploads, from its merged entries).

Three kinds of users: page readers (signed in as the coordinator, one page after the other
without a pause), API readers (four reads with the coordinator's token, no pause) and one
uploader (reads the process for its ETag, then posts a new version with ``If-Match``, once
per ``WEB_LOAD_UPLOAD_EVERY`` seconds). A 412 answer to an upload is reported under its own
name (``upload conflict (412)``), not as an error.

This module imports locust, which monkey-patches the standard library with gevent: it must
never be imported by pytest or by the registry.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, constant_pacing, events, task
from locust.env import Environment
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV, StatsEntry

UPLOAD = "api: upload"
CONFLICT = "api: upload conflict (412)"
BEFORE_UPLOAD = "api: process (uploader)"


def group_of(name: str) -> str:
    """The part of the mix a request name belongs to: pages, api reads or uploads."""
    if name.startswith("api: upload"):
        return "uploads"
    return "api reads" if name.startswith("api:") else "pages"


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise SystemExit(
            f"{name} is not set: run the benchmark with `python -m benchmarks.web_load`"
        )
    return value


@events.quitting.add_listener
def _summary(environment: Environment, **_kwargs: Any) -> None:
    """Write the final statistics: locust's CSV, users per kind, percentiles per part of the mix.

    ``--csv`` rewrites its files once a second while locust runs and not at the end, so they
    miss up to the last second of requests; these are written with the same locust class
    (``StatsCSV``) once all users have stopped.
    """
    prefix = os.environ.get("WEB_LOAD_CSV_PREFIX")
    if not prefix:
        return
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with open(f"{prefix}_stats.csv", "w", newline="", encoding="utf-8") as f:
        writer.requests_csv(csv.writer(f))
    with open(f"{prefix}_failures.csv", "w", newline="", encoding="utf-8") as f:
        writer.failures_csv(csv.writer(f))
    runner = environment.runner
    users = dict(getattr(runner, "final_user_classes_count", None) or {})
    groups: dict[str, dict[str, float]] = {}
    for group in ("pages", "api reads", "uploads"):
        merged = StatsEntry(environment.stats, group, "")
        for entry in environment.stats.entries.values():
            if group_of(entry.name) == group:
                merged.extend(entry)
        groups[group] = {
            "requests": merged.num_requests,
            "failures": merged.num_failures,
            "rps": merged.total_rps,
            **{
                f"{q:.0%}": merged.get_response_time_percentile(q)
                if merged.num_requests
                else 0
                for q in (0.5, 0.95, 0.99)
            },
        }
    Path(f"{prefix}_summary.json").write_text(
        json.dumps({"users": users, "groups": groups}), encoding="utf-8"
    )


class PageReader(FastHttpUser):
    """The coordinator reading the main pages, one after another."""

    weight = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        self.pages: list[list[str]] = json.loads(_setting("WEB_LOAD_PAGES"))
        self.headers = {
            "Cookie": _setting("WEB_LOAD_COOKIE"),
            "Accept-Language": "nb-NO",
        }
        self.next = 0

    @task
    def page(self) -> None:
        label, path = self.pages[self.next % len(self.pages)]
        self.next += 1
        with self.client.get(
            path, name=label, headers=self.headers, catch_response=True
        ) as response:
            body = response.content or b""
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not body.rstrip().endswith(b"</html>"):
                response.failure("incomplete HTML page")


class ApiReader(FastHttpUser):
    """A script reading the JSON API with the coordinator's token."""

    weight = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        self.headers = {
            "Authorization": "Bearer " + _setting("WEB_LOAD_READ_TOKEN"),
            "Accept-Language": "nb-NO",
        }
        self.reads: list[list[str]] = json.loads(_setting("WEB_LOAD_API_READS"))
        self.next = 0

    @task
    def read(self) -> None:
        name, path = self.reads[self.next % len(self.reads)]
        self.next += 1
        with self.client.get(
            path, name=name, headers=self.headers, catch_response=True
        ) as response:
            body = response.content or b""
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif path.endswith("format=bpmn"):
                if b"definitions" not in body[:2000]:
                    response.failure("not a BPMN file")
            else:
                try:
                    answer = json.loads(body)
                except ValueError:
                    response.failure("not JSON")
                    return
                if "/comparisons/" in path and answer.get("status") != "done":
                    response.failure(f"comparison {answer.get('status')}")


class Uploader(FastHttpUser):
    """A case-handling system saving a new version of Trondheim's process now and then."""

    fixed_count = 1
    wait_time = constant_pacing(float(os.environ.get("WEB_LOAD_UPLOAD_EVERY", "2")))

    def on_start(self) -> None:
        self.token = _setting("WEB_LOAD_WRITE_TOKEN")
        self.process = _setting("WEB_LOAD_PROCESS")
        self.files = [Path(p) for p in json.loads(_setting("WEB_LOAD_UPLOADS"))]
        self.contents = [p.read_bytes() for p in self.files]
        self.next = 0

    def _headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "Accept-Language": "nb-NO",
            **extra,
        }

    @task
    def upload(self) -> None:
        with self.client.get(
            self.process,
            name=BEFORE_UPLOAD,
            headers=self._headers(),
            catch_response=True,
        ) as read:
            etag = read.headers.get("ETag") if read.headers else None
            if read.status_code != 200 or not etag:
                read.failure(
                    f"HTTP {read.status_code}" if read.status_code != 200 else "no ETag"
                )
                return
        index = self.next % len(self.files)
        self.next += 1
        files: Any = {
            "file": (self.files[index].name, self.contents[index], "application/xml")
        }
        data = {"comment": "web-load benchmark"}
        with self.client.post(
            f"{self.process}/versions",
            name=UPLOAD,
            headers=self._headers(**{"If-Match": etag}),
            data=data,
            files=files,
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                return
            if response.status_code == 412:
                # Somebody saved a version in between: expected, counted apart.
                response.request_meta["name"] = CONFLICT
                response.success()
            else:
                response.failure(
                    f"HTTP {response.status_code}: {(response.text or '')[:200]}"
                )
