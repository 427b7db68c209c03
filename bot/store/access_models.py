"""Tables for who may sign in: web sessions, one-time sign-in codes and API tokens.

Each holds the SHA-256 of its secret, never the secret itself: a copy of the database
signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base

HASH_LENGTH = 64  # hex SHA-256


class WebSessionRow(Base):
    """One signed-in browser: ended by signing out, by an admin, or by its expiry."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInCodeRow(Base):
    """A one-time sign-in code, as printed at start in sandbox mode: used once, within minutes."""

    __tablename__ = "sign_in_code"

    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiTokenRow(Base):
    """A script's bearer token: it acts as its owner, with the role it was given, until revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    user_name: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
