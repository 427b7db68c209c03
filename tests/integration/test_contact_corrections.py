"""Correcting contacts after booking, and letters by post, through the page and the API.

In process, on the sandbox tenant: a request email becomes a conference, staff correct a
parent's contact, and what the family receives follows the correction.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.access import AccessStore
from bot.web.auth import COOKIE, Identity, SessionSigner
from tests.integration.runtime_harness import (
    CHAIR,
    PARENT_EMAIL,
    Running,
    request_body,
    running,
    settings_for,
    working_days_ahead,
)

NEW_EMAIL = "jo.o'neill+safe@family.example.org"
FATHER_ADDRESS = "3 Pretend Close, Testtown, TT3 3CC"
# A father with no email: his letter must go by post.
FATHER = f"""Parent 2 name: Alex Parent
Parent 2 relationship: father
Parent 2 phone: 07700 900457
Parent 2 address: {FATHER_ADDRESS}
"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path)) as app:
        yield app


class Browser:
    """A signed-in person's cookie, and the CSRF token their pages carry."""

    def __init__(self, bot: Running, role: str, user: str) -> None:
        secret = (bot.services.settings.data_dir / "session-secret").read_text().strip()
        self.bot = bot
        signer = SessionSigner(secret)
        self.cookie = AccessStore(bot.services.database).start_session(Identity(user, role))
        self.headers = {"Cookie": f"{COOKIE}={self.cookie}"}
        self.token = signer.derive("csrf", self.cookie)

    async def patch(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """A PATCH from this person's page script, with the session's CSRF token."""
        headers = {**self.headers, "X-CSRF-Token": self.token}
        async with self.bot.http.patch(
            f"{self.bot.base}{path}", json=body, headers=headers
        ) as answer:
            return answer.status, await answer.json()

    async def page(self, path: str) -> tuple[int, str]:
        async with self.bot.http.get(f"{self.bot.base}{path}", headers=self.headers) as page:
            return page.status, await page.text()

    async def csrf(self, path: str) -> str:
        _, html = await self.page(path)
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, "the page carries no CSRF token"
        return found.group(1)

    async def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        async with self.bot.http.post(
            f"{self.bot.base}{path}", data=form, headers=self.headers, allow_redirects=False
        ) as answer:
            return answer.status, answer.headers.get("Location", ""), await answer.text()


async def _conference(bot: Running, extra: str = "") -> dict[str, Any]:
    await bot.mail(request_body(extra=extra))
    assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
    _, listed = await bot.api("GET", "/api/conferences")
    [conference] = listed["conferences"]
    status, detail = await bot.api("GET", f"/api/conferences/{conference['id']}")
    assert status == 200
    return dict(detail)


def _person(detail: dict[str, Any], relationship: str) -> dict[str, Any]:
    return next(p for p in detail["participants"] if p["relationship"] == relationship)


async def _book(bot: Running, cid: int) -> None:
    status, body = await bot.api("POST", f"/api/conferences/{cid}/allocate", {"chair": CHAIR})
    assert status == 200, body
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{cid}/format",
        {"format": "teams", "start": working_days_ahead(6).isoformat(), "confidential_minutes": 20},
    )
    assert status == 200, body


async def _letters_to(bot: Running, address: str) -> list[dict[str, Any]]:
    """What the sandbox sent to an address outside the tenant, as the family receives it."""
    state = await bot.state()
    return [m for m in state["outbox"] if address in m["to"]]


def _contact_form(person: dict[str, Any], csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "participant_id": str(person["id"]),
        "name": person["name"],
        "relationship": person["relationship"],
        "emails": "\n".join(person["emails"]),
        "phones": "\n".join(person["phones"]),
        "postal_address": person["postal_address"],
    }
    form.update(changes)
    return form


async def test_an_admin_corrects_the_mothers_email_on_the_page_and_the_letter_goes_there(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    admin = Browser(bot, "admin", "mts.lead@example.org")
    csrf = await admin.csrf(f"/conferences/{cid}")
    form = _contact_form(mother, csrf, emails=NEW_EMAIL)
    status, location, _ = await admin.post(f"/conferences/{cid}/contact", form)
    assert status == 303 and location.endswith("?done=contact")
    _, html = await admin.page(location)
    assert "The contact details are corrected." in html
    assert "Mother&#39;s email corrected by an admin" in html
    _, detail = await bot.api("GET", f"/api/conferences/{cid}")
    assert _person(detail, "mother")["emails"] == [NEW_EMAIL]
    # The timeline says whose fields changed, never the addresses.
    assert NEW_EMAIL not in str(detail["timeline"]) and PARENT_EMAIL not in str(detail["timeline"])
    await _book(bot, cid)
    assert await _letters_to(bot, NEW_EMAIL), "the mother's letter went to her new address"
    assert not await _letters_to(bot, PARENT_EMAIL)


async def test_a_bad_email_on_the_page_is_shown_beside_its_field_and_changes_nothing(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    admin = Browser(bot, "mts", "mts.one@example.org")
    csrf = await admin.csrf(f"/conferences/{cid}")
    form = _contact_form(mother, csrf, emails="jo at family.example.net")
    status, _, html = await admin.post(f"/conferences/{cid}/contact", form)
    assert status == 400
    assert f'id="c{mother["id"]}-emails-error"' in html
    assert "jo at family.example.net" in html  # what was typed is kept
    _, detail = await bot.api("GET", f"/api/conferences/{cid}")
    assert _person(detail, "mother")["emails"] == [PARENT_EMAIL]


async def test_after_booking_the_page_offers_to_send_the_letter_again_to_the_new_address(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    await _book(bot, cid)
    assert await _letters_to(bot, PARENT_EMAIL)
    status, _ = await bot.api(
        "PATCH", f"/api/conferences/{cid}/participants/{mother['id']}", {"emails": [NEW_EMAIL]}
    )
    assert status == 200
    assert not await _letters_to(bot, NEW_EMAIL)  # a letter already sent is not resent by itself
    admin = Browser(bot, "admin", "mts.lead@example.org")
    _, html = await admin.page(f"/conferences/{cid}")
    assert "Send the invitation again to the new address" in html
    csrf = await admin.csrf(f"/conferences/{cid}")
    form = {"csrf": csrf, "participant_id": str(mother["id"])}
    status, location, _ = await admin.post(f"/conferences/{cid}/resend", form)
    assert status == 303, location
    assert len(await _letters_to(bot, NEW_EMAIL)) == 1
    _, html = await admin.page(f"/conferences/{cid}")
    assert "Send the invitation again to the new address" not in html


async def test_patch_changes_only_the_fields_given_and_answers_as_get_shows_the_participant(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    path = f"/api/conferences/{cid}/participants/{mother['id']}"
    status, body = await bot.api("PATCH", path, {"phones": ["07700 900999"]})
    assert status == 200, body
    _, detail = await bot.api("GET", f"/api/conferences/{cid}")
    assert body == _person(detail, "mother")
    assert body["phones"] == ["+447700900999"]
    assert body["emails"] == mother["emails"] and body["name"] == mother["name"]
    [line] = [e for e in detail["timeline"] if e["kind"] == "contact_corrected"]
    assert line["detail"]["fields"] == ["phones"]


async def test_patch_names_the_bad_field_and_refuses_as_the_other_routes_do(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    path = f"/api/conferences/{cid}/participants/{mother['id']}"
    status, body = await bot.api("PATCH", path, {"emails": ["jo@"]})
    assert status == 400 and [p["field"] for p in body["problems"]] == ["emails"]
    status, body = await bot.api("PATCH", path, {"email": "x@example.org"})
    assert status == 400 and "'email' cannot be corrected" in body["error"]
    status, body = await bot.api("PATCH", f"/api/conferences/{cid}/participants/99999", {})
    assert status == 404
    status, body = await Browser(bot, "manager", "m@example.org").patch(path, {"name": "X"})
    assert status == 403  # managers look but do not change
    await _book(bot, cid)
    status, body = await Browser(bot, "chair", "other.chair@example.org").patch(path, {})
    assert status == 404  # another chair's conference is not found, as on the pages
    status, body = await Browser(bot, "chair", CHAIR).patch(path, {"relationship": "mum"})
    assert status == 200 and body["relationship"] == "mum"
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{cid}/cancel",
        {"rationale": "No longer needed", "approved_by": "T Manager"},
    )
    assert status == 200, body
    status, body = await bot.api("PATCH", path, {"name": "Jo Parent-Smith"})
    assert status == 409 and "cancelled" in body["error"]


async def test_a_forged_or_absent_csrf_token_is_refused_and_changes_nothing(
    bot: Running,
) -> None:
    detail = await _conference(bot)
    cid, mother = detail["id"], _person(detail, "mother")
    admin = Browser(bot, "admin", "mts.lead@example.org")
    for token in ("forged-token", None):
        form = _contact_form(mother, token or "", emails=NEW_EMAIL)
        if token is None:
            del form["csrf"]
        status, _, _ = await admin.post(f"/conferences/{cid}/contact", form)
        assert status == 403
    async with bot.http.patch(
        f"{bot.base}/api/conferences/{cid}/participants/{mother['id']}",
        json={"emails": [NEW_EMAIL]},
        headers=admin.headers,  # a cookie session without the token
    ) as answer:
        assert answer.status == 403
    _, detail = await bot.api("GET", f"/api/conferences/{cid}")
    assert _person(detail, "mother")["emails"] == [PARENT_EMAIL]


async def test_a_father_without_email_is_a_letter_to_post_until_marked_posted(
    bot: Running,
) -> None:
    detail = await _conference(bot, extra=FATHER)
    cid = detail["id"]
    await _book(bot, cid)
    mts = Browser(bot, "mts", "mts.one@example.org")
    _, html = await mts.page(f"/conferences/{cid}")
    tasks = html.split('id="post-h"')[1].split("</section>")[0]
    assert "Alex Parent" in tasks and FATHER_ADDRESS in tasks
    _, today = await mts.page("/")
    assert "1 letter to post" in today and FATHER_ADDRESS not in today
    step_id = re.search(r'name="step_id" value="([^"]+)"', tasks)
    assert step_id
    csrf = await mts.csrf(f"/conferences/{cid}")
    status, location, _ = await mts.post(
        f"/conferences/{cid}/posted", {"csrf": csrf, "step_id": step_id.group(1)}
    )
    assert status == 303 and location.endswith("?done=posted")
    _, html = await mts.page(location)
    assert "The letter is recorded as posted." in html
    assert 'id="post-h"' not in html  # the task is gone
    assert "Father&#39;s letter recorded as posted" in html
    _, today = await mts.page("/")
    assert "No letters to post." in today


async def test_adding_an_email_clears_the_letter_to_post(bot: Running) -> None:
    detail = await _conference(
        bot, extra=FATHER.replace(f"Parent 2 address: {FATHER_ADDRESS}\n", "")
    )
    cid, father = detail["id"], _person(detail, "father")
    await _book(bot, cid)
    mts = Browser(bot, "mts", "mts.one@example.org")
    _, html = await mts.page(f"/conferences/{cid}")
    assert "No address on record: ask the social worker." in html
    status, _ = await bot.api(
        "PATCH",
        f"/api/conferences/{cid}/participants/{father['id']}",
        {"emails": ["alex.parent@family.example.net"]},
    )
    assert status == 200
    _, html = await mts.page(f"/conferences/{cid}")
    assert 'id="post-h"' not in html
    assert "letter by post not needed" in html
