"""E-mail alerts end to end against a real SMTP server on loopback (aiosmtpd), started here.

Subscribe on the site, confirm by the mailed link, `arkiv alerts send` the digest, unsubscribe
by link and by a mail program's one-click POST; a failing server, a sender killed mid-run,
writers in several processes at once, forged and expired tokens, and the limits.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from smtp_server import SmtpServer
from tiny import TinyArchive

from indexer import MailSettings, Subscriptions, alerts_file
from indexer.cli import main as cli_main
from webapp import create_app

REPO = Path(__file__).resolve().parents[2]
PUBLIC = "http://arkiv.test"
ADDRESS = "anna.ekolog@example.se"
SENDER = "Nätverksarkivet <arkiv@example.se>"
CONFIRM = re.compile(r"http://arkiv\.test(/alerts/confirm/\S+)")
UNSUBSCRIBE = re.compile(r"http://arkiv\.test(/alerts/unsubscribe/\S+)")


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def inbox(smtp):
    smtp.inbox.take()
    smtp.inbox.refuse = None
    smtp.inbox.on_data = None
    yield smtp.inbox
    smtp.inbox.refuse = None
    smtp.inbox.on_data = None


@pytest.fixture
def tiny(tmp_path):
    t = TinyArchive(tmp_path)
    t.write("naturvard/2023-10-10-lerum/minnesanteckningar.txt", "Vi talade om upphandling av skötsel av ängar.")
    t.write("naturvard/2023-10-10-lerum/presentation.txt", "Parkslide och lupin i vägkanter.")
    t.write("miljostrategi/2024-04-18-uddevalla/minnesanteckningar.txt", "Klimatlöften och uppföljning.")
    assert not t.index().failed
    return t


def mail_settings(smtp, **kw) -> MailSettings:
    return MailSettings(**{"host": "127.0.0.1", "port": smtp.port, "sender": SENDER, "public_url": PUBLIC,
                           "timeout": 5.0, **kw})


@pytest.fixture
def app(tiny, smtp):
    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir),
                       "ARKIV_MAIL": mail_settings(smtp)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def env(smtp, monkeypatch):
    """The environment `arkiv alerts send` reads its settings from."""
    values = {"ARKIV_SMTP_HOST": "127.0.0.1", "ARKIV_SMTP_PORT": str(smtp.port), "ARKIV_MAIL_FROM": SENDER,
              "ARKIV_PUBLIC_URL": PUBLIC}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def send(tiny, *extra) -> int:
    return cli_main(["alerts", "send", "--archive", str(tiny.root), "--index", str(tiny.index_dir), *extra])


def subscribe(client, email=ADDRESS, frequency="daily", **search):
    return client.post("/alerts", data={"email": email, "frequency": frequency, **search})


def subscribed(client, inbox, email=ADDRESS, **search) -> str:
    """Subscribe and confirm by the link in the mail; the path of that link."""
    assert subscribe(client, email, **search).status_code == 200
    [msg] = inbox.take()
    path = CONFIRM.search(msg.get_content())[1]
    assert client.post(path).status_code == 200
    return path


def store(tiny) -> Subscriptions:
    return Subscriptions(alerts_file(tiny.root))


def now() -> datetime:
    return datetime.now(timezone.utc)


# -- the form -------------------------------------------------------------------------------
def test_the_form_is_offered_only_with_mail_settings(tiny, smtp):
    def page(**config):
        app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir),
                          **config})
        return app.test_client().get("/?q=upphandling").get_data(as_text=True)

    assert "Bevaka sökningen" in page(ARKIV_MAIL=mail_settings(smtp))
    assert 'name="q" value="upphandling"' in page(ARKIV_MAIL=mail_settings(smtp))
    assert "Bevaka sökningen" not in page(ARKIV_MAIL=None)  # the feeds still are
    assert "Följ i nyhetsläsare" in page(ARKIV_MAIL=None)
    # No trusted address for the links: not offered (a forged Host would make the mail's link).
    assert "Bevaka sökningen" not in page(ARKIV_MAIL=mail_settings(smtp, public_url=None))
    assert "Bevaka sökningen" in page(ARKIV_MAIL=mail_settings(smtp, public_url=None), TRUSTED_HOSTS=["localhost"])
    assert "Bevaka sökningen" not in page(ARKIV_MAIL=mail_settings(smtp), ARKIV_PRIVATE=True,
                                          SECRET_KEY="k" * 40)


def test_no_mail_settings_no_alert_pages(tiny):
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir),
                      "ARKIV_MAIL": None})
    assert app.test_client().post("/alerts", data={"email": ADDRESS, "frequency": "daily"}).status_code == 404


def test_without_public_url_the_links_use_the_trusted_host(tiny, smtp, inbox):
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir),
                      "ARKIV_MAIL": mail_settings(smtp, public_url=None), "TRUSTED_HOSTS": ["arkiv.example"]})
    c = app.test_client()
    assert c.post("/alerts", data={"email": ADDRESS, "frequency": "daily"},
                  headers={"Host": "evil.example"}).status_code == 400  # refused by TRUSTED_HOSTS
    assert inbox.take() == []
    assert c.post("/alerts", data={"email": ADDRESS, "frequency": "weekly", "q": "ängar"},
                  base_url="https://arkiv.example").status_code == 200
    [msg] = inbox.take()
    assert "https://arkiv.example/alerts/confirm/" in msg.get_content()
    assert store(tiny).all(now())[0].base_url == "https://arkiv.example"


# -- the whole way ----------------------------------------------------------------------------
def test_subscribe_confirm_digest_unsubscribe(tiny, client, inbox, env):
    r = subscribe(client, q="upphandling", group="naturvard")
    assert r.status_code == 200 and "Titta i din e-post" in r.get_data(as_text=True)
    [msg] = inbox.take()
    assert msg.envelope_to == [ADDRESS] and msg["To"] == ADDRESS
    assert msg["Subject"].startswith("Bekräfta") and "List-Unsubscribe" not in msg
    body = msg.get_content()
    assert "”upphandling” · Naturvårdsgruppen" in body
    confirm = CONFIRM.search(body)[1]

    # Unconfirmed: nothing but the confirmation, whatever is sent.
    tiny.write("naturvard/2023-10-10-lerum/upphandling-ny.txt", "Ny text om upphandling av slåtter.")
    tiny.index()
    assert send(tiny, "--now") == 0
    assert inbox.take() == []

    # The link shows a button; opening it (a mail scanner does) confirms nothing.
    page = client.get(confirm)
    assert page.status_code == 200 and "Starta bevakningen" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert not store(tiny).all(now())[0].is_confirmed
    assert client.post(confirm).status_code == 200
    assert store(tiny).all(now())[0].is_confirmed
    assert client.post(confirm).status_code == 404  # spent

    # Documents there before the confirmation are not news; a new one after it is.
    assert send(tiny, "--now") == 0
    assert inbox.take() == []  # the ledger's first run: every document so far is old
    tiny.write("naturvard/2024-09-12-ulricehamn/minnesanteckningar.txt", "Beslut om upphandling av bete.")
    tiny.write("naturvard/2024-09-12-ulricehamn/annat.txt", "Om fladdermöss.")
    tiny.write("miljostrategi/2024-04-18-uddevalla/upphandling.txt", "Upphandling i en annan grupp.")
    tiny.index()
    assert send(tiny) == 0  # daily, and its last digest was made just now: not due yet
    assert inbox.take() == []
    assert send(tiny, "--now") == 0
    [digest] = inbox.take()
    text = digest.get_content()
    assert digest["To"] == ADDRESS and "1 nytt dokument" in digest["Subject"]
    assert "naturvard/2024-09-12-ulricehamn/minnesanteckningar.txt" in text
    assert "annat.txt" not in text and "uddevalla" not in text
    link = UNSUBSCRIBE.search(text)[1]
    assert digest["List-Unsubscribe"] == f"<{PUBLIC}{link}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send(tiny, "--now") == 0 and inbox.take() == []  # sent once

    page = client.get(link)
    assert page.status_code == 200 and "Avsluta bevakningen" in page.get_data(as_text=True)
    assert len(store(tiny).all(now())) == 1  # a GET changes nothing
    assert client.post(link).status_code == 200
    assert store(tiny).all(now()) == []
    assert client.post(link).status_code == 404
    tiny.write("naturvard/2024-09-12-ulricehamn/upphandling-2.txt", "Mer om upphandling.")
    tiny.index()
    assert send(tiny, "--now") == 0 and inbox.take() == []


def test_one_click_unsubscribe_from_the_mail_program(tiny, client, app, inbox, env):
    subscribed(client, inbox, q="ängar")
    send(tiny, "--now")
    tiny.write("naturvard/2024-09-12-ulricehamn/angar.txt", "Slåtter på ängar.")
    tiny.index()
    assert send(tiny, "--now") == 0
    [digest] = inbox.take()
    url = digest["List-Unsubscribe"].strip("<>")
    fresh = app.test_client()  # a mail program: no cookie, no CSRF token
    r = fresh.post(url.removeprefix(PUBLIC), data="List-Unsubscribe=One-Click",
                   content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert store(tiny).all(now()) == []


def test_a_digest_lists_25_and_counts_the_rest(tiny, client, inbox, env):
    subscribed(client, inbox, q="slåtter")
    send(tiny, "--now")
    for n in range(30):
        tiny.write(f"naturvard/2025-0{1 + n % 9}-1{n % 10}-mote/slatter-{n}.txt", f"Slåtter nummer {n}.")
    tiny.index()
    assert send(tiny, "--now") == 0
    [digest] = inbox.take()
    text = digest.get_content()
    assert "30 nya dokument" in digest["Subject"]
    assert len(re.findall(r"^\d+\. ", text, re.M)) == 25 and "Och 5 till." in text
    assert "http://arkiv.test/?q=sl%C3%A5tter&sort=newest" in text


# -- what is stored ---------------------------------------------------------------------------
ALLOWED_KEYS = {"id", "address", "search", "frequency", "created", "confirmed", "since", "checked", "sent",
                "base_url", "confirm_hash", "confirmations", "unsubscribe_hashes"}


def test_the_file_holds_little_and_no_token(tiny, client, inbox, env):
    assert subscribe(client, q="ängar").status_code == 200
    [msg] = inbox.take()
    token = CONFIRM.search(msg.get_content())[1].rsplit("/", 1)[1]
    path = alerts_file(tiny.root)
    assert path.parent == tiny.root.parent  # beside the archive, never in it (nor in the index)
    assert os.stat(path).st_mode & 0o777 == 0o600
    raw = path.read_text(encoding="utf-8")
    assert token not in raw and token.split(".")[1] not in raw
    [record] = json.loads(raw)["subscriptions"]
    assert set(record) <= ALLOWED_KEYS
    assert record["search"] == {"q": "ängar"} and record["address"] == ADDRESS


def test_unconfirmed_subscriptions_expire_after_48_hours(tiny, client, inbox):
    assert subscribe(client, q="ängar").status_code == 200
    [msg] = inbox.take()
    token = CONFIRM.search(msg.get_content())[1].rsplit("/", 1)[1]
    s = store(tiny)
    assert s.pending_by_token(token, now() + timedelta(hours=47)) is not None
    assert s.confirm(token, now() + timedelta(hours=48, seconds=1)) is None
    assert s.all(now()) == []  # deleted from the file, not only refused
    assert ADDRESS not in alerts_file(tiny.root).read_text(encoding="utf-8")


@pytest.mark.parametrize("token", [
    pytest.param("0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id="well-formed-unknown"),
    pytest.param("x" * 127, id="no-dot"),
    pytest.param("0123456789abcdef." + "A" * 200, id="overlong"),
    pytest.param("../../etc/passwd", id="traversal"),
    pytest.param("0123456789ABCDEF.<script>", id="markup"),
])
def test_forged_tokens_are_refused(client, token):
    for path in ("/alerts/confirm/", "/alerts/unsubscribe/"):
        assert client.get(path + token).status_code == 404
        assert client.post(path + token).status_code == 404


def test_tokens_are_single_purpose(tiny, client, inbox, env):
    assert subscribe(client, q="ängar").status_code == 200
    [msg] = inbox.take()
    confirm = CONFIRM.search(msg.get_content())[1]
    token = confirm.rsplit("/", 1)[1]
    sub_id, secret = token.split(".")
    assert client.post(f"/alerts/unsubscribe/{token}").status_code == 404  # a confirmation token is not one
    assert client.post(f"/alerts/confirm/{sub_id}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}").status_code == 404
    assert client.post(confirm).status_code == 200
    assert len(store(tiny).all(now())) == 1


# -- limits against abuse ---------------------------------------------------------------------
def test_at_most_three_confirmation_mails_to_one_address(client, inbox):
    for q in ("ängar", "lupin", "parkslide"):
        assert subscribe(client, email=ADDRESS.upper() if q == "lupin" else ADDRESS, q=q).status_code == 200
    assert len(inbox.take()) == 3
    r = subscribe(client, q="klimat")
    assert r.status_code == 429 and "För många" in r.get_data(as_text=True)
    assert inbox.take() == []


def test_a_client_gets_ten_requests_an_hour(client, inbox):
    for n in range(10):
        assert subscribe(client, email=f"person{n}@example.se", q="ängar").status_code == 200
    assert subscribe(client, email="person10@example.se", q="ängar").status_code == 429
    assert len(inbox.take()) == 10


def test_asking_again_for_a_confirmed_subscription_sends_nothing(tiny, client, inbox):
    subscribed(client, inbox, q="ängar")
    r = subscribe(client, q="ängar", frequency="weekly")
    assert r.status_code == 200 and "Titta i din e-post" in r.get_data(as_text=True)  # the same page
    assert inbox.take() == []
    assert store(tiny).all(now())[0].frequency == "daily"  # a stranger cannot change it either


@pytest.mark.parametrize("email, status", [
    pytest.param("inte en adress", 400, id="no-at"),
    pytest.param("anna@example.se\r\nBcc: alla@example.se", 400, id="header-injection"),
    pytest.param("anna@example.se, bo@example.se", 400, id="two-addresses"),
    pytest.param("a" * 250 + "@example.se", 400, id="too-long"),
    pytest.param("anna@localhost", 400, id="no-domain"),
    pytest.param("", 400, id="empty"),
])
def test_bad_addresses_are_refused_without_mail(tiny, client, inbox, email, status):
    assert subscribe(client, email=email, q="ängar").status_code == status
    assert inbox.take() == []
    assert store(tiny).all(now()) == []


def test_a_swedish_domain_is_kept_as_mail_servers_read_it(tiny, client, inbox):
    assert subscribe(client, email="anna@höör.se", q="ängar").status_code == 200
    [msg] = inbox.take()
    assert msg.envelope_to == ["anna@xn--hr-fkaa.se"]


def test_line_breaks_in_a_query_or_title_stay_out_of_the_headers(tiny, client, inbox, env):
    send(tiny, "--now")
    subscribed(client, inbox, q="ängar\r\nBcc: alla@example.se")
    tiny.write("naturvard/2024-09-12-ulricehamn/angar.txt", "Slåtter på ängar. Bcc alla example")
    tiny.write("naturvard/2024-09-12-ulricehamn/angar.txt.toml", 'title = "Ängar\\r\\nBcc: fler@example.se"\n')
    tiny.index()
    assert send(tiny, "--now") == 0
    [digest] = inbox.take()
    assert digest.envelope_to == [ADDRESS] and "Bcc" not in digest
    assert "\n" not in digest["Subject"] and "Bcc: alla@example.se" in digest["Subject"]
    assert "1. Ängar Bcc: fler@example.se" in digest.get_content().splitlines()


def test_bad_frequency_and_search_and_size(tiny, client, inbox):
    assert subscribe(client, frequency="hourly").status_code == 400
    assert subscribe(client, type="inget").status_code == 400
    assert client.post("/alerts", data={"email": ADDRESS, "frequency": "daily", "q": "x" * 100_000}).status_code == 413
    assert inbox.take() == [] and store(tiny).all(now()) == []


def test_a_failing_server_at_request_time_keeps_nothing(tiny, client, smtp, inbox):
    inbox.refuse = "451 4.3.0 try again later"
    r = subscribe(client, q="ängar")
    assert r.status_code == 503 and "kunde inte skickas" in r.get_data(as_text=True)
    assert store(tiny).all(now()) == []


# -- sending: failure, restart, at least once ------------------------------------------------
def _one_new_document(tiny, client, inbox, name="ny.txt"):
    send(tiny, "--now")  # the ledger's first run: every document so far is old
    subscribed(client, inbox, q="ängar")
    tiny.write(f"naturvard/2024-09-12-ulricehamn/{name}", "Slåtter på ängar i Ulricehamn.")
    tiny.index()


def test_a_failing_server_is_retried_next_run(tiny, client, smtp, inbox, env, capsys):
    _one_new_document(tiny, client, inbox)
    inbox.refuse = "451 4.3.0 try again later"
    assert send(tiny) == 3
    assert "FAILED" in capsys.readouterr().err
    [sub] = store(tiny).all(now())
    assert sub.sent is None and sub.checked is None  # nothing marked that was not sent
    smtp.stop()  # and a server that is not there at all
    try:
        assert send(tiny) == 3
    finally:
        smtp.start()
    inbox.refuse = None
    assert send(tiny) == 0
    [digest] = inbox.take()
    assert "ny.txt" in digest.get_content()
    assert store(tiny).all(now())[0].sent is not None
    assert send(tiny, "--now") == 0 and inbox.take() == []


def _send_process(tiny, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "indexer.cli", "alerts", "send", "--now", "--archive",
                             str(tiny.root), "--index", str(tiny.index_dir)],
                            env={**os.environ, **env, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_killed_after_the_server_accepted_sends_once_more_never_lost(tiny, client, inbox, env):
    """At least once: killed between the server's acceptance and the mark, the digest comes again, once."""
    _one_new_document(tiny, client, inbox)
    proc = _send_process(tiny, env)
    inbox.on_data = lambda msg: os.kill(proc.pid, signal.SIGKILL)  # before the server answers 250
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    inbox.on_data = None
    [first] = inbox.take()
    assert store(tiny).all(now())[0].sent is None  # the file is whole, and says not sent
    assert send(tiny, "--now") == 0
    [again] = inbox.take()
    assert again["Subject"] == first["Subject"] and "ny.txt" in again.get_content()
    assert send(tiny, "--now") == 0 and inbox.take() == []


def test_killed_before_the_server_has_it_sends_it_next_run(tiny, client, smtp, inbox, env):
    _one_new_document(tiny, client, inbox)
    proc = _send_process(tiny, env)

    def kill_and_refuse(msg):
        os.kill(proc.pid, signal.SIGKILL)
        inbox.messages.remove(msg)  # as if it died before its DATA reached the server
    inbox.on_data = kill_and_refuse
    proc.wait(timeout=60)
    inbox.on_data = None
    assert inbox.take() == []
    assert send(tiny, "--now") == 0
    assert len(inbox.take()) == 1


def test_two_runs_at_once_do_not_both_send(tiny, client, inbox, env):
    from indexer.alerts.digest import _run_lock  # the run lock itself

    _one_new_document(tiny, client, inbox)
    with _run_lock(alerts_file(tiny.root).with_name(alerts_file(tiny.root).name + ".send.lock")):
        assert send(tiny, "--now") == 1
    assert inbox.take() == []
    assert send(tiny, "--now") == 0 and len(inbox.take()) == 1


def test_dry_run_sends_and_changes_nothing(tiny, client, inbox, env, capsys):
    _one_new_document(tiny, client, inbox)
    before = alerts_file(tiny.root).read_bytes()
    assert send(tiny, "--dry-run") == 0
    assert "would send" in capsys.readouterr().out
    assert inbox.take() == [] and alerts_file(tiny.root).read_bytes() == before
    assert send(tiny) == 0 and len(inbox.take()) == 1  # still news


def test_a_moved_document_is_not_news_again(tiny, client, inbox, env):
    subscribed(client, inbox, q="upphandling")
    send(tiny, "--now")
    old = tiny.root / "naturvard/2023-10-10-lerum/minnesanteckningar.txt"
    new = tiny.root / "naturvard/2024-09-12-ulricehamn/minnesanteckningar.txt"
    new.parent.mkdir(parents=True)
    old.rename(new)
    tiny.index()
    assert send(tiny, "--now") == 0 and inbox.take() == []
    tiny.index(rebuild=True)  # a rebuilt index is no news either
    assert send(tiny, "--now") == 0 and inbox.take() == []


def test_daily_and_weekly_are_due_by_their_period(tiny):
    from indexer.alerts import is_due
    from indexer.alerts.store import Subscription, stamp

    t = now()
    def sub(freq, checked):
        return Subscription(id="0" * 16, address=ADDRESS, search={}, frequency=freq, created=stamp(t),
                            confirmed=stamp(t - timedelta(days=30)), checked=checked and stamp(t - checked))
    assert is_due(sub("daily", None), t) and is_due(sub("weekly", None), t)
    assert is_due(sub("daily", timedelta(hours=23, minutes=30)), t)  # cron a little early
    assert not is_due(sub("daily", timedelta(hours=22)), t)
    assert not is_due(sub("weekly", timedelta(days=3)), t)
    assert is_due(sub("weekly", timedelta(days=7)), t)


def test_list_and_remove_from_the_command_line(tiny, client, inbox, capsys):
    subscribed(client, inbox, q="ängar")
    assert subscribe(client, email="Bo@example.se", q="lupin", frequency="weekly").status_code == 200
    root = ["--archive", str(tiny.root)]
    assert cli_main(["alerts", "list", *root]) == 0
    out = capsys.readouterr().out
    assert "2 subscription(s)" in out and ADDRESS in out and "Bo@example.se" in out and "unconfirmed" in out
    assert "”ängar”" in out
    assert cli_main(["alerts", "remove", "bo@EXAMPLE.se", *root]) == 0
    assert [s.address for s in store(tiny).all(now())] == [ADDRESS]
    assert cli_main(["alerts", "remove", "bo@example.se", *root]) == 1


def test_send_without_settings_says_so(tiny, monkeypatch, capsys):
    for k in ("ARKIV_SMTP_HOST", "ARKIV_MAIL_FROM"):
        monkeypatch.delenv(k, raising=False)
    assert send(tiny) == 1
    assert "ARKIV_SMTP_HOST" in capsys.readouterr().err


# -- two processes writing at once -------------------------------------------------------------
WRITER = """
import sys
from datetime import datetime, timezone
from indexer import Subscriptions
store = Subscriptions(sys.argv[1])
for n in range(int(sys.argv[3])):
    if sys.argv[2] == "mark":
        store.mark(sys.argv[4], datetime.now(timezone.utc), sent=True)
    else:
        store.request(f"p{sys.argv[2]}-{n}@example.se", {"q": "x"}, "daily", datetime.now(timezone.utc))
"""


def test_writers_in_several_processes_lose_nothing(tmp_path):
    path = tmp_path / "arkiv-alerts.json"
    s = Subscriptions(path)
    first = s.request(ADDRESS, {"q": "ängar"}, "weekly", now()).subscription
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(w), "15"], env=env) for w in range(4)]
    procs.append(subprocess.Popen([sys.executable, "-c", WRITER, str(path), "mark", "30", first.id], env=env))
    assert [p.wait(timeout=120) for p in procs] == [0] * 5
    subs = {x.address: x for x in s.all(now())}
    assert len(subs) == 1 + 4 * 15  # every request of every process
    assert subs[ADDRESS].sent is not None  # and the marks of the sender


# -- settings ----------------------------------------------------------------------------------
def test_mail_settings_from_the_environment():
    from indexer import AlertsConfigError

    assert MailSettings.from_environ({}) is None
    s = MailSettings.from_environ({"ARKIV_SMTP_HOST": "smtp.example.se", "ARKIV_MAIL_FROM": SENDER,
                                   "ARKIV_SMTP_STARTTLS": "true", "ARKIV_SMTP_USER": "arkiv",
                                   "ARKIV_SMTP_PASSWORD": "1e3", "ARKIV_PUBLIC_URL": "https://arkiv.example.se/"})
    assert (s.port, s.starttls, s.password, s.public_url) == (587, True, "1e3", "https://arkiv.example.se")
    assert "1e3" not in repr(s)
    assert MailSettings.from_environ({"ARKIV_SMTP_HOST": "h", "ARKIV_MAIL_FROM": "a@b.se"}).port == 25
    for bad in ({"ARKIV_SMTP_HOST": "h"}, {"ARKIV_SMTP_HOST": "h", "ARKIV_MAIL_FROM": "inte en adress"},
                {"ARKIV_SMTP_HOST": "h", "ARKIV_MAIL_FROM": "a@b.se", "ARKIV_SMTP_PORT": "70000"},
                {"ARKIV_SMTP_HOST": "h", "ARKIV_MAIL_FROM": "a@b.se", "ARKIV_SMTP_USER": "u"},
                {"ARKIV_SMTP_HOST": "h", "ARKIV_MAIL_FROM": "a@b.se", "ARKIV_PUBLIC_URL": "arkiv.example.se"}):
        with pytest.raises(AlertsConfigError):
            MailSettings.from_environ(bad)


def test_the_app_reads_the_environment_and_keeps_the_password_out_of_its_config(tiny, smtp, monkeypatch):
    monkeypatch.setenv("ARKIV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ARKIV_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ARKIV_MAIL_FROM", SENDER)
    monkeypatch.setenv("ARKIV_SMTP_USER", "arkiv")
    monkeypatch.setenv("ARKIV_SMTP_PASSWORD", "hemligt-lösen")
    monkeypatch.setenv("ARKIV_PUBLIC_URL", PUBLIC)
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir)})
    assert "hemligt-lösen" not in repr(dict(app.config))
    assert "Bevaka sökningen" in app.test_client().get("/").get_data(as_text=True)


def test_a_first_run_before_anything_was_indexed_floods_nobody_later(tiny, client, inbox, env):
    from indexer.alerts.digest import Ledger

    subscribed(client, inbox, q="ängar")
    ledger = Ledger(alerts_file(tiny.root).with_name(tiny.root.name + "-alerts-seen.json"))
    ledger.save({})  # as a run would have left it with an empty index
    assert send(tiny, "--now") == 0 and inbox.take() == []
