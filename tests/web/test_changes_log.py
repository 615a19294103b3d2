"""/changes in names, with filters, pages and undo (CSRF-protected, coordinators only)."""
from __future__ import annotations

import re

import pytest

from coord import LERUM, MINUTES, NAME, build, review_fields, sign_in, token, upload


@pytest.fixture
def coord(tmp_path):
    return build(tmp_path)


@pytest.fixture
def signed_in(coord):
    client = coord.app.test_client()
    assert sign_in(client).status_code == 302
    return client


def review(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def _undo_form(html: str) -> str:
    return re.search(r'action="(/changes/[0-9a-f]{16}/undo)"', html)[1]


def test_changes_speak_in_names_and_link_to_the_document(coord, signed_in):
    data = review_fields(signed_in.get(f"/edit/{MINUTES}").get_data(as_text=True))
    signed_in.post(f"/edit/{MINUTES}", data={**data, "title": "Rättad titel"})
    html = signed_in.get("/changes").get_data(as_text=True)
    assert "Rättade uppgifter om" in html and f'href="/documents/{MINUTES}">Rättad titel</a>' in html
    assert "Naturvårdsgruppen, 10 oktober 2023" in html and "sha256" not in html and "före " not in html


@pytest.mark.parametrize("query", ["typ=ingen", "sida=0", "sida=abc", "sida=99999", "vem=" + "x" * 101, "sida=2"])
def test_bad_parameters_are_400(signed_in, query):
    assert signed_in.get(f"/changes?{query}").status_code == 400


def test_filters_by_kind_and_person(coord, signed_in):
    signed_in.post(f"/remove/{LERUM}/parkslide.txt", data={"csrf_token": token(signed_in, "/")})
    assert "Tog bort" in signed_in.get("/changes?typ=borttagningar").get_data(as_text=True)
    assert "Tog bort" not in signed_in.get("/changes?typ=flyttar").get_data(as_text=True)
    assert "Tog bort" in signed_in.get(f"/changes?vem={NAME}").get_data(as_text=True)
    assert "Inga ändringar av det slaget" in signed_in.get("/changes?vem=nagon-annan").get_data(as_text=True)


def test_undo_a_move_from_the_log_and_refuse_it_twice(coord, signed_in):
    signed_in.post(f"/move/{MINUTES}", data={"target": "miljostrategi/2022-05-05",
                                             "csrf_token": token(signed_in, f"/move/{MINUTES}")})
    assert not (coord.archive / MINUTES).exists()
    html = signed_in.get("/changes").get_data(as_text=True)
    action = _undo_form(html)
    anonymous = coord.app.test_client()
    assert anonymous.post(action, data={"csrf_token": token(anonymous)}).status_code == 401
    assert signed_in.post(action, data={}).status_code == 400  # no CSRF token: nothing undone
    assert not (coord.archive / MINUTES).exists()
    r = signed_in.post(action, data={"csrf_token": token(signed_in, "/changes")})
    assert r.status_code == 303 and (coord.archive / MINUTES).is_file()
    again = signed_in.post(action, data={"csrf_token": token(signed_in, "/changes")})
    assert again.status_code == 409 and "redan ångrad" in again.get_data(as_text=True)
    assert [a["what"] for a in coord.audit()][-2:] == ["move", "undo"]


def test_undo_a_whole_upload_batch_from_the_log(coord, signed_in):
    files = [("a.txt", "Text om ålgräs.".encode()), ("b.txt", "Mer om ålgräs och blåmusslor.".encode())]
    url, html = review(signed_in, upload(signed_in, files, date="2024-03-14", place="Strömstad"))
    assert signed_in.post(url, data=review_fields(html)).status_code == 200
    assert coord.total(signed_in, "ålgräs") == 2
    page = signed_in.get("/changes?typ=uppladdningar").get_data(as_text=True)
    assert "Naturvårdsgruppen, 14 mars 2024, Strömstad" in page and "Ångra uppladdningen" in page
    r = signed_in.post(_undo_form(page), data={"csrf_token": token(signed_in, "/changes")})
    assert r.status_code == 303
    assert coord.total(signed_in, "ålgräs") == 0 and not (coord.archive / "naturvard/2024-03-14-stromstad").exists()
    trash = signed_in.get("/trash").get_data(as_text=True)
    assert "uppladdningen ångrades" in trash and "a.txt" in trash


def test_undo_refused_when_edited_since(coord, signed_in):
    data = review_fields(signed_in.get(f"/edit/{MINUTES}").get_data(as_text=True))
    signed_in.post(f"/edit/{MINUTES}", data={**data, "title": "Första"})
    action = _undo_form(signed_in.get("/changes").get_data(as_text=True))
    signed_in.post(f"/edit/{MINUTES}", data={**data, "title": "Andra"})
    r = signed_in.post(action, data={"csrf_token": token(signed_in, "/changes")})
    assert r.status_code == 409 and "ångra den senare ändringen först" in r.get_data(as_text=True)
    assert "Kan inte ångras" in signed_in.get("/changes").get_data(as_text=True)




def test_pages_of_fifty_newest_first(coord, signed_in):
    from datetime import datetime, timedelta, timezone

    from indexer import Change, record_change

    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for n in range(60):
        record_change(coord.archive, Change("user-passwd", f"person-{n % 3}", start + timedelta(minutes=n),
                                            file=f"konto-{n}"))
    first = signed_in.get("/changes").get_data(as_text=True)
    assert "60 ändringar, sida 1 av 2" in first and "konto-59" in first and "konto-9<" not in first
    second = signed_in.get("/changes?sida=2").get_data(as_text=True)
    assert "konto-9<" in second and "konto-59" not in second and 'rel="prev"' in second
    assert signed_in.get("/changes?sida=3").status_code == 400
    only = signed_in.get("/changes?vem=person-1&typ=konton").get_data(as_text=True)
    assert "20 ändringar" in only and "person-2" not in only.split("Vem")[1].split("</form>")[1]


@pytest.mark.parametrize("change_id", ["zzz", "0123456789abcdef0", "../../etc", "0123456789ABCDEF"])
def test_undo_of_a_malformed_id_is_404_and_an_unknown_one_409(coord, signed_in, change_id):
    csrf = {"csrf_token": token(signed_in, "/changes")}
    assert signed_in.post(f"/changes/{change_id}/undo", data=csrf).status_code in (404, 405)
    r = signed_in.post("/changes/0123456789abcdef/undo", data=csrf)
    assert r.status_code == 409 and "finns inte i loggen" in r.get_data(as_text=True)
