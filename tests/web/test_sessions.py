"""Sessions that really end: on signing out, after 12 hours from signing in, and never from a cache."""
from __future__ import annotations

import threading
import time

import pytest
from coord import NAME, PASSWORD, build, sign_in, token

from webapp import auth
from webapp.accounts import Accounts


@pytest.fixture
def coord(tmp_path):
    return build(tmp_path)


def copy_of(client, app):
    """Another client holding the same session cookie, as a copied cookie would."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return other


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(coord):
    client = coord.app.test_client()
    assert sign_in(client).status_code == 302
    stolen = copy_of(client, coord.app)
    assert stolen.get("/upload").status_code == 200
    client.post("/logout", data={"csrf_token": token(client, "/")})
    assert stolen.get("/upload").status_code == 302  # to the sign-in page
    assert stolen.get("/trash").status_code == 302
    # Signing in again makes a new session, which works.
    assert sign_in(client).status_code == 302 and client.get("/upload").status_code == 200


def test_a_session_ends_twelve_hours_after_signing_in_however_often_used(coord):
    client = coord.app.test_client()
    sign_in(client)
    assert client.get("/upload").status_code == 200
    with client.session_transaction() as s:
        s[auth.SIGNED_IN_AT] -= auth.SESSION_HOURS * 3600 + 1
    assert client.get("/upload").status_code == 302
    with client.session_transaction() as s:
        assert auth.SIGNED_IN_AT not in s


def test_a_session_from_before_sign_in_times_were_kept_ends(coord):
    client = coord.app.test_client()
    sign_in(client)
    with client.session_transaction() as s:
        del s[auth.SIGNED_IN_AT]
    assert client.get("/upload").status_code == 302


def test_signed_in_pages_and_the_sign_in_page_are_not_cached(coord):
    client = coord.app.test_client()
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    sign_in(client)
    for url in ("/", "/upload", "/trash", "/changes"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_wrong_passwords_sent_at_once_are_not_all_checked(coord, monkeypatch):
    checked = []
    real = Accounts.verify

    def slow_verify(self, name, password):
        checked.append(password)
        time.sleep(0.2)  # as long as Argon2 takes on a slow machine: the attempts overlap
        return real(self, name, password)

    monkeypatch.setattr(Accounts, "verify", slow_verify)
    clients = [coord.app.test_client() for _ in range(16)]
    forms = [{"name": NAME, "password": f"fel lösenord {n}", "csrf_token": token(c)} for n, c in enumerate(clients)]
    forms[7]["password"] = PASSWORD  # the right one, 8th in the burst
    start = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def send(n):
        start.wait()
        statuses[n] = clients[n].post("/login", data=forms[n]).status_code

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) <= auth.MAX_FAILURES_ACCOUNT
    assert statuses.count(429) >= len(clients) - auth.MAX_FAILURES_ACCOUNT


def test_a_right_password_does_not_use_up_the_address_allowance(coord):
    client = coord.app.test_client()
    for _ in range(auth.MAX_FAILURES_ADDRESS + 2):
        assert sign_in(client).status_code == 302
        client.post("/logout", data={"csrf_token": token(client, "/")})


@pytest.mark.parametrize("target", ["/\r\nX-Injected: 1", "/%0d%0a", "/\nupload", "/\x7f", "/\tupload"])
def test_next_with_control_characters_goes_home(coord, target):
    client = coord.app.test_client()
    r = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token(client),
                                    "next": target})
    assert r.status_code == 302 and "X-Injected" not in r.headers
    assert r.headers["Location"] in ("/", target) and "\n" not in r.headers["Location"]


# -- the secret key that signs the sessions ------------------------------------------------
def _app(coord, **config):
    from webapp import create_app

    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(coord.archive), "ARKIV_INDEX": str(coord.tiny.index_dir),
                       **config})


@pytest.mark.parametrize("written", ["abc", "", "  \n", "x" * 31])
def test_a_hand_written_short_key_is_refused_not_used(tmp_path, written):
    (tmp_path / "a").mkdir()
    coord = build(tmp_path / "a")
    key_file = tmp_path / "kort-nyckel"
    key_file.write_text(written)
    key_file.chmod(0o600)
    with pytest.raises(auth.SecretKeyError, match="at least 32"):
        _app(coord, ARKIV_SECRET_KEY_FILE=str(key_file))
    assert key_file.read_text() == written  # refused, not replaced behind the writer's back


def test_a_short_configured_key_is_refused(tmp_path):
    coord = build(tmp_path)
    with pytest.raises(auth.SecretKeyError):
        _app(coord, SECRET_KEY="hemligt")


def test_a_key_file_others_can_read_is_warned_about(tmp_path, caplog):
    (tmp_path / "a").mkdir()
    coord = build(tmp_path / "a")
    key_file = tmp_path / "nyckel"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    app = _app(coord, ARKIV_SECRET_KEY_FILE=str(key_file))
    assert app.config["SECRET_KEY"] == "k" * 64
    assert any("chmod 600" in r.getMessage() for r in caplog.records)


def test_serve_says_why_it_will_not_start_with_a_short_key(tmp_path, capsys, monkeypatch):
    from webapp import cli

    (tmp_path / "a").mkdir()
    coord = build(tmp_path / "a")
    key_file = tmp_path / "nyckel"
    key_file.write_text("abc")
    monkeypatch.setenv("ARKIV_SECRET_KEY_FILE", str(key_file))
    code = cli.main(["serve", "--archive", str(coord.archive), "--index", str(coord.tiny.index_dir)])
    assert code == 2 and "at least 32" in capsys.readouterr().err


# -- names people can tell apart -------------------------------------------------------------
@pytest.mark.parametrize("name", ["\u0430nna", "ann\u03b1", "pa\u0443l"])
def test_a_name_mixing_alphabets_is_refused(tmp_path, name):
    from webapp.accounts import AccountError, users_file

    store = Accounts(users_file(tmp_path / "arkiv"))
    store.add("anna", PASSWORD)
    with pytest.raises(AccountError, match="one alphabet"):
        store.add(name, PASSWORD)
    assert store.names() == ["anna"]


def test_names_are_one_whatever_their_width_or_case(tmp_path):
    from webapp.accounts import AccountError, users_file

    store = Accounts(users_file(tmp_path / "arkiv"))
    assert store.add("Åsa.Berg", PASSWORD) == "åsa.berg"
    for same in ("ÅSA.BERG", "\uff21\u030a\uff53\uff41.berg"):  # fullwidth letters, a combining ring
        with pytest.raises(AccountError, match="already"):
            store.add(same, PASSWORD)
    assert store.verify("ÅSA.BERG", PASSWORD) is not None


def test_the_cli_is_logged_as_the_process_user_not_logname(monkeypatch):
    import os
    import pwd

    from indexer import cli_user

    monkeypatch.setenv("LOGNAME", "anna")
    monkeypatch.setenv("USER", "anna")
    assert cli_user() == f"cli:{pwd.getpwuid(os.getuid()).pw_name}"


# -- what the site says before anyone signs in ---------------------------------------------
@pytest.mark.parametrize("url", ["//groups//naturvard", "/groups/naturvard/", "//", "/documents//x"])
def test_no_redirect_is_built_from_the_host_header(coord, url):
    r = coord.app.test_client().get(url, headers={"Host": "evil.example"})
    assert "evil.example" not in r.headers.get("Location", "")


def test_trusted_hosts_refuse_another_host(tmp_path):
    coord = build(tmp_path, ARKIV_TRUSTED_HOSTS="arkiv.example, localhost")
    client = coord.app.test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "arkiv.example"}).status_code == 200


def test_a_private_site_names_nothing_of_the_archive_before_sign_in(tmp_path):
    coord = build(tmp_path, ARKIV_PRIVATE="true")
    client = coord.app.test_client()
    for url in ("/login", "/finns-inte", "/static/finns-inte.css"):
        page = client.get(url).get_data(as_text=True)
        for secret in ("Testnätverket", "Naturvårdsgruppen", "Miljöstrategigruppen"):
            assert secret not in page, (url, secret)
    (tmp_path / "tom").mkdir()
    empty = build(tmp_path / "tom", ARKIV_PRIVATE="true")
    Accounts(empty.app.extensions["arkiv-accounts"].path).remove(NAME)
    assert "arkiv user add" not in empty.app.test_client().get("/login").get_data(as_text=True)
    sign_in(client)
    assert "Naturvårdsgruppen" in client.get("/").get_data(as_text=True)


# -- a coordinator changes their own password ---------------------------------------------
def change_password(client, old, new, again=None):
    return client.post("/account/password", data={"old": old, "new": new, "again": new if again is None else again,
                                                   "csrf_token": token(client, "/account/password")})


def test_a_coordinator_changes_their_password_and_other_sessions_end(coord):
    here, elsewhere = coord.app.test_client(), coord.app.test_client()
    sign_in(here), sign_in(elsewhere)
    page = here.get("/account/password").get_data(as_text=True)
    assert "Nuvarande lösenord" in page and 'autocomplete="new-password"' in page
    r = change_password(here, PASSWORD, "ett alldeles nytt lösenord")
    assert r.status_code == 302
    assert here.get("/upload").status_code == 200  # this session goes on
    assert elsewhere.get("/upload").status_code == 302  # the other one has ended
    other = coord.app.test_client()
    assert sign_in(other).status_code == 401
    assert sign_in(other, password="ett alldeles nytt lösenord").status_code == 302
    assert coord.audit()[-1]["what"] == "user-passwd" and coord.audit()[-1]["who"] == NAME


@pytest.mark.parametrize("old, new, again, says", [
    ("fel gammalt lösenord", "ett alldeles nytt lösenord", None, "stämmer inte"),
    (PASSWORD, "ett alldeles nytt lösenord", "ett annat nytt lösenord", "olika"),
    (PASSWORD, "kort", None, "10"),
])
def test_a_password_change_that_cannot_be_made_changes_nothing(coord, old, new, again, says):
    client = coord.app.test_client()
    sign_in(client)
    before = Accounts(coord.app.extensions["arkiv-accounts"].path).get(NAME).hash
    r = change_password(client, old, new, again)
    assert r.status_code == 400 and says in r.get_data(as_text=True)
    assert Accounts(coord.app.extensions["arkiv-accounts"].path).get(NAME).hash == before
    assert client.get("/upload").status_code == 200


def test_guessing_the_old_password_is_throttled_like_signing_in(coord):
    client = coord.app.test_client()
    sign_in(client)
    codes = [change_password(client, f"gissning {n}", "ett alldeles nytt lösenord").status_code for n in range(7)]
    assert codes[-1] == 429 and codes.count(400) <= auth.MAX_FAILURES_ACCOUNT


def test_the_password_page_needs_a_signed_in_coordinator_and_a_token(coord):
    client = coord.app.test_client()
    assert client.get("/account/password").status_code == 302
    sign_in(client)
    r = client.post("/account/password", data={"old": PASSWORD, "new": "ett alldeles nytt lösenord",
                                                "again": "ett alldeles nytt lösenord"})
    assert r.status_code == 400  # no CSRF token
    assert sign_in(coord.app.test_client()).status_code == 302  # unchanged
