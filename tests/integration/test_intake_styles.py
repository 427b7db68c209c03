"""A request of each style, sent to the sandbox mailbox, becomes a conference showing all it said.

One corpus email per style travels the whole way: the sandbox tenant's inbox, Graph delta,
the reader, the store, and back out through ``GET /api/conferences/{id}``. Then the page
and the API must show the child, the dates and every address and number that was read.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.intake.draft import draft_of
from bot.intake.outcome import Parsed
from bot.intake.parser import parse_message
from tests.integration.runtime_harness import (
    CHAIR,
    MAILBOX,
    Running,
    running,
    settings_for,
    working_days_ahead,
)
from tests.requests_corpus import load_message

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "requests" / "corpus"


def _one_per_style() -> list[Path]:
    yaml = YAML(typ="safe")
    chosen: dict[str, Path] = {}
    for eml in sorted(CORPUS.glob("*.eml")):
        expect = yaml.load(eml.with_suffix(".yaml").read_text(encoding="utf-8")) or {}
        if expect.get("outcome", "conference") != "conference":
            continue
        if isinstance(parse_message(load_message(eml)), Parsed):
            chosen.setdefault(str(expect.get("style")), eml)
    return [chosen[s] for s in sorted(chosen)]


STYLES = _one_per_style()


def test_the_corpus_has_a_bookable_email_of_many_styles() -> None:
    assert len(STYLES) >= 8, [p.name for p in STYLES]


def _payload(eml: Path) -> dict[str, Any]:
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("html", "plain"))
    assert body is not None
    name, address = email.utils.parseaddr(str(msg["From"]))
    cc = email.utils.getaddresses([str(v) for v in msg.get_all("Cc", [])])
    attachments = [
        {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": part.get_filename(),
            "contentType": part.get_content_type(),
            "contentBytes": base64.b64encode(part.get_payload(decode=True) or b"").decode(),
        }
        for part in msg.iter_attachments()
        if part.get_filename()
    ]
    return {
        "to": MAILBOX,
        "from": address,
        "fromName": name,
        "cc": [{"name": n, "address": a} for n, a in cc],
        "subject": str(msg["Subject"]),
        "body": body.get_content(),
        "contentType": "html" if body.get_content_subtype() == "html" else "text",
        "attachments": attachments,
    }


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path)) as app:
        yield app


async def _send(bot: Running, payload: dict[str, Any]) -> dict[str, Any]:
    async with bot.http.post(f"{bot.sandbox}/_sandbox/mail", json=payload) as response:
        assert response.status == 201, await response.text()
    assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
    status, listed = await bot.api("GET", "/api/conferences")
    assert status == 200
    [conference] = listed["conferences"]
    status, detail = await bot.api("GET", f"/api/conferences/{conference['id']}")
    assert status == 200
    return dict(detail)


@pytest.mark.parametrize("eml", STYLES, ids=[p.stem for p in STYLES])
async def test_each_style_reaches_a_conference_showing_child_dates_and_every_contact(
    bot: Running, eml: Path
) -> None:
    outcome = parse_message(load_message(eml))
    assert isinstance(outcome, Parsed)
    read = draft_of(outcome.request)
    detail = await _send(bot, _payload(eml))
    children = [(c["initials"], c["date_of_birth"], c["expected_date"]) for c in detail["children"]]
    assert children == [
        (c["initials"], c["date_of_birth"], c["due_date"]) for c in read["children"]
    ]
    facts = detail["facts"]
    assert facts["strategy_discussion"] == read["strategy_discussion_date"]
    assert facts["preferred_format"] == read["preferred_format"]
    assert facts["previous_reference"] == read["previous_reference"]
    shown = {
        (p["role"], p["name"] or p["organisation"]): (set(p["emails"]), set(p["phones"]))
        for p in detail["participants"]
    }
    for person in read["people"]:
        key = (person["role"], person["name"] or person["organisation"])
        assert key in shown, key
        assert shown[key] == (set(person["emails"]), set(person["phones"])), key
    async with bot.http.get(
        f"{bot.base}/conferences/{detail['id']}", headers=bot.headers()
    ) as page:
        html = await page.text()
    assert page.status == 200
    for child in read["children"]:
        assert child["initials"] in html


APOSTROPHE = """Hi, please book an ICPC.

Conference type: ICPC
Strategy discussion: {strategy}
Child: T.R. (DOB 02/03/2018), case ref 123456
Mum: Siobhan O'Brien - 07700 900611 - siobhan.o'brien@family.example.net
Dad: Gary Brien - 07700 900612 - brien@family.example.net

Rowan Feld
Social Worker
"""


async def test_an_apostrophe_address_reaches_the_right_parent(bot: Running) -> None:
    from tests.integration.runtime_harness import strategy_date

    detail = await _send(
        bot,
        {
            "to": MAILBOX,
            "from": "rowan.feld@example.org",
            "fromName": "Rowan Feld",
            "subject": "ICPC request",
            "body": APOSTROPHE.format(strategy=strategy_date()),
            "contentType": "text",
        },
    )
    mother = next(p for p in detail["participants"] if p["relationship"] == "mother")
    assert mother["emails"] == ["siobhan.o'brien@family.example.net"]
    conference_id = detail["id"]
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference_id}/allocate", {"chair": CHAIR}
    )
    assert status == 200, body
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference_id}/format",
        {"format": "teams", "start": working_days_ahead(6).isoformat()},
    )
    assert status == 200, body
    outbox = (await bot.state())["outbox"]
    to_mother = [m for m in outbox if "siobhan.o'brien@family.example.net" in m["to"]]
    to_father = [m for m in outbox if "brien@family.example.net" in m["to"]]
    assert to_mother, "the mother's letter did not go to her address"
    # Her letter never went to the address her own was once cut down to (the father's).
    assert all("Siobhan" not in str(m["body"]) for m in to_father)
