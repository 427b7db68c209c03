"""Tables for the Teams adapter: conversation references and the prompt cards it sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base


class ConversationReferenceRow(Base):
    """Where Teams can reach someone: the SDK's serialised conversation and claims."""

    __tablename__ = "conversation_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512), unique=True)
    # The Entra object id of the person in a personal chat; no name or address.
    user_key: Mapped[str | None] = mapped_column(String(128), index=True, default=None)
    conference_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    reference: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PromptCardRow(Base):
    """The Teams message that shows one prompt, so its card can be replaced once answered."""

    __tablename__ = "teams_prompt_card"
    __table_args__ = (UniqueConstraint("conference_id", "prompt_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(Integer, index=True)
    prompt_id: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str] = mapped_column(String(512))
    activity_id: Mapped[str] = mapped_column(String(512))  # "" until Teams gives one
    sent_at: Mapped[datetime]  # of the latest attempt
    # "sending" from the start of an attempt until Teams answers; then "sent".
    state: Mapped[str] = mapped_column(String(16), default="sent", server_default="sent")
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
