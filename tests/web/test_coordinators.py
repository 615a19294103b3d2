"""Coordinators through the Flask test client: sign-in, upload, edit, move, remove, restore, audit.

Every route that changes the archive refuses an anonymous visitor and a form
without a valid CSRF token, and leaves the archive exactly as it was.
"""
from __future__ import annotations

import os
import re
import stat
import tomllib

import pytest
from coord import LERUM, MINUTES, NAME, NEW_TEXT, PASSWORD, SLIDES, build, review_fields, sign_in, token, upload

from webapp.accounts import Accounts, users_file


@pytest.fixture
def coord(tmp_path):
    return build(tmp_path)


@pytest.fixture
def client(coord):
    return coord.app.test_client()


@pytest.fixture
def signed_in(coord, client):
    assert sign_in(client).status_code == 302
    return client


def review(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.get_data(as_text=True)


# -- accounts and sessions ---------------------------------------------------------------
def test_no_account_yet_says_how_to_make_one(tmp_path):
    coord = build(tmp_path)
    Accounts(users_file(coord.archive)).remove(NAME)
    html = coord.app.test_client().get("/login").get_data(as_text=True)
    assert "Det finns inga samordnarkonton ännu" in html and "arkiv user add NAMN" in html


def test_sign_in_and_out(coord, client):
    assert "Logga in som samordnare" in client.get("/").get_data(as_text=True)
    r = sign_in(client)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    html = client.get("/").get_data(as_text=True)
    assert f"Inloggad som samordnare: {NAME}" in html and "Ladda upp" in html
    r = client.post("/logout", data={"csrf_token": token(client, "/")})
    assert r.status_code == 302
    assert client.get("/upload").status_code == 302


def test_secure_cookie_setting_and_stored_secret(tmp_path):
    coord = build(tmp_path, ARKIV_SECURE_COOKIES="true")
    r = sign_in(coord.app.test_client())
    assert "Secure" in r.headers["Set-Cookie"]
    key_file = coord.archive.parent / "arkiv-secret-key"
    assert key_file.read_text().strip() == coord.app.config["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The next start reads the same key: sessions survive a restart.
    from webapp import create_app

    again = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(coord.archive), "ARKIV_INDEX": str(coord.tiny.index_dir)})
    assert again.config["SECRET_KEY"] == coord.app.config["SECRET_KEY"]


def test_accounts_file_holds_argon2_hashes_only(coord):
    path = users_file(coord.archive)
    text = path.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.resolve().is_relative_to(coord.archive.resolve())


def test_wrong_password_then_rate_limited(coord, client):
    for _ in range(5):
        r = sign_in(client, password="fel lösenord!")
        assert r.status_code == 401 and "Fel användarnamn eller lösenord" in r.get_data(as_text=True)
    r = sign_in(client)  # even the right password waits now
    assert r.status_code == 429 and "För många misslyckade inloggningar" in r.get_data(as_text=True)
    # Another address is not locked out by these failures.
    other = coord.app.test_client()
    r = other.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token(other)},
                   environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 302


def test_password_change_signs_out_open_sessions(coord, signed_in):
    assert signed_in.get("/upload").status_code == 200
    Accounts(users_file(coord.archive)).set_password(NAME, "ett helt nytt lösenord")
    assert signed_in.get("/upload").status_code == 302


def test_login_next_only_on_this_site(coord, client):
    r = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token(client),
                                    "next": "//evil.example/x"})
    assert r.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": token(client, "/")})
    r = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token(client),
                                    "next": "/upload"})
    assert r.headers["Location"] == "/upload"


def test_private_site_needs_sign_in_for_everything(tmp_path):
    coord = build(tmp_path, ARKIV_PRIVATE=True)
    client = coord.app.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/api/search?q=parkslide").status_code == 401
    assert client.get(f"/files/{MINUTES}").status_code == 302
    # A feed reader cannot sign in: a private archive's feeds and exports stay closed.
    assert client.get("/feed.atom?q=parkslide").status_code == 302
    assert client.get("/export.csv?q=parkslide").status_code == 302
    assert client.get("/login").status_code == 200
    with client.get("/static/style.css") as r:
        assert r.status_code == 200
    sign_in(client)
    assert client.get("/api/search?q=parkslide").get_json()["total"] == 2


def test_public_site_stays_open_for_reading(coord, client):
    assert coord.total(client, "parkslide") == 2
    assert client.get(f"/documents/{MINUTES}").status_code == 200
    assert "Rätta uppgifter" not in client.get(f"/documents/{MINUTES}").get_data(as_text=True)


# -- every change: anonymous and CSRF-less requests change nothing -------------------------------
def _changing_requests(coord, signed_in_client):
    """(name, method, url, form) for every route that changes the archive."""
    import io

    r = upload(signed_in_client, [("ny.txt", NEW_TEXT.encode())], date="2024-03-14")
    key = r.headers["Location"].rsplit("/", 1)[-1]
    signed_in_client.post(f"/remove/{SLIDES}", data={"csrf_token": token(signed_in_client, "/")})
    trash_key = next(p.name for p in (coord.archive / ".trash").iterdir())
    return [
        ("upload", "/upload", lambda: {"group": "naturvard", "meeting": "ny", "date": "2024-03-14",
                                        "files": [(io.BytesIO(NEW_TEXT.encode()), "ny.txt")]}),
        ("save", f"/upload/{key}", lambda: {"title-0": "X", "date-0": "2024-03-14", "type-0": "minutes"}),
        ("cancel", f"/upload/{key}/cancel", dict),
        ("edit", f"/edit/{MINUTES}", lambda: {"title": "Ny titel", "date": "2020-01-01", "type": "minutes"}),
        ("move", f"/move/{MINUTES}", lambda: {"target": "miljostrategi/2022-05-05"}),
        ("meeting", f"/meetings/{LERUM}/edit", lambda: {"title": "Kapad", "place": "Någonstans"}),
        ("remove", f"/remove/{MINUTES}", dict),
        ("restore", f"/trash/{trash_key}/restore", dict),
    ]


@pytest.mark.parametrize("who", ["anonymous", "no token", "wrong token", "token of another session"])
def test_every_change_is_refused_without_sign_in_or_csrf(coord, who):
    owner = coord.app.test_client()
    sign_in(owner)
    requests = _changing_requests(coord, owner)
    before = coord.snapshot()
    staged = sorted(p.name for p in (coord.tiny.index_dir / "uploads").iterdir())
    for name, url, form in requests:
        client = coord.app.test_client()
        data = form()
        if who == "anonymous":
            data["csrf_token"] = token(client)  # a valid token, but nobody signed in
        else:
            sign_in(client)
            if who == "wrong token":
                data["csrf_token"] = "x" * 40
            elif who == "token of another session":
                data["csrf_token"] = token(coord.app.test_client())
        r = client.post(url, data=data, content_type="multipart/form-data")
        expected = 401 if who == "anonymous" else 400
        assert r.status_code == expected, (name, r.status_code)
        assert ("Ingenting ändrades" in r.get_data(as_text=True)), name
        assert coord.snapshot() == before, name
        assert sorted(p.name for p in (coord.tiny.index_dir / "uploads").iterdir()) == staged, name


def test_login_and_logout_need_the_token_too(coord, client):
    r = client.post("/login", data={"name": NAME, "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/upload").status_code == 302  # not signed in
    sign_in(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/upload").status_code == 200  # still signed in


@pytest.mark.parametrize("url", ["/upload", f"/edit/{MINUTES}", f"/move/{MINUTES}", f"/remove/{MINUTES}",
                                 "/trash", "/changes", f"/meetings/{LERUM}/edit"])
def test_coordinator_pages_send_anonymous_visitors_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


# -- upload ---------------------------------------------------------------------------------
def test_upload_round_trip_makes_the_document_searchable(coord, signed_in):
    assert coord.total(signed_in, "blåmusslor") == 0
    r = upload(signed_in, [("Minnesanteckningar vårmöte.txt", NEW_TEXT.encode())], date="2024-03-14",
               place="Borås", title="Vårmöte", themes=["Invasiva arter"], speakers="Anna Berg, Vattenmyndigheten")
    url, html = review(signed_in, r)
    # What the archive inferred, in a form to correct.
    data = review_fields(html)
    assert data["date-0"] == "2024-03-14" and data["type-0"] == "minutes"
    assert data["themes-0"] == ["Invasiva arter"]  # the meeting's themes
    assert coord.snapshot() == coord.snapshot() and not (coord.archive / "naturvard/2024-03-14-boras").exists()
    data["title-0"] = "Minnesanteckningar vårmötet 2024"
    r = signed_in.post(url, data=data)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "går att söka fram nu" in r.get_data(as_text=True)
    doc = "naturvard/2024-03-14-boras/Minnesanteckningar vårmöte.txt"
    # Searchable when the page returns, with the correction and the new meeting.
    hits = signed_in.get("/api/search?q=blåmusslor").get_json()["hits"]
    assert [(h["id"], h["title"], h["date"]) for h in hits] == [(doc, "Minnesanteckningar vårmötet 2024", "2024-03-14")]
    meeting = tomllib.loads((coord.archive / "naturvard/2024-03-14-boras/meeting.toml").read_text())
    assert meeting == {"title": "Vårmöte", "place": "Borås", "themes": ["Invasiva arter"],
                       "speakers": [{"name": "Anna Berg", "organisation": "Vattenmyndigheten"}]}
    # Only the correction became the sidecar: what was inferred is left to the archive.
    assert tomllib.loads((coord.archive / (doc + ".toml")).read_text()) == {"title": "Minnesanteckningar vårmötet 2024"}
    # Staging is gone; the archive holds no temporary files.
    # (A <key>.saved folder stays for a day with where the documents went: a second submit is
    # told it was saved, and the batch's URL shows them.)
    staged = coord.tiny.index_dir / "uploads"
    assert [p.name for p in staged.rglob("*") if p.is_file()] == ["saved.json"]
    assert [p.suffix for p in staged.iterdir()] == [".saved"]
    assert not [p for p in coord.archive.rglob(".tmp-*")]
    assert [(a["what"], a["file"]) for a in coord.audit()] == [("meeting", "naturvard/2024-03-14-boras"),
                                                                 ("upload", doc)]


def test_a_review_form_submitted_twice_saves_the_batch_once(coord, signed_in):
    url, html = review(signed_in, upload(signed_in, [("x.txt", b"Text om lupin och parkslide.")], meeting=LERUM))
    data = review_fields(html)
    assert signed_in.post(url, data=data).status_code == 200
    late = signed_in.post(url, data=data)  # the second click, or the form again from another tab
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and "redan sparad" in page
    assert str(coord.tiny.root.parent) not in page
    assert sorted(p.name for p in (coord.archive / LERUM).iterdir() if p.name.startswith("x")) == ["x.txt"]
    assert [a["what"] for a in coord.audit()] == ["upload"]
    again = signed_in.get(url)  # the batch's URL again: where its documents went, not a 404
    assert again.status_code == 200 and "redan sparad" in again.get_data(as_text=True)
    assert f'href="/documents/{LERUM}/x.txt"' in again.get_data(as_text=True)


def test_two_submits_at_once_save_the_batch_once(coord):
    """Two requests of one review form in flight together: one saves, the other is told, no x-2.txt."""
    import threading

    clients = [coord.app.test_client() for _ in range(2)]
    sign_in(clients[0])
    url, html = review(clients[0], upload(clients[0], [("x.txt", b"Text om lupin.")], meeting=LERUM))
    session = clients[0].get_cookie("session")
    clients[1].set_cookie(session.key, session.value)  # the same browser: one session, two tabs
    data = review_fields(html)
    statuses = []
    start = threading.Barrier(2)

    def submit(c):
        start.wait()
        statuses.append(c.post(url, data=data).status_code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert sorted(p.name for p in (coord.archive / LERUM).iterdir() if p.name.startswith("x")) == ["x.txt"]


def test_a_refused_save_names_no_server_path_and_can_be_tried_again(coord, signed_in):
    url, html = review(signed_in, upload(signed_in, [("x.txt", b"Text om lupin.")], meeting=LERUM))
    staged = next(p for p in (coord.tiny.index_dir / "uploads").rglob("*") if p.suffix == ".txt")
    moved = staged.with_name("gone")
    staged.rename(moved)  # the staged file disappeared (a clean-up, a full disk)
    r = signed_in.post(url, data=review_fields(html))
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "x.txt" in page
    assert str(coord.tiny.root.parent) not in page and "/uploads/" not in page
    moved.rename(staged)
    assert signed_in.post(url, data=review_fields(html)).status_code == 200  # released, not lost
    assert (coord.archive / LERUM / "x.txt").is_file()


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_every_file_the_archive_holds_has_one_mode_from_the_umask(coord, signed_in, umask):
    """Uploads and sidecars were 0600 (mkstemp's), files put there by hand and the audit log 0644."""
    from indexer import atomic

    old = os.umask(umask)
    atomic.umask.cache_clear()
    try:
        r = upload(signed_in, [("vår.txt", "Minnesanteckningar om lupin.".encode())], date="2024-03-14",
                   place="Borås", title="Vårmöte")
        url, html = review(signed_in, r)
        data = review_fields(html)
        data["title-0"] = "Rättad titel"  # a correction: a sidecar
        assert signed_in.post(url, data=data).status_code == 200
    finally:
        os.umask(old)
        atomic.umask.cache_clear()
    meeting = coord.archive / "naturvard/2024-03-14-boras"
    written = [meeting / "vår.txt", meeting / "vår.txt.toml", meeting / "meeting.toml", coord.archive / ".audit.jsonl"]
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == \
        {p.name: oct(0o666 & ~umask) for p in written}
    assert stat.S_IMODE(users_file(coord.archive).stat().st_mode) == 0o600  # the secrets stay the owner's


def test_upload_into_an_existing_meeting(coord, signed_in):
    r = upload(signed_in, [("bilaga.txt", "Bilaga om lupin och parkslide i Lerum.".encode())], meeting=LERUM)
    url, html = review(signed_in, r)
    assert review_fields(html)["date-0"] == "2023-10-10"
    r = signed_in.post(url, data=review_fields(html))
    assert r.status_code == 200
    assert (coord.archive / LERUM / "bilaga.txt").is_file()
    assert not (coord.archive / LERUM / "bilaga.txt.toml").exists()  # nothing corrected: no sidecar


def test_upload_meeting_must_belong_to_the_group(coord, signed_in):
    r = upload(signed_in, [("a.txt", b"Text om lupin.")], group="miljostrategi", meeting=LERUM)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'href="#meeting"' in html and 'aria-invalid="true"' in html and "annan grupp" in html


def test_upload_new_meeting_needs_a_date(coord, signed_in):
    r = upload(signed_in, [("a.txt", b"Text om lupin.")])
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="meeting-date-fel"' in html and 'aria-describedby="meeting-date-fel"' in html


def test_name_clash_replace_or_keep_both(coord, signed_in):
    old = (coord.archive / MINUTES).read_bytes()
    new = "Minnesanteckningar, rättad version: parkslide och lupin och jättebalsamin.".encode()
    r = upload(signed_in, [("minnesanteckningar.txt", new)], meeting=LERUM)
    url, html = review(signed_in, r)
    assert "Det finns redan en fil som heter minnesanteckningar.txt" in html
    data = review_fields(html)
    r = signed_in.post(url, data=data)  # no choice made: asked again, nothing saved
    assert r.status_code == 400 and 'href="#clash-0-replace"' in r.get_data(as_text=True)
    assert (coord.archive / MINUTES).read_bytes() == old

    r = signed_in.post(url, data={**data, "clash-0": "keep-both"})
    assert r.status_code == 200 and "sparades som minnesanteckningar-2.txt" in r.get_data(as_text=True)
    assert (coord.archive / MINUTES).read_bytes() == old
    assert (coord.archive / LERUM / "minnesanteckningar-2.txt").read_bytes() == new

    newer = new + " Tillägg.".encode()
    url, html = review(signed_in, upload(signed_in, [("minnesanteckningar.txt", newer)], meeting=LERUM))
    r = signed_in.post(url, data={**review_fields(html), "clash-0": "replace"})
    assert r.status_code == 200
    assert (coord.archive / MINUTES).read_bytes() == newer
    trashed = [p for p in (coord.archive / ".trash").rglob("minnesanteckningar.txt")]
    assert [p.read_bytes() for p in trashed] == [old]  # the old version is in the trash, not lost
    replace = [a for a in coord.audit() if a["what"] == "replace"]
    assert replace and replace[0]["sha256_before"] and replace[0]["sha256_after"] != replace[0]["sha256_before"]
    assert coord.total(signed_in, "jättebalsamin") == 2


def test_oversize_file_is_refused_with_a_clear_message(tmp_path):
    coord = build(tmp_path, ARKIV_MAX_FILE_SIZE=1000)
    client = coord.app.test_client()
    sign_in(client)
    before = coord.snapshot()
    r = upload(client, [("stor.txt", b"lupin " * 400)], date="2024-03-14")
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "stor.txt är större än" in html and "gränsen per fil" in html
    assert coord.snapshot() == before
    assert list((coord.tiny.index_dir / "uploads").iterdir()) == []


def test_oversize_request_is_a_swedish_413_page(tmp_path):
    coord = build(tmp_path, MAX_CONTENT_LENGTH=2000)
    client = coord.app.test_client()
    sign_in(client)
    r = upload(client, [("stor.txt", b"lupin " * 1000)], date="2024-03-14")
    assert r.status_code == 413 and "Filerna är för stora" in r.get_data(as_text=True)
    assert "Gränsen är 2,0 kB" in r.get_data(as_text=True)  # not "0 MB"


def test_a_long_multibyte_name_is_shortened_not_a_500(coord, signed_in):
    name = "åäöÅÄÖ" * 34 + ".txt"  # 208 characters, 412 bytes: over the 255 a file system allows
    url, html = review(signed_in, upload(signed_in, [(name, "Protokoll om ängar och åar.".encode())], meeting=LERUM))
    assert signed_in.post(url, data=review_fields(html)).status_code == 200
    (saved,) = [p for p in (coord.archive / LERUM).iterdir() if p.name.startswith("åäö")]
    assert len(saved.name.encode()) <= 240 and saved.suffix == ".txt"


@pytest.mark.parametrize("name, saved", [
    pytest.param("../../../etc/passwd.txt", "passwd.txt", id="dot-dot"),
    pytest.param("..\\..\\hemlig.txt", "hemlig.txt", id="backslashes"),
    pytest.param("möte\x07 i Åmål.txt", "möte i Åmål.txt", id="control-character-swedish-kept"),
    pytest.param(".dold.txt", "dold.txt", id="hidden"),
])
def test_file_names_are_sanitised(coord, signed_in, name, saved):
    url, html = review(signed_in, upload(signed_in, [(name, "Text om lupin.".encode())], meeting=LERUM))
    assert signed_in.post(url, data=review_fields(html)).status_code == 200
    assert (coord.archive / LERUM / saved).is_file()
    assert not any(p.name == "passwd.txt" for p in coord.archive.parent.rglob("passwd.txt")
                   if not p.is_relative_to(coord.archive))


def test_content_decides_the_type(coord, signed_in):
    fake = ("x.pdf", b"<html><body>inte en pdf</body></html>")
    exe = ("program.exe", bytes(range(256)))
    real = ("anteckningar", "Anteckningar om lupin och parkslide.".encode())  # no extension: text by content
    url, html = review(signed_in, upload(signed_in, [fake, exe, real], meeting=LERUM))
    assert html.count("Kan inte läggas till") == 2
    r = signed_in.post(url, data=review_fields(html))
    assert r.status_code == 200
    assert not (coord.archive / LERUM / "x.pdf").exists() and not (coord.archive / LERUM / "program.exe").exists()
    assert (coord.archive / LERUM / "anteckningar.txt").is_file()


def test_an_uploads_content_is_read_in_the_extraction_worker_only(coord, signed_in, monkeypatch):
    """Sniffing, a zip's directory, the text and the themes inferred from it: none in the web process.

    A 17 MB DOCX of random text took 189 s of theme inference here, and a zip of 400,000
    entries 29 s and 430 MB of directory parsing, outside the worker's limits.
    """
    import zipfile

    from builders import docx_bytes

    from indexer import metadata
    from indexer.changes import inspect

    read_here = []

    def refuse(what):
        def called(*args, **kwargs):
            read_here.append(what)
            raise AssertionError(f"{what} in the web process")
        return called

    # A .docx whose zip end record says 60,000 entries: over the 10,000-entry guard. (The
    # test client spools a body over 500 kB to a file it never closes, so it is not built
    # of 12,000 real ones.)
    poster = bytearray(docx_bytes(["Affisch."]))
    end = poster.rfind(b"PK\x05\x06")
    poster[end + 8:end + 12] = (60_000).to_bytes(2, "little") * 2
    real_themes = metadata.infer_themes
    monkeypatch.setattr(zipfile, "ZipFile", refuse("zipfile.ZipFile"))
    monkeypatch.setattr(inspect, "content_format", refuse("content_format"))
    monkeypatch.setattr(inspect, "extract_file", refuse("extract_file"))
    monkeypatch.setattr(metadata, "infer_themes",
                        lambda themes, title, text: refuse("infer_themes over text")() if text else
                        real_themes(themes, title, text))
    files = [("parkslide.docx", docx_bytes(["Om parkslide och lupin.", "Mer om parkslide."])),
             ("affisch.docx", bytes(poster)), ("lupin.txt", "Lupin och parkslide.".encode())]
    url, html = review(signed_in, upload(signed_in, files, meeting="miljostrategi/2022-05-05",
                                         group="miljostrategi"))
    assert read_here == []
    data = review_fields(html)
    assert data["themes-0"] == ["Invasiva arter"] and data["themes-2"] == ["Invasiva arter"]
    assert "för stor för att läsas" in html  # the zip, said in Swedish, refused in the worker by its end record


def test_duplicate_is_detected_and_skipped_unless_wanted(coord, signed_in):
    same = (coord.archive / MINUTES).read_bytes()
    url, html = review(signed_in, upload(signed_in, [("kopia.txt", same)], group="miljostrategi",
                                         meeting="miljostrategi/2022-05-05"))
    assert "Samma fil finns redan i arkivet" in html and MINUTES in html and "Vad vill du göra?" in html
    data = review_fields(html)
    assert data["skip-0"] == "1"  # one choice, "do not save it" chosen until the coordinator picks the other
    r = signed_in.post(url, data=data)
    assert r.status_code == 400  # nothing left to save
    assert not (coord.archive / "miljostrategi/2022-05-05/kopia.txt").exists()
    data["skip-0"] = ""  # "Spara en kopia till ändå"
    assert signed_in.post(url, data=data).status_code == 200
    assert (coord.archive / "miljostrategi/2022-05-05/kopia.txt").is_file()


def test_review_shows_warnings(coord, signed_in):
    from builders import encrypted_pdf_bytes, pdf_bytes

    blank = pdf_bytes([""])
    url, html = review(signed_in, upload(signed_in, [("hemlig.pdf", encrypted_pdf_bytes()), ("skannad.pdf", blank)],
                                         meeting=LERUM))
    assert "krypterad" in html and "ingen text – skannad?" in html


def test_upload_of_another_coordinator_is_not_yours(coord, signed_in):
    url, _ = review(signed_in, upload(signed_in, [("a.txt", b"Text om lupin.")], meeting=LERUM))
    Accounts(users_file(coord.archive)).add("bertil", "bertils långa lösenord")
    other = coord.app.test_client()
    sign_in(other, "bertil", "bertils långa lösenord")
    assert other.get(url).status_code == 404


# -- edit, move, remove, restore --------------------------------------------------------------------
def test_edit_writes_the_sidecar_and_the_index_follows(coord, signed_in):
    html = signed_in.get(f"/documents/{MINUTES}").get_data(as_text=True)
    assert "Rätta uppgifter" in html
    page = signed_in.get(f"/edit/{MINUTES}").get_data(as_text=True)
    data = review_fields(page)
    assert data["date"] == "2023-10-10"
    r = signed_in.post(f"/edit/{MINUTES}", data={**data, "date": "2023-10-12", "themes": ["Grön infrastruktur"]})
    assert r.status_code == 303
    side = tomllib.loads((coord.archive / (MINUTES + ".toml")).read_text())
    assert side == {"date": __import__("datetime").date(2023, 10, 12), "themes": ["Grön infrastruktur"]}
    hit = signed_in.get("/api/search?q=lupin&theme=Grön infrastruktur").get_json()["hits"]
    assert [(h["id"], h["date"]) for h in hit] == [(MINUTES, "2023-10-12")]
    edit = coord.audit()[-1]
    assert edit["what"] == "edit" and edit["who"] == NAME and edit["file"] == MINUTES
    assert edit["detail"]["changed"]["date"] == [None, "2023-10-12"]
    # Emptying the date hands it back to the archive (the meeting's date).
    signed_in.post(f"/edit/{MINUTES}", data={**review_fields(signed_in.get(f"/edit/{MINUTES}").get_data(as_text=True)),
                                             "date": ""})
    assert signed_in.get("/api/search?q=lupin").get_json()["hits"][0]["date"] == "2023-10-10"


def test_edit_rejects_a_bad_date_with_the_error_on_the_field(coord, signed_in):
    data = review_fields(signed_in.get(f"/edit/{MINUTES}").get_data(as_text=True))
    r = signed_in.post(f"/edit/{MINUTES}", data={**data, "date": "12 oktober"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'href="#date"' in html and 'aria-describedby="date-fel"' in html
    assert not (coord.archive / (MINUTES + ".toml")).exists()


def test_move_to_another_meeting(coord, signed_in):
    r = signed_in.post(f"/move/{MINUTES}", data={"target": "miljostrategi/2022-05-05",
                                                 "csrf_token": token(signed_in, f"/move/{MINUTES}")})
    new = "miljostrategi/2022-05-05/minnesanteckningar.txt"
    assert r.status_code == 303 and r.headers["Location"].endswith(new)
    assert (coord.archive / new).is_file() and not (coord.archive / MINUTES).exists()
    hits = signed_in.get("/api/search?q=lupin").get_json()["hits"]
    assert [(h["id"], h["group"]) for h in hits] == [(new, "miljostrategi")]
    assert coord.audit()[-1]["what"] == "move" and coord.audit()[-1]["to"] == new


def test_remove_and_restore_round_trip(coord, signed_in):
    (coord.archive / (MINUTES + ".toml")).write_text('title = "Anteckningar från Lerum"\n')
    signed_in.get("/")  # nothing else changes
    from tiny import TODAY

    coord.tiny.index(today=TODAY)
    page = signed_in.get(f"/remove/{MINUTES}").get_data(as_text=True)
    assert "papperskorgen" in page
    r = signed_in.post(f"/remove/{MINUTES}", data={"csrf_token": token(signed_in, "/")})
    assert r.status_code == 303
    assert not (coord.archive / MINUTES).exists() and not (coord.archive / (MINUTES + ".toml")).exists()
    assert coord.total(signed_in, "lupin") == 0
    assert signed_in.get(f"/documents/{MINUTES}").status_code == 404
    trash = signed_in.get("/trash").get_data(as_text=True)
    assert "minnesanteckningar.txt" in trash and NAME in trash
    key = re.search(r'action="/trash/([^/]+)/restore"', trash)[1]
    r = signed_in.post(f"/trash/{key}/restore", data={"csrf_token": token(signed_in, "/trash")})
    assert r.status_code == 303 and r.headers["Location"].endswith(MINUTES)
    assert (coord.archive / (MINUTES + ".toml")).is_file()
    hits = signed_in.get("/api/search?q=lupin").get_json()["hits"]
    assert [(h["id"], h["title"]) for h in hits] == [(MINUTES, "Anteckningar från Lerum")]
    assert "Papperskorgen är tom" in signed_in.get("/trash").get_data(as_text=True)
    assert [a["what"] for a in coord.audit()] == ["remove", "restore"]
    assert coord.audit()[0]["sha256_before"] == coord.audit()[1]["sha256_after"]


def test_restore_never_overwrites(coord, signed_in):
    signed_in.post(f"/remove/{MINUTES}", data={"csrf_token": token(signed_in, "/")})
    (coord.archive / MINUTES).write_text("En ny fil med samma namn.")
    key = next(p.name for p in (coord.archive / ".trash").iterdir())
    r = signed_in.post(f"/trash/{key}/restore", data={"csrf_token": token(signed_in, "/trash")})
    assert r.headers["Location"].endswith(f"{LERUM}/minnesanteckningar-2.txt")
    assert (coord.archive / MINUTES).read_text() == "En ny fil med samma namn."


def test_changes_page_lists_the_audit_log(coord, signed_in):
    signed_in.post(f"/remove/{SLIDES}", data={"csrf_token": token(signed_in, "/")})
    html = signed_in.get("/changes").get_data(as_text=True)
    assert "Tog bort" in html and "parkslide.txt" in html and NAME in html and "Naturvårdsgruppen, 10 oktober 2023" in html


def test_the_audit_log_survives_a_rebuild(coord, signed_in):
    signed_in.post(f"/remove/{SLIDES}", data={"csrf_token": token(signed_in, "/")})
    from tiny import TODAY

    coord.tiny.index(today=TODAY, rebuild=True)
    assert [a["what"] for a in coord.audit()] == ["remove"]
    assert os.path.exists(coord.archive / ".audit.jsonl")


def test_done_when(coord, signed_in):
    """Sign in, add a new meeting with three documents, fix one wrong date, remove one and restore it:
    every step is in the audit log."""
    files = [("minnesanteckningar.txt", NEW_TEXT.encode()),
             ("presentation-ålgräs.txt", "Presentation om ålgräs och blåmusslor, 3 maj 2019.".encode()),
             ("uppfoljning.txt", "Uppföljning av ålgräsprojektet efter mötet.".encode())]
    url, html = review(signed_in, upload(signed_in, files, date="2024-03-14", place="Strömstad"))
    assert signed_in.post(url, data=review_fields(html)).status_code == 200
    folder = "naturvard/2024-03-14-stromstad"
    assert coord.total(signed_in, "ålgräs") == 3
    doc = f"{folder}/presentation-ålgräs.txt"
    data = review_fields(signed_in.get(f"/edit/{doc}").get_data(as_text=True))
    signed_in.post(f"/edit/{doc}", data={**data, "date": "2024-03-15"})
    signed_in.post(f"/remove/{folder}/uppfoljning.txt", data={"csrf_token": token(signed_in, "/")})
    assert coord.total(signed_in, "ålgräs") == 2
    key = next(p.name for p in (coord.archive / ".trash").iterdir())
    signed_in.post(f"/trash/{key}/restore", data={"csrf_token": token(signed_in, "/trash")})
    assert coord.total(signed_in, "ålgräs") == 3
    log = [(a["what"], a["who"], a["file"]) for a in coord.audit()]
    assert log == [("meeting", NAME, folder), ("upload", NAME, f"{folder}/minnesanteckningar.txt"),
                   ("upload", NAME, doc), ("upload", NAME, f"{folder}/uppfoljning.txt"),
                   ("edit", NAME, doc), ("remove", NAME, f"{folder}/uppfoljning.txt"),
                   ("restore", NAME, f"{folder}/uppfoljning.txt")]
    assert all(set(a) >= {"when", "who", "what", "file", "sha256_before", "sha256_after"} for a in coord.audit())


def test_a_saved_batch_reads_as_saving_or_saved_at_every_moment(tmp_path, monkeypatch):
    # A second submit asks for the batch's state while the first one finishes: the marker
    # must exist before the files go, or the answer in between is an unknown batch (a 404).
    from webapp import staging as staging_module

    area = staging_module.Staging(tmp_path)
    batch = area.create("anna")
    batch.save()
    claimed = area.claim(batch)
    seen = []
    real = staging_module.shutil.rmtree
    monkeypatch.setattr(staging_module.shutil, "rmtree",
                        lambda path, **kw: (seen.append(area.state(batch.key)), real(path, **kw)))
    area.saved(claimed)
    assert seen == ["saved"] and area.state(batch.key) == "saved"
