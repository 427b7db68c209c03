"""Web sessions, one-time sign-in codes and API tokens, each kept by the hash of its secret.

The secrets are 256-bit (codes 144-bit) random strings, so a plain SHA-256 is enough to make
a stolen copy of the database useless: there is nothing to guess by brute force, and a slow
password hash would only slow every request down.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from bot.core.access import (
    SESSION_LIFETIME,
    SIGN_IN_CODE_LIFETIME,
    CodeRefusal,
    SessionRecord,
    TokenRecord,
)
from bot.core.actions import Actor
from bot.store.access_models import ApiTokenRow, SignInCodeRow, WebSessionRow
from bot.store.base import Store

# Not a secret: a prefix that lets scanners and people recognise a leaked token.
TOKEN_PREFIX = "confbot_"  # noqa: S105


def digest(secret: str) -> str:
    """The SHA-256 of a secret, as kept in the store."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    # SQLite gives back naive datetimes; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        user=row.user_name,
        role=row.role,
        label=row.label,
        created_at=_aware(row.created_at),
        created_by=row.created_by,
        revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
    )


class AccessStore(Store):
    """Starts, finds and ends sessions; issues and redeems codes; creates and revokes tokens."""

    # -- sessions -------------------------------------------------------------------------

    def start_session(self, actor: Actor, lifetime: timedelta = SESSION_LIFETIME) -> str:
        """A new session for ``actor``: its id, to go in the cookie, is returned once."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.session() as session:
            # Housekeeping: expired sessions and codes sign nobody in, so need not be kept.
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
            session.execute(delete(SignInCodeRow).where(SignInCodeRow.expires_at < now))
            session.add(
                WebSessionRow(
                    id_hash=digest(session_id),
                    user_name=actor.user,
                    role=actor.role,
                    started_at=now,
                    expires_at=now + lifetime,
                )
            )
        return session_id

    def session(self, session_id: str) -> Actor | None:
        """Who the session signs in, or None if it is unknown, ended or expired."""
        with self.db.session() as session:
            row = session.get(WebSessionRow, digest(session_id))
            if row is None or _aware(row.expires_at) <= self.clock():
                return None
            return Actor(row.user_name, row.role)

    def end_session(self, session_id: str) -> bool:
        """End one session at once (signing out); whether there was one."""
        with self.db.session() as session:
            result = session.execute(
                delete(WebSessionRow).where(WebSessionRow.id_hash == digest(session_id))
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_sessions_of(self, user: str) -> int:
        """End every session of ``user`` at once (an admin's revocation); how many ended."""
        with self.db.session() as session:
            result = session.execute(delete(WebSessionRow).where(WebSessionRow.user_name == user))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def sessions(self) -> list[SessionRecord]:
        """The sessions still open, newest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(WebSessionRow)
                .where(WebSessionRow.expires_at > self.clock())
                .order_by(WebSessionRow.started_at.desc())
            ).all()
            return [
                SessionRecord(r.user_name, r.role, _aware(r.started_at), _aware(r.expires_at))
                for r in rows
            ]

    # -- one-time sign-in codes -----------------------------------------------------------

    def issue_code(self, actor: Actor, lifetime: timedelta = SIGN_IN_CODE_LIFETIME) -> str:
        """A code that signs ``actor`` in once, within ``lifetime``; returned once."""
        code = secrets.token_urlsafe(18)
        now = self.clock()
        with self.db.session() as session:
            session.add(
                SignInCodeRow(
                    code_hash=digest(code),
                    user_name=actor.user,
                    role=actor.role,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return code

    def redeem_code(self, code: str) -> Actor | CodeRefusal:
        """Use a code up: who it signs in, or why it does not.

        The update that marks it used is also the check that it was unused, so two
        replicas (or two tabs) redeeming one code at once sign in only one of them.
        """
        now = self.clock()
        hashed = digest(code)
        with self.db.session() as session:
            row = session.get(SignInCodeRow, hashed)
            if row is None:
                return CodeRefusal.UNKNOWN
            if row.used_at is not None:
                return CodeRefusal.USED
            if _aware(row.expires_at) <= now:
                return CodeRefusal.EXPIRED
            claimed = session.execute(
                update(SignInCodeRow)
                .where(SignInCodeRow.code_hash == hashed, SignInCodeRow.used_at.is_(None))
                .values(used_at=now)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return CodeRefusal.USED
            return Actor(row.user_name, row.role)

    # -- API tokens -----------------------------------------------------------------------

    def create_token(self, actor: Actor, label: str, created_by: str) -> tuple[TokenRecord, str]:
        """A new token acting as ``actor``: its record, and its secret (shown only this once)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.session() as session:
            row = ApiTokenRow(
                token_hash=digest(secret),
                user_name=actor.user,
                role=actor.role,
                label=label,
                created_at=self.clock(),
                created_by=created_by,
            )
            session.add(row)
            session.flush()
            return _token(row), secret

    def token(self, secret: str) -> Actor | None:
        """Whom a token acts for, or None if it is unknown or revoked."""
        with self.db.session() as session:
            row = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(secret))
            ).one_or_none()
            if row is None or row.revoked_at is not None:
                return None
            return Actor(row.user_name, row.role)

    def revoke_token(self, token_id: int) -> TokenRecord | None:
        """Revoke a token at once; its record, or None if there is no such token."""
        with self.db.session() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = self.clock()
            return _token(row)

    def tokens(self) -> list[TokenRecord]:
        """Every token, revoked ones too, oldest first."""
        with self.db.session() as session:
            return [
                _token(r) for r in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))
            ]
