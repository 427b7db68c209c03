"""Session cookies: a forged, tampered or expired cookie signs nobody in."""

from __future__ import annotations

from bot.web.auth import Identity, SessionSigner


def test_issued_session_cookie_identifies_its_holder() -> None:
    signer = SessionSigner("k")
    cookie = signer.issue(Identity("mts-1", "mts"), now=1_000)
    assert signer.check(cookie, now=2_000) == Identity("mts-1", "mts")


def test_tampered_role_in_cookie_is_rejected() -> None:
    signer = SessionSigner("k")
    user, _role, expires, mac = signer.issue(Identity("chair-1", "chair"), now=1_000).split("|")
    assert signer.check(f"{user}|admin|{expires}|{mac}", now=2_000) is None


def test_cookie_signed_with_another_key_is_rejected() -> None:
    forged = SessionSigner("attacker").issue(Identity("x", "admin"), now=1_000)
    assert SessionSigner("k").check(forged, now=2_000) is None


def test_expired_or_malformed_cookie_is_rejected() -> None:
    signer = SessionSigner("k")
    cookie = signer.issue(Identity("x", "admin"), now=1_000)
    assert signer.check(cookie, now=1_000 + 9 * 3600) is None
    assert signer.check("garbage", now=1_000) is None
