"""Replicas on one PostgreSQL: the leader dies during a run sheet and again during aftercare.

Three ``confbot serve`` processes share the database and the sandbox; only the one holding
the leader's advisory lock runs jobs. A chair console stays open on one replica throughout
and must hear of every prompt, whichever replica sends or answers it. The leader is
SIGKILLed once with the run sheet under way and once with the follow-up emails in flight;
every prompt must be asked once, and every follow-up job done and its email sent once.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import queue
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.runtime.scheduler import Job
from tests.integration.runtime_harness import (
    preset_body,
    self_booking_playbook,
    working_days_ahead,
)
from tests.integration.test_crash_trials import CONFBOT, Process, Sandbox, sandbox
from tests.integration.test_failover import _leader_pid, _store, _wait_for
from tests.stores import fresh_postgres_database

__all__ = ["sandbox"]

TAKEOVER_WITHIN_S = 30.0
NEWS_WITHIN_S = 10.0  # a console hears of a change in milliseconds; this bounds a hang
SEND_LATENCY_S = 1.5  # the sandbox holds each email this long: the kill lands mid-send
AGENCIES = ("dsl.larkfield@example.org", "pppu@police.example.net", "reception@oakway.example.net")
DECISION_EMAIL = """      - id: decision_email
        kind: decision_email
        by: admin
        to: [agency]
        within: 24 hours
"""
DECISIONS = {"plan": True, "category": "neglect", "plan_type": "interim", "review": None}

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database()


def _playbook(tmp_path: Path) -> Path:
    """The self-booking Lancashire process, whose ICPC also emails its decision to agencies."""
    path = self_booking_playbook(tmp_path)
    marker = (
        "    follow_ups:\n"
        "      # Seed silent on follow-ups; these are statutory or common local defaults.\n"
    )
    source = path.read_text(encoding="utf-8")
    assert marker in source
    path.write_text(source.replace(marker, marker + DECISION_EMAIL, 1), encoding="utf-8")
    return path


class Replica:
    """One ``confbot serve`` and what a client needs to reach it as an admin."""

    def __init__(self, tmp_path: Path, name: str, url: str, box: Sandbox, playbook: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
        self.data = tmp_path / name
        self.data.mkdir()
        env.update(
            CONFBOT_DATA_DIR=str(self.data),
            CONFBOT_STORE__URL=url,
            CONFBOT_WEB__PORT="0",
            CONFBOT_GRAPH__BASE_URL=f"{box.url}/v1.0",
            CONFBOT_CONFERENCE__SWEEP_INTERVAL="PT1S",
            # Longer than the sandbox holds a send: a send cut short is found, not repeated.
            CONFBOT_GRAPH__UNCLEAR_SEND_WAIT="PT10S",
            CONFBOT_CONFERENCE__PLAYBOOK=str(playbook),
        )
        self.process = Process([CONFBOT, "serve"], env=env, cwd=self.data)
        found = self.process.expect(r"confbot is running\. Status page: (\S+)/", 60)
        assert found, "".join(self.process.output)
        self.base = found.group(1)
        self.token = (self.data / "admin-token").read_text(encoding="utf-8").strip()

    @property
    def pid(self) -> int:
        return self.process.popen.pid

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        """An admin's request; a form is posted as a browser would."""
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if form is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("X-Live", "1")  # the live part, not a redirect
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    def api(self, path: str, body: dict[str, Any]) -> Any:
        """POST JSON to the API as the admin."""
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


class Console:
    """A chair console's event stream, open on one replica, read by a thread."""

    def __init__(self, replica: Replica, conference_id: int) -> None:
        parsed = urllib.parse.urlsplit(replica.base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        self.connection.request(
            "GET",
            f"/conferences/{conference_id}/console/events",
            headers={"Authorization": f"Bearer {replica.token}"},
        )
        response = self.connection.getresponse()
        assert response.status == 200
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.heard: list[tuple[str, str]] = []
        threading.Thread(target=self._read, args=(response,), daemon=True).start()
        assert self.next(NEWS_WITHIN_S) == ("hello", "")

    def _read(self, response: http.client.HTTPResponse) -> None:
        kind = ""
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    prompt = json.loads(line.removeprefix("data: ")).get("prompt", "")
                    self.events.put((kind, prompt))
        except (OSError, ValueError):
            return  # the stream was closed

    def next(self, within: float) -> tuple[str, str] | None:
        """The next event, or None once ``within`` seconds pass."""
        try:
            event = self.events.get(timeout=within)
        except queue.Empty:
            return None
        self.heard.append(event)
        return event

    def hears(self, wanted: set[tuple[str, str]], what: str) -> None:
        """Wait until every event in ``wanted`` has arrived."""
        deadline = time.monotonic() + NEWS_WITHIN_S
        while not wanted <= set(self.heard):
            if self.next(max(0.0, deadline - time.monotonic())) is None:
                pytest.fail(f"the console did not hear {what}: heard {self.heard}")

    def close(self) -> None:
        self.connection.close()


def _timeline(engine: Engine, conference_id: int, kind: str) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT step_id FROM timeline_entry WHERE conference_id = :c AND kind = :k"),
            {"c": conference_id, "k": kind},
        ).scalars()
        return Counter(r or "" for r in rows)


def _first_phase_step(engine: Engine, conference_id: int) -> str:
    """The run-sheet start job's step, as booking planned it."""
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM confbot_jobs")).scalars().all()
    [start] = [
        i for i in ids if i.startswith(f"c{conference_id}:") and i.endswith(":runsheet_start")
    ]
    return str(start.split(":")[1])


def _received(box: Sandbox, address: str, subject: str) -> int:
    state = box.call("GET", "/_sandbox/state")
    user = next((u for u in state["users"] if u["mail"] == address), None)
    if user is not None:
        mail = state["mail"].get(user["id"], [])
        return sum(1 for m in mail if subject in m["subject"] and m["folder"] == "inbox")
    return sum(1 for m in state["outbox"] if address in m["to"] and subject in m["subject"])


def _sending(engine: Engine, purpose: str) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM outbox_delivery "
                    "WHERE state = 'sending' AND purpose LIKE :p"
                ),
                {"p": f"{purpose}%"},
            ).scalar_one()
        )


def test_a_leader_killed_mid_run_sheet_and_mid_aftercare_loses_and_repeats_nothing(
    tmp_path: Path, sandbox: Sandbox, postgres_url: str
) -> None:
    engine = create_engine(postgres_url)
    playbook = _playbook(tmp_path)
    replicas = {
        r.pid: r
        for r in (Replica(tmp_path, n, postgres_url, sandbox, playbook) for n in ("a", "b"))
    }
    console: Console | None = None
    try:
        _wait_for(lambda: _leader_pid(engine) in replicas, 30, "a leader")
        leader = replicas[_leader_pid(engine) or 0]
        other = next(r for r in replicas.values() if r is not leader)
        sandbox.mail(preset_body(working_days_ahead(6)), subject="Request")

        def booked() -> int | None:
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT id FROM conference WHERE state = 'scheduled'")
                ).scalar()

        _wait_for(lambda: booked() is not None, 60, "the conference to be booked")
        conference_id = booked()
        assert conference_id is not None

        # The console is open on the replica that will survive; the leader starts the run
        # sheet from its job, so the console hears of each prompt through PostgreSQL.
        console = Console(other, conference_id)
        step = _first_phase_step(engine, conference_id)
        start = Job(datetime.now(UTC) + timedelta(seconds=1), conference_id, step, "runsheet_start")
        asyncio.run(_store(engine, [start]))
        _wait_for(
            lambda: len(_timeline(engine, conference_id, "runsheet.prompted")) >= 5,
            30,
            "the run sheet's consent prompts",
        )
        prompts = sorted(_timeline(engine, conference_id, "runsheet.prompted"))
        console.hears({("prompt", p) for p in prompts}, "the leader's prompts")

        # Two answers at once on two replicas: the run-sheet lock keeps both.
        first, second = prompts[0], prompts[1]
        answering = [
            threading.Thread(
                target=r.call,
                args=("POST", f"/conferences/{conference_id}/console/answer"),
                kwargs={"form": {"prompt": p, "answer": "consented"}},
            )
            for r, p in ((leader, first), (other, second))
        ]
        for thread in answering:
            thread.start()
        for thread in answering:
            thread.join(30)
        console.hears({("answered", first), ("answered", second)}, "both answers")

        # The leader dies with the run sheet under way; the other replica takes over.
        leader.process.kill()
        del replicas[leader.pid]
        _wait_for(lambda: _leader_pid(engine) == other.pid, TAKEOVER_WITHIN_S, "the takeover")
        third = Replica(tmp_path, "c", postgres_url, sandbox, playbook)
        replicas[third.pid] = third
        # An answer on the new replica still reaches the console open on the survivor.
        third.call(
            "POST",
            f"/conferences/{conference_id}/console/answer",
            form={"prompt": prompts[2], "answer": "consented"},
        )
        console.hears({("answered", prompts[2])}, "an answer given on a new replica")
        answered = _timeline(engine, conference_id, "runsheet.answered")
        assert {p: answered[p] for p in prompts[:3]} == {p: 1 for p in prompts[:3]}

        # Aftercare: the follow-up emails are held in flight, and the leader dies then.
        sandbox.call(
            "POST",
            "/_sandbox/faults",
            {"rate": 0, "latency": SEND_LATENCY_S, "path": "sendMail"},
        )
        third.api(f"/api/conferences/{conference_id}/conclude", {"decisions": DECISIONS})
        _wait_for(
            lambda: _sending(engine, "icpc.follow_ups.decision_email"),
            30,
            "the decision email to be on its way",
        )
        other.process.kill()
        del replicas[other.pid]
        _wait_for(lambda: _leader_pid(engine) == third.pid, TAKEOVER_WITHIN_S, "a second takeover")

        decision_job = f"c{conference_id}:icpc.follow_ups.decision_email:aftercare.follow_up"
        _wait_for(
            lambda: _timeline(engine, conference_id, "done")[decision_job] >= 1,
            60,
            "the decision email's job to be done",
        )
        sandbox.call("DELETE", "/_sandbox/faults")
        for address in AGENCIES:
            _wait_for(
                lambda a=address: _received(sandbox, a, "Decision of conference") >= 1,
                30,
                f"the decision email to reach {address}",
            )
        time.sleep(3)  # long enough for a second copy to land, were one on its way
        assert {a: _received(sandbox, a, "Decision of conference") for a in AGENCIES} == {
            a: 1 for a in AGENCIES
        }
        done = _timeline(engine, conference_id, "done")
        assert {k: n for k, n in done.items() if ":aftercare." in k} == {
            k: 1 for k in done if ":aftercare." in k
        }
        assert done[decision_job] == 1
        prompted = _timeline(engine, conference_id, "runsheet.prompted")
        assert all(count == 1 for count in prompted.values()), prompted
    finally:
        if console is not None:
            console.close()
        for replica in replicas.values():
            replica.process.stop()
        engine.dispose()
