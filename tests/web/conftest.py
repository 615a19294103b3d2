"""Fixtures for the web app: the archive of web_archive.py, indexed once, and a Flask app over it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from web_archive import BROKEN, TODAY, build_archive

from indexer import IndexSettings, SearchIndex, update_index
from webapp import create_app

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARCHIVE = REPO / "archive"


@dataclass(frozen=True)
class Indexed:
    archive: Path
    index_dir: Path


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory) -> Indexed:
    base = tmp_path_factory.mktemp("web")
    archive = base / "arkiv"
    build_archive(archive)
    index_dir = base / "index"
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir, today=TODAY))
    assert [p.id for p in report.failed] == [BROKEN], report.failed
    # After indexing, an indexed file becomes a link to a file outside the archive.
    link = archive / "naturvard/2020-02-02-test/lank.txt"
    link.unlink()
    link.symlink_to("/etc/passwd")
    return Indexed(archive, index_dir)


@pytest.fixture(scope="session")
def web_index(web_archive) -> SearchIndex:
    return SearchIndex(web_archive.archive, web_archive.index_dir)


@pytest.fixture(scope="session")
def app(web_archive):
    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(web_archive.archive),
                       "ARKIV_INDEX": str(web_archive.index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def sample_indexed(request) -> Indexed:
    """The bundled sample archive, copied and indexed (tests/conftest.py); skipped until it exists."""
    if not (SAMPLE_ARCHIVE / "arkiv.toml").is_file():
        pytest.skip("the sample archive (archive/) has not been generated yet")
    archive, index_dir = request.getfixturevalue("sample_copy")
    return Indexed(archive, index_dir)


@pytest.fixture(scope="session")
def sample_app(sample_indexed):
    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(sample_indexed.archive),
                       "ARKIV_INDEX": str(sample_indexed.index_dir)})
