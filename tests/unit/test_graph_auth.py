"""Choosing the Graph credential from the connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.auth import ConfigurationError, GraphConnection, build_gateway, credential_for


def test_loopback_url_without_credentials_is_the_anonymous_sandbox() -> None:
    assert GraphConnection(base_url="http://127.0.0.1:8081/v1.0").is_sandbox
    assert GraphConnection(base_url="http://localhost:8081/v1.0").is_sandbox
    assert not GraphConnection(base_url="https://graph.microsoft.com/v1.0").is_sandbox
    assert not GraphConnection().is_sandbox


async def test_sandbox_gateway_uses_the_given_base_url_without_trailing_slash() -> None:
    gateway = build_gateway(GraphConnection(base_url="http://127.0.0.1:9/v1.0/"))
    try:
        assert gateway.base_url == "http://127.0.0.1:9/v1.0"
    finally:
        await gateway.aclose()


async def test_client_secret_chooses_a_client_secret_credential() -> None:
    conn = GraphConnection(tenant_id="t", client_id="c", client_secret="s")
    credential = credential_for(conn)
    assert type(credential).__name__ == "ClientSecretCredential"
    await credential.close()


async def test_managed_identity_wins_over_other_settings() -> None:
    conn = GraphConnection(tenant_id="t", client_id="c", client_secret="s", managed_identity=True)
    credential = credential_for(conn)
    assert type(credential).__name__ == "ManagedIdentityCredential"
    await credential.close()


def test_certificate_chooses_a_certificate_credential(tmp_path: Path) -> None:
    conn = GraphConnection(tenant_id="t", client_id="c", certificate_path=tmp_path / "none.pem")
    # azure-identity reads the file at construction; a missing file proves the choice.
    with pytest.raises((OSError, ValueError)):
        credential_for(conn)


def test_no_credential_at_all_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        credential_for(GraphConnection(tenant_id="t", client_id="c"))


def test_a_token_is_never_sent_over_plain_http() -> None:
    conn = GraphConnection(
        tenant_id="t", client_id="c", client_secret="s", base_url="http://graph.example.org/v1.0"
    )
    with pytest.raises(ConfigurationError):
        build_gateway(conn)


async def test_tenant_gateway_authenticates_with_the_chosen_credential_and_closes_it() -> None:
    conn = GraphConnection(tenant_id="t", client_id="c", client_secret="s")
    gateway = build_gateway(conn)
    try:
        assert gateway.base_url == "https://graph.microsoft.com/v1.0"
        assert type(gateway._credential).__name__ == "ClientSecretCredential"
    finally:
        await gateway.aclose()
