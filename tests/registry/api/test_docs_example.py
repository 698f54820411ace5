"""The Python script in docs/api.md, run as written against a real server with a real token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def _script() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A script in Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "docs/api.md has its example script"
    return match.group(1)


def test_the_guides_script_uploads_compares_and_downloads(
    api_site: Any, tmp_path: Path
) -> None:
    app, _ids, tokens = api_site
    client = app.test_client()
    bpmn = client.get(
        "/api/v1/cooperations/digi-trondelag/standards/byggesak/file?format=bpmn"
    ).data
    process_file = tmp_path / "process.bpmn"
    process_file.write_bytes(bpmn)
    standard_file = tmp_path / "standard.bpmn"
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            **os.environ,
            "REGISTRY_URL": f"http://127.0.0.1:{server.port}",
            "REGISTRY_TOKEN": tokens["owner"],
            "PROCESS_FILE": str(process_file),
            "STANDARD_FILE": str(standard_file),
        }
        result = subprocess.run(
            [sys.executable, "-c", _script()],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
        thread.join(5)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Lagret som versjon 2"
    assert lines[1].startswith("Likhet med standarden: ") and lines[1].endswith("%")
    assert (
        standard_file.read_bytes().startswith(b"<?xml")
        and b"<bpmn:definitions" in standard_file.read_bytes()
    )
    client_version = client.get(
        "/api/v1/municipalities/5001/processes/byggesak/versions/2"
    ).get_json()
    assert client_version["comment"] == "Eksportert fra Altinn Studio"
