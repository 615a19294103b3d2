"""Coordinator pages in real Chromium at 1280 px and 390 px: the review, /changes, /trash — axe-core clean,
"Logga ut" on one line, nothing wider than the phone; screenshots to $ARKIV_SHOTS when it is set."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from coord import MINUTES, NAME, PASSWORD, build
from test_browser import CHROMIUM, CHROMIUM_ARGS, axe_violations, serve

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
SHOTS = os.environ.get("ARKIV_SHOTS")


@pytest.fixture
def coord(tmp_path):
    return build(tmp_path)


@pytest.fixture(scope="module")
def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _check(page, axe_source, name: str, width: int) -> None:
    assert axe_violations(page, axe_source) == [], name
    logout = page.get_by_role("button", name=re.compile("^Logga ut"))
    height = logout.evaluate("b => b.getBoundingClientRect().height")
    line = logout.evaluate("b => parseFloat(getComputedStyle(b).lineHeight) || 24")
    assert height < 1.6 * line, f"{name}: Logga ut wraps ({height} px for a {line} px line)"
    wide = page.evaluate(f"""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > {width} + 1).map(e => e.tagName + '.' + e.className)""")
    assert wide == [], f"{name}: wider than {width} px: {wide[:5]}"
    _shot(page, f"{name}-{width}")


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_review_changes_and_trash_pages(coord, axe_source, width, height):
    from playwright.sync_api import sync_playwright

    same = (coord.archive / MINUTES).read_bytes()
    for base in serve(coord.app):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context(base_url=base, locale="sv-SE",
                                       viewport={"width": width, "height": height}).new_page()
            page.goto("/login")
            page.get_by_label("Användarnamn").fill(NAME)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
            page.goto("/upload")
            page.get_by_label("Grupp").select_option(label="Naturvårdsgruppen")
            page.get_by_label("Möte", exact=True).select_option(value="ny")
            page.get_by_label("Datum").fill("2026-03-04")
            page.get_by_label("Plats").fill("Alingsås")
            page.get_by_label("Filer").set_input_files(files=[
                {"name": "minnesanteckningar-4-mars.txt", "mimeType": "text/plain",
                 "buffer": "Minnesanteckningar från Naturvårdsgruppens möte i Alingsås den 4 mars 2026. "
                           "Vi talade om ålgräs, blåmusslor och invasiva arter längs kusten.".encode()},
                {"name": "kopia.txt", "mimeType": "text/plain", "buffer": same}])
            page.get_by_role("button", name="Läs filerna och visa förslaget").click()
            page.wait_for_url(re.compile(r"/upload/[\w-]+$"))
            review = page.locator("main").inner_text()
            assert "4 mars 2026" in review and "2026-03-04" not in review
            assert "Vad vill du göra?" in review and "Förslaget är" in review and "ålgräs, blåmusslor" in review
            _check(page, axe_source, "upload-review", width)
            page.get_by_role("button", name="Spara i arkivet").click()
            page.wait_for_selector("h1:has-text('Sparat i arkivet')")
            assert "Naturvårdsgruppen, 4 mars 2026, Alingsås" in page.locator("main").inner_text()
            _check(page, axe_source, "upload-done", width)

            page.goto("/changes")
            text = page.locator("main").inner_text()
            assert "Naturvårdsgruppen, 4 mars 2026, Alingsås" in text and "Ångra uppladdningen" in text
            _check(page, axe_source, "changes", width)
            page.get_by_role("button", name="Ångra uppladdningen").first.click()
            page.wait_for_url(re.compile(r"/changes$"))
            assert "uppladdningen är ångrad" in page.locator("main").inner_text()
            page.goto("/trash")
            assert "uppladdningen ångrades" in page.locator("main").inner_text()
            _check(page, axe_source, "trash", width)
            browser.close()
