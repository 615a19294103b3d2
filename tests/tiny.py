"""A tiny archive in tmp_path that tests fill with files, then index and search."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from indexer import IndexSettings, SearchIndex, update_index

TODAY = date(2026, 11, 29)

ARKIV_TOML = """\
[network]
name = "Testnätverket"

[[groups]]
slug = "naturvard"
name = "Naturvårdsgruppen"
description = "Kommunekologer."

[[groups]]
slug = "miljostrategi"
name = "Miljöstrategigruppen"

[[themes]]
name = "Invasiva arter"
keywords = ["invasiva arter", "parkslide", "lupin"]

[[themes]]
name = "Agenda 2030"
keywords = ["agenda 2030", "globala målen"]

[[themes]]
name = "Grön infrastruktur"
keywords = ["grön infrastruktur", "grönstruktur"]
"""


class TinyArchive:
    """An archive in tmp_path that tests fill with files, then index and search."""

    def __init__(self, root: Path):
        self.root = root / "arkiv"
        self.index_dir = root / "index"
        self.root.mkdir()
        (self.root / "arkiv.toml").write_text(ARKIV_TOML, encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def index(self, **kw):
        kw.setdefault("today", TODAY)
        return update_index(IndexSettings(archive=self.root, index_dir=self.index_dir, **kw))

    def open(self) -> SearchIndex:
        return SearchIndex(self.root, self.index_dir)
