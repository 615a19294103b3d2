"""Lay out ../shared/corpus/regeringen-se.tar.gz as an archive: a group per section, a folder per month.

    python bench/make_corpus_archive.py OUT [--limit N] [--binaries N]

`regeringen-se/<section>[/<sub>]/<YYYY>/<MM>/<name>.md` becomes
`OUT/<section>/<YYYY>-<MM>-01[-<sub>]/<name>.md`, so a document's date comes
from its folder as a meeting's would; pages without a year and month in their
path go to `OUT/<section>/ovrigt/`. With --binaries N, the sample archive's PDF,
DOCX and PPTX files are copied N times over under `OUT/binar/` so that
extraction is exercised too. Run by hand; nothing here is copied into the repository.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("ARKIV_SHARED", REPO.parent / "shared")) / "corpus" / "regeringen-se.tar.gz"
# ./<section>[/<subsection>]/<YYYY>/<MM>/<name>.md; a few pages have no year/month.
PATH = re.compile(r"^\./([a-z0-9-]+)/(?:([a-z0-9-]+)/)?(\d{4})/(\d{1,3})/(.+\.md)$")


def place(member_name: str) -> tuple[str, str] | None:
    """The group (section) and archive-relative path of one tar member, or None for a non-page."""
    if not member_name.endswith(".md"):
        return None
    m = PATH.match(member_name)
    if m:
        section, sub, year, month, name = m.groups()
        month = month if 1 <= int(month) <= 12 else "01"
        folder = f"{year}-{int(month):02d}-01" + (f"-{sub}" if sub else "")
        name = name.replace("/", "-")
    else:  # no date in the path: the text must give one, as in an "ovrigt" folder
        parts = member_name[2:].split("/")
        section, folder, name = parts[0], "ovrigt", "-".join(parts[1:])
    return section, f"{section}/{folder}/{name}"


def pages(corpus: Path = CORPUS) -> Iterator[tuple[str, str, bytes]]:
    """Every page of the corpus in tar order: (group, archive-relative path, bytes)."""
    if not corpus.is_file():
        sys.exit(f"{corpus} is missing: the benchmark needs ../shared/corpus")
    with tarfile.open(corpus, "r:gz") as tar:
        for member in tar:
            placed = place(member.name) if member.isfile() else None
            if placed:
                with tar.extractfile(member) as src:
                    yield placed[0], placed[1], src.read()


def write_config(out: Path, sections: set[str]) -> None:
    """The archive's arkiv.toml: a group per section and one theme."""
    toml = ['[network]\nname = "regeringen.se (benchmark)"\n']
    for s in sorted(sections):
        toml.append(f'[[groups]]\nslug = "{s}"\nname = "{s}"\n')
    toml.append('[[themes]]\nname = "Klimat"\nkeywords = ["klimat", "utsläpp"]\n')
    (out / "arkiv.toml").write_text("\n".join(toml), encoding="utf-8")


def build(out: Path, limit: int | None = None, binaries: int = 0, corpus: Path = CORPUS) -> int:
    if not corpus.is_file():
        sys.exit(f"{corpus} is missing: the benchmark needs ../shared/corpus")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sections: set[str] = set()
    count = 0
    for section, rel, data in pages(corpus):
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        sections.add(section)
        count += 1
        if limit and count >= limit:
            break
    if binaries:
        samples = [p for p in (REPO / "archive").rglob("*") if p.suffix in (".pdf", ".docx", ".pptx")]
        for n in range(binaries):
            folder = out / "binar" / f"2020-01-{n % 28 + 1:02d}" / f"kopia-{n:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            for p in samples:
                # Each copy gets its own bytes (a different hash), as real files would.
                shutil.copyfile(p, folder / p.name)
                with open(folder / p.name, "ab") as f:
                    f.write(b"\n" if p.suffix == ".pdf" else b"")
            count += len(samples)
        sections.add("binar")
    write_config(out, sections)
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--limit", type=int, help="stop after N pages (for quick runs)")
    ap.add_argument("--binaries", type=int, default=0, help="copies of the sample PDF/DOCX/PPTX files")
    args = ap.parse_args()
    print(f"{build(args.out, args.limit, args.binaries)} documents in {args.out}")


if __name__ == "__main__":
    main()
