"""The Swedish analysis chain: a golden table of word forms, and any text analyzes."""
from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import lang as swedish
from indexer.index import compound_parts_analyzer, highlight_analyzer, stock_analyzer, swedish_analyzer

pytestmark = pytest.mark.skipif(not swedish.has_dictionary(), reason="the hunspell-sv dictionary is not installed")

WHOLE = swedish_analyzer()
PARTS = compound_parts_analyzer()

# word, its token in the main field, its compound parts (the second field)
GOLDEN = [
    ("strategin", 'strategi', ''),
    ("strategier", 'strategi', ''),
    ("nätverket", 'nätverk', ''),
    ("nätverkets", 'nätverk', ''),
    ("protokollet", 'protokoll', ''),
    ("protokollen", 'protokoll', ''),
    ("miljön", 'miljö', ''),
    ("arbetet", 'arbete', ''),
    ("beslutet", 'beslut', ''),
    ("besluten", 'beslut', ''),
    ("indikatorerna", 'indikator', ''),
    ("indikatorn", 'indikator', ''),
    ("kommunerna", 'kommun', ''),
    ("kommunens", 'kommun', ''),
    ("sammanträdet", 'sammanträde', ''),
    ("sammanträden", 'sammanträde', ''),
    ("beslutade", 'besluta', ''),
    ("verksamheten", 'verksamhet', ''),
    ("länsstyrelsen", 'länsstyrelse', ''),
    ("regeringens", 'regering', ''),
    ("åtgärdsprogrammet", 'åtgärdsprogram', ''),
    ("uppföljningen", 'uppföljning', ''),
    ("rapporten", 'rapport', ''),
    ("planerna", 'plan', ''),
    ("träden", 'träd', ''),
    ("verket", 'verk', ''),
    ("lagen", 'lag', ''),
    ("näten", 'nät', ''),
    ("målen", 'mål', ''),
    ("miljömålsuppföljningen", 'miljömålsuppföljning', 'miljömål miljö mål uppföljning'),
    ("kommunnätverkets", 'kommunnätverk', 'kommun nätverk'),
    ("naturvårdsstrategin", 'naturvårdsstrategi', 'naturvård strategi'),
    ("grönstrukturplanen", 'grönstrukturplan', 'grönstruktur plan'),
    ("upphandlingskriterier", 'upphandlingskriterium', 'upphandling kriterium'),
    ("landskapsplaneringen", 'landskapsplanering', 'landskap planering'),
    ("våtmarksinventering", 'våtmarksinventering', 'våtmark inventering'),
    ("fågelinventeringen", 'fågelinventering', 'fågel inventering'),
    ("klimatanpassningsplanen", 'klimatanpassningsplan', 'klimat anpassning plan'),
    ("hållbarhetsmålen", 'hållbarhetsmål', 'hållbarhet mål'),
    ("avtalsuppföljning", 'avtalsuppföljning', 'avtal uppföljning'),
    ("naturvårdsgruppen", 'naturvårdsgrupp', 'naturvård grupp'),
    ("miljöstrategigruppen", 'miljöstrategigrupp', 'miljö strategi grupp'),
    ("skogsstyrelsens", 'skogsstyrelse', ''),
    ("nyckelbiotoper", 'nyckelbiotop', 'nyckel biotop'),
    ("fairtradediplomeringen", 'fairtradediplomering', 'fairtrade diplomering'),
    ("genomförande", 'genomföra', ''),
    ("underlag", 'underlag', ''),
    ("uppföljning", 'uppföljning', ''),
    ("underlaget", 'underlag', ''),
    ("verksamhet", 'verksamhet', ''),
    ("sammanträde", 'sammanträde', ''),
    ("nätverk", 'nätverk', ''),
    ("naturvård", 'naturvård', ''),
    ("får", 'får', ''),
    ("far", 'far', ''),
    ("för", '', ''),
    ("for", "fora", ""),  # past tense of fara; the dictionary only knows fora
    ("mål", 'mål', ''),
    ("mal", 'mal', ''),
    ("här", '', ''),
    ("har", '', ''),
    ("IT", 'it', ''),
    ("Göteborg", 'göteborg', ''),
    ("Västra", 'västra', ''),
]


@pytest.mark.parametrize("word, whole, parts", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_word_forms(word, whole, parts):
    assert " ".join(t.text for t in WHOLE(word)) == whole
    assert " ".join(t.text for t in PARTS(word)) == parts


@pytest.mark.parametrize("forms", [
    ("strategi", "strategin", "strategier", "strategierna"),
    ("nätverk", "nätverket", "nätverkets", "nätverken"),
    ("protokoll", "protokollet", "protokollen"),
    ("beslut", "beslutet", "besluten", "beslutets"),
    ("indikator", "indikatorn", "indikatorer", "indikatorerna"),
    ("kommun", "kommunen", "kommuner", "kommunerna", "kommunernas"),
    ("miljö", "miljön", "miljöer"),
    ("arbete", "arbetet", "arbeten"),
])
def test_all_forms_of_a_lemma_meet(forms):
    assert len({tuple(t.text for t in WHOLE(f)) for f in forms}) == 1


@pytest.mark.parametrize("a, b", [("får", "far"), ("för", "for"), ("mål", "mal"), ("träd", "träda"),
                                  ("här", "har"), ("låg", "lag")])
def test_distinct_words_stay_apart(a, b):
    assert [t.text for t in WHOLE(a)] != [t.text for t in WHOLE(b)] or not list(WHOLE(a))


@pytest.mark.parametrize("word", ["kommunerna", "sammanträdet", "beslutade", "verksamheten", "genomförande",
                                  "underlag", "uppföljning", "nätverket", "naturvården"])
def test_trap_words_are_not_split(word):
    assert list(PARTS(word)) == []


def test_english_stop_words_are_not_dropped():
    # Whoosh's own Swedish chain drops "IT" (an English stop word); ours keeps it.
    assert [t.text for t in WHOLE("IT i skolan")] == ["it", "skola"]
    assert "it" not in [t.text for t in stock_analyzer()("IT i skolan")]


def test_query_mode_keeps_the_whole_word():
    assert [t.text for t in PARTS("miljömålsuppföljningen", mode="query")] == ["miljömålsuppföljning"]


def test_highlighting_sees_parts_where_the_word_stands():
    tokens = [(t.text, t.startchar) for t in highlight_analyzer()("Om miljömålsuppföljningen", chars=True,
                                                                   mode="query", removestops=False)]
    assert ("uppföljning", 3) in tokens and ("miljömålsuppföljning", 3) in tokens


def test_analyzers_pickle_without_tables():
    # Whoosh stores the analyzer in the index: it must stay small.
    assert len(pickle.dumps(swedish_analyzer())) < 2000
    assert len(pickle.dumps(compound_parts_analyzer())) < 2000


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_analyzes(text):
    for analyzer in (WHOLE, PARTS):
        for t in analyzer(text):
            assert isinstance(t.text, str)
        for t in analyzer(text, mode="query"):
            assert isinstance(t.text, str)


@pytest.mark.parametrize("text, expected", [
    ("Om miljö-\nmålsuppföljningen i länet", "Om miljömålsuppföljningen i länet"),
    ("Naturvårds-\nstrategin antogs", "Naturvårdsstrategin antogs"),
    ("Zqxw-\nplorkt är inget ord", "Zqxw-\nplorkt är inget ord"),
    ("miljö- och hälsoskydd", "miljö- och hälsoskydd"),
])
def test_line_end_hyphens_rejoin_only_known_words(text, expected):
    from indexer.extract import normalize_text
    assert normalize_text(text) == expected


@pytest.mark.parametrize("terms", [{"uppföljning"}, {"strategi", "nätverk"}, {"miljömål", "art"}, {"och"}, set()])
def test_the_snippet_finder_marks_what_the_highlight_chain_marks(terms):
    from indexer.index import term_finder

    text = ("Om miljömålsuppföljningen: nätverkets strategin följs upp. Invasiva arter och artskydd, "
            "EU:s miljömål 2030, uppföljningar i kommunerna och Strategi för nätverket.")

    def marked(analyzer):
        return {(t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="query", removestops=False)
                if t.text in terms}
    found = term_finder(frozenset(terms))(text)
    assert set(found) == marked(highlight_analyzer()) and found == sorted(set(found))
    if terms == {"uppföljning"}:
        assert len(found) == 2  # the compound and the plural


def _words_and_forms(texts):
    from indexer.index.analysis import _WORD, _forms
    for text in texts:
        for m in _WORD.finditer(text.lower()):
            yield m.group(), _forms(m.group())


def test_every_word_holds_a_needle_of_each_of_its_forms(sample_index):
    # The snippet finder skips words holding no needle of a query's terms; a word it
    # skipped wrongly would lose its mark. Every word of the sample archive is checked.
    texts = [p for d in sample_index.documents() for p in sample_index.document(d.id).pages]
    pairs = list(_words_and_forms(texts))
    assert len(pairs) > 10_000
    missed = [(w, f) for w, forms in pairs for f in forms if not any(n in w for n in swedish.base_needles(f))]
    assert missed == []


@pytest.mark.parametrize("word, base", [
    ("länderna", "land"), ("gick", "gå"), ("fick", "få"), ("städernas", "stad"), ("hölls", "hålla"),
    ("bostadsfrågorna", "fråga"), ("adoptionsfrågor", "adoptionsfråga"), ("miljömålsarbetet", "mål"),
    ("kommunekologerna", "ekolog"),
])
def test_strong_forms_compounds_and_reviewed_splits_keep_a_needle(word, base):
    from indexer.index import term_finder
    from indexer.index.analysis import _forms

    assert base in _forms(word)  # the case is real: the word does reduce to the base
    assert any(n in word for n in swedish.base_needles(base))
    text = f"Inledning. Om {word.capitalize()} i Lerum."
    start = text.index(word.capitalize())
    assert term_finder(frozenset({base}))(text) == [(start, start + len(word))]


def test_a_letter_longer_in_lower_case_keeps_the_spans_of_the_text():
    from indexer.index import term_finder

    text = "İstanbul: arterna och İzmir, arter."
    found = term_finder(frozenset({"art"}))(text)
    assert [text[a:b] for a, b in found] == ["arterna", "arter"]
