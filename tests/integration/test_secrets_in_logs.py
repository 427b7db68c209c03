"""A whole lifecycle with logging at DEBUG: no secret reaches a log line or the access log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.app import sign_in_link
from bot.web.auth import COOKIE, SessionSigner
from tests.integration.runtime_harness import (
    CHAIR,
    Running,
    request_body,
    running,
    settings_for,
    working_days_ahead,
)

PAT = "pat.mts@example.org"


def _everything_logged(record: logging.LogRecord) -> str:
    """A record's message, its arguments and every extra field, as one text to search."""
    return " ".join([record.getMessage(), repr(record.args), repr(vars(record))])


async def _get(bot: Running, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with bot.http.get(f"{bot.base}{path}", allow_redirects=False, **kwargs) as answer:
        return answer.status, answer


async def test_no_token_secret_code_or_session_id_is_ever_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: dict[str, str] = {}
    async with running(settings_for(tmp_path)) as bot:
        data_dir = bot.services.settings.data_dir
        secrets["admin token"] = bot.services.admin_token
        secrets["session secret"] = (data_dir / "session-secret").read_text().strip()
        signer = SessionSigner(secrets["session secret"])

        # Sign in with the printed link, then try the used link again.
        link = sign_in_link(bot.services.database, bot.base)
        secrets["sign-in code"] = link.partition("code=")[2]
        async with bot.http.get(link, allow_redirects=False) as answer:
            assert answer.status == 302
            secrets["session id"] = cookie = answer.cookies[COOKIE].value
        async with bot.http.get(link, allow_redirects=False) as answer:
            assert answer.status == 401
        browser = {"Cookie": f"{COOKIE}={cookie}"}
        for path in ("/", "/conferences", "/triage"):
            status, _ = await _get(bot, path, headers=browser)
            assert status == 200, path
        # The old link's shape, with the admin token in the query string.
        await _get(bot, f"/signin?token={bot.services.admin_token}")

        # An admin makes a token for a member of the admin team, who books the conference.
        status, made = await bot.api(
            "POST", "/api/tokens", {"user": PAT, "role": "mts", "label": "booking script"}
        )
        assert status == 201, made
        secrets["API token"] = made["token"]
        pat = {"Authorization": f"Bearer {made['token']}"}
        await bot.mail(request_body())
        assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
        _status, listed = await bot.api("GET", "/api/conferences")
        conference_id = listed["conferences"][0]["id"]
        base = f"{bot.base}/api/conferences/{conference_id}"
        async with bot.http.post(f"{base}/allocate", json={"chair": CHAIR}, headers=pat) as a:
            assert a.status == 200, await a.text()
        start = working_days_ahead(6).isoformat()
        body = {"format": "teams", "start": start}
        async with bot.http.post(f"{base}/format", json=body, headers=pat) as answer:
            assert answer.status == 200, await answer.text()
        _status, detail = await bot.api("GET", f"/api/conferences/{conference_id}")
        by_pat = {e["kind"] for e in detail["timeline"] if e["actor"] == PAT}
        assert {"chair_allocated", "format_set"} <= by_pat, detail["timeline"]

        # A script's token in a URL, a second browser session, then signing out of the first.
        await _get(bot, f"/api/conferences?access_token={made['token']}")
        async with bot.http.get(
            sign_in_link(bot.services.database, bot.base), allow_redirects=False
        ) as answer:
            secrets["second session id"] = answer.cookies[COOKIE].value
        async with bot.http.post(
            f"{bot.base}/signout",
            data={"csrf": signer.derive("csrf", cookie)},
            headers=browser,
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303
        status, _ = await _get(bot, "/conferences", headers=browser)
        assert status == 302  # the signed-out cookie is dead

    for record in caplog.records:
        text = _everything_logged(record)
        for name, secret in secrets.items():
            assert secret not in text, f"the {name} is in a log line of {record.name}"
    assert any(r.levelno == logging.DEBUG for r in caplog.records), "DEBUG was not captured"
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(access) >= 10 and any("/signin?[redacted]" in line for line in access), access
