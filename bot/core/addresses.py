"""Where a URL points: the sandbox tenant may only be reached on this machine."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_url(value: str) -> bool:
    """Whether ``value`` points at this machine ("localhost" or a loopback address)."""
    host = urlsplit(value).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
