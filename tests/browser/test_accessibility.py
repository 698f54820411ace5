"""axe-core (WCAG 2.1 A and AA) on every page a visitor, process owner, coordinator or admin can reach.

A crawler starts at the front page and follows the site's own links, at most
``PER_ENDPOINT`` different addresses per Flask endpoint and role, so every kind of page is
checked without visiting all 400 municipalities. The administrator, who sees every button,
goes first; axe runs once per endpoint. Each page must load without an error status and
have zero violations. A last test checks that the crawl reached every GET page of the app,
so a new page cannot escape the check by not being linked (pages that only exist after a
form is sent, such as the upload preview or form errors, are checked by the flow tests).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    axe_violations,
    format_violations,
    new_context,
    sign_in,
)

pytestmark = pytest.mark.browser

PER_ENDPOINT = 2
#: axe runs in the browser and takes seconds on long tables: once per endpoint and session.
AXE_PER_ENDPOINT = 1
MAX_PAGES = 300
#: Endpoints the crawler does not open: they change state or are not pages.
NOT_CRAWLED = {"static", "pages.set_language", "api_docs.static", "api-docs.openapi_json"}
#: The JSON API is not pages: it is fuzzed against its description (tests/registry/api/test_fuzz.py);
#: its documentation page (api_docs.docs) is crawled and checked below with Swagger UI drawn.
API_PREFIXES = ("api_catalogue.", "api_processes.", "api_coordination.", "api_harmonisation.")


def _not_crawled(endpoint: str) -> bool:
    return endpoint in NOT_CRAWLED or endpoint.startswith(API_PREFIXES)
ROLES = {
    "anonymous": None,
    "owner": "process owner for 5001",
    "coordinator": "coordinator",
    "admin": "administrator",
}
CRAWL_ORDER = ("admin", "coordinator", "owner", "anonymous")
#: GET pages no link can lead to, with the test that checks them instead.
FLOW_TESTED = {
    "variants.preview": "test_owner_flow.py (a token made by an upload)",
    "variants.diff": "test_owner_flow.py (the history's form chooses the versions)",
    "divergence.search": "test_coordinator_flow.py (the search form)",
    "standards.preview": "test_coordinator_flow.py (a token made by an upload)",
    "harmonisation.proposal_plan": "test_harmonisation_flow.py (the proposal page's member form; axe and fit)",
}


@dataclass
class Visit:
    url: str
    endpoint: str
    status: int | None = None
    download: bool = False
    violations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Crawl:
    visits: list[Visit]

    def problems(self) -> list[str]:
        out = []
        for v in self.visits:
            if v.status is None or v.status >= 400:
                out.append(f"{v.url} ({v.endpoint}) answered {v.status}")
            if v.violations:
                out.append(format_violations(f"{v.url} ({v.endpoint})", v.violations))
        return out


def _endpoint(live_server: LiveServer, url: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != live_server.url:
        return None
    adapter = live_server.app.url_map.bind("127.0.0.1")
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except HTTPException:
        return "<no route>"
    return str(endpoint)


class _Links(HTMLParser):
    """The href of every <a> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def crawl(browser: Any, live_server: LiveServer, role: str | None, checked: dict[str, int]) -> Crawl:
    """Breadth-first over the links ``role`` sees; axe on HTML pages while the endpoint's budget lasts.

    Links are followed with plain requests (same cookies) because rendering every page is
    slow; a page is opened in the browser for axe only while its endpoint has had fewer than
    ``AXE_PER_ENDPOINT`` checks in this session (``checked``, shared by the roles).
    """
    context = new_context(browser, live_server)
    page = context.new_page()
    try:
        if role is not None:
            sign_in(page, live_server.account(role))
        queue = deque([live_server.url + "/"])
        seen: set[str] = set()
        per_endpoint: dict[str, int] = {}
        visits: list[Visit] = []
        while queue and len(visits) < MAX_PAGES:
            url = queue.popleft()
            endpoint = _endpoint(live_server, url)
            if endpoint is None or _not_crawled(endpoint) or url in seen:
                continue
            seen.add(url)
            if per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
                continue
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            response = context.request.get(url, max_redirects=0)
            visit = Visit(url, endpoint, status=response.status)
            visits.append(visit)
            if "text/html" not in response.headers.get("content-type", ""):
                visit.download = True
                continue
            parser = _Links()
            parser.feed(response.text())
            for href in parser.hrefs:
                link = urldefrag(urljoin(url, href)).url
                if link not in seen:
                    queue.append(link)
            if response.status < 400 and checked.get(endpoint, 0) < AXE_PER_ENDPOINT:
                checked[endpoint] = checked.get(endpoint, 0) + 1
                page.goto(url)
                visit.violations = axe_violations(page)
        return Crawl(visits)
    finally:
        context.close()


@pytest.fixture(scope="session")
def crawls(browser: Any, live_server: LiveServer) -> dict[str, Crawl]:
    # The administrator sees the most (every button and link), so their pages are checked first.
    checked: dict[str, int] = {}
    return {name: crawl(browser, live_server, ROLES[name], checked) for name in CRAWL_ORDER}


@pytest.mark.parametrize("who", list(ROLES))
def test_every_reachable_page_loads_and_has_no_wcag_violations(crawls: dict[str, Crawl], who: str) -> None:
    result = crawls[who]
    assert len(result.visits) > 3, "the crawl found the site's pages"
    problems = result.problems()
    assert not problems, f"{len(problems)} problem(s) for {who}:\n" + "\n".join(problems)


def test_the_crawl_reaches_every_page_of_the_app(crawls: dict[str, Crawl], live_server: LiveServer) -> None:
    reached = {v.endpoint for c in crawls.values() for v in c.visits}
    pages = {
        rule.endpoint
        for rule in live_server.app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not _not_crawled(rule.endpoint) and rule.endpoint not in FLOW_TESTED
    }
    missing = sorted(pages - reached)
    assert not missing, (
        "no link leads to these GET endpoints, so the accessibility crawl never saw them "
        f"(link them from a page, or test them in a flow and list them here): {missing}"
    )


# --- pages that need a form sent or a refusal --------------------------------------------------


def test_login_form_with_errors_is_accessible(page: Any) -> None:
    page.goto("/logg-inn")
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "sign-in form with errors")


def test_admin_forms_with_errors_are_accessible(admin_page: Any) -> None:
    for path in ("/admin/brukere/ny", "/admin/kommuner/ny", "/admin/samarbeid/ny"):
        admin_page.goto(path)
        admin_page.get_by_role("main").locator("form").first.evaluate("f => f.noValidate = true")
        admin_page.get_by_role("main").locator("button[type=submit]").last.click()
        expect(admin_page.get_by_role("alert")).to_be_visible()
        assert_accessible(admin_page, f"{path} with errors")


def test_forbidden_page_says_why_and_is_accessible(owner_page: Any) -> None:
    response = owner_page.goto("/admin/brukere")
    assert response is not None and response.status == 403
    expect(owner_page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(owner_page, "403 page")


def test_not_found_page_is_accessible(page: Any) -> None:
    response = page.goto("/kommuner/9999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "404 page")


def test_english_pages_are_accessible(page: Any) -> None:
    page.goto("/sprak/en?next=/")
    for path in ("/", "/kommuner/5001", "/samarbeid/digi-trondelag"):
        page.goto(path)
        assert_accessible(page, f"{path} in English")


def test_api_key_pages_with_errors_a_new_key_and_the_lists_are_accessible(
    owner_page: Any, admin_page: Any
) -> None:
    # The new key and the refused form are answers to a POST: the crawl never sees them.
    owner_page.goto("/konto/api-nokler")
    main = owner_page.get_by_role("main")
    main.get_by_role("button", name="Lag API-nøkkel").click()
    expect(owner_page.get_by_role("alert")).to_be_visible()
    assert_accessible(owner_page, "API keys form with errors")
    main.get_by_label("Navn", exact=True).fill("Tilgjengelighetstest")
    main.get_by_label("Skrive prosesser for mine kommuner").check()
    main.get_by_role("button", name="Lag API-nøkkel").click()
    new_key = main.get_by_label("API-nøkkel", exact=True)
    expect(new_key).to_have_value(re.compile(r"^kpr_"))
    assert_accessible(owner_page, "a new API key, shown once")
    owner_page.goto("/konto/api-nokler")
    expect(main.get_by_role("table")).to_be_visible()
    assert_accessible(owner_page, "the user's API keys")
    admin_page.goto("/admin/api-nokler")
    admin_main = admin_page.get_by_role("main")
    new_row = admin_main.get_by_role("cell", name="Tilgjengelighetstest", exact=True)
    expect(new_row).to_be_visible()
    assert_accessible(admin_page, "every API key (administrators)")
