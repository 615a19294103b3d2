"""A small archive with a coordinator account, and a Flask client that signs in and fills forms."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from tiny import TODAY, TinyArchive

from webapp import create_app
from webapp.accounts import Accounts, users_file

NAME, PASSWORD = "anna", "ett långt lösenord"
LERUM = "naturvard/2023-10-10-lerum"
MINUTES = f"{LERUM}/minnesanteckningar.txt"
SLIDES = f"{LERUM}/parkslide.txt"

MINUTES_TEXT = "Minnesanteckningar Naturvårdsgruppen. Vi pratade om parkslide och lupin längs vägarna."
SLIDES_TEXT = "Presentation om parkslide: bekämpning av invasiva arter i kommunerna."
NEW_TEXT = "Minnesanteckningar från vårmötet. Vattenmyndigheten berättade om blåmusslor och ålgräs."
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Coord:
    tiny: TinyArchive
    app: object

    @property
    def archive(self) -> Path:
        return self.tiny.root

    def snapshot(self) -> dict[str, bytes]:
        """Every file in the archive (the lock file aside) with its bytes."""
        return {p.relative_to(self.archive).as_posix(): p.read_bytes() for p in sorted(self.archive.rglob("*"))
                if p.is_file() and p.name != ".arkiv-write.lock"}

    def audit(self) -> list[dict]:
        import json

        path = self.archive / ".audit.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    def total(self, client, q: str) -> int:
        return client.get("/api/search", query_string={"q": q}).get_json()["total"]


def build(tmp_path, **config) -> Coord:
    tiny = TinyArchive(tmp_path)
    tiny.write(MINUTES, MINUTES_TEXT)
    tiny.write(SLIDES, SLIDES_TEXT)
    tiny.write(f"{LERUM}/meeting.toml", 'title = "Invasiva arter"\nplace = "Lerum"\n')
    tiny.write("miljostrategi/2022-05-05/anteckningar.txt", "Anteckningar om Agenda 2030 och globala målen.")
    tiny.index(today=TODAY)
    Accounts(users_file(tiny.root)).add(NAME, PASSWORD)
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir),
                      **config})
    return Coord(tiny, app)


def token(client, url: str = "/login") -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True))[1]


def sign_in(client, name: str = NAME, password: str = PASSWORD):
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token(client)})


def upload(client, files: list[tuple[str, bytes]], *, group="naturvard", meeting="ny", **fields):
    data = {"csrf_token": token(client, "/upload"), "group": group, "meeting": meeting, **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/upload", data=data, content_type="multipart/form-data")


def review_fields(html: str) -> dict:
    """The review form's values as a browser would send them untouched."""
    data: dict = {}
    for m in re.finditer(r'<input type="(text|date|hidden)" id="[^"]*" name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data[m[2]] = _unescape(m[3])
    for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        data[m[1]] = _unescape(m[2])
    for m in re.finditer(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m[2])
        if chosen:
            data[m[1]] = chosen[1]
    for m in re.finditer(r'<input type="checkbox" id="[^"]*" name="([^"]+)" value="([^"]*)" checked', html):
        data.setdefault(m[1], []).append(_unescape(m[2]))
    for m in re.finditer(r'<input type="radio" id="[^"]*" name="([^"]+)" value="([^"]*)" checked', html):
        data[m[1]] = _unescape(m[2])
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
