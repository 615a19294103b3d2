"""A coordinator's upload in real headless Chromium: sign in, a new meeting, files dropped and chosen,
the inferred metadata corrected, saved, searchable — with axe-core on every form page."""
from __future__ import annotations

import re

import pytest
from coord import NAME, PASSWORD, build
from test_browser import CHROMIUM, CHROMIUM_ARGS, axe_violations, serve, watch_errors

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture
def coord(tmp_path):
    return build(tmp_path)


@pytest.fixture
def url(coord):
    yield from serve(coord.app)


@pytest.fixture(scope="module")
def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def page(url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, locale="sv-SE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors = watch_errors(page)
        yield page
        browser.close()
        assert errors == [], errors


DROP = """([name, text]) => {
    const data = new DataTransfer();
    data.items.add(new File([text], name, {type: "text/plain"}));
    const zone = document.getElementById("slapp-har");
    for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
    }
}"""


def test_coordinator_uploads_a_meeting(page, coord, axe_source):
    page.goto("/upload")
    assert "/login" in page.url  # sign in first, then back to the upload
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Användarnamn").fill(NAME)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/upload$"))
    assert axe_violations(page, axe_source) == []

    # Only the chosen group's meetings are offered; the new-meeting fields show for a new one.
    page.get_by_label("Grupp").select_option(label="Naturvårdsgruppen")
    assert page.locator('#meeting optgroup[label="Miljöstrategigruppen"]').get_attribute("hidden") is not None
    page.get_by_label("Möte", exact=True).select_option(label="10 oktober 2023, Lerum, Invasiva arter")
    assert page.locator("#nytt-mote").is_hidden()
    page.get_by_label("Möte", exact=True).select_option(value="ny")
    assert page.locator("#nytt-mote").is_visible()
    page.get_by_label("Datum").fill("2024-03-14")
    page.get_by_label("Plats").fill("Strömstad")
    page.get_by_label("Rubrik").fill("Ålgräs och blåmusslor")
    page.get_by_label("Invasiva arter").check()
    page.get_by_label("Talare").fill("Anna Berg, Vattenmyndigheten")

    # One file chosen with the file input, two dropped on the drop zone: all are sent.
    page.get_by_label("Filer").set_input_files(files=[
        {"name": "minnesanteckningar.txt", "mimeType": "text/plain",
         "buffer": "Minnesanteckningar. Ålgräs och blåmusslor i Strömstad.".encode()}])
    assert page.locator("#valda-filer li").all_inner_texts() == ["minnesanteckningar.txt"]
    page.evaluate(DROP, ["presentation-ålgräs.txt", "Presentation om ålgräs och blåmusslor i Strömstad."])
    page.evaluate(DROP, ["uppfoljning.txt", "Uppföljning av ålgräsprojektet."])
    assert sorted(page.locator("#valda-filer li").all_inner_texts()) == [
        "minnesanteckningar.txt", "presentation-ålgräs.txt", "uppfoljning.txt"]
    page.get_by_role("button", name="Läs filerna och visa förslaget").click()

    # The review: what was inferred, ready to correct.
    page.wait_for_url(re.compile(r"/upload/[\w-]+$"))
    assert page.get_by_role("heading", name="Granska och spara").is_visible()
    assert axe_violations(page, axe_source) == []
    sections = page.locator("section.review-file")
    assert sections.count() == 3
    first = sections.filter(has=page.get_by_role("heading", name="presentation-ålgräs.txt"))
    assert first.get_by_label("Datum").input_value() == "2024-03-14"
    assert first.get_by_label("Typ").input_value() == "presentation"
    first.get_by_label("Datum").fill("2024-03-15")  # the coordinator knows better
    first.get_by_label("Titel").fill("Ålgräset i Strömstad")
    page.get_by_role("button", name="Spara i arkivet").click()

    page.wait_for_selector("h1:has-text('Sparat i arkivet')")
    assert "3 dokument är sparade" in page.locator("main").inner_text()
    assert axe_violations(page, axe_source) == []
    page.get_by_role("link", name="Ålgräset i Strömstad").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ålgräset i Strömstad"
    assert "15 mars 2024" in page.locator(".doc-summary").inner_text()

    # Searchable now, by anybody.
    page.goto("/?q=blåmusslor")
    assert "3 dokument" in page.locator("#traffar-rubrik").inner_text()
    assert [a["what"] for a in coord.audit()] == ["meeting", "upload", "upload", "upload"]


def test_coordinator_changes_their_password(page, coord, axe_source):
    page.goto("/login")
    page.get_by_label("Användarnamn").fill(NAME)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Byt lösenord").click()
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Nuvarande lösenord").fill("inte det gamla lösenordet")
    page.get_by_label("Nytt lösenord", exact=True).fill("ett alldeles nytt lösenord")
    page.get_by_label("Nytt lösenord igen").fill("ett alldeles nytt lösenord")
    page.get_by_role("button", name="Byt lösenord").click()
    assert "stämmer inte" in page.locator("#fel").inner_text()
    assert page.get_by_label("Nuvarande lösenord").get_attribute("aria-invalid") == "true"
    assert axe_violations(page, axe_source) == []  # the page with its error
    page.get_by_label("Nuvarande lösenord").fill(PASSWORD)
    page.get_by_label("Nytt lösenord", exact=True).fill("ett alldeles nytt lösenord")
    page.get_by_label("Nytt lösenord igen").fill("ett alldeles nytt lösenord")
    page.get_by_role("button", name="Byt lösenord").click()
    assert "Lösenordet är bytt" in page.locator(".flashes").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/account/password")
    page.screenshot(path=str(coord.archive.parent / "losenord-telefon.png"), full_page=True)
    assert axe_violations(page, axe_source) == []
