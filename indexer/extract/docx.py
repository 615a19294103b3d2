"""DOCX (and DOCM/DOTX): body text in document order, tables, text boxes, headers,
footers and footnotes.  One page unless the document has explicit page breaks."""
from __future__ import annotations

from pathlib import Path

from ..models import Extraction

from ._util import build, corrupt, heading_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

P, TBL, TR, TC = W + "p", W + "tbl", W + "tr", W + "tc"
T, TAB, PTAB, BR, CR = W + "t", W + "tab", W + "ptab", W + "br", W + "cr"
NO_BREAK_HYPHEN, SOFT_HYPHEN = W + "noBreakHyphen", W + "softHyphen"
TXBX = W + "txbxContent"
SDT, SDT_CONTENT = W + "sdt", W + "sdtContent"
ALTERNATE, CHOICE, FALLBACK = MC + "AlternateContent", MC + "Choice", MC + "Fallback"
# Subtrees that carry no visible text: properties, deleted text, field instructions.
SKIP = frozenset({W + "pPr", W + "rPr", W + "tblPr", W + "tblGrid", W + "trPr", W + "tcPr",
                  W + "sectPr", W + "sdtPr", W + "sdtEndPr", W + "del", W + "delText",
                  W + "instrText", W + "delInstrText", W + "moveFrom", W + "commentReference",
                  W + "footnoteReference", W + "endnoteReference", W + "sym"})

HEADING_STYLE_PREFIXES = ("heading", "rubrik", "title", "titel")

MAIN_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_NOTES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes")


def _register_part_types() -> None:
    """Let python-docx load .docm/.dotx/.dotm main parts as documents (it does for .docx)."""
    from docx.opc.part import PartFactory
    from docx.parts.document import DocumentPart

    for ct in MAIN_CONTENT_TYPES:
        PartFactory.part_type_for.setdefault(ct, DocumentPart)


class _Out:
    """Collects lines, split into pages at explicit page breaks."""

    def __init__(self, page_breaks: bool = True):
        self.pages: list[list[str]] = [[]]
        self.line: list[str] = []
        self.page_breaks = page_breaks

    def write(self, s: str | None) -> None:
        if s:
            self.line.append(s)

    def newline(self) -> None:
        self.pages[-1].append("".join(self.line))
        self.line = []

    def page_break(self) -> None:
        if not self.page_breaks:
            self.newline()
            return
        if self.line:
            self.newline()
        self.pages.append([])

    def texts(self) -> list[str]:
        if self.line:
            self.newline()
        return ["\n".join(lines) for lines in self.pages]

    def text(self) -> str:
        return "\n".join(t for t in self.texts() if t)


class _Walker:
    def __init__(self, style_names: dict[str, str]):
        self.style_names = style_names
        self.styled_heading: str | None = None
        self.first_paragraph: str | None = None  # first short one: the fallback heading
        self.paragraphs_seen = 0

    # -- block level ---------------------------------------------------------------

    def blocks(self, el, out: _Out, top: bool = False) -> None:
        for child in el:
            tag = child.tag
            if tag == P:
                self.paragraph(child, out, top)
            elif tag == TBL:
                self.table(child, out)
            elif tag in SKIP or not isinstance(tag, str):
                continue
            elif tag == ALTERNATE:
                self.blocks(_alternate(child), out, top)
            else:  # sdt, sdtContent, customXml, ins, smartTag wrappers ...
                self.blocks(child, out, top)

    def paragraph(self, p, out: _Out, top: bool) -> None:
        start_page, start_line = len(out.pages), len(out.pages[-1])
        self.inline(p, out)
        out.newline()
        if top and self.styled_heading is None:
            lines = out.pages[start_page - 1][start_line:] + [ln for pg in out.pages[start_page:] for ln in pg]
            text = " ".join(ln.strip() for ln in lines if ln.strip())
            if text:
                if self._is_heading(p):
                    self.styled_heading = text
                elif self.first_paragraph is None and self.paragraphs_seen < 20:
                    self.paragraphs_seen += 1
                    self.first_paragraph = heading_text(text)

    def _is_heading(self, p) -> bool:
        ppr = p.find(W + "pPr")
        style = ppr.find(W + "pStyle") if ppr is not None else None
        if style is None:
            return False
        sid = style.get(W + "val") or ""
        name = self.style_names.get(sid, sid).lower()
        return name.startswith(HEADING_STYLE_PREFIXES) or sid.lower().startswith(HEADING_STYLE_PREFIXES)

    def table(self, tbl, out: _Out) -> None:
        """One line per row, cells joined by " | "; a row with a single non-empty cell
        (a layout table holding running text) keeps that cell's lines."""
        for tr in _children(tbl, TR):
            cells = []
            for tc in _children(tr, TC):
                sub = _Out(page_breaks=False)
                self.blocks(tc, sub)
                lines = [ln.strip() for ln in sub.text().split("\n") if ln.strip()]
                if lines:
                    cells.append(lines)
            if len(cells) == 1:
                for line in cells[0]:
                    out.write(line)
                    out.newline()
            elif cells:
                out.write(" | ".join(" ".join(lines) for lines in cells))
                out.newline()

    # -- inline level --------------------------------------------------------------

    def inline(self, el, out: _Out) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == T:
                out.write(child.text)
            elif tag == TAB or tag == PTAB:
                out.write("\t")
            elif tag == BR:
                if child.get(W + "type") == "page":
                    out.page_break()
                else:
                    out.newline()
            elif tag == CR:
                out.newline()
            elif tag == NO_BREAK_HYPHEN:
                out.write("-")
            elif tag == SOFT_HYPHEN:
                out.write("\u00ad")
            elif tag == TXBX:
                # A text box inside a run: its paragraphs as lines of their own.
                if out.line:
                    out.newline()
                self.blocks(child, out)
            elif tag == ALTERNATE:
                self.inline(_alternate(child), out)
            elif tag == P:  # a paragraph nested somewhere unexpected
                self.paragraph(child, out, False)
            elif tag == TBL:
                self.table(child, out)
            else:  # r, hyperlink, ins, fldSimple, smartTag, sdt, drawing, ...
                self.inline(child, out)


def _children(el, tag: str):
    """Direct children named `tag`, looking through content-control/customXml wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == W + "customXml":
            yield from _children(child, tag)


def _alternate(el):
    """Of mc:AlternateContent, the one branch to read (both hold the same text)."""
    choice = el.find(CHOICE)
    if choice is not None:
        return choice
    fallback = el.find(FALLBACK)
    return fallback if fallback is not None else []


def _part_element(part):
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from docx.oxml.parser import parse_xml

    return parse_xml(part.blob)


def _style_names(document_part) -> dict[str, str]:
    try:
        styles = document_part._styles_part.element  # noqa: SLF001 - no public raw access
    except Exception:  # noqa: BLE001 - no or broken styles part: ids only
        return {}
    names = {}
    for s in styles.iter(W + "style"):
        sid = s.get(W + "styleId")
        name = s.find(W + "name")
        if sid and name is not None and name.get(W + "val"):
            names[sid] = name.get(W + "val")
    return names


def _core_properties(package) -> tuple[object, object]:
    """(title, created) when the file has a core-properties part; python-docx would
    otherwise invent one with title "Word Document"."""
    for rel in package.rels.values():
        if rel.reltype == RT_CORE and not rel.is_external:
            try:
                props = rel.target_part.core_properties
                return props.title, props.created
            except Exception:  # noqa: BLE001 - broken properties cost only the properties
                return None, None
    return None, None


def extract_docx(path: Path) -> Extraction:
    from docx.package import Package

    _register_part_types()
    package = Package.open(str(path))
    part = package.main_document_part
    if part.content_type not in MAIN_CONTENT_TYPES or not hasattr(part, "document"):
        raise corrupt(f"not a Word document (main part is {part.content_type})")
    body = part.element.find(W + "body")
    if body is None:
        raise corrupt("the document has no body")

    walker = _Walker(_style_names(part))
    out = _Out()
    walker.blocks(body, out, top=True)
    pages = out.texts()

    # Headers first on page 1, footers and foot/endnotes last on the last page.
    headers: list[str] = []
    footers: list[str] = []
    seen: set[str] = set()
    for sect in body.iter(W + "sectPr"):
        for ref in sect:
            if ref.tag not in (W + "headerReference", W + "footerReference"):
                continue
            rid = ref.get(R_ID)
            try:
                hf_part = part.related_parts[rid]
            except KeyError:
                continue
            if str(hf_part.partname) in seen:
                continue
            seen.add(str(hf_part.partname))
            sub = _Out(page_breaks=False)
            walker.blocks(_part_element(hf_part), sub)
            text = sub.text().strip()
            if text and text not in headers and text not in footers:
                (headers if ref.tag == W + "headerReference" else footers).append(text)
    for rel in part.rels.values():
        if rel.reltype in RT_NOTES and not rel.is_external:
            sub = _Out(page_breaks=False)
            root = _part_element(rel.target_part)
            for note in root:
                if note.get(W + "type") in (None, "normal"):
                    walker.blocks(note, sub)
            text = sub.text().strip()
            if text:
                footers.append(text)
    if headers:
        pages[0] = "\n".join(headers + [pages[0]])
    if footers:
        pages[-1] = "\n".join([pages[-1]] + footers)

    title, created = _core_properties(package)
    heading = heading_text(walker.styled_heading) or heading_text(walker.first_paragraph)
    return build("docx", pages, title=title, heading=heading, created=created,
                 heading_fallback=False)
