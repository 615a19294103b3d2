"""Field syntax and filters in Swedish: the labels the UI shows, an unknown value named with the possible ones."""
from __future__ import annotations

import json

import pytest

from indexer import BadRequest, SearchRequest
from indexer.cli import main


@pytest.mark.parametrize("query, field, value", [
    ("typ:minnesanteckningar", "type", "minutes"),
    ("Typ:Minnesanteckningar", "type", "minutes"),
    ("typ:protokoll", "type", "minutes"),
    ("typ:uppföljning", "type", "follow-up"),
    ("typ:uppfoljning", "type", "follow-up"),
    ("type:minutes", "type", "minutes"),
    ("grupp:naturvård", "group", "naturvard"),
    ("grupp:Naturvårdsgruppen", "group", "naturvard"),
    ("GRUPP:naturvard", "group", "naturvard"),
    ('tema:"invasiva arter"', "theme", "Invasiva arter"),
    ('theme:"Invasiva arter"', "theme", "Invasiva arter"),
])
def test_swedish_field_values_find_what_the_facet_finds(sample_index, query, field, value):
    res = sample_index.search(SearchRequest(query=query, per_page=100))
    facet = {"type": "types", "group": "groups", "theme": "themes"}[field]
    browsed = sample_index.search(SearchRequest(per_page=100, **{facet: (value,)}))
    assert res.total > 0 and {h.id for h in res.hits} == {h.id for h in browsed.hits}


def test_a_field_value_combines_with_words(sample_index):
    res = sample_index.search(SearchRequest(query="typ:minnesanteckningar lupin", per_page=100))
    assert res.total > 0 and {h.type for h in res.hits} == {"minutes"}


@pytest.mark.parametrize("query, named", [
    ("grupp:skogen", "Naturvårdsgruppen (naturvard)"),
    ("typ:foo", "minnesanteckningar (minutes)"),
    ('tema:"okänt tema"', "Invasiva arter"),
])
def test_an_unknown_field_value_names_the_possible_ones(sample_index, query, named):
    with pytest.raises(BadRequest) as e:
        sample_index.search(SearchRequest(query=query))
    assert named in str(e.value)


def test_filters_take_labels_too_and_refuse_unknown_values(sample_index):
    by_label = sample_index.search(SearchRequest(groups=("Naturvårdsgruppen",), types=("protokoll",)))
    by_value = sample_index.search(SearchRequest(groups=("naturvard",), types=("minutes",)))
    assert by_label.total == by_value.total > 0
    with pytest.raises(BadRequest, match="Rättvis och etisk handel-gruppen"):
        sample_index.search(SearchRequest(groups=("nope",)))


def test_a_colon_after_a_word_that_names_no_field_is_text(sample_index):
    assert sample_index.search(SearchRequest(query="EU:s lupin")).total == \
        sample_index.search(SearchRequest(query="EU s lupin")).total


def test_cli_resolves_labels_and_exits_2_naming_the_values(sample_copy, capsys):
    archive, index_dir = sample_copy
    loc = ["--archive", str(archive), "--index", str(index_dir)]
    assert main(["search", "--type", "minnesanteckningar", "--group", "Naturvårdsgruppen", *loc, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] > 0 and {h["type"] for h in data["hits"]} == {"minutes"}
    assert main(["search", "typ:foo", *loc]) == 2
    assert "möjliga typer" in capsys.readouterr().err
    assert main(["search", "--theme", "Nope", *loc]) == 2
    assert "Invasiva arter" in capsys.readouterr().err
