"""Index every real file of ../shared/corpus in one `update_index` run.

The corpus holds files that made PDF and Office libraries raise, hang or blow memory,
encrypted files, zip bombs and billion-laughs XML, next to clean samples (see its
README and MANIFEST.tsv).  The run must finish within WALL_BOUND seconds (measured:
~8 s with two workers on a 2-core machine; the bound leaves room for a slow machine
but not for a hang) and within MEMORY_BOUND of peak memory, with every file either
indexed or listed with one reason.  Skipped when the folder is absent (a fresh
clone): the files are other people's and never copied into the repository.

Run with `-s` to see the numbers.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from corpus_expect import CORPUS_EXPECT
from indexer import READ_STATUSES, STATUSES

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FILES = CORPUS / "files"
WALL_BOUND = 120.0  # seconds, the whole run
MEMORY_BOUND = 1024 * 1024 * 1024  # bytes, the largest process (indexer or a worker)

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file() or not FILES.is_dir(),
                                reason="../shared/corpus is absent")

# Warnings a clean sample may carry: the manifest itself says some have no text
# layer, and "no date" comes from this test's archive layout (no meeting folders).
NO_TEXT_NOTES = ("no text", "no/very little text layer", "sparse text")
# OCR is off here: these bounds are the parsers'. OCR of the 34 pages it would read here (21 of
# them one PDF's garbage-text pages) took over 600 s on a loaded machine; tests/test_ocr.py reads
# the corpus's scanned minutes.
TEXT_WARNINGS = {"no text", "no text (scanned?)", "no text (scanned; OCR is turned off)"}
# A picture of a page from which OCR read nothing: the manifest says it has no text layer.
NO_TEXT_STATUSES = {"ok", "unreadable scan"}
NO_DATE = "no date (set one in a sidecar)"

DRIVER = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from indexer import IndexSettings, update_index
    from indexer.index import load_state

    archive, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.monotonic()
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir, jobs=2, ocr=False))
    wall = time.monotonic() - started
    state = load_state(index_dir)
    print(json.dumps({
        "wall": wall,
        "report": report.to_json(),
        "status": {i: st.status for i, st in state.items()},
        "warnings": {i: st.warnings for i, st in state.items()},
        "peak_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "peak_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }))
""")


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("corpus")
    archive = base / "arkiv"
    group = archive / "korpus"
    (archive).mkdir()
    (archive / "arkiv.toml").write_text(
        '[network]\nname = "Korpusen"\n\n[[groups]]\nslug = "korpus"\nname = "Korpus"\n', encoding="utf-8")
    copied = []
    for src in sorted(FILES.rglob("*")):
        if src.is_file() and not src.is_symlink():  # the scanner skips links on purpose: copy
            rel = src.relative_to(FILES).as_posix()
            dest = group / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            copied.append(rel)
    out = subprocess.run([sys.executable, "-c", DRIVER, str(archive), str(base / "index")], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["copied"] = copied
    status = {i.removeprefix("korpus/"): s for i, s in data["status"].items()}
    by_reason = Counter(status.values())
    peak = max(data["peak_self"], data["peak_children"])
    print(f"\ncorpus: {len(copied)} files, {data['wall']:.1f} s wall, peak memory {peak / 2**20:.0f} MiB "
          f"(indexer {data['peak_self'] / 2**20:.0f} MiB, largest worker {data['peak_children'] / 2**20:.0f} MiB)")
    print("outcomes: " + ", ".join(f"{reason} {n}" for reason, n in by_reason.most_common()))
    return data


def test_finishes_within_its_bounds(corpus_run):
    assert corpus_run["wall"] < WALL_BOUND
    assert max(corpus_run["peak_self"], corpus_run["peak_children"]) < MEMORY_BOUND


def test_every_file_is_indexed_or_listed_with_one_reason(corpus_run):
    status = {i.removeprefix("korpus/"): s for i, s in corpus_run["status"].items()}
    assert sorted(status) == sorted(corpus_run["copied"])
    assert set(status.values()) <= set(STATUSES)
    report = corpus_run["report"]
    failed = {p["id"].removeprefix("korpus/"): p["reason"] for p in report["failed"]}
    assert len(failed) == len(report["failed"])  # one line per file
    assert failed == {i: s for i, s in status.items() if s not in READ_STATUSES}
    assert report["added"] == sum(1 for s in status.values() if s in READ_STATUSES)
    assert "timeout" not in failed.values() and "too much memory" not in failed.values()


def test_known_files_end_as_expected(corpus_run):
    status = {i.removeprefix("korpus/"): s for i, s in corpus_run["status"].items()}
    wrong = {rel: (status.get(rel), want) for rel, want in CORPUS_EXPECT.items() if status.get(rel) != want}
    assert not wrong


def test_clean_samples_are_indexed_without_warnings(corpus_run):
    status = {i.removeprefix("korpus/"): s for i, s in corpus_run["status"].items()}
    warnings = {i.removeprefix("korpus/"): w for i, w in corpus_run["warnings"].items()}
    clean = [row for row in _manifest() if row["why_included"] == "clean sample"]
    assert clean
    for row in clean:
        rel = row["path"]
        no_text = any(n in row["note"] for n in NO_TEXT_NOTES)
        assert status[rel] in (NO_TEXT_STATUSES if no_text else {"ok"}), rel
        allowed = {NO_DATE} | (TEXT_WARNINGS if no_text else set())
        assert set(warnings[rel]) <= allowed, (rel, warnings[rel])
