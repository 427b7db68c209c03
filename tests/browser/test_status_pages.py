"""The status pages in headless Chromium: sign-in, live updates, actions, triage, accessibility."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat
from tests.browser.conftest import SCREENSHOTS, Served
from tests.browser.webapp import CHAIR, NOW, add_conference, add_triage

WAIT_MS = 10_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
MAILBOX = "cp.requests@example.org"  # the sandbox tenant's request mailbox (settings default)


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    return page


def _no_csp_violations(page: Any) -> None:
    blocked = [e for e in page.csp_errors if "Content Security Policy" in e]
    assert blocked == [], blocked


def _axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) still holds.
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_unauthenticated_visit_redirects_to_sign_in(browser: Any, confbot_serve: Served) -> None:
    page = _page(browser)
    page.goto(confbot_serve.base + "/conferences")
    assert page.url.endswith("/signin")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.context.close()


def test_sign_in_with_the_printed_link_then_a_new_conference_appears_without_reload(
    browser: Any, confbot_serve: Served
) -> None:
    page = _page(browser)
    page.goto(confbot_serve.signin)
    assert page.get_by_role("heading", name="Today", exact=True).is_visible()
    page.wait_for_selector("#live-status:has-text('updates by itself')")
    page.evaluate("window.__notReloaded = true")
    conference = confbot_serve.repository.create_conference(
        playbook="lancashire",
        conference_type=ConferenceType.ICPC,
    )
    page.get_by_text(conference.reference).first.wait_for()
    assert page.evaluate("window.__notReloaded") is True
    assert "Updated at" in page.locator("#live-status").inner_text()
    _no_csp_violations(page)
    page.context.close()


def test_a_request_mailed_to_the_sandbox_appears_on_the_overview_without_reload(
    browser: Any, confbot_serve: Served
) -> None:
    assert confbot_serve.sandbox, "serve did not say where its sandbox tenant is"
    page = _page(browser)
    page.goto(confbot_serve.signin)
    page.wait_for_selector("#live-status:has-text('updates by itself')")
    page.evaluate("window.__notReloaded = true")
    body = (FIXTURES / "request_plain.txt").read_text()
    mail = {"to": MAILBOX, "from": "femi.okafor@example.org", "subject": "ICPC request"}
    request = urllib.request.Request(
        confbot_serve.sandbox + "/_sandbox/mail",
        data=json.dumps({**mail, "body": body}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201, 202)
    page.get_by_text("1 conference in all.").wait_for(timeout=30_000)
    assert page.evaluate("window.__notReloaded") is True
    page.context.close()


def test_allocate_a_chair_and_set_the_format_then_the_meeting_link_appears(
    browser: Any, app_server: Served
) -> None:
    cid = add_conference(app_server.repository, start=NOW + timedelta(days=10))
    page = _page(browser)
    page.goto(app_server.signin)
    page.goto(f"{app_server.base}/conferences/{cid}")
    page.get_by_label("Chair's email address").fill(CHAIR)
    page.get_by_role("button", name="Allocate").click()
    page.get_by_text("The chair is allocated.").wait_for()
    assert CHAIR in page.locator(".facts").inner_text()
    page.get_by_label("Format the chair has chosen").select_option("teams")
    page.locator("#f-date").fill("2026-12-11")
    page.locator("#f-time").fill("10:00")
    page.get_by_role("button", name="Set format").click()
    page.get_by_text("The format is recorded.").wait_for()
    link = page.locator("#join-link")
    assert "teams.microsoft.com" in (link.get_attribute("href") or "")
    assert app_server.actions is not None
    assert [name for name, _ in app_server.actions.calls] == ["allocate", "set_format"]
    _no_csp_violations(page)
    page.context.close()


def test_a_late_booking_refused_by_the_runtime_goes_ahead_with_its_reason_and_who_agreed(
    browser: Any, app_server: Served, axe_source: str
) -> None:
    actions = app_server.actions
    assert actions is not None
    cid = add_conference(
        app_server.repository,
        kind=ConferenceType.RCPC,  # Lancashire asks who agreed an RCPC's format
        chair=CHAIR,
        state=ConferenceState.AWAITING_FORMAT,
    )
    page = _page(browser)
    page.goto(app_server.signin)
    page.goto(f"{app_server.base}/conferences/{cid}")
    page.locator("#f-date").fill("2026-12-02")
    page.locator("#f-time").fill("10:00")
    actions.refuse = "the reports cannot be shared in time; record the reason for the short notice"
    page.get_by_role("button", name="Set format").click()
    page.get_by_text("The reports cannot be shared in time").wait_for()
    # What was typed is still there, and the page points to the fields the runtime asks for.
    assert page.locator("#f-date").input_value() == "2026-12-02"
    assert page.get_by_role("link", name="the reason for the short notice").is_visible()
    assert _axe(page, axe_source) == []
    actions.refuse = None
    page.get_by_label("Reason for the short notice or delay").fill("The family asked for it soon.")
    page.get_by_label("Who agreed it").fill("Pat Testmanager")
    page.get_by_label("chair", exact=True).check()
    page.get_by_label("A risk assessment was done").check()
    page.get_by_role("button", name="Set format").click()
    page.get_by_text("The format is recorded.").wait_for()
    assert actions.late == ("The family asked for it soon.", "Pat Testmanager", ("chair",), True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "conference-booked-late.png"), full_page=True)
    _no_csp_violations(page)
    page.context.close()


def test_resolve_a_triage_item_through_the_page(browser: Any, app_server: Served) -> None:
    item = add_triage(
        app_server.repository,
        "<p>Please arrange an <b>ICPC</b>.</p><img src='https://tracker.example/x.gif'>",
    )
    page = _page(browser)
    remote: list[str] = []
    page.on("request", lambda r: remote.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto(app_server.signin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    page.get_by_role("link", name="ICPC request for a family in Testtown").click()
    assert page.url.endswith(f"/triage/{item}")
    assert "Please arrange an ICPC." in page.locator(".mail-body").inner_text()
    page.get_by_label("What you did").fill("Rang the social worker; a new request will follow.")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("The triage queue is empty.").wait_for()
    assert remote == []
    assert app_server.repository.list_triage() == []
    page.context.close()


def test_overview_and_detail_have_no_serious_accessibility_problems(
    browser: Any, app_server: Served, axe_source: str
) -> None:
    repo = app_server.repository
    detail = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.SCHEDULED,
        start=NOW + timedelta(days=1, hours=1),
        meeting_format=MeetingFormat.TEAMS,
    )
    repo.update_conference(detail, join_url="https://teams.microsoft.com/l/meetup-join/sandbox")
    add_conference(
        repo, start=NOW.replace(hour=14), chair=CHAIR, meeting_format=MeetingFormat.HYBRID
    )
    add_conference(repo, start=NOW + timedelta(days=4))
    repo.append_timeline(detail, actor="runtime", kind="failed", step_id="icpc.invites.teams")
    add_triage(repo, "<p>Unreadable request.</p>")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser)
    page.goto(app_server.signin)
    page.get_by_text("Deadlines at risk").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    assert _axe(page, axe_source) == []
    page.goto(f"{app_server.base}/conferences/{detail}")
    page.get_by_role("heading", name="Timeline", exact=False).first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "conference.png"), full_page=True)
    assert _axe(page, axe_source) == []
    # The first Tab reaches the skip link, so the keyboard gets past the header at once.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for path in ("/conferences", "/triage", "/triage/1", "/capacity"):
        page.goto(app_server.base + path)
        assert _axe(page, axe_source) == [], path
    _no_csp_violations(page)
    page.context.close()
