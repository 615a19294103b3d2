"""What the command line says to people, in Swedish like the web app: names, counts, dates, errors.

One place for every label of the human output, so that a new command or option
(a facet, a command) adds its words here; `--json` never uses these (its keys and
values are DESIGN.md's contract, in English).
"""
from __future__ import annotations

import re
from datetime import date

from ..models import READ_PROBLEM_LABELS, TYPE_LABELS

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
# A type as a running text names it: "minnesanteckningar", "inbjudan/dagordning".
TYPE_NAMES = {t: label.lower() for t, label in TYPE_LABELS.items()}
# Facet name -> the heading its counts are listed under.
FACET_HEADINGS = {"group": "Grupper", "type": "Typer", "year": "År", "theme": "Teman",
                  "municipality": "Kommuner"}
# Why a document's text could not be read (Document.status, Problem.reason): the web app's words.
STATUS_WORDS = READ_PROBLEM_LABELS
WARNING_WORDS = {
    "no text (scanned?)": "ingen text (inskannad?)",
    "no text": "ingen text",
    "no date (set one in a sidecar)": "inget datum (skriv ett i en sidofil)",
}
DATE_SOURCES = {"folder": "mappens namn", "path": "sökvägen", "name": "filnamnet", "filename": "filnamnet",
                "text": "texten", "properties": "filens egenskaper"}


def sv_date(value: date | None, missing: str = "utan datum") -> str:
    """4 mars 2026."""
    if value is None:
        return missing
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def number(n: int) -> str:
    """12 345: a space between thousands, as Swedish writes them."""
    return f"{n:,}".replace(",", "\u00a0")


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 fil', '3 filer'; words the same in both ('dokument') need no `many`."""
    return f"{number(n)} {one if n == 1 else (many or one)}"


def type_name(value: str) -> str:
    return TYPE_NAMES.get(value, value)


def status_word(reason: str) -> str:
    return STATUS_WORDS.get(reason, reason)


def warning_word(reason: str) -> str:
    if reason in WARNING_WORDS:
        return WARNING_WORDS[reason]
    if reason.startswith("partial"):
        return "en del av filen kunde inte läsas" + reason[len("partial"):]
    if reason.startswith("garbage text"):
        return "delar av texten ser trasiga ut"
    if reason.startswith("no text (scanned; ") and reason.endswith(")"):
        return f"ingen text (inskannad; {ocr_word(reason[len('no text (scanned; '):-1])})"
    if m := re.fullmatch(r"(\d+) scanned pages? not read \((.*)\)", reason):
        pages = count(int(m[1]), "inskannad sida", "inskannade sidor")
        return f"{pages} lästes inte ({ocr_word(m[2])})"
    if m := re.fullmatch(r"OCR failed on page (\d+): (.*)", reason, re.S):
        return f"OCR misslyckades på sida {m[1]}: {m[2]}"
    return reason


# Why OCR did not read a scan, as the indexer says it -> Swedish; what follows ": " is the tool's own words.
OCR_WORDS = {"OCR is turned off": "OCR är avstängd", "OCR found no text": "OCR hittade ingen text",
             "OCR is not available": "OCR kan inte köras här"}


def ocr_word(why: str) -> str:
    head, sep, rest = why.partition(": ")
    return OCR_WORDS.get(head, head) + sep + rest


def notice_word(notice: str) -> str:
    """An indexing run's notice (IndexReport.notices) in Swedish."""
    m = re.fullmatch(r"(OCR is turned off|OCR is not available \((.*)\)): (\d+) files? with scanned pages "
                     r"indexed without their text(; they are read once OCR can run)?", notice, re.S)
    if not m:
        return notice
    files = count(int(m[3]), "fil", "filer")
    why = OCR_WORDS["OCR is turned off"] if m[2] is None else f"{OCR_WORDS['OCR is not available']} ({m[2]})"
    later = "; de läses när OCR kan köras" if m[4] else ""
    return f"{why}: {files} med inskannade sidor indexerades utan sin text{later}"


def page_word(doc_id: str, page: int | None) -> str:
    """'sida 3' of a PDF, 'bild 3' of a presentation; nothing where the format has no pages."""
    if not page:
        return ""
    ext = doc_id.rsplit(".", 1)[-1].lower()
    return {"pdf": f"sida {page}", "pptx": f"bild {page}"}.get(ext, "")


# -- errors: the CLI's last line -----------------------------------------------------------
# An error's class -> how it begins in Swedish; the message after it is the error's own.
ERROR_PREFIXES = {
    "IndexMissing": "det finns inget sökindex än",
    "IndexUnavailable": "sökindexet kan inte användas",
    "IndexLocked": "sökindexet skrivs av ett annat program",
    "ConfigError": "arkivets inställningar kan inte läsas",
    "AddError": "kunde inte lägga till",
    "ChangeError": "arkivet ändrades inte",
    "AccountError": "kontot ändrades inte",
    "ServeUsage": "fel val",
    "PortTaken": "webbappen kan inte starta",
    "BadRequest": "sökningen kan inte göras",
}
INTERRUPTED = "avbrutet; indexet behåller sitt senast sparade läge"


def error_line(e: Exception) -> str:
    """`arkiv: <what, in Swedish>: <the error's own words>`."""
    for cls in type(e).__mro__:
        if cls.__name__ in ERROR_PREFIXES:
            return f"arkiv: {ERROR_PREFIXES[cls.__name__]}: {e}"
    return f"arkiv: {e}"


def os_error_line(e: OSError) -> str:
    where = f"{e.filename}: " if e.filename else ""
    return f"arkiv: {where}{e.strerror or e}"
