"""Benchmark: reading attachments, per page, and refusing the bad kinds.

Run it on its own with ``.venv/bin/python tests/bench/attachment_parse.py`` from the
repository root (``make bench`` runs it with the others). ``CONFBOT_BENCH_SMALL=1`` reads
each form 5 times instead of 60.

Forms of each kind are built in code (``tests/fixtures/requests/tools/attachment_forms.py``):
a Word form, text PDFs of 1, 3 and 10 pages, a filled-in (AcroForm) PDF, an Outlook .msg
with an HTML form body, and a .msg holding a Word form. Each is read through
``read_attachment`` many times; a sample is the time of one read divided by its pages.
Then each bad kind is refused a few times and its slowest refusal is kept.
Goal: p99 <= 50 ms a page. Prints one JSON line: ``per_page_ms`` (``p50``, ``p99``, ``n``),
``by_kind`` (p50 and p99 per kind), ``refuse_ms`` (slowest per bad kind), ``goal_ms``,
``meets_goal``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.mailbox import Attachment
from bot.intake.attachments import AttachmentText, Unreadable, read_attachment
from tests.fixtures.requests.tools import attachment_forms as forms
from tests.fixtures.requests.tools.msg_writer import MsgAttachment

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
REPEATS = 5 if SMALL else 60
REFUSALS = 2 if SMALL else 10
GOAL_MS = 50.0
MSG_TYPE = "application/vnd.ms-outlook"


def _good() -> dict[str, Attachment]:
    word = forms.docx_form()
    return {
        "docx": Attachment("form.docx", forms.DOCX_TYPE, word),
        "pdf_text_1": Attachment("form.pdf", "application/pdf", forms.text_pdf(forms.form_lines())),
        "pdf_text_3": Attachment("f3.pdf", "", forms.text_pdf(forms.form_lines(), pages=3)),
        "pdf_text_10": Attachment("f10.pdf", "", forms.text_pdf(forms.form_lines(), pages=10)),
        "pdf_acroform": Attachment("acro.pdf", "", forms.acroform_pdf()),
        "msg_html": Attachment("request.msg", MSG_TYPE, forms.msg_form()),
        "msg_with_docx": Attachment(
            "fw.msg",
            MSG_TYPE,
            forms.msg_form(
                html_body=b"<p>Form attached.</p>",
                attachments=(MsgAttachment("form.docx", word, forms.DOCX_TYPE),),
            ),
        ),
    }


def _bad() -> dict[str, Attachment]:
    text = forms.text_pdf(forms.form_lines(), pages=3)
    word = MsgAttachment("form.docx", forms.docx_form(), forms.DOCX_TYPE)
    return {
        "pdf_password": Attachment("locked.pdf", "", forms.encrypted_pdf(text, "s3cret")),
        "pdf_damaged": Attachment("damaged.pdf", "", forms.damaged_pdf(text)),
        "pdf_truncated": Attachment("cut.pdf", "", forms.truncated(text)),
        "pdf_60_pages": Attachment("long.pdf", "", forms.sixty_page_pdf()),
        "pdf_over_20mb": Attachment("big.pdf", "", text + b"%" + bytes(21 * 2**20)),
        "docx_zip_bomb": Attachment("bomb.docx", "", forms.zip_bomb_docx(lie=False)),
        "docx_zip_bomb_lying": Attachment("liar.docx", "", forms.zip_bomb_docx(lie=True)),
        "msg_over_20mb": Attachment(
            "big.msg", MSG_TYPE, bytes.fromhex("D0CF11E0A1B11AE1") + bytes(21 * 2**20)
        ),
        "msg_too_deep": Attachment("deep.msg", MSG_TYPE, forms.nested_msgs(5, word)),
        "msg_random": Attachment("junk.msg", MSG_TYPE, os.urandom(64 * 1024)),
    }


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _read_ms(att: Attachment) -> tuple[float, AttachmentText | Unreadable | None]:
    started = time.perf_counter()
    result = read_attachment(att)
    return (time.perf_counter() - started) * 1000, result


def _refused(result: AttachmentText | Unreadable | None) -> bool:
    if isinstance(result, Unreadable):
        return True
    # A too-deep email is read down to the limit; the refusal is of what lies below it.
    return isinstance(result, AttachmentText) and any(
        isinstance(inner, Unreadable) or _refused(inner) for inner in result.attachments
    )


def main() -> None:
    per_page: list[float] = []
    by_kind: dict[str, dict[str, float]] = {}
    for kind, att in _good().items():
        _read_ms(att)  # warm caches and imports
        samples: list[float] = []
        for _ in range(REPEATS):
            elapsed, result = _read_ms(att)
            if not isinstance(result, AttachmentText):
                raise SystemExit(f"{kind}: the form was not read: {result}")
            samples.append(elapsed / max(result.pages, 1))
        per_page.extend(samples)
        by_kind[kind] = {
            "p50": round(statistics.median(samples), 2),
            "p99": round(_percentile(samples, 0.99), 2),
        }
    refuse_ms: dict[str, float] = {}
    for kind, att in _bad().items():
        slowest = 0.0
        for _ in range(REFUSALS):
            elapsed, result = _read_ms(att)
            if not _refused(result):
                raise SystemExit(f"{kind}: was not refused: {result}")
            slowest = max(slowest, elapsed)
        refuse_ms[kind] = round(slowest, 2)
    p99 = _percentile(per_page, 0.99)
    print(
        json.dumps(
            {
                "per_page_ms": {
                    "p50": round(statistics.median(per_page), 2),
                    "p99": round(p99, 2),
                    "n": len(per_page),
                },
                "by_kind": by_kind,
                "refuse_ms": refuse_ms,
                "goal_ms": GOAL_MS,
                "meets_goal": p99 <= GOAL_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
