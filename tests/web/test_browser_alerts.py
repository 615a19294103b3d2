"""The alert form in real headless Chromium: subscribe, confirm by the mailed link; axe-core on each page."""
from __future__ import annotations

import re

import pytest
from smtp_server import SmtpServer
from test_browser import CHROMIUM, axe_violations, browser, new_page, serve  # noqa: F401 - browser: a fixture
from tiny import TinyArchive

from indexer import MailSettings
from webapp import create_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

CONFIRM = re.compile(r"http://arkiv\.test(/alerts/confirm/\S+)")


@pytest.fixture(scope="module")
def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp):
    t = TinyArchive(tmp_path_factory.mktemp("alerts-browser"))
    t.write("naturvard/2023-10-10-lerum/minnesanteckningar.txt", "Slåtter på ängar och bete.")
    t.write("naturvard/2023-10-10-lerum/presentation.txt", "Ängar i Lerum.")
    t.index()
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(t.root), "ARKIV_INDEX": str(t.index_dir),
                      "ARKIV_MAIL": MailSettings(host="127.0.0.1", port=smtp.port, sender="arkiv@example.se",
                                                 public_url="http://arkiv.test", timeout=5.0)})
    for url in serve(app):
        yield t, url


@pytest.fixture
def page(browser, site):  # noqa: F811 - the fixture imported above
    context, page = new_page(browser, site[1])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def test_subscribe_and_confirm_in_the_browser(page, site, smtp, axe_source):
    t, _ = site
    smtp.inbox.take()
    page.goto("/?q=ängar")
    form = page.get_by_role("region", name="Bevaka sökningen")
    assert form.is_visible()
    assert axe_violations(page, axe_source) == []
    page.get_by_role("link", name="Bevaka sökningen med e-post").click()
    assert page.url.endswith("#bevaka")
    page.get_by_label("E-postadress").fill("anna@example.se")
    page.get_by_label("Varje vecka").check()
    page.screenshot(path=str(t.root.parent / "bevaka-dator.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#bevaka").scroll_into_view_if_needed()
    page.screenshot(path=str(t.root.parent / "bevaka-telefon.png"), full_page=False)
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Bevaka").click()
    assert page.locator("h1").inner_text() == "Titta i din e-post"
    assert axe_violations(page, axe_source) == []

    smtp.inbox.received.wait(10)
    [msg] = smtp.inbox.take()
    page.goto(CONFIRM.search(msg.get_content())[1])
    assert page.locator("h1").inner_text() == "Bekräfta bevakningen"
    assert "”ängar”" in page.locator(".alert-summary").inner_text()
    page.screenshot(path=str(t.root.parent / "bekrafta-telefon.png"), full_page=True)
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Starta bevakningen").click()
    assert page.locator("h1").inner_text() == "Bevakningen är startad"
    assert "varje vecka" in page.locator("main").inner_text()
    assert axe_violations(page, axe_source) == []


def test_the_form_says_what_is_wrong(page, axe_source):
    page.goto("/?q=ängar")
    page.get_by_label("E-postadress").fill("inte en adress")
    page.get_by_role("button", name="Bevaka").click()
    # The browser's own check stops it (type=email): still the search page, the field marked invalid.
    assert page.locator("h1").inner_text() == "Sök i arkivet"
    assert page.get_by_label("E-postadress").evaluate("e => !e.validity.valid")


def test_the_group_page_with_its_zip_links(page, axe_source):
    page.goto("/groups/naturvard")
    link = page.get_by_role("link", name=re.compile("Ladda ner alla som ZIP"))
    assert link.count() == 1 and link.get_attribute("href") == "/meetings/naturvard/2023-10-10-lerum/documents.zip"
    assert axe_violations(page, axe_source) == []
