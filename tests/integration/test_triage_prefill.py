"""Triage keeps what was read: MTS correct one field and book, by page or API.

And a request for a threshold discussion waits for the duty chair as what it is, and
becomes an ICPC request with one action.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.runtime_harness import (
    MAILBOX,
    Running,
    running,
    settings_for,
    strategy_date,
)

# An ICPC without its strategy discussion date: everything else is there to keep.
NO_STRATEGY = """Hi MTS,

Please book an ICPC for the children below.

Conference type: ICPC
Children: T.R. (DOB 02/03/2018) and B.R. (born 14 May 2020), LCS 604118 and 604119
Mum: Kelly Dawes - 07700 900611 - kelly.dawes@family.example.net
Dad: Gary Dawes, 07700-900-612
Health visitor: Jo Smith, Elm Road Health Centre, jo.smith@nhs.example.org

Rowan Feld
Social Worker
0113 496 0123
"""

THRESHOLD = """Hello duty chair,

Could I please have a threshold discussion about T.R. (DOB 02/03/2018)? School have
raised new concerns this week and I am not sure it meets the threshold for an ICPC.
Mum is Kelly Dawes, her mobile is 07700 900611.

Rowan Feld
Social Worker
0113 496 0123
"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path)) as app:
        yield app


async def _deliver(bot: Running, body: str, subject: str) -> dict[str, Any]:
    payload = {
        "to": MAILBOX,
        "from": "rowan.feld@example.org",
        "fromName": "Rowan Feld",
        "subject": subject,
        "body": body,
        "contentType": "text",
    }
    async with bot.http.post(f"{bot.sandbox}/_sandbox/mail", json=payload) as response:
        assert response.status == 201
    assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
    status, listed = await bot.api("GET", "/api/triage")
    assert status == 200
    [item] = listed["triage"]
    status, detail = await bot.api("GET", f"/api/triage/{item['id']}")
    assert status == 200
    return dict(detail)


async def test_triage_keeps_the_children_people_and_problems_that_were_read(bot: Running) -> None:
    item = await _deliver(bot, NO_STRATEGY, "ICPC request")
    assert item["kind"] == "request"
    draft = item["draft"]
    assert [c["initials"] for c in draft["children"]] == ["T.R.", "B.R."]
    names = {p["name"] for p in draft["people"]}
    assert {"Kelly Dawes", "Gary Dawes", "Jo Smith", "Rowan Feld"} <= names
    assert [p["field"] for p in item["problems"]] == ["strategy_discussion_date"]
    assert item["request"]["subject"] == "ICPC request"


async def test_correcting_one_field_by_api_books_a_conference_with_everything_read(
    bot: Running,
) -> None:
    item = await _deliver(bot, NO_STRATEGY, "ICPC request")
    draft = {**item["draft"], "strategy_discussion_date": strategy_date_iso()}
    status, body = await bot.api(
        "POST", f"/api/triage/{item['id']}/conference", {"playbook": "lancashire", "draft": draft}
    )
    assert status == 201, body
    status, detail = await bot.api("GET", f"/api/conferences/{body['id']}")
    assert status == 200
    assert [c["initials"] for c in detail["children"]] == ["T.R.", "B.R."]
    mother = next(p for p in detail["participants"] if p["relationship"] == "mother")
    assert mother["emails"] == ["kelly.dawes@family.example.net"]
    status, listed = await bot.api("GET", "/api/triage")
    assert listed["triage"] == []  # the item is closed


async def test_a_bad_field_by_api_names_the_field_and_books_nothing(bot: Running) -> None:
    item = await _deliver(bot, NO_STRATEGY, "ICPC request")
    draft = {**item["draft"], "strategy_discussion_date": "31/02/2026"}
    status, body = await bot.api(
        "POST", f"/api/triage/{item['id']}/conference", {"playbook": "lancashire", "draft": draft}
    )
    assert status == 400
    assert [p["field"] for p in body["problems"]] == ["strategy_discussion_date"]
    status, listed = await bot.api("GET", "/api/conferences")
    assert listed["conferences"] == []


async def test_the_triage_page_is_pre_filled_and_shows_a_problem_beside_its_field(
    bot: Running,
) -> None:
    item = await _deliver(bot, NO_STRATEGY, "ICPC request")
    async with bot.http.get(f"{bot.base}/triage/{item['id']}", headers=bot.headers()) as page:
        html = await page.text()
    assert page.status == 200
    assert 'value="Kelly Dawes"' in html and 'value="T.R."' in html
    assert "form-group-error" in html  # the strategy date is marked
    form = _form_of(item["draft"])
    form["people-0-phones"] = "not a number"
    async with bot.http.post(
        f"{bot.base}/triage/{item['id']}/create", data=form, headers=bot.headers()
    ) as again:
        html = await again.text()
    assert again.status == 400
    assert 'id="people-0-phones-error"' in html
    assert 'value="Kelly Dawes"' in html  # what was typed is kept
    form = _form_of(item["draft"])
    async with bot.http.post(
        f"{bot.base}/triage/{item['id']}/create",
        data=form,
        headers=bot.headers(),
        allow_redirects=False,
    ) as done:
        assert done.status == 303, await done.text()
        assert done.headers["Location"].startswith("/conferences/")


async def test_a_threshold_discussion_waits_for_the_duty_chair_and_becomes_an_icpc(
    bot: Running,
) -> None:
    item = await _deliver(bot, THRESHOLD, "Threshold discussion please")
    assert item["kind"] == "threshold"
    assert "new concerns" in item["summary"]
    worker = next(p for p in item["draft"]["people"] if p["role"] == "social_worker")
    assert worker["emails"] == ["rowan.feld@example.org"]
    assert worker["phones"] == ["+441134960123"]
    draft = {**item["draft"], "strategy_discussion_date": strategy_date_iso()}
    status, body = await bot.api(
        "POST",
        f"/api/triage/{item['id']}/conference",
        {"playbook": "lancashire", "draft": draft, "icpc": True},
    )
    assert status == 201, body
    assert body["type"] == "ICPC"


def strategy_date_iso() -> str:
    day, month, year = strategy_date().split("/")
    return f"{year}-{month}-{day}"


def _form_of(draft: dict[str, Any]) -> dict[str, str]:
    form = {
        "type": "ICPC",
        "playbook": "lancashire",
        "strategy_discussion_date": strategy_date_iso(),
    }
    for n, child in enumerate(draft["children"]):
        form[f"children-{n}-initials"] = child["initials"]
        form[f"children-{n}-date_of_birth"] = child["date_of_birth"] or ""
        form[f"children-{n}-case_references"] = ", ".join(
            r["reference"] for r in child["case_references"]
        )
    for n, person in enumerate(draft["people"]):
        form[f"people-{n}-role"] = person["role"]
        form[f"people-{n}-name"] = person["name"]
        form[f"people-{n}-relationship"] = person["relationship"]
        form[f"people-{n}-organisation"] = person["organisation"]
        form[f"people-{n}-emails"] = ", ".join(person["emails"])
        form[f"people-{n}-phones"] = ", ".join(person["phones"])
    return form
