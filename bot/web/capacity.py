"""Chair capacity: each chair's conferences per week against the council's weekly limit."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from aiohttp import web

from bot.core.workdays import LONDON
from bot.web.pages import now_utc
from bot.web.security import VIEWERS, config, require
from bot.web.status import in_thread, queries, render

WEEKS_SHOWN = 4


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weekly_load(rows: list[tuple[str, datetime]], weeks: list[date]) -> dict[str, list[int]]:
    """Conferences per chair per week (weeks as their Mondays), chairs in name order."""
    index = {monday: i for i, monday in enumerate(weeks)}
    load: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for chair, start in rows:
        monday = week_start(start.astimezone(LONDON).date())
        if monday in index:
            load[chair.lower()][index[monday]] += 1
    return dict(sorted(load.items()))


async def capacity(request: web.Request) -> web.StreamResponse:
    """This week and the next three, one row per chair."""
    identity = require(request, VIEWERS)
    today = now_utc(request).astimezone(LONDON).date()
    first = week_start(today)
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    start = datetime.combine(first, time(0), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(first + timedelta(weeks=WEEKS_SHOWN), time(0), tzinfo=LONDON)
    rows = await in_thread(queries(request).chair_load, start, end.astimezone(UTC))
    limit = config(request).chair_weekly_limit
    load = weekly_load(rows, weeks)
    return render(
        request,
        "capacity.html",
        identity,
        weeks=weeks,
        load=load,
        limit=limit,
        over=sum(1 for counts in load.values() for n in counts if n > limit),
    )


def add_routes(app: web.Application) -> None:
    """Mount the capacity page."""
    app.router.add_get("/capacity", capacity, name="capacity")
