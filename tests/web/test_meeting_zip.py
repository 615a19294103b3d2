"""/meetings/<group>/<folder>/documents.zip: every document of a meeting, streamed, names safe."""
from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
from tiny import TinyArchive

from indexer import remove_document
from webapp import create_app
from webapp.meeting_zip import CHUNK, entry_name, zip_chunks

MEETING = "naturvard/2023-10-10-lerum"
BIG = 48 * 1024 * 1024


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    t = TinyArchive(tmp_path_factory.mktemp("zip"))
    t.write(f"{MEETING}/minnesanteckningar från mötet.txt", "Vi talade om ängar, åar och öar.")
    t.write(f"{MEETING}/Åtgärdsplan för ängar.txt", "Åtgärder: slåtter och bete.")
    t.write(f"{MEETING}/borttagen.txt", "Den här tas bort.")
    t.write(f"{MEETING}/stor.pdf", b"%PDF-1.4 not really")
    t.write("naturvard/2024-09-12-ulricehamn/annan.txt", "Ett annat möte.")
    t.write("naturvard/ovrigt/lös.txt", "Utanför mötena.")
    t.index()
    remove_document(t.root, f"{MEETING}/borttagen.txt", "test")  # to the trash; the index not yet told
    # After indexing the file grows: the ZIP must stream it, not read it whole.
    with open(t.root / MEETING / "stor.pdf", "wb") as f:
        for _ in range(BIG // CHUNK):
            f.write(os.urandom(CHUNK))
    return t


@pytest.fixture(scope="module")
def client(archive):
    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(archive.root),
                       "ARKIV_INDEX": str(archive.index_dir)}).test_client()


def test_every_document_of_the_meeting_streamed_in_bounded_memory(client, archive, tmp_path):
    tracemalloc.start()
    try:
        r = client.get("/meetings/naturvard/2023-10-10-lerum/documents.zip", buffered=False)
        assert r.status_code == 200 and r.mimetype == "application/zip"
        assert "attachment" in r.headers["Content-Disposition"] and r.content_length is None
        out = tmp_path / "mote.zip"
        largest = 0
        with open(out, "wb") as f:
            for chunk in r.response:
                largest = max(largest, len(chunk))
                f.write(chunk)
        r.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size > BIG
    assert largest <= 2 * CHUNK and peak < 12 * CHUNK  # a 48 MiB file never held whole
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == sorted(["minnesanteckningar från mötet.txt", "Åtgärdsplan för ängar.txt",
                                               "stor.pdf"])  # the trashed one is not in it
        big = z.getinfo("stor.pdf")
        assert big.compress_type == zipfile.ZIP_STORED and big.flag_bits & 0x800 == 0
        assert z.getinfo("Åtgärdsplan för ängar.txt").flag_bits & 0x800  # the UTF-8 flag
        assert z.read("Åtgärdsplan för ängar.txt").decode() == "Åtgärder: slåtter och bete."
        h = hashlib.sha256()
        with z.open("stor.pdf") as member:
            while data := member.read(CHUNK):
                h.update(data)
    assert h.hexdigest() == hashlib.sha256((archive.root / MEETING / "stor.pdf").read_bytes()).hexdigest()


@pytest.mark.parametrize("url", [
    pytest.param("/meetings/naturvard/1999-01-01-ingenstans/documents.zip", id="unknown-folder"),
    pytest.param("/meetings/okand/2023-10-10-lerum/documents.zip", id="unknown-group"),
    pytest.param("/meetings/naturvard/ovrigt/documents.zip", id="not-a-meeting"),
    pytest.param("/meetings/naturvard/../documents.zip", id="dot-dot"),
    pytest.param("/meetings/naturvard/..%2F..%2Fetc/documents.zip", id="encoded-slash"),
    pytest.param("/meetings/naturvard/2023-10-10-lerum%2F..%2F..%2F/documents.zip", id="encoded-up"),
    pytest.param("/meetings/naturvard/%2E%2E/documents.zip", id="encoded-dots"),
    pytest.param("/meetings/naturvard/.trash/documents.zip", id="trash"),
])
def test_unknown_or_traversing_folders_are_404(client, url):
    assert client.get(url).status_code == 404


def test_the_group_page_links_each_meetings_zip(client):
    page = client.get("/groups/naturvard").get_data(as_text=True)
    assert 'href="/meetings/naturvard/2023-10-10-lerum/documents.zip"' in page
    assert 'href="/meetings/naturvard/2024-09-12-ulricehamn/documents.zip"' in page


@pytest.mark.parametrize("given, safe", [
    pytest.param("../../etc/passwd", "_.._etc_passwd", id="traversal"),
    pytest.param("..\\..\\boot.ini", "_.._boot.ini", id="backslashes"),
    pytest.param("/abs/olut.txt", "_abs_olut.txt", id="absolute"),
    pytest.param("evil\u202etxt.exe", "evil_txt.exe", id="bidi-override"),
    pytest.param("rad\nbrytning.txt", "rad_brytning.txt", id="newline"),
    pytest.param("..", "dokument", id="only-dots"),
    pytest.param("A\u030angar.txt", "Ångar.txt", id="nfd-to-nfc"),
    pytest.param("å" * 200 + ".pdf", "å" * 118 + ".pdf", id="too-long-keeps-extension"),
])
def test_entry_names_are_safe(given, safe):
    assert entry_name(given) == safe
    assert "/" not in entry_name(given) and "\\" not in entry_name(given)


def test_names_that_clash_after_cleaning_stay_apart(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"ett")
    b.write_bytes(b"tva")
    data = b"".join(zip_chunks([("x/y.txt", a), ("x\\y.txt", b)]))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["x_y.txt", "x_y-2.txt"]
        assert z.read("x_y-2.txt") == b"tva"
