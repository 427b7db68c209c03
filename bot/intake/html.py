"""HTML bodies to lines and tables, with the standard library's parser: nothing is fetched."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.intake.blocks import Block, Table, clean_line, clean_text

_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml", "svg"})
_BLOCK = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "section", "article", "header", "footer", "dl", "dt", "dd", "center", "form",
        "body", "html", "address", "fieldset", "legend", "caption",
    }
)  # fmt: skip
# Deeper nesting than this is junk or an attack; flatten it rather than recurse.
_MAX_DEPTH = 150
_SPACES = re.compile(r"[ \t\f\v]+")
# One whole tag: a name, then attributes with balanced quotes, and no "<" inside. The
# quantifiers are bounded and possessive, so a match attempt stops at the next "<" and
# never backtracks.
_TAG_AT = re.compile(
    r"</?[A-Za-z][^\s/<>\x00]{0,60}+"
    r"(?:[^<>\"']++|\"[^\"<>]{0,4000}+\"|'[^'<>]{0,4000}+'){0,4000}+>"
)


def _sanitise(html: str) -> str:
    """Drop comments and declarations, and escape every "<" that does not open a whole tag.

    html.parser rescans to the end of the text for each tag it cannot close (an open
    quote, an unterminated comment), which is quadratic: 64 KB of '<a href="' takes
    minutes. After this pass every "<" it sees opens a complete, bounded tag.
    """
    out: list[str] = []
    i = 0
    while True:
        j = html.find("<", i)
        if j < 0:
            out.append(html[i:])
            break
        out.append(html[i:j])
        if html.startswith("<!--", j):
            k = html.find("-->", j + 4)
            if k < 0:
                break  # an unclosed comment hides the rest of the page, as in a browser
            i = k + 3
            continue
        tag = _TAG_AT.match(html, j)
        if tag is not None:
            out.append(tag.group(0))
            i = tag.end()
            continue
        if html.startswith(("<!", "<?"), j):
            k = html.find(">", j, j + 2000)
            if k >= 0 and html.find("<", j + 1, k) < 0:
                i = k + 1  # a doctype, CDATA marker or processing instruction: no text
                continue
        out.append("&lt;")
        i = j + 1
    return "".join(out)


@dataclass(slots=True)
class _Node:
    tag: str
    children: list[_Node | str] = field(default_factory=list)
    parent: _Node | None = None


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unknown end tags are ignored and cells close each other."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self._open = self.root
        self._depth = 0
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag in _SKIP:
                self._skipping += 1
            return
        if tag in _SKIP:
            self._skipping = 1
            return
        if tag == "br":
            self._open.children.append("\n")
            return
        if tag in _VOID:
            return
        if tag in ("td", "th", "tr"):
            # Browsers close an open cell (and row) when the next one starts.
            closes = ("td", "th") if tag != "tr" else ("td", "th", "tr")
            while self._open.tag in closes and self._open.parent is not None:
                self._close_current()
        if tag == "p" and self._open.tag == "p" and self._open.parent is not None:
            self._close_current()
        if self._depth >= _MAX_DEPTH:
            return
        node = _Node(tag, parent=self._open)
        self._open.children.append(node)
        self._open = node
        self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag not in _SKIP:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in _SKIP:
                self._skipping -= 1
            return
        node: _Node | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is None or node.parent is None:
            return  # a stray end tag: ignore it, as browsers do
        while self._open is not node:
            self._close_current()
        self._close_current()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # A newline in HTML's source is a space, as a browser shows it; only <br>, a
            # block's end, or <pre> breaks a line.
            self._open.children.append(data if self._in_pre() else _SOURCE_BREAK.sub(" ", data))

    def _in_pre(self) -> bool:
        node: _Node | None = self._open
        while node is not None:
            if node.tag in ("pre", "textarea", "plaintext"):
                return True
            node = node.parent
        return False

    def _close_current(self) -> None:
        if self._open.parent is not None:
            self._open = self._open.parent
            self._depth -= 1


_SOURCE_BREAK = re.compile(r"\r\n|\r|\n")


def _contains_table(node: _Node) -> bool:
    stack: list[_Node | str] = list(node.children)
    while stack:
        item = stack.pop()
        if isinstance(item, _Node):
            if item.tag == "table":
                return True
            stack.extend(item.children)
    return False


def _text_of(node: _Node) -> str:
    parts: list[str] = []
    stack: list[_Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item.tag in _BLOCK:
            parts.append("\n")
        stack.extend(reversed(item.children))
    return "".join(parts)


class _Walker:
    """Turns the tree into blocks: data tables stay tables, layout tables become lines."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._text: list[str] = []

    def walk(self, root: _Node) -> list[Block]:
        stack: list[_Node | str] = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                self._text.append(item)
            elif item.tag == "table" and not _contains_table(item):
                self._flush()
                self.blocks.append(_table(item))
            else:
                if item.tag in _BLOCK or item.tag in ("table", "tr", "td", "th"):
                    self._text.append("\n")
                stack.extend(reversed(item.children))
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        for raw in "".join(self._text).split("\n"):
            line = clean_line(_SPACES.sub(" ", raw))
            if line:
                self.blocks.append(line)
        self._text.clear()


def _table(node: _Node) -> Table:
    rows: list[tuple[str, ...]] = []
    stack: list[_Node | str] = [node]
    while stack:
        item = stack.pop()
        if not isinstance(item, _Node):
            continue
        if item.tag == "tr":
            cells = [c for c in item.children if isinstance(c, _Node) and c.tag in ("td", "th")]
            texts = tuple(_cell_text(c) for c in cells)
            if any(texts):
                rows.append(texts)
        else:
            stack.extend(reversed(item.children))
    return Table(tuple(rows))


def _cell_text(cell: _Node) -> str:
    lines = (_SPACES.sub(" ", raw).strip() for raw in _text_of(cell).split("\n"))
    return "\n".join(line for line in lines if line)


def html_blocks(html: str) -> list[Block]:
    """The lines and tables of an HTML body, in reading order."""
    builder = _TreeBuilder()
    builder.feed(_sanitise(clean_text(html)))
    builder.close()
    return _Walker().walk(builder.root)


def html_text(html: str) -> str:
    """The text of an HTML body, one block element per line, for reading the sender's words."""
    builder = _TreeBuilder()
    builder.feed(_sanitise(clean_text(html)))
    builder.close()
    return _text_of(builder.root)
