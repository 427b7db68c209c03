"""Errors every layer may name without importing an adapter."""

from __future__ import annotations


class RemoteServiceError(Exception):
    """A service outside confbot (Microsoft Graph, Teams) failed; the action can be retried."""
