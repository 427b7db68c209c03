"""Fuzzing the reader with mutations of the real request corpus.

Each example takes a corpus (or held-out) email and damages it the way mail really gets
damaged and then some: lines dropped, doubled or swapped, characters flipped, bodies cut
short, invisible and bidirectional characters sprinkled in, a body made 100,000 lines
long, HTML turned to text and text to HTML, attachments truncated or replaced with junk.
Every message must come out as a conference, an attachment to one, a threshold
discussion, or a triage item with a reason, and never through the parser's catch-all.

Prints one JSON line: ``examples``, ``uncaught`` (exceptions out of parse_message),
``internal_errors`` (the catch-all reached), ``no_reason`` (triage without a reason),
``outcomes``, ``parse_ms_p50`` and ``parse_ms_p99``. ``CONFBOT_BENCH_SMALL=1`` runs 300
examples; the full run is 10,000.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.mailbox import Attachment, InboundMessage
from bot.intake.outcome import Triage
from bot.intake.parser import parse_message
from tests.requests_corpus import REQUESTS, cases, load_message

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
EXAMPLES = 300 if SMALL else 10_000
_NOISE = "\u200b\u202e\u2066\ufeff\u00a0\t\r<>&;:@'\"()[]|/\\-–—•☒☐\x00\ud800é漢🙂"


def _lines(rng: random.Random, body: str) -> str:
    lines = body.split("\n")
    if not lines:
        return body
    move = rng.choice(("drop", "double", "swap", "shuffle"))
    i = rng.randrange(len(lines))
    if move == "drop":
        del lines[i]
    elif move == "double":
        lines.insert(i, lines[i])
    elif move == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        rng.shuffle(lines)
    return "\n".join(lines)


def _characters(rng: random.Random, body: str) -> str:
    chars = list(body)
    for _ in range(rng.randint(1, 40)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        chars[i] = rng.choice(_NOISE) if rng.random() < 0.7 else chr(rng.randrange(32, 0x2FFF))
    return "".join(chars)


def mutate(rng: random.Random, msg: InboundMessage) -> InboundMessage:
    """One damaged copy of ``msg``."""
    body = msg.body
    kind = rng.randrange(9)
    if kind == 0:
        body = _lines(rng, body)
    elif kind == 1:
        body = _characters(rng, body)
    elif kind == 2:
        body = body[: rng.randrange(len(body) + 1)]
    elif kind == 3:
        body = body.replace(" ", rng.choice(["\u200b ", " \u202e", "\u00a0", "  "]))
    elif kind == 4:
        body = "\n".join(
            [body] + ["Parent: x - 07700 900000"] * (100_000 if rng.random() < 0.02 else 200)
        )
    elif kind == 5:
        return replace(msg, body_type="text" if msg.body_type == "html" else "html")
    elif kind == 6 and msg.attachments:
        first = msg.attachments[0]
        damaged = first.content[: rng.randrange(len(first.content) + 1)]
        return replace(msg, attachments=(Attachment(first.name, first.content_type, damaged),))
    elif kind == 7:
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000)))
        name = rng.choice(["form.docx", "request.pdf", "request.msg", "x.zip", "form.doc"])
        return replace(msg, attachments=(*msg.attachments, Attachment(name, "", junk)))
    else:
        body = _lines(rng, _characters(rng, body))
    return replace(
        msg, body=body, subject=_characters(rng, msg.subject) if kind == 8 else msg.subject
    )


def main() -> None:
    rng = random.Random(20261203)
    seeds = [load_message(p) for folder in ("corpus", "heldout") for p in cases(REQUESTS / folder)]
    if not seeds:
        seeds = [load_message(p) for p in sorted((REQUESTS.parent / "mail").glob("*.eml"))]
    outcomes: Counter[str] = Counter()
    uncaught = internal = no_reason = 0
    times: list[float] = []
    for n in range(EXAMPLES):
        msg = mutate(rng, seeds[n % len(seeds)]) if seeds else None
        if msg is None:
            break
        started = time.perf_counter()
        try:
            outcome = parse_message(msg)
        except Exception:
            uncaught += 1
            continue
        times.append((time.perf_counter() - started) * 1000)
        outcomes[type(outcome).__name__] += 1
        if isinstance(outcome, Triage):
            if not outcome.reasons:
                no_reason += 1
            if any("internal error" in r for r in outcome.reasons):
                internal += 1
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else 0.0
    print(
        json.dumps(
            {
                "bench": "intake_fuzz",
                "examples": EXAMPLES,
                "seeds": len(seeds),
                "uncaught": uncaught,
                "internal_errors": internal,
                "no_reason": no_reason,
                "outcomes": dict(outcomes),
                "parse_ms_p50": round(times[len(times) // 2], 2) if times else 0.0,
                "parse_ms_p99": round(p99, 2),
                "parse_ms_max": round(times[-1], 2) if times else 0.0,
            }
        )
    )


if __name__ == "__main__":
    main()
