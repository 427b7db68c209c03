"""The shape every source is read into: lines of text and tables of cells, in order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Zero-width characters and the BOM hide inside copy-pasted forms and break label matching.
# Bidirectional controls (U+202A-U+202E, U+2066-U+2069) can make an address read one way
# and mean another, so they go too.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    None,
)
# The same characters as one pattern: str.translate looks each character up in the dict
# once a text holds any non-ASCII character (a curly quote will do), which made cleaning
# a long body the slowest step; one regex pass is ten times faster and removes the same.
_INVISIBLE_CHARACTERS = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_QUOTE_PREFIX = re.compile(r"^(?:\s*>)+\s?")
_FORWARD_MARKER = re.compile(
    r"^[\s\-_=*]*(forwarded message|original message|begin forwarded message)[\s\-_=*:]*$",
    re.IGNORECASE,
)
# Mail headers quoted by a forward or a reply; none of them is a request form label.
_HEADER_LINE = re.compile(
    r"^\s*\**(from|sent|to|cc|bcc|subject|date|reply-to|importance)\**\s*:", re.IGNORECASE
)
_REPLY_INTRO = re.compile(r"^\s*on .{1,200} wrote:\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Table:
    """A table's rows of cell text; a Word form or an HTML form often puts fields in one."""

    rows: tuple[tuple[str, ...], ...]


Block = str | Table  # a str is one line of text


def clean_text(text: str) -> str:
    """Fold Unicode look-alikes (full-width colons, no-break spaces) and drop invisibles."""
    # Lone surrogates can arrive from a badly decoded body; they cannot be encoded later.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():  # every invisible character is outside ASCII
        text = _INVISIBLE_CHARACTERS.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")


def clean_line(line: str) -> str | None:
    """A body line without quote marks; None for forward and reply headers."""
    line = _QUOTE_PREFIX.sub("", line).replace("\t", "  ").strip()
    if _FORWARD_MARKER.match(line) or _HEADER_LINE.match(line) or _REPLY_INTRO.match(line):
        return None
    return line


def text_blocks(text: str) -> list[Block]:
    """The lines of a plain-text body, cleaned."""
    lines = (clean_line(raw) for raw in clean_text(text).split("\n"))
    return [line for line in lines if line is not None]


def own_text(text: str) -> str:
    """The sender's own words: the lines above the first quote, forward or reply header."""
    own: list[str] = []
    for line in clean_text(text).split("\n"):
        stripped = line.strip()
        if (
            stripped.startswith(">")
            or _FORWARD_MARKER.match(stripped)
            or _REPLY_INTRO.match(stripped)
            or re.match(r"^\**from\**\s*:", stripped, re.IGNORECASE)
        ):
            break
        own.append(stripped)
    return "\n".join(own)


# The line that ends a message's own words and starts its signature: "Kind regards".
SIGN_OFF = re.compile(
    r"^(kind(est)? regards|regards|best regards|warm regards|many thanks|thanks|thank you|"
    r"best wishes|best|cheers|yours sincerely|yours faithfully|with thanks|ta)[,.!\s]*$",
    re.IGNORECASE,
)
