"""Shared fixtures: tiny archives built in tmp_path, and an index of the sample archive."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import IndexSettings, SearchIndex, update_index
from tiny import TODAY, TinyArchive

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ARCHIVE = REPO / "archive"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def tiny(tmp_path) -> TinyArchive:
    return TinyArchive(tmp_path)


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the bundled sample archive, indexed once per test session."""
    base = tmp_path_factory.mktemp("sample")
    archive = base / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    index_dir = base / "archive-index"
    update_index(IndexSettings(archive=archive, index_dir=index_dir, today=TODAY))
    return archive, index_dir


@pytest.fixture(scope="session")
def sample_index(sample_copy) -> SearchIndex:
    return SearchIndex(*sample_copy)
