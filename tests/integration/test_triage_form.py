"""The triage page and API over outcomes built by hand (the reader is replaced).

The form is read back from the page as a browser would submit it, so these tests hold
the page to what it shows: what was read is what gets booked unless a person changes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.intake.draft import Problem, empty_draft
from bot.intake.outcome import ThresholdDiscussion, Triage
from bot.runtime import intake
from tests.integration.runtime_harness import CHAIR, MAILBOX, Running, running, settings_for

WORKER = "ola.brightwater@example.org"


def strategy() -> str:
    return (datetime.now(UTC).date() - timedelta(days=2)).isoformat()


def draft_read(**changes: Any) -> dict[str, Any]:
    """Two children and four people, as a reader might have left them."""
    person = {"relationship": "", "organisation": "", "postal_address": ""}
    draft = {
        **empty_draft(),
        "conference_type": "ICPC",
        "strategy_discussion_date": strategy(),
        "preferred_format": "teams",
        "access_needs": "a Polish interpreter for mum",
        "children": [
            {
                "initials": "A.B.",
                "date_of_birth": "2019-06-04",
                "unborn": False,
                "due_date": None,
                "gender": "female",
                "legal_status": "",
                "case_references": [
                    {"system": "LCS", "reference": "604118", "primary": True},
                    {"system": "Mosaic", "reference": "MOS604118", "primary": False},
                ],
            },
            {
                "initials": "",
                "date_of_birth": None,
                "unborn": True,
                "due_date": "2027-03-01",
                "gender": "",
                "legal_status": "",
                "case_references": [],
            },
        ],
        "people": [
            {
                **person,
                "role": "social_worker",
                "name": "Ola Brightwater",
                "emails": [WORKER],
                "phones": ["+441134960321"],
            },
            {
                **person,
                "role": "parent",
                "name": "Casey Fenwick",
                "relationship": "mother",
                "emails": ["casey.fenwick@family.example.net"],
                "phones": ["+447700900642"],
                "postal_address": "4 Example Row, Testford",
            },
            {**person, "role": "parent", "name": "Dale Fenwick", "relationship": "father",
             "emails": [], "phones": ["+447700900643"]},
            {**person, "role": "health", "name": "Jo Marsh", "organisation": "Elm Road Clinic",
             "emails": ["jo.marsh@nhs.example.org"], "phones": []},
        ],
    }  # fmt: skip
    return {**draft, **changes}


class _Form(HTMLParser):
    """The fields of the page's booking form, as a browser would submit them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            else:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first = a.get("name"), None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first or "")
            self._select = None


def form_of(html: str, item_id: int) -> dict[str, str]:
    parser = _Form(f"/triage/{item_id}/create")
    parser.feed(html)
    return dict(parser.fields)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    settings = settings_for(tmp_path)
    settings.conference = settings.conference.model_copy(update={"duty_chair": CHAIR})
    async with running(settings) as app:
        yield app


async def deliver(bot: Running, monkeypatch: pytest.MonkeyPatch, outcome: object) -> int:
    """Mail the sandbox, let the reader 'read' ``outcome``, and return the item's id."""
    monkeypatch.setattr(intake, "parse_message", lambda _msg, _vocabulary: outcome)
    await bot.mail("Please see below.", sender=WORKER, subject="Conference please")
    assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
    status, listed = await bot.api("GET", "/api/triage")
    assert status == 200
    [item] = listed["triage"]
    return int(item["id"])


async def page(bot: Running, item_id: int) -> str:
    async with bot.http.get(f"{bot.base}/triage/{item_id}", headers=bot.headers()) as response:
        assert response.status == 200
        return await response.text()


async def post(bot: Running, item_id: int, form: dict[str, str]) -> tuple[int, str, str]:
    async with bot.http.post(
        f"{bot.base}/triage/{item_id}/create",
        data=form,
        headers=bot.headers(),
        allow_redirects=False,
    ) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def test_a_triage_outcomes_draft_survives_the_store_and_comes_back_from_the_api(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = draft_read(strategy_discussion_date=None)
    problem = Problem(
        "strategy_discussion_date", "an ICPC needs the date of the strategy discussion"
    )
    sources = {"people.1.name": "line 6: 'Mum: Casey Fenwick'"}
    item_id = await deliver(
        bot, monkeypatch, Triage(("no strategy date",), draft, (problem,), sources)
    )
    status, item = await bot.api("GET", f"/api/triage/{item_id}")
    assert status == 200
    assert (item["id"], item["kind"], item["state"]) == (item_id, "request", "open")
    assert item["reasons"] == ["no strategy date"]
    assert item["draft"] == draft
    assert item["problems"] == [problem.as_json()]
    assert item["sources"] == sources and item["summary"] == ""
    assert item["request"]["sender"] == WORKER
    assert item["request"]["subject"] == "Conference please"
    assert datetime.fromisoformat(item["request"]["received_at"]).tzinfo is not None


async def test_the_triage_api_needs_a_signed_in_user(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = await deliver(bot, monkeypatch, Triage(("unreadable",), draft_read()))
    async with bot.http.get(f"{bot.base}/api/triage/{item_id}") as anonymous:
        assert anonymous.status == 401
    async with bot.http.post(
        f"{bot.base}/api/triage/{item_id}/conference",
        json={"playbook": "lancashire", "draft": draft_read()},
    ) as anonymous:
        assert anonymous.status == 401


async def test_correcting_one_field_on_the_form_books_every_child_and_person_read(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = draft_read(strategy_discussion_date=None)
    problem = Problem(
        "strategy_discussion_date", "an ICPC needs the date of the strategy discussion"
    )
    item_id = await deliver(bot, monkeypatch, Triage(("no strategy date",), draft, (problem,)))
    html = await page(bot, item_id)
    assert 'class="error-summary"' in html and 'href="#strategy_discussion_date"' in html
    form = form_of(html, item_id)
    form["strategy_discussion_date"] = strategy()  # the one field a person corrects
    status, location, body = await post(bot, item_id, form)
    assert status == 303, body
    conference_id = int(location.rsplit("/", 1)[1])
    status, conference = await bot.api("GET", f"/api/conferences/{conference_id}")
    assert status == 200
    assert conference["type"] == "ICPC"
    children = [(c["initials"], c["date_of_birth"], c["unborn"], c["expected_date"])
                for c in conference["children"]]  # fmt: skip
    assert children == [("A.B.", "2019-06-04", False, None), ("", None, True, "2027-03-01")]
    assert conference["children"][0]["case_references"] == [
        {"system": "LCS", "reference": "604118", "primary": True},
        {"system": "Mosaic", "reference": "MOS604118", "primary": False},
    ]
    people = {
        (p["role"], p["name"], p["relationship"], p["organisation"], tuple(p["emails"]),
         tuple(p["phones"]))
        for p in conference["participants"]
    }  # fmt: skip
    for person in draft["people"]:
        read = (person["role"], person["name"], person["relationship"], person["organisation"],
                tuple(person["emails"]), tuple(person["phones"]))  # fmt: skip
        assert read in people, read
    status, listed = await bot.api("GET", "/api/triage")
    assert listed["triage"] == []


async def test_a_bad_field_is_shown_beside_it_and_everything_else_typed_is_kept(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = await deliver(bot, monkeypatch, Triage(("unreadable",), draft_read()))
    form = form_of(await page(bot, item_id), item_id)
    form["people-1-phones"] = "not a number"
    form["people-3-organisation"] = "Elm Road Surgery"  # typed by the person, to keep
    form["people-4-role"], form["people-4-name"] = "school", "Pat Quill"  # one more person
    status, _location, html = await post(bot, item_id, form)
    assert status == 400
    assert 'id="people-1-phones-error"' in html and "is not a phone number" in html
    assert 'href="#people-1-phones"' in html  # the summary at the top links to it
    again = form_of(html, item_id)
    assert again["people-1-phones"] == "not a number"
    changed = {k: v for k, v in form.items() if again.get(k) != v}
    assert changed == {}, changed  # every other field comes back as it was typed
    assert again["people-4-name"] == "Pat Quill" and "people-5-name" in again  # a blank row
    status, listed = await bot.api("GET", "/api/conferences")
    assert listed["conferences"] == []


async def test_a_threshold_outcome_emails_the_duty_chair_and_waits_apart_from_triage(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = "School raised new concerns this week; does it meet the threshold?"
    item_id = await deliver(bot, monkeypatch, ThresholdDiscussion(draft_read(), summary))
    _status, item = await bot.api("GET", f"/api/triage/{item_id}")
    assert (item["kind"], item["summary"]) == ("threshold", summary)
    [notice] = [m for m in await bot.mailbox(CHAIR) if m["subject"].startswith("Threshold")]
    assert "Ola Brightwater" in notice["subject"]
    assert (notice["from"], notice["to"]) == (MAILBOX, [CHAIR])
    async with bot.http.get(
        f"{bot.sandbox}/v1.0/users/{CHAIR}/messages/{notice['id']}"
    ) as response:
        text = str((await response.json())["body"]["content"])
    assert WORKER in text and "+441134960321" in text
    async with bot.http.get(f"{bot.base}/", headers=bot.headers()) as overview:
        html = await overview.text()
    threshold = html.split('id="threshold-h"')[1].split("</section>")[0]
    assert f'href="/triage/{item_id}"' in threshold and "duty chair emailed" in threshold
    triage = html.split('id="triage-h"')[1].split("</section>")[0]
    assert "0 requests waiting" in triage
    detail = await page(bot, item_id)
    assert "Threshold discussion" in detail and summary in detail
    assert "Make an ICPC request" in detail


async def test_one_action_makes_an_icpc_conference_from_a_threshold_discussion(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = await deliver(
        bot, monkeypatch, ThresholdDiscussion(draft_read(conference_type=None), "Concerns.")
    )
    form = form_of(await page(bot, item_id), item_id)
    assert form["type"] == "ICPC"
    form["type"] = "RCPC"  # a forged form still makes the ICPC the action says
    status, location, body = await post(bot, item_id, form)
    assert status == 303, body
    status, conference = await bot.api("GET", f"/api/conferences/{location.rsplit('/', 1)[1]}")
    assert conference["type"] == "ICPC"
    assert {p["name"] for p in conference["participants"]} >= {"Ola Brightwater", "Casey Fenwick"}


async def test_the_api_books_a_threshold_discussion_as_an_icpc_and_names_bad_fields(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = await deliver(bot, monkeypatch, ThresholdDiscussion(draft_read(), "Concerns."))
    bad = draft_read()
    bad["people"][1]["emails"] = ["casey at home"]
    status, body = await bot.api(
        "POST", f"/api/triage/{item_id}/conference", {"playbook": "lancashire", "draft": bad}
    )
    assert status == 400
    assert body["problems"] == [
        {"field": "people.1.emails.0", "message": "'casey at home' is not a whole email address"}
    ]
    status, body = await bot.api(
        "POST",
        f"/api/triage/{item_id}/conference",
        {"playbook": "lancashire", "draft": draft_read(conference_type="TI"), "icpc": True},
    )
    assert status == 201, body
    assert body["type"] == "ICPC"
