"""One service, two request mailboxes: CP conferences to one playbook, LAC reviews to another."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.core.conference import ConferenceType
from tests.integration.runtime_harness import (
    SOCIAL_WORKER,
    Running,
    request_body,
    running,
    settings_for,
)

CP_MAILBOX = "cp.requests@example.org"
LAC_MAILBOX = "lac.reviews@example.org"
MAILBOXES = [
    {"address": CP_MAILBOX, "playbook": "northmoor"},
    {"address": LAC_MAILBOX, "by_type": {"LAC": "northmoor-lac"}},
]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    base = settings_for(tmp_path)
    mailboxes = type(base).model_validate({"mailboxes": MAILBOXES}).mailboxes
    settings = base.model_copy(update={"mailboxes": mailboxes})
    async with running(settings) as app:
        yield app


async def mail_to(bot: Running, mailbox: str, body: str, subject: str) -> None:
    async with bot.http.post(
        f"{bot.sandbox}/_sandbox/mail",
        json={"to": mailbox, "from": SOCIAL_WORKER, "subject": subject, "body": body},
    ) as response:
        assert response.status == 201, await response.text()


async def sweep_all(bot: Running) -> int:
    assert bot.services.mail is not None
    return sum([await sweep.sweep() for sweep in bot.services.mail.sweeps])


def lac_request() -> str:
    body = request_body(conference_type="Looked After Child review")
    return "\n".join(line for line in body.splitlines() if not line.startswith("Strategy"))


async def test_cp_and_lac_requests_land_in_their_own_playbooks_and_both_show_on_the_status_page(
    bot: Running,
) -> None:
    await mail_to(bot, CP_MAILBOX, request_body(), "ICPC request")
    await mail_to(bot, LAC_MAILBOX, lac_request(), "LAC review request")
    assert await sweep_all(bot) == 2

    status, listed = await bot.api("GET", "/api/conferences")
    assert status == 200
    by_type = {c["type"]: c for c in listed["conferences"]}
    assert by_type[ConferenceType.ICPC.value]["playbook"] == "northmoor"
    assert by_type[ConferenceType.LAC.value]["playbook"] == "northmoor-lac"

    # Each conference answers from the mailbox its request came in by.
    acks = {
        m["subject"]: m["from"]
        for m in await bot.mailbox(SOCIAL_WORKER)
        if any(c["reference"] in m["subject"] for c in listed["conferences"])
    }
    senders = {
        c["type"]: next(s for subject, s in acks.items() if c["reference"] in subject)
        for c in listed["conferences"]
    }
    assert senders == {"ICPC": CP_MAILBOX, "LAC": LAC_MAILBOX}

    # The admin team sees both on one status page.
    async with (
        aiohttp.ClientSession(headers=bot.headers()) as http,
        http.get(f"{bot.base}/conferences") as page,
    ):
        assert page.status == 200
        html = await page.text()
    for conference in listed["conferences"]:
        assert conference["reference"] in html


async def test_a_mailbox_that_takes_only_lac_reviews_sends_a_cp_request_to_triage_saying_why(
    bot: Running,
) -> None:
    await mail_to(bot, LAC_MAILBOX, request_body(), "ICPC request")
    assert await sweep_all(bot) == 1
    status, listed = await bot.api("GET", "/api/conferences")
    assert status == 200 and listed["conferences"] == []
    status, triage = await bot.api("GET", "/api/triage")
    [item] = triage["triage"]
    assert "takes no ICPC requests" in item["reasons"][0]


async def test_the_triage_form_offers_only_the_councils_own_playbooks(bot: Running) -> None:
    await mail_to(bot, CP_MAILBOX, "Hello, please can you help with the family we discussed?", "?")
    assert await sweep_all(bot) == 1
    _status, triage = await bot.api("GET", "/api/triage")
    [item] = triage["triage"]
    async with (
        aiohttp.ClientSession(headers=bot.headers()) as http,
        http.get(f"{bot.base}/triage/{item['id']}") as page,
    ):
        html = await page.text()
    select = re.search(r'<select id="c-playbook".*?</select>', html, re.S)
    assert select is not None, html
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(0)))
    assert offered == {"northmoor", "northmoor-lac"}, offered
