"""DOCX (and DOCM/DOTX): body text in document order, tables, text boxes, headers,
footers and footnotes.  One page unless the document has explicit page breaks.

Besides the plain text that is searched, each page is written out as Markdown for
reading: headings (by paragraph style), bulleted and numbered lists (by the numbering
a paragraph or its style has, nested by level) and tables as tables."""
from __future__ import annotations

import re
from pathlib import Path

from ..models import Extraction

from ._util import build, corrupt, heading_text, markdown_line, markdown_table

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
# Styles that are lists by name when their numbering is missing (Word's and the Swedish Word's).
BULLET_STYLE_PREFIXES = ("list bullet", "punktlista")
NUMBER_STYLE_PREFIXES = ("list number", "numrerad lista")
_NUMBERED_STYLE = re.compile(r"^(?:list bullet|list number|punktlista|numrerad lista) ([2-9])$")
MAX_LIST_LEVEL = 8  # Word's own limit is nine levels (0-8)
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"

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
    """Collects lines, split into pages at explicit page breaks, and the same as Markdown blocks.

    `prefix` is the Markdown that starts the current paragraph's block ("## ", "    - ",
    "" for a plain paragraph); the lines of one paragraph make one block.
    """

    def __init__(self, page_breaks: bool = True):
        self.pages: list[list[str]] = [[]]
        self.line: list[str] = []
        self.page_breaks = page_breaks
        self.blocks: list[list[tuple[str, str]]] = [[]]  # per page: (kind, markdown)
        self.prefix = ""
        self.open_block = False  # the current paragraph has a block on this page already

    def write(self, s: str | None) -> None:
        if s:
            self.line.append(s)

    def newline(self) -> None:
        line = "".join(self.line)
        self.pages[-1].append(line)
        self.line = []
        if not line.strip():
            return
        text = markdown_line(line)
        heading = self.prefix.startswith("#")
        if self.open_block:
            kind, md = self.blocks[-1][-1]
            self.blocks[-1][-1] = (kind, md + (" " if heading else "\\\n") + text)
        else:
            kind = "h" if heading else "li" if self.prefix else "p"
            self.blocks[-1].append((kind, self.prefix + text))
            self.open_block = True

    def block(self, kind: str, markdown: str) -> None:
        """A finished Markdown block (a table) that has no plain lines of its own here."""
        self.blocks[-1].append((kind, markdown))
        self.open_block = False

    def start_paragraph(self, prefix: str) -> None:
        self.prefix, self.open_block = prefix, False

    def page_break(self) -> None:
        if not self.page_breaks:
            self.newline()
            return
        if self.line:
            self.newline()
        self.pages.append([])
        self.blocks.append([])
        self.open_block = False

    def markdown(self) -> list[str]:
        """Each page's blocks as Markdown: list items of one list on adjacent lines."""
        out = []
        for blocks in self.blocks:
            parts = []
            for i, (kind, md) in enumerate(blocks):
                if i:
                    parts.append("\n" if kind == "li" and blocks[i - 1][0] == "li" else "\n\n")
                parts.append(md)
            out.append("".join(parts))
        return out

    def markdown_lines(self) -> list[str]:
        """Every block of every page, for text that is added to another page (headers, notes)."""
        return [md for blocks in self.blocks for _kind, md in blocks]

    def texts(self) -> list[str]:
        if self.line:
            self.newline()
        return ["\n".join(lines) for lines in self.pages]

    def text(self) -> str:
        return "\n".join(t for t in self.texts() if t)


class _Walker:
    def __init__(self, style_names: dict[str, str], style_numbering: dict[str, tuple[str, int]] | None = None,
                 list_formats: dict[str, dict[int, str]] | None = None):
        self.style_names = style_names
        self.style_numbering = style_numbering or {}  # style id -> (numId, level) its paragraphs get
        self.list_formats = list_formats or {}  # numId -> level -> numFmt ("bullet", "decimal", ...)
        self.styled_heading: str | None = None
        self.first_paragraph: str | None = None  # first short one: the fallback heading
        self.paragraphs_seen = 0
        self.list_level: int | None = None  # the level of the list item just written, None after other text

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
        outer = (out.prefix, out.open_block)
        out.start_paragraph(self._markdown_prefix(p))
        self.inline(p, out)
        out.newline()
        out.prefix, out.open_block = outer[0], False
        if top and self.styled_heading is None:
            lines = out.pages[start_page - 1][start_line:] + [ln for pg in out.pages[start_page:] for ln in pg]
            text = " ".join(ln.strip() for ln in lines if ln.strip())
            if text:
                if self._is_heading(p):
                    self.styled_heading = text
                elif self.first_paragraph is None and self.paragraphs_seen < 20:
                    self.paragraphs_seen += 1
                    self.first_paragraph = heading_text(text)

    def _style(self, p) -> tuple[str, str]:
        """(style id, lower-case style name) of a paragraph; ("", "") without a style."""
        ppr = p.find(W + "pPr")
        style = ppr.find(W + "pStyle") if ppr is not None else None
        if style is None:
            return "", ""
        sid = style.get(W + "val") or ""
        return sid, self.style_names.get(sid, sid).lower()

    def _is_heading(self, p, style: tuple[str, str] | None = None) -> bool:
        sid, name = style or self._style(p)
        return bool(sid) and (name.startswith(HEADING_STYLE_PREFIXES) or sid.lower().startswith(HEADING_STYLE_PREFIXES))

    def _markdown_prefix(self, p) -> str:
        """How the paragraph starts in Markdown: a heading's #s, a list item's indented marker, or nothing."""
        sid, name = self._style(p)
        if self._is_heading(p, (sid, name)):
            self.list_level = None
            digits = "".join(c for c in name if c.isdigit())
            level = 1 if name.startswith(("title", "titel")) else min(int(digits), 6) if digits else 2
            return "#" * max(level, 1) + " "
        kind, level = self._list_item(p, sid, name)
        if kind is None:
            self.list_level = None
            return ""
        # A list cannot start deeper than its first level, nor skip levels (that would be code).
        level = 0 if self.list_level is None else min(level, self.list_level + 1)
        self.list_level = level
        return "    " * level + ("- " if kind == "bullet" else "1. ")

    def _list_item(self, p, sid: str, name: str) -> tuple[str | None, int]:
        """("bullet" or "number", level) when the paragraph is a list item, else (None, 0)."""
        ppr = p.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, level = self.style_numbering.get(sid, (None, 0))
        if numpr is not None:
            ilvl, nid = numpr.find(W + "ilvl"), numpr.find(W + "numId")
            if nid is not None:
                num_id = nid.get(W + "val")
            if ilvl is not None:
                level = _int(ilvl.get(W + "val"))
        numbered_style = _NUMBERED_STYLE.match(name)
        if numbered_style and (numpr is None or numpr.find(W + "ilvl") is None):
            # "List Bullet 2": Word indents these by the style, at their numbering's level 0.
            level = max(level, int(numbered_style.group(1)) - 1)
        level = max(0, min(level, MAX_LIST_LEVEL))
        if num_id == "0":  # numbering switched off for this paragraph
            return None, 0
        if num_id is not None and num_id in self.list_formats:
            fmt = self.list_formats[num_id].get(level, "bullet")
            return (None, 0) if fmt == "none" else ("bullet" if fmt == "bullet" else "number", level)
        if name.startswith(BULLET_STYLE_PREFIXES) or (num_id is not None and name.startswith("list")):
            return "bullet", level
        if name.startswith(NUMBER_STYLE_PREFIXES):
            return "number", level
        return (("bullet", level) if num_id is not None else (None, 0))

    def table(self, tbl, out: _Out) -> None:
        """One line per row, cells joined by " | "; a row with a single non-empty cell
        (a layout table holding running text) keeps that cell's lines.  In the Markdown,
        consecutive rows of several cells make a table, its first row the header."""
        rows: list[list[str]] = []  # the Markdown table being gathered: its rows' cells

        def flush() -> None:
            if rows:
                out.block("table", markdown_table(rows))
                rows.clear()

        outer = (out.prefix, out.open_block)
        self.list_level = None
        for tr in _children(tbl, TR):
            cells, all_cells = [], []
            for tc in _children(tr, TC):
                sub = _Out(page_breaks=False)
                self.blocks(tc, sub)
                lines = [ln.strip() for ln in sub.text().split("\n") if ln.strip()]
                all_cells.append(markdown_line(" ".join(lines)))
                if lines:
                    cells.append(lines)
            if len(cells) == 1:
                flush()
                for line in cells[0]:
                    out.start_paragraph("")
                    out.write(line)
                    out.newline()
            elif cells:
                # The plain line only: the row's Markdown goes into the table.
                out.pages[-1].append(" | ".join(" ".join(lines) for lines in cells))
                rows.append(all_cells)
        flush()
        out.prefix, out.open_block = outer[0], False

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


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _numbering(part, style_root) -> tuple[dict[str, tuple[str, int]], dict[str, dict[int, str]]]:
    """(style id -> (numId, level) of styles that number their paragraphs,
    numId -> level -> numFmt); empty where the file has no numbering or it is broken."""
    formats: dict[str, dict[int, str]] = {}
    for rel in part.rels.values():
        if rel.reltype != RT_NUMBERING or rel.is_external:
            continue
        try:
            root = _part_element(rel.target_part)
        except Exception:  # noqa: BLE001 - broken numbering costs only the lists' kinds
            break
        abstract = {}
        for a in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in a.iter(W + "lvl"):
                fmt = lvl.find(W + "numFmt")
                levels[_int(lvl.get(W + "ilvl"))] = (fmt.get(W + "val") if fmt is not None else None) or "decimal"
            abstract[a.get(W + "abstractNumId")] = levels
        for num in root.iter(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is not None and ref.get(W + "val") in abstract:
                formats[num.get(W + "numId")] = abstract[ref.get(W + "val")]
        break
    own: dict[str, tuple[str | None, int | None]] = {}
    based_on: dict[str, str] = {}
    if style_root is not None:
        for st in style_root.iter(W + "style"):
            sid = st.get(W + "styleId")
            numpr = st.find(W + "pPr/" + W + "numPr")
            if numpr is not None:
                nid, ilvl = numpr.find(W + "numId"), numpr.find(W + "ilvl")
                own[sid] = (nid.get(W + "val") if nid is not None else None,
                            _int(ilvl.get(W + "val")) if ilvl is not None else None)
            parent = st.find(W + "basedOn")
            if parent is not None:
                based_on[sid] = parent.get(W + "val")
    styles: dict[str, tuple[str, int]] = {}
    for sid in set(own) | set(based_on):
        num_id, level, seen, cur = None, None, set(), sid
        while cur is not None and cur not in seen and (num_id is None or level is None):
            seen.add(cur)
            nid, lvl = own.get(cur, (None, None))
            num_id = num_id if num_id is not None else nid
            level = level if level is not None else lvl
            cur = based_on.get(cur)
        if num_id is not None:
            styles[sid] = (num_id, level or 0)
    return styles, formats


def _part_element(part):
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from docx.oxml.parser import parse_xml

    return parse_xml(part.blob)


def _styles_root(document_part):
    try:
        return document_part._styles_part.element  # noqa: SLF001 - no public raw access
    except Exception:  # noqa: BLE001 - no or broken styles part: ids only
        return None


def _style_names(styles) -> dict[str, str]:
    if styles is None:
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

    styles = _styles_root(part)
    walker = _Walker(_style_names(styles), *_numbering(part, styles))
    out = _Out()
    walker.blocks(body, out, top=True)
    pages = out.texts()
    layout = out.markdown()
    header_md: list[str] = []
    footer_md: list[str] = []

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
                is_header = ref.tag == W + "headerReference"
                (headers if is_header else footers).append(text)
                (header_md if is_header else footer_md).extend(sub.markdown_lines())
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
                footer_md.extend(sub.markdown_lines())
    if headers:
        pages[0] = "\n".join(headers + [pages[0]])
        layout[0] = "\n\n".join(header_md + [layout[0]])
    if footers:
        pages[-1] = "\n".join([pages[-1]] + footers)
        layout[-1] = "\n\n".join([layout[-1]] + footer_md)

    title, created = _core_properties(package)
    heading = heading_text(walker.styled_heading) or heading_text(walker.first_paragraph)
    return build("docx", pages, title=title, heading=heading, created=created,
                 heading_fallback=False, layout=layout)
