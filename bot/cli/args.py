"""Argument types shared by the `confbot` subcommands: times and lengths."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from pydantic_core import PydanticCustomError

from bot.core.durations import parse_duration
from bot.core.workdays import LONDON


def moment(text: str) -> datetime:
    """An ISO date and time; one without a zone is London time, as the councils write it."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def fixed_duration(text: str) -> timedelta:
    """A length in minutes or hours, such as ``20m`` or ``2 hours``."""
    try:
        duration = parse_duration(text)
    except PydanticCustomError as error:
        raise argparse.ArgumentTypeError(error.message()) from None
    if not duration.is_fixed:
        raise argparse.ArgumentTypeError(f"give minutes or hours, not {duration}")
    return duration.as_timedelta()
