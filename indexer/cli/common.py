"""What the `arkiv` commands share: exit codes, argument types, where the archive is, progress."""
from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

from ..models import IndexReport
from ..paths import resolve_archive, resolve_index
from .words import notice_word

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
LOCATIONS = ("archive", "index")


@dataclass(frozen=True)
class Command:
    """A command another package adds to `arkiv` (the web app adds serve and user).

    `arguments` adds the command's own options to its parser; `locations` names
    which of --archive and --index it takes, with the same meaning as everywhere.
    """

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    description: str | None = None
    locations: tuple[str, ...] = LOCATIONS


class SwedishHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "användning: " if prefix is None else prefix)


# argparse's own messages (Python 3.11-3.13 word them so), as the rest of the output speaks.
_ARGPARSE_WORDS = (
    (re.compile(r"^argument (\S+): "), r"\1: "),
    (re.compile(r"invalid choice: (.*) \(choose from (.*)\)$"), r"ogiltigt val: \1 (välj bland \2)"),
    (re.compile(r"^the following arguments are required: (.*)$"), r"det här behövs: \1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"okända argument: \1"),
    (re.compile(r"expected one argument$"), "behöver ett värde"),
    (re.compile(r"not allowed with argument (.*)$"), r"går inte tillsammans med \1"),
    (re.compile(r"^ambiguous option: (.*) could match (.*)$"), r"tvetydigt val: \1 kan vara \2"),
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that answers in Swedish: usage, help headings, the error line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", SwedishHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "val"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="visa den här hjälpen och avsluta")

    def error(self, message: str):
        for pattern, replacement in _ARGPARSE_WORDS:
            message = pattern.sub(replacement, message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: fel: {message}\n"
                              f"({self.prog} --help visar vad som går att välja)\n")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"”{text}” är inget datum (ÅÅÅÅ-MM-DD)") from None


def positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"”{text}” är inget positivt heltal")
    return int(text)


def year(text: str) -> str:
    if not re.fullmatch(r"[0-9]{4}", text):
        raise argparse.ArgumentTypeError(f"”{text}” är inget årtal (ÅÅÅÅ)")
    return text


def location_args(p: argparse.ArgumentParser, which: tuple[str, ...] = LOCATIONS) -> None:
    if "archive" in which:
        p.add_argument("--archive", metavar="MAPP",
                       help="arkivmappen (standard: $ARKIV_ARCHIVE, annars exempelarkivet)")
    if "index" in which:
        p.add_argument("--index", metavar="MAPP", help="indexmappen (standard: $ARKIV_INDEX, annars bredvid arkivet)")


def locations(args) -> tuple[Path, Path]:
    archive = resolve_archive(args.archive)
    return archive, resolve_index(args.index, archive)


class ProgressBar:
    """A one-line progress bar on a terminal; silence elsewhere."""

    def __init__(self, stream=None):
        self.stream = stream = stream or sys.stderr
        self.enabled = stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled or total == 0:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1 and not label.startswith("OCR "):
            return
        self.last = now
        width = 30
        filled = width * done // total
        # The label ends with the file's name; "OCR 3/40 name" while a scan's pages are read.
        parts = label.split(" ", 2) if label.startswith("OCR ") else []
        shown = f"OCR {parts[1]} {parts[2][-40:]}" if len(parts) == 3 else label[-50:]
        line = f"Läser  [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {shown}"
        self.stream.write("\r" + line.ljust(100)[:100])
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run_index(archive: Path, index_dir: Path, *, rebuild=False, jobs=1, quiet=False,
              ocr: bool | None = None) -> IndexReport:
    """Update the index with a progress bar; `ocr=False` leaves scans unread (None: $ARKIV_OCR says)."""
    from ..index import IndexSettings, update_index  # Whoosh and the extractors: only indexing needs them

    def waiting():
        print("Väntar på indexets lås (ett annat program skriver i indexet)…", file=sys.stderr)
    settings = IndexSettings(archive=archive, index_dir=index_dir, jobs=jobs, rebuild=rebuild)
    if ocr is not None:
        settings = replace(settings, ocr=ocr and settings.ocr)
    report = update_index(settings, progress=None if quiet else ProgressBar(), on_wait=waiting)
    for notice in report.notices:  # once a run, whatever the output format
        print(f"arkiv: varning: {notice_word(notice)}", file=sys.stderr)
    return report
