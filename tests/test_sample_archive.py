"""The bundled sample archive (archive/) is well-formed and matches its generator.

These checks need only the archive and the document libraries, not the indexer.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARCHIVE = REPO / "archive"
GENERATOR = REPO / "tools" / "make_sample_archive.py"

GROUPS = {"miljostrategi", "naturvard", "rattvis-handel"}
NOT_A_MEETING = "ovrigt"
MEETING_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-[a-z0-9-]+)?$")
DOC_SUFFIXES = {".docx", ".pptx", ".pdf", ".txt", ".md", ".jpg"}
# Pictures of pages with no text layer: the demo of OCR (tools/scans.py makes them).
SCANS = {"miljostrategi/2015-11-19-boras/protokoll-arbetsutskott-skannat.pdf",
         "rattvis-handel/2015-10-08-goteborg/minnesanteckningar-justerad-sida.jpg"}
AAO = re.compile(r"[åäöÅÄÖ]")


def config() -> dict:
    return tomllib.loads((ARCHIVE / "arkiv.toml").read_text(encoding="utf-8"))


def theme_names() -> set[str]:
    return {t["name"] for t in config()["themes"]}


def meeting_dirs() -> list[Path]:
    return sorted(
        d for g in GROUPS if (ARCHIVE / g).is_dir()
        for d in (ARCHIVE / g).iterdir() if d.is_dir() and d.name != NOT_A_MEETING
    )


def documents() -> list[Path]:
    return sorted(p for p in ARCHIVE.rglob("*") if p.is_file() and p.suffix != ".toml")


def relative_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def extract(path: Path) -> list[str]:
    """Text per page/slide (one entry for docx and plain text)."""
    suffix = path.suffix.lower()
    if suffix == ".jpg":
        return [""]  # a photo: its text is OCR's (test_sample_archive's scans test, tests/test_ocr.py)
    if suffix == ".pdf":
        import pypdf

        reader = pypdf.PdfReader(path)
        assert not reader.is_encrypted, f"{path} is encrypted"
        return [page.extract_text() or "" for page in reader.pages]
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        for section in document.sections:
            parts.extend(p.text for p in section.header.paragraphs)
            parts.extend(p.text for p in section.footer.paragraphs)
        return ["\n".join(parts)]
    if suffix == ".pptx":
        import pptx

        slides = []
        for slide in pptx.Presentation(str(path)).slides:
            parts = []
            for shape in slide.shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text)
                if getattr(shape, "has_table", False) and shape.has_table:
                    parts.extend(c.text for row in shape.table.rows for c in row.cells)
            if slide.has_notes_slide:
                parts.append(slide.notes_slide.notes_text_frame.text)
            slides.append("\n".join(parts))
        return slides
    raw = path.read_bytes()
    try:
        return [raw.decode("utf-8")]
    except UnicodeDecodeError:
        return [raw.decode("cp1252")]


# --------------------------------------------------------------------------- arkiv.toml


def test_arkiv_toml_has_network_groups_and_themes():
    cfg = config()
    assert cfg["network"]["name"] == "Kommunnätverket för hållbar utveckling"
    groups = {g["slug"]: g for g in cfg["groups"]}
    assert set(groups) == GROUPS
    assert groups["miljostrategi"]["name"] == "Miljöstrategigruppen"
    assert groups["naturvard"]["name"] == "Naturvårdsgruppen"
    assert groups["rattvis-handel"]["name"] == "Rättvis och etisk handel-gruppen"
    for group in groups.values():
        assert len(group["description"]) > 80
    themes = cfg["themes"]
    assert len(themes) >= 12
    assert len({t["name"] for t in themes}) == len(themes)
    for theme in themes:
        assert theme["keywords"], theme["name"]
        for kw in theme["keywords"]:
            assert kw == kw.lower() and kw.strip() == kw and kw, (theme["name"], kw)


def test_theme_keywords_occur_in_the_archive():
    text = "\n".join("\n".join(extract(p)) for p in documents()).lower()
    for theme in config()["themes"]:
        found = [kw for kw in theme["keywords"] if kw in text]
        assert found, f"no keyword of {theme['name']!r} occurs in any document"


# --------------------------------------------------------------------------- layout


def test_top_level_holds_only_config_and_groups():
    entries = {p.name for p in ARCHIVE.iterdir()}
    assert entries == GROUPS | {"arkiv.toml"}


def test_meeting_folders_are_dated_2015_to_2026():
    meetings = meeting_dirs()
    assert len(meetings) >= 15
    for folder in meetings:
        assert MEETING_RE.match(folder.name), folder.name
        day = dt.date.fromisoformat(folder.name[:10])
        assert dt.date(2015, 1, 1) <= day <= dt.date(2026, 12, 31), folder.name
    assert {f.parent.name for f in meetings} == GROUPS


def test_documents_are_many_and_in_every_group():
    docs = documents()
    assert len(docs) >= 40
    for doc in docs:
        assert doc.suffix.lower() in DOC_SUFFIXES, doc
    assert {d.relative_to(ARCHIVE).parts[0] for d in docs} == GROUPS


def test_every_group_has_an_ovrigt_folder_with_a_few_files():
    for group in GROUPS:
        folder = ARCHIVE / group / NOT_A_MEETING
        files = [p for p in folder.iterdir() if p.suffix != ".toml"]
        assert 1 <= len(files) <= 3, folder


def test_meeting_toml_files_parse_and_use_known_themes():
    known = theme_names()
    tomls = [f / "meeting.toml" for f in meeting_dirs() if (f / "meeting.toml").exists()]
    assert len(tomls) > len(meeting_dirs()) // 2
    for path in tomls:
        meeting = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(meeting) <= {"title", "place", "themes", "speakers"}, path
        assert set(meeting.get("themes", [])) <= known, path
        for speaker in meeting.get("speakers", []):
            assert speaker["name"] and set(speaker) <= {"name", "organisation"}, path


def test_sidecars_parse_and_belong_to_a_file():
    known = theme_names()
    sidecars = [p for p in ARCHIVE.rglob("*.toml") if p.name not in ("arkiv.toml", "meeting.toml")]
    assert 2 <= len(sidecars) <= 5
    for path in sidecars:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert path.with_suffix("").is_file(), path
        assert set(data) <= {"title", "date", "type", "themes"}, path
        assert set(data.get("themes", [])) <= known, path
        if "type" in data:
            assert data["type"] in {"minutes", "presentation", "follow-up", "agenda", "other"}
        if "date" in data:
            assert isinstance(data["date"], dt.date)


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize("path", [p for p in documents() if p.relative_to(ARCHIVE).as_posix() not in SCANS],
                         ids=lambda p: p.relative_to(ARCHIVE).as_posix())
def test_document_opens_and_has_swedish_text(path: Path):
    pages = extract(path)
    assert pages and any(p.strip() for p in pages), path
    assert AAO.search("\n".join(pages)), f"{path}: no å/ä/ö in the extracted text"


def test_the_scans_are_pictures_without_a_text_layer():
    from PIL import Image

    for rel in sorted(SCANS):
        path = ARCHIVE / rel
        assert path.is_file(), rel
        if path.suffix == ".pdf":
            assert not "".join(extract(path)).strip(), f"{rel}: a scan has no text layer"
        else:
            with Image.open(path) as photo:
                assert photo.format == "JPEG" and photo.getexif().get(0x0112) == 6, "stored on its side, as phones do"


def test_archive_is_small():
    total = sum(p.stat().st_size for p in ARCHIVE.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_fixtures_the_metadata_rules_rely_on():
    import docx
    import pypdf

    lerum = ARCHIVE / "naturvard" / "2023-10-10-lerum"
    meeting = tomllib.loads((lerum / "meeting.toml").read_text(encoding="utf-8"))
    assert len(meeting["speakers"]) == 5
    assert "Ekologisk landskapsplanering" in meeting["themes"]

    vanersborg = [m for m in meeting_dirs() if m.name.endswith("-vanersborg")]
    assert vanersborg and vanersborg[0].parent.name == "miljostrategi"
    names = {p.name for p in vanersborg[0].iterdir()}
    assert any(n.startswith("minnesanteckningar") for n in names)
    assert any(n.startswith("uppfoljning") for n in names)
    place = tomllib.loads((vanersborg[0] / "meeting.toml").read_text(encoding="utf-8"))["place"]
    assert place == "Vänersborg"

    assert any(len(m.name) == len("YYYY-MM-DD") for m in meeting_dirs()), "a meeting without a place"

    # a DOCX whose core properties are python-docx's template defaults (title must come from a heading)
    props = [docx.Document(str(p)).core_properties for p in ARCHIVE.rglob("*.docx")]
    defaults = [cp for cp in props if cp.author == "python-docx"]
    assert defaults and all(cp.title == "" for cp in defaults)

    # a PDF whose title property is a placeholder
    titles = {str((pypdf.PdfReader(p).metadata or {}).get("/Title")) for p in ARCHIVE.rglob("*.pdf")}
    assert any(t.startswith("Microsoft Word - ") for t in titles)

    # a text file that is not UTF-8 (Windows-1252)
    def is_utf8(p: Path) -> bool:
        try:
            p.read_bytes().decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    assert any(not is_utf8(p) for p in ARCHIVE.rglob("*.txt"))

    # dates that must come from the text of ovrigt/ files, in all three Swedish styles
    ovrigt_text = "\n".join(
        "\n".join(extract(p)) for g in GROUPS for p in (ARCHIVE / g / NOT_A_MEETING).iterdir()
        if p.suffix != ".toml"
    )
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", ovrigt_text)
    assert re.search(r"\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|"
                     r"oktober|november|december) \d{4}\b", ovrigt_text)
    assert re.search(r"\b\d{1,2}/\d{1,2} \d{4}\b", ovrigt_text)


# --------------------------------------------------------------------------- generator


def test_regenerating_gives_the_same_files(tmp_path: Path):
    out = tmp_path / "archive"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=300)
    assert relative_files(out) == relative_files(ARCHIVE)
    # configuration and sidecars are copied verbatim, so they must match byte for byte
    for rel in sorted(r for r in relative_files(ARCHIVE) if r.endswith(".toml")):
        assert (out / rel).read_bytes() == (ARCHIVE / rel).read_bytes(), rel
    assert not [p for p in tmp_path.iterdir() if p.name != "archive"], "temporary folders left behind"
