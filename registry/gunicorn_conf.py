"""Production gunicorn settings: ``gunicorn -c python:registry.gunicorn_conf 'registry:create_app()'``.

Which proxies are trusted is decided in ONE place, the app's ``TRUSTED_PROXIES``
(werkzeug's ProxyFix, see registry/security.py). gunicorn itself would otherwise believe
``X-Forwarded-Proto`` (and rewrite ``SCRIPT_NAME``/``PATH_INFO``) from any peer in
``forwarded_allow_ips`` – by default 127.0.0.1, i.e. from every local process – and
from every client on a UNIX socket. So here gunicorn trusts no forwarded header at all.

Environment: ``REGISTRY_BIND`` (default ``127.0.0.1:8000``: only the reverse proxy on
this host reaches the app; never expose it directly when TRUSTED_PROXIES > 0),
``REGISTRY_WORKERS`` (default 4). With more than one worker set
``RATELIMIT_STORAGE_URI`` to a shared store (Redis): memory:// counts per worker.
"""

from __future__ import annotations

import os

bind = os.environ.get("REGISTRY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("REGISTRY_WORKERS", "4"))

# No forwarded header is trusted by gunicorn; the app's ProxyFix(TRUSTED_PROXIES) decides.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
proxy_protocol = False

# Bounded requests: headers and the request line (bodies are bounded by MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
timeout = 60
