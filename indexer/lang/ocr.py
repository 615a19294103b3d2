"""Mend what Tesseract's Swedish model makes of Swedish minutes: breaks, NFC and the section sign.

The Swedish model ("swe", tessdata_fast) has no `§` in its character set: an agenda
item "§ 12 Val av justerare" comes back as "$ 12 Val av justerare" or "8 12 Val av
justerare".  Only where the context says it is an item number is it read as `§`:
at the start of a line, followed by a number and then the item's title (or nothing),
or after "enligt", "se", "under" and "i" for `$` (a dollar sign is never written so in
Swedish minutes).  "8 personer deltog" and "8 st" stay as they are.
"""
from __future__ import annotations

import re
import unicodedata

# Tesseract marks a word it hyphenated at a line end with U+FFFE (a non-character), with or
# without the hyphen before it: the word goes on after the break.
_FFFE_BREAK = re.compile("-?\ufffe[ \t]*(?:\n[ \t]*)*")
# A paragraph break Tesseract put after a line-end hyphen: one line break, for rejoin_hyphenated.
_HYPHEN_BLANK = re.compile(r"(?<=\w)-[ \t]*\n(?:[ \t]*\n)+[ \t]*(?=[a-zåäö])")
# "$ 12 Val av justerare", "8 12. Beslut", "$12 Beslut", "$ 4" alone on its line; an "8" needs a
# space before the number ("80 Deltagare" is a number) and a title after it.
_ITEM_AT_LINE_START = re.compile(
    r"^(?P<indent>[ \t]*)(?:\$[ \t]?|8[ \t]+)(?P<num>\d{1,3}[a-z]?)(?P<after>\.?(?:[ \t]+(?=[A-ZÅÄÖ\"”(])|[ \t]*$))",
    re.MULTILINE)
# "enligt $ 5", "se $ 12": a `$` before a number after a word that points to an item.
_ITEM_REFERENCE = re.compile(r"(?<![^\s(])(?P<word>enligt|se|under|i|till|jfr\.?)[ \t]+\$[ \t]?(?=\d{1,3}\b)",
                             re.IGNORECASE)


def _item(m: re.Match[str]) -> str:
    alone = m.end() == len(m.string) or m.string[m.end()] == "\n"
    if alone and m.group().lstrip().startswith("8"):
        # "8 12" alone on a line is as likely a table's figures as an item: left alone.
        return m.group()
    return f"{m.group('indent')}§ {m.group('num')}{m.group('after')}"


# "§ 1" at low resolution comes back as "81": an "8" glued to the item number.  Read as "§ 1"
# only when the number is the one the confirmed items around it call for (the item after the
# one before, the one before the next, or the first item), and a title follows.
_GLUED_ITEM = re.compile(r"(?P<indent>[ \t]*)8(?P<num>\d{1,2})(?P<after>\.?[ \t]+(?=[A-ZÅÄÖ]))")
_CONFIRMED_ITEM = re.compile(r"[ \t]*§[ \t]?(\d{1,3})\b")


def _glued_items(text: str) -> str:
    lines = text.split("\n")
    confirmed = {k: int(m.group(1)) for k, line in enumerate(lines) if (m := _CONFIRMED_ITEM.match(line))}
    if not confirmed:
        return text
    for k, line in enumerate(lines):  # from the top: "81", "82" before "§ 3" each find the one before
        m = _GLUED_ITEM.match(line)
        if not m:
            continue
        num = int(m.group("num"))
        before = [n for j, n in sorted(confirmed.items()) if j < k]
        after = [n for j, n in sorted(confirmed.items()) if j > k]
        if (before and num == before[-1] + 1) or (after and num == after[0] - 1) or (not before and num == 1):
            lines[k] = f"{m.group('indent')}§ {num}{m.group('after')}{line[m.end():]}"
            confirmed[k] = num
    return "\n".join(lines)


def clean_ocr_text(text: str) -> str:
    """One OCR'd page as Swedish text: hyphenation breaks rejoined, NFC, `§` where `$`/`8` stands for it."""
    if not text:
        return ""
    text = _FFFE_BREAK.sub("", text)
    text = _HYPHEN_BLANK.sub("-\n", text)
    text = unicodedata.normalize("NFC", text)
    text = _ITEM_AT_LINE_START.sub(_item, text)
    text = _ITEM_REFERENCE.sub(lambda m: f"{m.group('word')} § ", text)
    return _glued_items(text)
