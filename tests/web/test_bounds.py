"""What one search request may cost: bad numbers and oversized URLs are a Swedish 400, never a 500."""
from __future__ import annotations

import pytest

ROUTES = ["/", "/api/search"]


def assert_swedish_400(r, *fragments: str) -> str:
    """The response is the app's 400 (page or JSON), small, and its message holds `fragments`."""
    assert r.status_code == 400
    assert len(r.data) < 100_000
    if r.mimetype == "application/json":
        message = r.get_json()["error"]
    else:
        message = r.get_data(as_text=True)
        assert "Felaktig sökning" in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message
    return message


# -- numbers are ASCII digits ------------------------------------------------------------------
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("query, fragment", [
    pytest.param("page=²", "Sidnumret", id="page-superscript"),
    pytest.param("limit=³", "träffar per sida", id="limit-superscript"),
    pytest.param("page=١", "Sidnumret", id="page-arabic-indic"),
    pytest.param("year=２０２３", "årtal", id="year-fullwidth"),
    pytest.param("from=２０２３-01-01", "datum", id="from-fullwidth"),
])
def test_unicode_digits_are_400(client, route, query, fragment):
    assert_swedish_400(client.get(route, query_string=query), fragment)
