"""The minutes as an HTML fragment for the status page, escaped by Jinja2's autoescape."""

from __future__ import annotations

from pathlib import Path

import jinja2

from bot.core.minutes.model import Minutes

# Autoescape is always on: every word in the minutes came from people, not from us.
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def minutes_html(minutes: Minutes) -> str:
    """The minutes as semantic HTML: h2 and h3 headings, tables with scoped headers."""
    return _TEMPLATES.get_template("minutes.html.j2").render(minutes=minutes)
