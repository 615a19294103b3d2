"""Lines of minutes as the parser reads them, from plain text and from LaTeX, Typst and Markdown sources."""
from __future__ import annotations

import re
from dataclasses import dataclass

# A heading written as markup: its level and its text ("## 3. Ekonomi", "\section{Ekonomi}", "= Ekonomi").
_MD_HEADING = re.compile(r"^(#{1,6})(?:\s+|(?=[^\W\d_]))(.*?)\s*#*$")
_TYPST_HEADING = re.compile(r"^(={1,6})\s+(.*)$")
_LATEX_SECTION = re.compile(r"\\((?:sub){0,2})section(\*?)\{((?:[^{}]|\{[^{}]*\})*)\}", re.S)
_LATEX_ENV_DECISION = re.compile(r"\\begin\{(beslut|beslutsatser)\}(.*?)\\end\{\1\}", re.S | re.I)
# Attsatser are what a proposal or a decision says: "att" lines, decided only under a Beslut heading.
_LATEX_ENV_ATT = re.compile(r"\\begin\{(attsatser|itemize|enumerate)\}(.*?)\\end\{\1\}", re.S | re.I)
_LATEX_COMMENT = re.compile(r"(?<!\\)%.*$", re.M)
_LATEX_MEMBER = re.compile(r"\\(?:medlem|förtroendevald|ledamot)(?:\[([^\]]*)\])?\{([^{}]*)\}\{([^{}]*)\}(?:\{([^{}]*)\})?")
_LATEX_NOISE = re.compile(r"\\(?:label|hypertarget)\{[^{}]*\}|\\[a-zA-Z]+\*?(?:\[[^\]]*\])?")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


MAX_LINES = 20_000  # lines read of one document: a 55-page protocol with its appendices has 3,000


@dataclass(frozen=True)
class Line:
    text: str
    page: int  # 0-based page the line is on
    level: int = 0  # markup heading level (1 = top), 0 for a plain line
    starred: bool = False  # an unnumbered LaTeX section (\section*)


def _is_latex(text: str) -> bool:
    return "\\begin{document}" in text or text.lstrip().startswith("\\documentclass")


def _is_typst(text: str) -> bool:
    return bool(re.search(r"^#(?:import|set|show|let)\b", text, re.M))


def _latex_lines(text: str) -> list[tuple[str, int, bool]]:
    """LaTeX: sections become heading lines, decision environments `Beslut:` lines, members one per line."""
    def decision(m: re.Match) -> str:
        items = [" ".join(i.split()) for i in re.split(r"\\item\b", m[2]) if i.strip()]
        return "\n" + "\n".join(f"Beslut: {_latex_plain(i)}" for i in items) + "\n"

    def member(m: re.Match) -> str:
        role, name, present = m[1] or "", m[2], (m[4] if m[4] is not None else m[3])
        if m[4] is not None:  # \förtroendevald{role}{name}{Ja}
            role, name, present = m[2], m[3], m[4]
        return f"\n\x01{name}\x02{role}\x02{present}\n"

    def atts(m: re.Match) -> str:
        items = [" ".join(i.split()) for i in re.split(r"\\item\b", m[2]) if i.strip()]
        prefix = "att " if m[1].lower() == "attsatser" else "- "
        lines = [_latex_plain(i) for i in items]
        return "\n" + "\n".join(ln if ln.lower().startswith(prefix) else prefix + ln for ln in lines) + "\n\n"

    text = _LATEX_COMMENT.sub("", text)
    text = _LATEX_ENV_DECISION.sub(decision, text)
    text = _LATEX_ENV_ATT.sub(atts, text)
    text = _LATEX_MEMBER.sub(member, text)
    out: list[tuple[str, int, bool]] = []
    pos = 0
    for m in _LATEX_SECTION.finditer(text):
        out += [(ln, 0, False) for ln in text[pos:m.start()].split("\n")]
        out.append((_latex_plain(" ".join(m[3].split())), len(m[1]) // 3 + 1, bool(m[2])))
        pos = m.end()
    out += [(ln, 0, False) for ln in text[pos:].split("\n")]
    return out


def _latex_plain(text: str) -> str:
    text = re.sub(r"\\textbf\{([^{}]*)\}|\\emph\{([^{}]*)\}", lambda m: m[1] or m[2] or "", text)
    text = text.replace("\\S", "§").replace("~", " ").replace("\\\\", " ").replace("--", "–")
    text = _LATEX_NOISE.sub("", text)
    return text.replace("{", "").replace("}", "").replace("%", "").strip()


def source_lines(pages: tuple[str, ...]) -> list[Line]:
    """Every line of the pages, markup headings marked with their level, markup removed."""
    lines: list[Line] = []
    for page_no, page in enumerate(pages):
        if len(lines) >= MAX_LINES:
            break
        if _is_latex(page):
            for text, level, starred in _latex_lines(page):
                if text.startswith("\x01"):
                    lines.append(Line(text, page_no))
                    continue
                lines.append(Line(text if level else _latex_plain(text), page_no, level, starred))
            continue
        typst = _is_typst(page)
        for raw in page.split("\n"):
            text = raw.replace("\t", " ").strip()
            level = 0
            if typst:
                m = _TYPST_HEADING.match(text)
                if m:
                    level, text = len(m[1]), m[2]
                elif text.startswith("#") or text in ("[", "]", ")", "],", "(", "),"):
                    text = re.sub(r"^#\w+(?:\.\w+)*\(?", "", text)
                text = text.strip("[]() ,").strip()
            else:
                m = _MD_HEADING.match(text)
                if m:
                    level, text = len(m[1]), m[2]
            text = _BOLD.sub(lambda b: b[1] or b[2], text)
            lines.append(Line(" ".join(text.split()), page_no, level))
            if len(lines) >= MAX_LINES:
                break
    return lines[:MAX_LINES]
