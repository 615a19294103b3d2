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
MAX_BODY_LINES = 2000  # lines of one item read for its decisions and action points
MAX_DECISIONS = 60  # decisions kept of one item
MAX_CANDIDATES = 3000  # heading candidates of one kind looked at: a real agenda has far fewer
MAX_STEP = 3  # numbers may skip this much: an item struck from the agenda, an OCR'd number lost

# How minutes write an item's heading, strongest first.  Each gives (number, title).
_PARAGRAPH = re.compile(r"^§\s*(\d{1,4}[a-z]?)\s*[.:)\-–]?\s*(.*)$")
_PUNKT = re.compile(r"^(?:Punkt|PUNKT|Pkt\.?)\s*(\d{1,3})\s*[.:)\-–]?\s*(.*)$")
_TABLE_ROW = re.compile(r"^(?:§\s*)?(\d{1,3})\s*[.,)]?\s*\|\s*(.*)$")
_NUMBERED = re.compile(r"^(\d{1,2})(?:[.)]|(?=\s+[A-ZÅÄÖ]))\s*(.*)$")
_SUB_NUMBER = re.compile(r"^\d{1,2}\.\d{1,2}")
# "13.00 Lunch", "12. mars": a time or a date, never an item (Swedish writes months in lower case).
_TIME_OR_DATE = re.compile(r"^\d{1,2}[.:]\d{2}\b|^\d{1,2}\.?\s*(?:januari|februari|mars|april|maj|juni|juli|augusti|"
                           r"september|oktober|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|okt|nov|dec)\b")
_HEAD_FIELD = re.compile(r"^(?:Kallade|Plats|Datum|Tid|Närvarande|Frånvarande|Signaturer|Justering|Underskrifter)\b:?",
                         re.I)
# Where the minutes end and their appendices begin: an item after this is another document's.
_APPENDIX = re.compile(r"^(?:Bilagor|Bilaga(?:\s+(?:\d{1,2}|[A-Z]))?|Lista över beslut|Beslutslista|Bilageförteckning)\s*:?$")
_NUMBER_IN_TITLE = re.compile(r"^(?:§\s*)?(\d{1,3}(?:\.\d{1,2})?)[.):]?\s+(.*)$")

# Decisions: a label, a body that decides, attsatser after either.
_DECISION_LABEL = re.compile(r"^(?:Beslut|BESLUT|Beslutades|Beslutet|Mötets beslut|Styrelsens beslut|Gruppens beslut)"
                             r"(?:\s*[:.\-–]\s*|\s*$)(.*)$")
_BODIES = r"(?:Gruppen|Mötet|Styrelsen|Nätverket|Stämman|Årsmötet|Årsstämman|Nämnden|Utskottet|Arbetsgruppen|" \
          r"Samverkansgruppen|Sektionsmötet|Stormötet|Föreningsstämman|Vi|Deltagarna|Ledningsgruppen|Rådet)"
# A sentence runs to its full stop or to a line break where a heading-like line ended (see _running).
_TAIL = r"(?:[^.!?\n]|\.(?=\d))*(?:[.!?]|(?=\n)|$)"
_DECIDES = re.compile(rf"(?<!\w){_BODIES}\s+(?:har\s+)?(?:beslutade|beslutar|beslöt|beslutat|besluta|"
                      r"enades om|röstar|röstade|godkänner|godkände|fastställer|fastställde|väljer|valde|"
                      r"nominerar och väljer|utser|utsåg|antar|antog|beviljar|beviljade|avslår|avslog|bifaller|"
                      rf"biföll|nekar|nekade|godtar|godtog)(?=\s){_TAIL}")
_PASSIVE = re.compile(r"(?<![\w-])(?:[Dd]et\s+)?(?:(?:[Bb]eslutades|[Bb]eslöts|[Bb]estämdes)\s+(?:att|om)|"
                      rf"(?:[Bb]eslutas|[Bb]estäms)\s+att)\s{_TAIL}")
# A sentence whose verb is a decision in the passive: "X väljs till justerare", "Protokollet läggs till handlingarna".
# A decision in the passive: "X väljs till justerare", "Protokollet läggs till handlingarna"; its sentence around it.
_PASSIVE_VERB = re.compile(r"(?<!\w)(?i:väljs|valdes|utses|utsågs|fastställs|fastställdes|godkänns|godkändes|antas|"
                           r"antogs|beviljas|beviljades|avslås|avslogs|bifalles|bifalls|bifölls|bordläggs|bordlades|"
                           r"hävs|tillsätts|beslutat|(?:läggs|lades|lagts|lagd|lagt|lagda)\s+till\s+handlingarna)(?!\w)")
_SENTENCE_END = re.compile(r"[.!?](?!\d)|\n")
MAX_SENTENCE = 1000  # characters looked at either side of a decision's verb
# "Beslut om att övergå till ny hemsida.", "Beslut återbäring laddning." in running text; not "Beslut har kommit".
_INLINE_LABEL = re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))Beslut(?:\s+om)?\s+(?!(?:har|hade|kom|kommer|ska|skall|tas|togs|"
                           rf"fattas|fattades|behöver|måste|finns|saknas|är|var|om\s+\w+\s+tas)\b)[a-zåäö]{_TAIL}")
_DECISION_TITLE = re.compile(r"^(?:Beslut|Beslut och .*|Diskussion och beslut|Beslut och fortsatt arbete)$", re.I)
_NOT_A_DECISION = re.compile(r"^(?:Nästa möte|Vid pennan|Vid protokollet|Anteckningar:|Antecknat av|Justeras|Mötet avslut|"
                             r"Sida \d+|Sidan \d+)", re.I)
_POINT_START = re.compile(r"^(?:[-–•●*]\s|\d{1,2}[.)]\s|[a-zA-Z][.)]\s|Åtgärd|Ansvarig|Beslut|att\s|Sida\s\d|Sidan\s\d)")
_PROPOSAL = re.compile(r"^(?:Förslag|Förslag till beslut|Yrkande|Yrkanden|Styrelsens förslag)\b.*$")
_MARGIN = re.compile(r"^(.*\S)\s*Beslut$")  # "… väljs till mötesordförande. Beslut": the margin's word
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
    found: dict[str, list] = {"§": [], "punkt": [], "table": [], "markup": [], "numbered": [], "labels": []}
    in_list = False  # after a line ending in ":", numbered lines are that list's points
    for i, ln in enumerate(lines):
        text = ln.text
        if not text:
            in_list = False
            continue
        if ln.level:
            if LABEL.match(text) or _HEAD_FIELD.match(text):
                found["labels"].append(i)
                continue  # "## Närvarande", "## Kallade": the minutes' head, not an item
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
            if _headline_like(title) and not in_list:
                found["numbered"].append(_Heading(i, "numbered", m[1], title))
            continue
        in_list = text.endswith(":")
    return found


def _chain(heads: list[_Heading]) -> list[_Heading]:
    """The longest run of headings whose numbers rise by 1 to MAX_STEP: an agenda, not a list inside an item."""
    heads = heads[:MAX_CANDIDATES]
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


def _markup_items(heads: list[_Heading], labels: list[int], source: str) -> list[_Heading]:
    """The markup headings at the items' level, numbered as the markup numbers them.

    LaTeX's items are its \\sections; in Markdown and Typst the shallowest level with
    three headings or more (a lone top heading is the title).  Headings above an attendance heading
    (`## Närvarande`) are the document's head: its title, group and date.
    LaTeX numbers \\section and the Typst minutes templates number `=`; Markdown
    shows no number, so its items have none.
    """
    if labels:
        heads = [h for h in heads if h.at > labels[0]] if labels[0] < heads[-1].at else heads
    levels = sorted({h.level for h in heads})
    if not levels:
        return []
    counts = {lv: sum(h.level == lv for h in heads) for lv in levels}
    if source == "tex":
        level = next((lv for lv in levels if counts[lv] >= 2), levels[0])
    else:
        # The shallowest level that repeats enough to be an agenda; deeper ones are its sub-items.
        level = next((lv for lv in levels if counts[lv] >= 3), max(levels, key=lambda lv: (counts[lv], -lv)))
    chosen = [h for h in heads if h.level == level]
    if source not in ("tex", "typ") or any(h.number for h in chosen):
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
    items = _markup_items(found["markup"], found["labels"], source) if found["markup"] else []
    if len(items) >= 2:
        return items
    # Plain numbered lines are the weakest sign: an agenda has at least three.
    chain = _chain(found["numbered"])
    return chain if len(chain) >= 3 else []


def _sentence_around(text: str, at: int) -> tuple[int, int]:
    """The (start, end) of the sentence holding position `at`: from the last full stop or line break to the next."""
    lo = max(0, at - MAX_SENTENCE)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, lo, at)]
    start = starts[-1] if starts else lo
    m = _SENTENCE_END.search(text, at, at + MAX_SENTENCE)
    end = (m.end() if m[0] != "\n" else m.start()) if m else min(len(text), at + MAX_SENTENCE)
    return start, end


def _running(lines: list[str]) -> str:
    """The item's lines as running text; after a short line without a full stop (a sub-heading), a line break."""
    out, prev = "", ""
    for ln in lines:
        if not ln:
            continue
        if out:
            heading_like = len(prev.split()) <= 8 and not prev.endswith((".", "!", "?", ":", ",", ";")) \
                and ln[:1].isupper()
            out += "\n" if heading_like else " "
        out += ln
        prev = ln
    return out


def _decisions(lines: list[str]) -> str | None:
    """What the item decided: `Beslut:` lines, sentences where a body decides, the attsatser after them."""
    found: list[str] = []
    running_lines: list[str] = []
    marks: list[int] = []  # where in the running text a margin "Beslut" stood
    i = 0
    while i < len(lines):
        text = lines[i]
        m = _DECISION_LABEL.match(text)
        if m:
            body = [m[1]] if m[1] else []
            j = i + 1
            if not m[1]:
                while j < len(lines) and not lines[j] and j - i <= 3:
                    j += 1  # a bare "Beslut" heading, its decision below
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
        if _PROPOSAL.match(text):
            # A proposal and its attsatser are not yet decided: skip them to the blank line or the Beslut.
            i += 1
            while i < len(lines) and not lines[i]:
                i += 1
            while i < len(lines) and lines[i] and not _DECISION_LABEL.match(lines[i]):
                i += 1
            continue
        margin = _MARGIN.match(text)
        if margin and not text.startswith("Beslut"):
            running_lines.append(margin[1])
            marks.append(len(_running(running_lines)) - 1)
        else:
            running_lines.append(text)
        i += 1
    labelled = len(found)
    running = _running(running_lines)
    spans: list[tuple[int, int]] = []
    # The sentence around a margin's "Beslut" or a passive decision verb.
    verbs = (m.start() for _, m in zip(range(MAX_DECISIONS), _PASSIVE_VERB.finditer(running)))
    for at in [*marks[:MAX_DECISIONS], *verbs]:
        spans.append(_sentence_around(running, at))
    spans = [sp for n, sp in enumerate(spans) if not any(a < sp[1] and sp[0] < b for a, b in spans[:n])]
    for pattern in (_DECIDES, _PASSIVE, _INLINE_LABEL):
        for n, m in enumerate(pattern.finditer(running)):
            if n >= MAX_DECISIONS:
                break
            start, end = m.start() + len(m[0]) - len(m[0].lstrip()), m.end()
            if any(a < end and start < b for a, b in spans):
                continue  # the same sentence, found by another pattern
            spans.append((start, end))
    for start, end in sorted(spans)[:MAX_DECISIONS]:
        sentence = running[start:end].strip()
        colon = re.search(r":\s*(?:\d{1,2}[.)])?$", sentence)
        if colon:
            # "Gruppen beslutade följande: 1. … 2. …": the decision is its numbered points.
            at = start + (len(running[start:end]) - len(running[start:end].lstrip())) + colon.start() + 1
            rest = re.match(r"(?:\s*\d{1,2}[.)]\s+(?:[^.!?]|\.(?=\d))*(?:[.!?]|$))+", running[at:])
            if rest:
                sentence = sentence[:colon.start() + 1] + rest[0]
        if not any(sentence in f for f in found[:labelled]):
            found.append(sentence)
    # "Mötet beslutar" alone on its line, then its attsatser.
    for i, text in enumerate(lines):
        if re.search(r"beslutar|beslutade|beslöt", text) and not text.rstrip().endswith("."):
            atts = []
            for nxt in lines[i + 1:i + 20]:
                if not nxt:
                    continue
                if not _ATT.match(nxt):
                    break
                atts.append(nxt)
            if atts:
                clause = " ".join(atts)
                if not any(clause in f for f in found):
                    found.append(clause)
    if not found:
        return None
    return "; ".join(" ".join(f.split()) for f in found)[:MAX_DECISION]


def _unwrap(lines: list[str]) -> list[str]:
    """Lines with a PDF's line wrapping undone: a line that does not start a point continues the one before."""
    out: list[str] = []
    for text in lines:
        if out and out[-1] and text and not _POINT_START.match(text) and \
                (text[:1].islower() or not out[-1].endswith((".", "!", "?", ":"))):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def _listed_decisions(lines: list[str]) -> str | None:
    """An item called "Beslut": each of its points is a decision (the next meeting and the scribe aside)."""
    points = []
    for text in _unwrap(lines):
        text = re.sub(r"^(?:\d{1,2}[.)]|[a-z][.)])\s+", "", text.strip(" -–•●*"))
        if not text or _NOT_A_DECISION.match(text):
            continue
        who = _WHO.search(" " + text)
        points.append(text[:max(0, who.start() - 1)].strip() if who else text)
    points = [p for p in points if p]
    return "; ".join(points)[:MAX_DECISION] if points else None


def _actions(lines: list[str]) -> tuple[Action, ...]:
    found: list[Action] = []
    in_table = False
    lines = _unwrap(lines)
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
        elif (who := _WHO.search(" " + text)) and found and not found[-1].who and i and not lines[i - 1:i][0]:
            found[-1] = Action(found[-1].text, who[1].strip())  # "Ansvarig: …" on the line after the action
        elif who := _WHO.search(" " + text):
            # "Gruppen tar fram skolmaterial. Ansvarig: Camilla Persson": the sentence before is the action.
            what = re.sub(r"^(?:\d{1,2}[.)]|[a-z][.)])\s+", "", text[:max(0, who.start() - 1)].strip(" ,;.-–•"))
            if what:
                found.append(Action(what, who[1].strip()))
    return tuple(a for a in found if a.text)[:50]


def _before_appendices(lines: list[Line]) -> list[Line]:
    """The lines before the first appendix heading that follows some text ("Bilagor", "Bilaga 1")."""
    seen_text = 0
    for i, ln in enumerate(lines):
        if ln.text:
            seen_text += 1
        if seen_text > 10 and _APPENDIX.match(ln.text):
            return lines[:i]
    return lines


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
    present, absent = attendance(lines, pages)
    lines = _before_appendices(lines)
    source = "tex" if any("\\begin{document}" in p for p in pages[:1]) else \
        "typ" if any(re.search(r"^#(?:import|set|show)\b", p, re.M) for p in pages[:1]) else ""
    heads = _pick(_candidates(lines), source)[:MAX_ITEMS]
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
        decision = _decisions(body[:MAX_BODY_LINES])
        if decision is None and _DECISION_TITLE.match(title):
            decision = _listed_decisions(body[:MAX_BODY_LINES])
        items.append(AgendaItem(
            number=h.number, title=title, page=lines[h.at].page + 1 if paged else None, text=text,
            decision=decision, actions=_actions(body[:MAX_BODY_LINES])))
    return MinutesParse(items=tuple(items), attendees=present, absent=absent)
