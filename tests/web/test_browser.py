"""End to end in real headless Chromium: search, facets, pages, keyboard, no JS, axe-core.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`); skipped,
with that reason, only when it is missing.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

LERUM = "naturvard/2023-10-10-lerum"
BORAS = "naturvard/2022-05-12-boras"


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def base_url(app):
    yield from serve(app)


@pytest.fixture(scope="module")
def sample_url(sample_app):
    yield from serve(sample_app)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser, url: str):
    context = browser.new_context(base_url=url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    return context, context.new_page()


def watch_errors(page) -> list[str]:
    """Collect the page's script errors and console errors (CSP violations, missing resources) as they come."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def console(message):
        # An error page's own status (404, 400) is reported too: that one is expected.
        if message.type == "error" and message.location.get("url") != page.url:
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    return errors


@contextmanager
def watched_page(browser, url: str):
    """A page at `url` that fails the test on any script error, CSP violation or missing resource."""
    context, page = new_page(browser, url)
    errors = watch_errors(page)
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def page(browser, base_url):
    with watched_page(browser, base_url) as p:
        yield p


def api(page, url: str) -> dict:
    return page.request.get("/api/search" + url[url.index("?"):] if "?" in url else "/api/search").json()


def heading_total(page) -> int:
    return int(re.search(r"(\d+) dokument", page.locator("#traffar-rubrik").inner_text())[1])


def query_of(page) -> list[tuple[str, str]]:
    return sorted(parse_qsl(urlsplit(page.url).query))


def facet_box(page, facet: str, value: str):
    return page.locator(f'input[type="checkbox"][name="{facet}"][value="{value}"]')


def test_search_tick_facets_and_remove_one(page):
    page.goto("/")
    page.get_by_label("Sökord").fill("nyckelbiotoper")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url(re.compile(r"q=nyckelbiotoper"))
    assert heading_total(page) == api(page, page.url)["total"] == 3
    assert page.locator("li.hit mark").first.is_visible()

    # Two values in one facet (OR) and one in another (AND); JS submits on each change.
    for facet, value in (("type", "presentation"), ("type", "follow-up"), ("group", "naturvard")):
        with page.expect_navigation():
            facet_box(page, facet, value).check()
    assert query_of(page) == [("group", "naturvard"), ("q", "nyckelbiotoper"),
                              ("type", "follow-up"), ("type", "presentation")]
    data = api(page, page.url)
    assert heading_total(page) == data["total"] == 2
    assert sorted(page.locator("li.hit h3 a").all_inner_texts()) == sorted(h["title"] for h in data["hits"])
    assert facet_box(page, "type", "presentation").is_checked() and facet_box(page, "type", "follow-up").is_checked()
    # Counts shown next to each type are the API's: the type filter itself left out.
    for value, count in data["facets"]["type"].items():
        label = page.locator(f'label[for="{facet_box(page, "type", value).get_attribute("id")}"]')
        assert label.locator(".count").inner_text().split()[0] == str(count)

    # Remove one filter alone, then all.
    page.get_by_role("link", name=re.compile("Typ: Presentation")).click()
    assert query_of(page) == [("group", "naturvard"), ("q", "nyckelbiotoper"), ("type", "follow-up")]
    assert heading_total(page) == 1
    page.get_by_role("link", name="Rensa alla").click()
    assert query_of(page) == [("q", "nyckelbiotoper")]


def test_paginate(page):
    page.goto("/?q=miljömålsuppföljning")
    total = heading_total(page)
    assert total > 10 and page.locator("li.hit").count() == 10
    first_titles = page.locator("li.hit h3 a").all_inner_texts()
    page.get_by_role("link", name="Nästa sida").click()
    assert ("page", "2") in query_of(page) and ("q", "miljömålsuppföljning") in query_of(page)
    assert page.locator("ol.hits").get_attribute("start") == "11"
    assert page.locator("li.hit").count() == total - 10
    assert set(page.locator("li.hit h3 a").all_inner_texts()).isdisjoint(first_titles) or total - 10 < 10
    page.get_by_role("link", name="Sida 1", exact=True).click()
    assert ("page", "2") not in query_of(page)


def test_keyboard_only_reaches_the_results(page):
    page.goto("/?q=parkslide")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till träffarna"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the sort control and its button
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('li.hit') !== null")
    assert focused, page.evaluate("document.activeElement.outerHTML")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/documents/" in page.url


def test_keyboard_ticks_a_facet_and_keeps_focus(page):
    page.goto("/?q=parkslide")
    box = facet_box(page, "type", "minutes")
    box.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert ("type", "minutes") in query_of(page)
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == ["type", "minutes"]
    assert page.evaluate("document.activeElement.checked")


def test_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("Sökord").fill("parkslide")
        page.get_by_role("button", name="Sök", exact=True).click()
        assert query_of(page) == [("q", "parkslide")]  # empty fields dropped by a redirect
        facet_box(page, "type", "presentation").check()  # nothing happens without JS…
        assert query_of(page) == [("q", "parkslide")]
        page.get_by_role("button", name="Visa träffar").click()  # …until the form is sent
        assert query_of(page) == [("q", "parkslide"), ("type", "presentation")]
        assert heading_total(page) == 1
        page.get_by_label("Sortera").select_option("oldest")
        page.get_by_role("button", name="Sortera").click()
        assert ("sort", "oldest") in query_of(page)
        assert page.locator(".js-only").is_hidden()
    finally:
        context.close()


def test_open_a_document_at_the_right_page(page):
    page.goto("/?q=kommunerna+bekämpar")
    link = page.locator("li.hit a.page-link").first
    assert link.inner_text() == "sida 2"
    link.click()
    assert page.url.endswith("#sida-2") and "q=kommunerna" in page.url
    section = page.locator("#sida-2")
    assert section.locator("mark").first.is_visible()
    assert section.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }")
    # A PDF hit opens the PDF itself at its page.
    page.goto("/?q=slutsatser")
    href = page.locator("li.hit a.page-link").first.get_attribute("href")
    assert href == f"/files/{LERUM}/bilaga.pdf#page=3"
    response = page.request.get(href.split("#")[0])
    assert response.headers["content-type"] == "application/pdf"
    # The download link gives the original file.
    page.goto(f"/documents/{LERUM}/minnesanteckningar.docx")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Ladda ner originalet")).click()
    assert download.value.suggested_filename == "minnesanteckningar.docx"


def test_group_history(page):
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Naturvårdsgruppen").click()
    assert page.locator("h1").inner_text() == "Naturvårdsgruppen"
    meetings = page.locator("li.meeting h3")
    assert meetings.count() == 3
    assert "10 oktober 2023" in meetings.first.inner_text()
    assert page.get_by_role("group", name="Möten och dokument per år").is_visible()
    page.get_by_text("Visa som tabell").click()
    assert page.locator(".chart-table table").is_visible()
    page.get_by_label("Sök i Naturvårdsgruppens dokument").fill("lupin")
    page.get_by_label("Sök i Naturvårdsgruppens dokument").press("Enter")
    page.wait_for_url(re.compile("q=lupin"))
    assert ("group", "naturvard") in query_of(page)
    assert facet_box(page, "group", "naturvard").is_checked()


AXE_PAGES = [
    "/",
    "/?q=landskapsplanering&type=minutes&type=presentation&group=naturvard",
    "/?q=landskapsplanring",
    "/?q=landskapsplanring&exact=1",
    "/?q=miljömålsuppföljning&page=2",
    "/groups/naturvard",
    "/groups/rattvis-handel",
    f"/documents/{LERUM}/bilaga.pdf?q=landskapsplanering",
    f"/documents/{BORAS}/trasig-bilaga.pdf",
    "/finns-inte",
    "/?sort=fel",
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, axe_source: str) -> list[str]:
    for details in page.locator("details").all():  # check what is folded away too
        details.evaluate("d => d.open = true")
    page.evaluate(axe_source)
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
        resultTypes: ["violations"]})""")
    assert result["testEngine"]["name"] == "axe-core" and result["passes"], "axe-core did not run"
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]]


@pytest.mark.parametrize("url", AXE_PAGES)
def test_axe_finds_no_violations(page, axe_source, url):
    page.goto(url)
    assert axe_violations(page, axe_source) == []


def test_the_three_jobs_on_the_sample_archive(browser, sample_url, axe_source):
    """Find what was said about a topic; read a group's history; open and download a document."""
    context, page = new_page(browser, sample_url)
    try:
        page.goto("/")
        assert axe_violations(page, axe_source) == []
        page.get_by_label("Sökord").fill("landskapsplanering")
        page.get_by_label("Sökord").press("Enter")
        page.wait_for_url(re.compile("q=landskapsplanering"))
        assert heading_total(page) == api(page, page.url)["total"] > 0
        assert page.locator("li.hit .snippet mark").count() > 0
        assert axe_violations(page, axe_source) == []

        page.locator("li.hit h3 a").first.click()
        assert "/documents/" in page.url and "q=landskapsplanering" in page.url
        assert page.locator(".doc-text mark").count() > 0
        assert axe_violations(page, axe_source) == []
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Ladda ner originalet")).click()
        assert download.value.suggested_filename == page.url.split("?")[0].rsplit("/", 1)[-1]

        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Naturvårdsgruppen").click()
        assert page.locator("h1").inner_text() == "Naturvårdsgruppen"
        assert page.locator("li.meeting").count() > 1
        dates = page.locator("li.meeting time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
        assert dates == sorted(dates, reverse=True)
        assert axe_violations(page, axe_source) == []
    finally:
        context.close()
