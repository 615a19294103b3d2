"""Split minutes into agenda items and find each item's decisions and action points."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Action, AgendaItem, Person
from .attendance import LABEL, attendance
from .markup import Line, source_lines

MAX_ITEMS = 300  # items kept from one document; minutes with more are appendices or noise
MAX_TEXT = 3_000_000  # characters of a document read for its items
MAX_TITLE = 200
MAX_DECISION = 2000
MAX_STEP = 3  # numbers may skip this much: an item struck from the agenda, an OCR'd number lost

# How minutes write an item's heading, strongest first.  Each gives (number, title).
_PARAGRAPH = re.compile(r"^§\s*(\d{1,4}[a-z]?)\s*[.:)\-–]?\s*(.*)$")
_PUNKT = re.compile(r"^(?:Punkt|PUNKT|Pkt\.?)\s*(\d{1,3})\s*[.:)\-–]?\s*(.*)$")
_TABLE_ROW = re.compile(r"^(?:§\s*)?(\d{1,3})\s*[.,)]?\s*\|\s*(.*)$")
_NUMBERED = re.compile(r"^(\d{1,2})(?:[.)]|(?=\s+[A-ZÅÄÖ]))\s*(.*)$")
_SUB_NUMBER = re.compile(r"^\d{1,2}\.\d{1,2}")
_TIME_OR_DATE = re.compile(r"^\d{1,2}[.:]\d{2}\b|^\d{1,2}\.\s*(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)", re.I)
_NUMBER_IN_TITLE = re.compile(r"^(?:§\s*)?(\d{1,3}(?:\.\d{1,2})?)[.):]?\s+(.*)$")

# Decisions: a label, a body that decides, attsatser after either.
_DECISION_LABEL = re.compile(r"^(?:Beslut|BESLUT|Beslutades|Beslutet|Mötets beslut|Styrelsens beslut|Gruppens beslut)"
                             r"(?:\s*[:.\-–]\s*|\s*$)(.*)$")
_BODIES = r"(?:Gruppen|Mötet|Styrelsen|Nätverket|Stämman|Årsmötet|Årsstämman|Nämnden|Utskottet|Arbetsgruppen|" \
          r"Samverkansgruppen|Sektionsmötet|Stormötet|Föreningsstämman|Vi|Deltagarna|Ledningsgruppen|Rådet)"
_DECIDES = re.compile(rf"(?<!\w){_BODIES}\s+(?:har\s+)?(?:beslutade|beslutar|beslöt|beslutat|besluta|"
                      r"enades om|röstar|röstade|godkänner|godkände|fastställer|fastställde|väljer|valde)"
                      r"(?=\s)(?:[^.!?]|\.(?=\d))*(?:[.!?]|$)")
_PASSIVE = re.compile(r"(?<!\w)(?:[Dd]et\s+)?(?:beslutades|beslöts)\s+(?:att|om)\s(?:[^.!?]|\.(?=\d))*(?:[.!?]|$)")
_ATT = re.compile(r"^att\s+\S")
# Action points: "Åtgärd: …", "Ansvarig: …", an "Åtgärd | Ansvarig" table.
_ACTION = re.compile(r"^(?:Åtgärd(?:er)?|Att göra|Uppdrag|ÅTGÄRD)\s*[:.\-–]\s*(.+)$")
_WHO = re.compile(r"(?:^|[\s(;,.])(?:Ansvarig|Ansvariga|Ansvar|ANSVARIG)\s*[:.\-–]\s*([^.;()\n|]+)")
_ACTION_TABLE = re.compile(r"^(?:Åtgärd(?:er)?|Vad)\s*\|\s*(?:Ansvarig|Ansvar|Vem|Vem\?)\b", re.I)


@dataclass(frozen=True)
class MinutesParse:
    items: tuple[AgendaItem, ...] = ()
    attendees: tuple[Person, ...] = ()
    absent: tuple[Person, ...] = ()


@dataclass(frozen=True)
class _Heading:
    at: int  # line index
    kind: str
    number: str
    title: str
    level: int = 0  # a markup heading's level
    starred: bool = False  # \section*: LaTeX gives it no number

    @property
    def value(self) -> int:
        return int(re.match(r"\d+", self.number)[0]) if self.number[:1].isdigit() else 0


def _title(text: str) -> str:
    text = text.split(" | ")[0].split("|")[0]
    text = " ".join(text.replace("**", "").split()).strip(" :.–-\u2013")
    return text[:MAX_TITLE]


def _headline_like(title: str) -> bool:
    """A heading's text: short, not a sentence, not a list entry that happens to be numbered."""
    if not title:
        return True  # the title is on the next line ("1." then "RAD och SDD.")
    words = title.split()
    if len(words) > 12 or len(title) > 120:
        return False
    if title.endswith(".") and len(words) > 6:
        return False
    return title[0].isupper() or title[0] in "§\"'”«(" or title[0].isdigit()


def _candidates(lines: list[Line]) -> dict[str, list[_Heading]]:
    found: dict[str, list[_Heading]] = {"§": [], "punkt": [], "table": [], "markup": [], "numbered": []}
    for i, ln in enumerate(lines):
        text = ln.text
        if not text:
            continue
        if ln.level:
            if LABEL.match(text):
                continue  # "## Närvarande": attendance, not an item
            m = _NUMBER_IN_TITLE.match(text)
            number, title = (m[1], m[2]) if m else ("", text)
            number = number.lstrip("§").strip()
            found["markup"].append(_Heading(i, "markup", number, _title(title), ln.level, ln.starred))
            continue
        if m := _PARAGRAPH.match(text):
            found["§"].append(_Heading(i, "§", m[1], _title(m[2])))
        elif m := _PUNKT.match(text):
            found["punkt"].append(_Heading(i, "punkt", m[1], _title(m[2])))
        elif m := _TABLE_ROW.match(text):
            found["table"].append(_Heading(i, "table", m[1], _title(m[2])))
        elif not _SUB_NUMBER.match(text) and not _TIME_OR_DATE.match(text) and (m := _NUMBERED.match(text)):
            title = _title(m[2])
            if _headline_like(title):
                found["numbered"].append(_Heading(i, "numbered", m[1], title))
    return found


def _chain(heads: list[_Heading]) -> list[_Heading]:
    """The longest run of headings whose numbers rise by 1 to MAX_STEP: an agenda, not a list inside an item."""
    if not heads:
        return []
    best_len = [1] * len(heads)
    back = [-1] * len(heads)
    for j in range(len(heads)):
        for i in range(max(0, j - 60), j):
            step = heads[j].value - heads[i].value
            if 1 <= step <= MAX_STEP and best_len[i] + 1 > best_len[j]:
                best_len[j], back[j] = best_len[i] + 1, i
    j = max(range(len(heads)), key=lambda k: (best_len[k], -k))
    chain = []
    while j >= 0:
        chain.append(heads[j])
        j = back[j]
    return chain[::-1]


def _markup_items(heads: list[_Heading], numbers_itself: bool) -> list[_Heading]:
    """The markup headings at the items' level, numbered as the markup numbers them.

    The items' level is the shallowest holding at least two headings (a lone top
    heading is the document's title).  LaTeX numbers \\section, and the Typst minutes
    templates number `=`; Markdown shows no number, so its items have none.
    """
    levels = sorted({h.level for h in heads})
    if not levels:
        return []
    level = next((lv for lv in levels if sum(h.level == lv for h in heads) >= 2), levels[0])
    chosen = [h for h in heads if h.level == level]
    if not numbers_itself or any(h.number for h in chosen):
        return chosen
    out, n = [], 0
    for h in chosen:
        if not h.starred:
            n += 1
        out.append(_Heading(h.at, h.kind, "" if h.starred else str(n), h.title, h.level, h.starred))
    return out


def _pick(found: dict[str, list[_Heading]], source: str) -> list[_Heading]:
    for kind in ("§", "punkt", "table"):
        chain = _chain(found[kind])
        if len(chain) >= 2:
            return chain
    items = _markup_items(found["markup"], numbers_itself=source in ("tex", "typ"))
    if len(items) >= 2:
        return items
    chain = _chain(found["numbered"])
    if len(chain) >= 3 or (len(chain) == 2 and chain[0].value == 1):
        return chain
    return []


def _decisions(lines: list[str]) -> str | None:
    """What the item decided: `Beslut:` lines, sentences where a body decides, the attsatser after them."""
    found: list[str] = []
    i = 0
    while i < len(lines):
        text = lines[i]
        m = _DECISION_LABEL.match(text)
        if m:
            body = [m[1]] if m[1] else []
            j = i + 1
            # The decision goes on until a blank line: its attsatser, or the text under a bare "Beslut".
            while j < len(lines) and lines[j] and (not body or _ATT.match(lines[j]) or not m[1]) and j - i <= 8:
                if _DECISION_LABEL.match(lines[j]) or _ACTION.match(lines[j]):
                    break
                body.append(lines[j])
                j += 1
            if body:
                found.append(" ".join(body))
            i = max(j, i + 1)
            continue
        i += 1
    running = " ".join(ln for ln in lines if ln)
    for pattern in (_DECIDES, _PASSIVE):
        for m in pattern.finditer(running):
            sentence = m[0].strip()
            if not any(sentence in f or f in sentence for f in found):
                found.append(sentence)
    # "Mötet beslutar" alone on its line, then its attsatser.
    for i, text in enumerate(lines):
        if re.search(r"beslutar|beslutade|beslöt", text) and not text.rstrip().endswith("."):
            atts = []
            for nxt in lines[i + 1:i + 10]:
                if not _ATT.match(nxt):
                    break
                atts.append(nxt)
            if atts:
                clause = " ".join(atts)
                if not any(clause in f for f in found):
                    found.append(clause)
    if not found:
        return None
    return "; ".join(dict.fromkeys(" ".join(f.split()) for f in found))[:MAX_DECISION]


def _actions(lines: list[str]) -> tuple[Action, ...]:
    found: list[Action] = []
    in_table = False
    for i, text in enumerate(lines):
        if _ACTION_TABLE.match(text):
            in_table = True
            continue
        if in_table:
            cells = [c.strip() for c in text.split("|")]
            if len(cells) >= 2 and cells[0]:
                found.append(Action(cells[0], cells[1]))
                continue
            in_table = False
        m = _ACTION.match(text)
        if m:
            what = m[1]
            who = _WHO.search(" " + what)
            if who:
                what = what[:max(0, who.start() - 1)].strip(" ,;.")
            elif i + 1 < len(lines):
                who = _WHO.search(" " + lines[i + 1])
            found.append(Action(what.strip(), who[1].strip() if who else ""))
        elif (who := _WHO.search(" " + text)) and not any(a.who for a in found[-1:]) and found:
            found[-1] = Action(found[-1].text, who[1].strip())
    return tuple(a for a in found if a.text)[:50]


def parse_minutes(pages: tuple[str, ...], paged: bool = False) -> MinutesParse:
    """Find the agenda items, decisions, action points and attendance in a document's pages.

    `paged`: the format has real pages (PDF, PPTX), so each item gets its page.
    """
    kept, size = [], 0
    for page in pages:
        if size >= MAX_TEXT:
            break
        kept.append(page[:MAX_TEXT - size])
        size += len(kept[-1])
    pages = tuple(kept)
    if not any(p.strip() for p in pages):
        return MinutesParse()
    lines = source_lines(pages)
    source = "tex" if any("\\begin{document}" in p for p in pages[:1]) else \
        "typ" if any(re.search(r"^#(?:import|set|show)\b", p, re.M) for p in pages[:1]) else ""
    heads = _pick(_candidates(lines), source)[:MAX_ITEMS]
    present, absent = attendance(lines, pages)
    items = []
    for n, h in enumerate(heads):
        end = heads[n + 1].at if n + 1 < len(heads) else len(lines)
        body = [ln.text for ln in lines[h.at + 1:end]]
        title = h.title
        if not title:
            # "§ 3" or "1." alone: the title is the next line with text.
            k = next((k for k, t in enumerate(body) if t), None)
            if k is not None and len(body[k]) <= MAX_TITLE:
                title, body = _title(body[k]), body[k + 1:]
        text = "\n".join(body).strip()
        items.append(AgendaItem(
            number=h.number, title=title, page=lines[h.at].page + 1 if paged else None, text=text,
            decision=_decisions(body), actions=_actions(body)))
    return MinutesParse(items=tuple(items), attendees=present, absent=absent)
