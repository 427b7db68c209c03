"""The sandbox tenant is reached only on this machine."""

from bot.core.addresses import is_loopback_url


def test_only_localhost_and_loopback_addresses_count_as_this_machine() -> None:
    assert is_loopback_url("http://localhost:8081/v1.0")
    assert is_loopback_url("http://127.0.0.1:8081") and is_loopback_url("http://[::1]:8081")
    assert not is_loopback_url("https://graph.microsoft.com/v1.0")
    assert not is_loopback_url("http://10.0.0.5:8081")
