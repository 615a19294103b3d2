"""In real headless Chromium, on the sample archive: searching on a phone, the keys, the sort
menu, printing, documents shown as they were written, and the group page's year index.

Needs Debian's Chromium at /usr/bin/chromium; skipped, with that reason, when it is missing.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_browser import CHROMIUM, axe_violations, browser, serve  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MINUTES_DOCX = "/documents/miljostrategi/2018-04-19-trollhattan/minnesanteckningar.docx"
PLAN_MD = "/documents/miljostrategi/ovrigt/verksamhetsplan-2020.md"
SLIDES = "/documents/naturvard/2023-10-10-lerum/skogsstyrelsen-nyckelbiotoper.pptx"

# Elements whose right edge is past the viewport, outside a table's own sideways-scrolling box.
TOO_WIDE = """() => [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    if (e.parentElement.closest('.table-scroll')) { return false; }
    return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5 && getComputedStyle(e).position !== 'absolute';
  }).map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture(scope="module")
def url(sample_app):
    yield from serve(sample_app)


@pytest.fixture(scope="module")
def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def open_page(browser, url):  # noqa: F811 - the imported fixture
    contexts = []

    def open_page(viewport=DESKTOP, javascript=True):
        context = browser.new_context(base_url=url, locale="sv-SE", viewport=viewport, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        return page

    yield open_page
    for c in contexts:
        c.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where the screenshots go: $ARKIV_SHOTS to keep and look at them, else a temporary folder."""
    folder = Path(os.environ["ARKIV_SHOTS"]) if os.environ.get("ARKIV_SHOTS") else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shot(shots):
    def shot(page, name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return shot


# -- officials searching ------------------------------------------------------------------------
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_phone_shows_the_first_hit_on_the_first_screen(open_page, shot, javascript):
    page = open_page(PHONE, javascript)
    page.goto("/?q=invasiva arter")
    top = page.locator("li.hit").first.evaluate("e => e.getBoundingClientRect().top")
    assert 0 < top < PHONE["height"], top
    assert page.evaluate(TOO_WIDE) == []
    # The filters are one button away, and the button opens them with or without JavaScript.
    fold = page.locator("details.filters-fold > summary")
    assert fold.is_visible() and fold.inner_text().strip().endswith("Avgränsa")
    box = page.locator('input[name="type"][value="presentation"]')
    assert not box.is_visible()
    fold.click()
    assert box.is_visible()
    shot(page, f"phone-search-{'js' if javascript else 'no-js'}")


def test_phone_fold_counts_the_filters_in_force_and_keeps_them_working(open_page):
    page = open_page(PHONE)
    page.goto("/?q=invasiva arter&type=presentation&year=2017")
    assert re.search(r"Avgränsa\s*\(2 valda\)", page.locator("details.filters-fold > summary").inner_text())
    page.locator("details.filters-fold > summary").click()
    with page.expect_navigation():
        page.locator('input[name="type"][value="presentation"]').uncheck()
    assert "type=" not in page.url and "year=2017" in page.url
    assert re.search(r"\(1 valt\)", page.locator("details.filters-fold > summary").inner_text())
    # Focus came back to the box that was unticked, so its fold is open again.
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == ["type", "presentation"]


def test_desktop_shows_the_filters_beside_the_hits_without_a_button(open_page):
    for javascript in (True, False):
        page = open_page(DESKTOP, javascript)
        page.goto("/?q=invasiva arter")
        assert not page.locator("details.filters-fold > summary").is_visible()
        assert page.locator('input[name="type"][value="presentation"]').is_visible()
        assert page.get_by_role("heading", name="Avgränsa").is_visible()


@pytest.mark.parametrize("path", ["/", "/?q=invasiva arter", "/groups/miljostrategi", "/groups/rattvis-handel",
                                  MINUTES_DOCX, PLAN_MD, SLIDES])
def test_phone_nothing_is_wider_than_the_screen(open_page, path):
    page = open_page(PHONE)
    page.goto(path)
    assert page.evaluate(TOO_WIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The long compounds wrap inside their box: the heading's text is no wider than the heading.
    assert page.locator("h1").evaluate("h => h.scrollWidth <= h.clientWidth")


def test_phone_long_group_name_wraps(open_page):
    page = open_page(PHONE)
    page.goto("/groups/miljostrategi")
    h1 = page.locator("h1")
    assert h1.inner_text() == "Miljöstrategigruppen"
    assert h1.evaluate("h => getComputedStyle(h).hyphens") == "auto"
    assert h1.evaluate("h => h.closest('[lang]').lang") == "sv"
    assert h1.evaluate("h => h.scrollWidth <= h.clientWidth")
    # The name fits on one line: not cut into "Miljöstrategigrupp" and "en".
    assert h1.evaluate("h => h.getBoundingClientRect().height < 1.5 * parseFloat(getComputedStyle(h).lineHeight)")


def test_sort_menu_shows_the_order_in_force(open_page):
    page = open_page()
    page.goto("/")
    assert "nyast först" in page.locator("#traffar-rubrik").inner_text()
    select = page.locator("#sort")
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "nyast"
    assert "relevans" not in select.inner_text()  # nothing to rank without words
    dates = page.locator("li.hit time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    # Typed into the same form, a query is still ranked: the default order went with it.
    page.get_by_label("Sökord").fill("landskapsplanering")
    page.get_by_label("Sökord").press("Enter")
    page.wait_for_url(re.compile("q=landskapsplanering"))
    assert "sort=" not in page.url
    assert page.locator("#sort").evaluate("s => s.options[s.selectedIndex].text") == "relevans"
    page.goto("/?sort=oldest")
    assert "äldst först" in page.locator("#traffar-rubrik").inner_text()
    assert page.locator("#sort").evaluate("s => s.value") == "oldest"


def test_pages_only_where_the_format_has_them(open_page):
    page = open_page()
    labels: dict[str, list[int]] = {}  # file extension -> page links of its hits
    for query in ("klimatlöften", "invasiva arter"):
        page.goto(f"/?q={query}&limit=50")
        hits = page.locator("li.hit")
        for i in range(hits.count()):
            ext = hits.nth(i).locator("h3 a").get_attribute("href").split("?")[0].rsplit(".", 1)[-1]
            labels.setdefault(ext, []).append(hits.nth(i).locator(".page-link").count())
    assert set(labels) >= {"docx", "pdf", "pptx"}, labels
    assert set(labels["docx"]) == {0} and set(labels.get("md", [0])) == {0} and set(labels.get("txt", [0])) == {0}
    assert set(labels["pdf"]) == {1} and set(labels["pptx"]) == {1}


def test_slash_goes_to_the_search_box_and_escape_leaves_it(open_page):
    page = open_page()
    page.goto("/?q=lupin")
    assert "Tryck på / var som helst" in page.locator("#sokhjalp").inner_text()
    assert page.locator("#q").get_attribute("aria-keyshortcuts") == "/"
    page.locator("li.hit h3 a").first.focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("#q").input_value() == "lupin"  # the "/" was not typed into it
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "q"
    assert page.locator("#q").input_value() == "lupin"  # left, not emptied
    # In another field "/" is a character like any other.
    page.locator("#from").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "from"
    # The group page's search box answers "/" too.
    page.goto("/groups/naturvard")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q-grupp"


@pytest.mark.parametrize("path", ["/?q=invasiva arter&type=presentation", SLIDES + "?q=nyckelbiotop"])
def test_print_shows_the_content_only(open_page, shot, path):
    page = open_page()
    page.goto(path)
    page.emulate_media(media="print")
    for selector in (".site-nav", ".site-footer", ".coordinator-line", ".search-box", ".filters-fold", ".sort",
                     ".doc-actions", ".search-help", ".follow", "button"):
        loc = page.locator(selector)
        assert all(not loc.nth(i).is_visible() for i in range(loc.count())), selector
    main = page.locator("li.hit").first if "q=invasiva" in path else page.locator(".doc-text")
    assert main.is_visible()
    shot(page, "print-" + ("search" if "q=invasiva" in path else "document"))


# -- new members reading ------------------------------------------------------------------------
def test_word_headings_lists_and_tables_are_kept(open_page, shot):
    page = open_page()
    page.goto(MINUTES_DOCX + "?q=klimatlöften")
    text = page.locator(".doc-text .as-written")
    assert text.locator("h3", has_text="Minnesanteckningar, Miljöstrategigruppen i Trollhättan").count() == 1
    assert text.locator("h4", has_text="Närvarande").count() == 1
    assert text.locator("h4", has_text="2. Klimat 2030").count() == 1  # a numbered heading, not a list
    items = text.locator("ul > li")
    assert items.count() >= 4 and "klimatlöften att välja mellan" in items.first.inner_text()
    assert text.locator("mark").count() > 0 and page.locator("#forsta-traffen").count() == 1
    shot(page, "document-docx")


def test_markdown_is_rendered(open_page, shot):
    page = open_page()
    page.goto(PLAN_MD)
    text = page.locator(".doc-text .as-written")
    assert text.locator("h3").first.inner_text() == "Verksamhetsplan 2020 – Miljöstrategigruppen"
    assert text.locator("h4", has_text="Mål för året").count() == 1
    assert text.locator("ul > li").count() == 4
    table = text.get_by_role("region", name="Tabell 1").locator("table")
    assert table.locator("thead th").all_inner_texts() == ["Kvartal", "Tema", "Värd"]
    assert table.locator("tbody tr").count() == 4
    assert "|---|" not in page.locator(".doc-text").inner_text() and "## " not in page.locator(".doc-text").inner_text()
    shot(page, "document-markdown")


def test_markdown_snippets_are_plain_text(open_page):
    page = open_page()
    page.goto("/?q=kvartal")
    snippet = page.locator("li.hit", has=page.locator('a[href*="verksamhetsplan-2020.md"]')).locator(".snippet")
    assert snippet.count() == 1
    assert "#" not in snippet.inner_text() and "---" not in snippet.inner_text()


def test_speaker_notes_under_each_slide(open_page, shot):
    page = open_page()
    page.goto(SLIDES)
    slide = page.locator("#sida-2")
    assert slide.locator(".as-written").inner_text().startswith("Vad är en nyckelbiotop?")
    assert "Poängtera skillnaden" not in slide.locator(".as-written").inner_text()  # not mixed into the slide
    notes = slide.locator("aside.speaker-notes")
    assert notes.get_by_role("heading").inner_text().startswith("Talaranteckningar")
    assert "Poängtera skillnaden mellan nyckelbiotop och formellt skydd" in notes.inner_text()
    assert slide.locator(".as-written ul > li").count() == 4
    shot(page, "document-slides")


def test_group_page_year_index_and_chart_bars_jump(open_page, shot):
    page = open_page()
    page.goto("/groups/miljostrategi")
    index = page.get_by_role("navigation", name="Möten per år")
    years = index.get_by_role("link").all_inner_texts()
    assert years == sorted(years, reverse=True) and "2019" in years
    index.get_by_role("link", name="2019").click()
    assert page.url.endswith("#ar-2019")
    first = page.locator("#ar-2019 + li.meeting time")
    assert first.get_attribute("datetime").startswith("2019-")
    assert page.locator("#ar-2019").evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    # The chart's bars: each year with meetings is a link to them, named with its numbers.
    bar = page.get_by_role("link", name=re.compile(r"^2018: 1 möte, 3 dokument"))
    assert bar.count() == 1
    page.evaluate("scrollTo(0, 0)")
    bar.click()
    assert page.url.endswith("#ar-2018")
    # A year without meetings is not a link.
    assert page.get_by_role("link", name=re.compile(r"^2016:")).count() == 0
    shot(page, "group-year-index")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", ["/", "/?q=invasiva arter", "/?q=invasiva arter&type=presentation",
                                  "/groups/miljostrategi", MINUTES_DOCX + "?q=klimatlöften", PLAN_MD, SLIDES])
def test_axe_finds_no_violations(open_page, axe_source, viewport, path):
    page = open_page(viewport)
    page.goto(path)
    assert axe_violations(page, axe_source) == []
