"""An in-process confbot on its embedded sandbox, on ephemeral ports, for flow tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.app import Services, app_runner, build_app, running_services, start_background
from bot.core.workdays import add_working_days, london_to_utc
from bot.settings import Settings

CHAIR = "rowan.amberley@example.org"
SOCIAL_WORKER = "femi.okafor@example.org"
MAILBOX = "cp.requests@example.org"
PARENT_EMAIL = "jo.parent@family.example.net"
PARENT_PHONE = "07700 900456"


def request_body(
    *,
    conference_type: str = "ICPC",
    strategy: str | None = None,
    extra: str = "",
) -> str:
    """A complete, fictional request in the council form's labels."""
    return f"""Conference type: {conference_type}
Strategy discussion date: {strategy or strategy_date()}
Child 1 case reference: NS-100234
Child 1 initials: T.Q.
Child 1 date of birth: 04/05/2019
Social worker: Femi Okafor
Social worker email: {SOCIAL_WORKER}
Team manager: Priya Ashdown
Team manager email: priya.ashdown@example.org
Parent 1 name: Jo Parent
Parent 1 relationship: mother
Parent 1 phone: {PARENT_PHONE} / 0113 496 0123
Parent 1 email: {PARENT_EMAIL}
Agency 1 organisation: Larkfield Primary
Agency 1 role: school
Agency 1 email: dsl.larkfield@example.org
Agency 2 organisation: Northshire Police
Agency 2 role: police
Agency 2 email: pppu@police.example.net
Agency 3 organisation: Oakway Surgery
Agency 3 role: GP
Agency 3 email: reception@oakway.example.net
{extra}
"""


@dataclass
class Running:
    """A running confbot and a client for its sandbox and API."""

    services: Services
    base: str
    http: aiohttp.ClientSession

    @property
    def sandbox(self) -> str:
        assert self.services.sandbox_url
        return self.services.sandbox_url

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.services.admin_token}"}

    async def mail(
        self,
        body: str,
        *,
        sender: str = SOCIAL_WORKER,
        subject: str = "Request",
        attachments: list[dict[str, str]] | None = None,
    ) -> str:
        async with self.http.post(
            f"{self.sandbox}/_sandbox/mail",
            json={
                "to": MAILBOX,
                "from": sender,
                "subject": subject,
                "body": body,
                "contentType": "text",
                "attachments": attachments or [],
            },
        ) as response:
            assert response.status == 201, await response.text()
            return str((await response.json())["ids"][0])

    async def state(self) -> dict[str, Any]:
        async with self.http.get(f"{self.sandbox}/_sandbox/state") as response:
            return dict(await response.json())

    async def mailbox(self, address: str) -> list[dict[str, Any]]:
        """The sandbox mail of the user with ``address``."""
        state = await self.state()
        uid = next(u["id"] for u in state["users"] if u["mail"] == address)
        return list(state["mail"].get(uid, []))

    async def calendar(self, address: str) -> list[dict[str, Any]]:
        """The sandbox events in the calendar of the user with ``address``."""
        state = await self.state()
        uid = next(u["id"] for u in state["users"] if u["mail"] == address)
        return list(state["events"].get(uid, []))

    async def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.request(
            method, f"{self.base}{path}", json=body, headers=self.headers()
        ) as response:
            return response.status, await response.json()


def preset_body(start: datetime, *, case: int = 1) -> str:
    """A request where the social worker and chair already agreed chair, format and time."""
    local = start.astimezone(ZoneInfo("Europe/London"))
    return request_body(
        extra=(
            f"Preferred chair: {CHAIR}\n"
            "Preferred format: Teams\n"
            f"Preferred start: {local.strftime('%d/%m/%Y %H:%M')}\n"
        )
    ).replace("NS-100234", f"NS-{100000 + case}")


def self_booking_playbook(data_dir: Path) -> Path:
    """Lancashire's process, but a request naming chair, format and start books itself.

    Lancashire's chair decides the format (``book_from_request: never``); every other
    bundled council lets an agreed request book itself. The preset, fault and crash tests
    keep Lancashire's held-back parents and letters and use this one rule of the others.
    """
    from playbooks import DIRECTORY

    text = (DIRECTORY / "lancashire.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "book_from_request: never", "book_from_request: when_chair_and_format_given"
    )
    assert changed != text
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "lancashire-self-booking.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def settings_for(data_dir: Path, *, self_booking: bool = False) -> Settings:
    """Sandbox-mode settings with everything under ``data_dir``."""
    conference: dict[str, object] = {"sweep_interval": timedelta(hours=1)}
    if self_booking:
        conference["playbook"] = str(self_booking_playbook(data_dir))
    return Settings.model_validate(
        {
            "data_dir": data_dir,
            "store": {"url": f"sqlite:///{data_dir / 'confbot.sqlite3'}"},
            "web": {"port": 0},
            # The sweep is driven by the tests; the interval only matters as a safety net.
            "conference": conference,
        }
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Running]:
    """Start confbot as `serve` would, without signals, and stop it afterwards."""
    async with running_services(settings) as services:
        runner = app_runner(build_app(services))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        base = f"http://127.0.0.1:{port}"
        await start_background(services, base)
        assert services.duties is not None
        await asyncio.wait_for(services.duties.became_leader.wait(), 10)
        try:
            async with aiohttp.ClientSession() as http:
                yield Running(services, base, http)
        finally:
            await runner.cleanup()


def working_days_ahead(days: int, clock: time = time(10, 0)) -> datetime:
    """A start ``days`` working days from today, at ``clock`` London time, in UTC."""
    today = datetime.now(UTC).date()
    return london_to_utc(add_working_days(today, days), clock)


def strategy_date() -> str:
    """A strategy discussion two days ago, as a UK date."""
    return (datetime.now(UTC).date() - timedelta(days=2)).strftime("%d/%m/%Y")
