"""The readable form of a subject access export: one self-contained HTML page.

Pure: it takes the export's JSON-ready data and returns text. Every value is escaped. The
page says plainly when nothing was found, and reminds the reader that a disclosure to the
person needs a check for details about anyone else first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1em}"
    "td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}"
)

RECORD_COLUMNS = (
    "name",
    "role",
    "organisation",
    "relationship",
    "emails",
    "phones",
    "postal_address",
)


def _cell(value: Any) -> str:
    if value is None or value in ("", []):
        return "&ndash;"
    if isinstance(value, list):
        return "<br>".join(escape(str(v)) for v in value)
    if isinstance(value, Mapping):
        return "<br>".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in value.items())
    return escape(str(value))


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render_report(export: Mapping[str, Any]) -> str:
    """The export as an HTML page a data protection officer can read and check."""
    looked = f"{export['looked_up_by'].replace('_', ' ')} {export['looked_up']}"
    parts = [
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>Subject access: {escape(looked)}</title><style>{STYLE}</style></head><body>",
        f"<h1>What confbot holds: {escape(looked)}</h1>",
        f"<p>Made {escape(str(export['made_at']))} (UTC).</p>",
        "<p>Check this report for details about anyone else before you disclose it.</p>",
    ]
    if not export["found"]:
        parts.append(
            "<p><strong>Nothing was found.</strong> confbot holds no conference, participant "
            "record or message for this person.</p>"
        )
    for conference in export["conferences"]:
        parts.append(
            f"<h2>Conference {escape(conference['reference'])} ({escape(conference['type'])}, "
            f"{escape(conference['state'].replace('_', ' '))})</h2>"
        )
        parts.append(f"<p>Starts: {_cell(conference['start_at'])}. ")
        parts.append(f"Role: {_cell(conference['roles'])}.</p>")
        parts.append("<h3>Their record</h3>")
        parts.append(
            _table(
                conference["records"],
                RECORD_COLUMNS,
                "Found by the child's case reference: no participant record.",
            )
        )
        parts.append("<h3>Children</h3>")
        parts.append(
            _table(
                conference["children"], ["initials", "date_of_birth", "case_references"], "None."
            )
        )
        parts.append("<h3>Messages sent to them</h3>")
        parts.append(
            _table(
                conference["messages"], ["at", "channel", "purpose", "subject", "state"], "None."
            )
        )
        parts.append("<h3>Documents held for the conference</h3>")
        parts.append(_table(conference["documents"], ["name", "kind", "received_at"], "None."))
        parts.append("<h3>Timeline</h3>")
        parts.append(_table(conference["timeline"], ["at", "kind", "step", "detail"], "None."))
    if export.get("messages_about_no_conference"):
        parts.append("<h2>Messages about no conference</h2>")
        parts.append(
            _table(
                export["messages_about_no_conference"],
                ["at", "channel", "purpose", "subject", "state"],
                "None.",
            )
        )
    parts.append("</body></html>")
    return "\n".join(parts)
