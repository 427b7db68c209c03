"""A request email's HTML made safe: an allow-list of tags, no attributes, no remote content.

The output is built only from our own tags and escaped text, so nothing the sender wrote can
run, load an image, style the page or point a form elsewhere. Links are shown as text.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

# Tags kept (without any attribute). Headings become strong text so the page outline holds.
KEPT = frozenset(
    {
        "p", "br", "div", "span", "b", "strong", "i", "em", "u", "ul", "ol", "li",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "blockquote", "pre", "code",
        "hr", "sub", "sup", "small", "caption", "dl", "dt", "dd",
    }
)  # fmt: skip
RENAMED = {"h1": "strong", "h2": "strong", "h3": "strong", "h4": "strong", "h5": "strong"}
RENAMED |= {"h6": "strong", "font": "span", "center": "div", "a": "span"}
# Everything inside these is dropped, text too.
DROPPED = frozenset(
    {
        "script", "style", "head", "title", "iframe", "object", "embed", "noscript",
        "template", "svg", "math", "form", "button", "select", "textarea", "frameset",
    }
)  # fmt: skip
VOID = frozenset({"br", "hr"})
MAX_DEPTH = 64


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0
        self._link = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.out.append(escape(f"[image not shown{': ' + alt if alt else ''}]"))
            return
        kept = RENAMED.get(tag, tag)
        if kept not in KEPT:
            return
        if kept in VOID:
            self.out.append(f"<{kept}>")
            return
        if len(self.open) >= MAX_DEPTH:
            return
        self.open.append(kept)
        self.out.append(f"<{kept}>")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self._link = href
                return
        self._link = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and RENAMED.get(tag, tag) in KEPT and tag not in DROPPED:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        kept = RENAMED.get(tag, tag)
        if kept in VOID or kept not in self.open:
            return
        if tag == "a" and self._link:
            self.out.append(escape(f" ({self._link})"))
            self._link = ""
        while self.open:
            closing = self.open.pop()
            self.out.append(f"</{closing}>")
            if closing == kept:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def clean_html(html: str) -> str:
    """Safe HTML for the triage page: allow-listed tags, no attributes, escaped text."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    return cleaner.result()


def plain_text(text: str) -> str:
    """A plain-text body as escaped HTML that keeps its line breaks."""
    return escape(text).replace("\n", "<br>\n")
