"""A new member opens a meeting from the timeline and reads what was decided, in real headless Chromium.

Also the decisions page, the municipality facet and a coordinator's meeting edit, each
checked by axe-core, at phone (390x844) and desktop (1280) widths. Screenshots go to
$ARKIV_SCREENSHOTS when set (to be looked at), else to the test's tmp_path.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from coord import NAME, PASSWORD
from meeting_archive import LERUM, MINUTES, build_meetings
import test_browser as shared
from test_browser import CHROMIUM, axe_violations, serve, watched_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

# The browser and axe-core of test_browser.py, as this module's fixtures too.
browser, axe_source = shared.browser, shared.axe_source
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_meetings(tmp_path_factory.mktemp("browser-meetings"))


@pytest.fixture(scope="module")
def url(site):
    yield from serve(site[1])


@pytest.fixture
def page(browser, url):
    with watched_page(browser, url) as p:
        yield p


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ARKIV_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def at_both_widths(page, axe_source, shots: Path, name: str) -> None:
    """axe-core at desktop and phone width, a full-page screenshot of each; nothing wider than the phone."""
    for label, size in (("desktop", DESKTOP), ("telefon", PHONE)):
        page.set_viewport_size(size)
        assert axe_violations(page, axe_source) == [], label
        if label == "telefon":
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{name} scrolls sideways on a phone: {wide}px"
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_new_member_opens_a_meeting_and_reads_the_decisions(page, axe_source, shots):
    page.goto("/groups/naturvard")
    assert axe_violations(page, axe_source) == []
    page.locator("#mote-2023-10-10-lerum h3 a").click()
    page.wait_for_url(re.compile(f"/meetings/{LERUM}$"))
    assert page.locator("h1").inner_text() == "Grön infrastruktur"
    assert "10 oktober 2023" in page.locator(".meeting-when").inner_text()
    decisions = page.locator(".agenda .decision").all_inner_texts()
    assert any("gemensam handlingsplan" in d for d in decisions)
    assert page.locator(".attendee-place").first.inner_text().startswith("Alingsås")
    at_both_widths(page, axe_source, shots, "mote")

    # The item opens its document at the item's heading.
    page.get_by_role("link", name=re.compile("Invasiva arter")).first.click()
    page.wait_for_url(re.compile(f"/documents/{MINUTES}#punkt-3$"))
    heading = page.locator("p:has(> #punkt-3)")
    assert heading.inner_text().startswith("§ 3 Invasiva arter")
    top = heading.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 200, top

    # Previous and next meeting by keyboard-reachable links.
    page.go_back()
    neighbours = page.get_by_role("navigation", name="Gruppens andra möten")
    neighbours.get_by_role("link", name=re.compile("Nästa möte")).click()
    page.wait_for_url(re.compile("/meetings/naturvard/2024-02-01$"))


def test_decisions_page_search_and_links(page, axe_source, shots):
    page.goto("/groups/naturvard/decisions")
    assert page.locator(".decision-entry").count() == 4
    dates = page.locator(".decision-meeting time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    at_both_widths(page, axe_source, shots, "beslut")
    box = page.get_by_role("searchbox", name="Sök bland besluten")
    box.fill("parkslide")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=parkslide"))
    assert page.locator(".decision-entry").count() == 1
    assert axe_violations(page, axe_source) == []
    page.locator(".decision-entry a", has_text="punkt").click()
    page.wait_for_url(re.compile(r"#punkt-3$"))


def test_municipality_facet_ticks_like_the_others(page, axe_source):
    page.goto("/?q=parkslide")
    box = page.get_by_role("checkbox", name=re.compile("^Alingsås"))
    box.check()
    page.wait_for_url(re.compile("municipality=Alings"))
    assert page.get_by_role("checkbox", name=re.compile("^Alingsås")).is_checked()
    assert page.locator("li.hit").count() == 1
    assert axe_violations(page, axe_source) == []


def test_coordinator_edits_a_meeting_in_the_browser(page, axe_source, shots):
    page.goto("/login")
    page.get_by_label("Användarnamn").fill(NAME)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"/meetings/{LERUM}")
    page.get_by_role("link", name="Rätta mötets uppgifter").click()
    at_both_widths(page, axe_source, shots, "mote-rattning")
    page.get_by_label(re.compile("^Plats")).fill("Lerums kommunhus")
    page.get_by_label(re.compile("^Talare")).fill("Karin Sjö, Skogsstyrelsen\nAnna Berg, Lerums kommun")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(f"/meetings/{LERUM}$"))
    assert "Sparat" in page.locator(".flashes").inner_text()
    assert "Lerums kommunhus" in page.locator(".meeting-when").inner_text()
    assert page.locator(".speakers li").count() == 2
    page.get_by_role("link", name="Rätta mötets uppgifter").click()
    page.get_by_label(re.compile("^Titel")).fill("x" * 400)  # maxlength keeps it to 300
    assert len(page.get_by_label(re.compile("^Titel")).input_value()) == 300
    assert axe_violations(page, axe_source) == []
