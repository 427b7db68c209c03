"""Errors every layer may name without importing an adapter."""

from __future__ import annotations


class RemoteServiceError(Exception):
    """A service outside confbot (Microsoft Graph, Teams) failed; the action can be retried."""


class ActionRefused(Exception):
    """An action the conference's state or its playbook does not allow; the message says why.

    The one refusal every layer raises and the web maps to HTTP 409. The message is plain
    English a person can act on, and names steps in words, never by their internal ids.
    """


class NotFound(LookupError):
    """No record with that id or reference."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r}")


class NotCompleted(ActionRefused):
    """Microsoft 365 failed part-way; every step is idempotent, so the action can be repeated."""

    def __init__(self) -> None:
        super().__init__("Microsoft 365 did not complete this. Nothing was lost: please try again.")


class InvalidInput(ValueError):
    """What a person sent is malformed (HTTP 400); the message names the field."""
