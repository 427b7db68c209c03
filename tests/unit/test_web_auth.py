"""The session secret's MACs, and the access log's line without secrets."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.cli.access import ROLES
from bot.web.access_log import RedactedAccessLogger
from bot.web.auth import SessionSigner
from bot.web.security import UserRole


def test_a_mac_for_one_purpose_is_no_use_for_another_or_under_another_key() -> None:
    signer = SessionSigner("k")
    csrf = signer.derive("csrf", "session-id")
    assert csrf == SessionSigner("k").derive("csrf", "session-id")
    assert csrf != signer.derive("signin-flow", "session-id")
    assert csrf != SessionSigner("other").derive("csrf", "session-id")


def test_access_log_keeps_the_path_but_never_the_query_or_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = make_mocked_request(
        "GET",
        "/signin?code=one-time-code-123",
        headers={
            "Authorization": "Bearer confbot_secret-token",
            "Cookie": "confbot_session=session-id-456",
            "Referer": "http://127.0.0.1/signin?code=one-time-code-123",
        },
    )
    logger = logging.getLogger("test.access")
    caplog.set_level(logging.DEBUG, logger="test.access")
    RedactedAccessLogger(logger, "").log(request, web.Response(status=302), 0.01)
    [line] = [r.getMessage() for r in caplog.records]
    assert '"GET /signin?[redacted] HTTP/1.1" 302' in line
    for secret in ("one-time-code-123", "confbot_secret-token", "session-id-456"):
        assert secret not in line


def test_the_command_line_offers_the_same_roles_as_the_web() -> None:
    assert set(ROLES) == {role.value for role in UserRole}
