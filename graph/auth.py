"""Choosing the credential: client secret, certificate, managed identity, or the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.addresses import is_loopback_url

if TYPE_CHECKING:
    from graph.gateway import GraphGateway

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]


@dataclass(frozen=True, slots=True)
class GraphConnection:
    """How to reach Graph; bot.app builds this from settings."""

    tenant_id: str = ""
    client_id: str = ""
    client_secret: str | None = None
    certificate_path: Path | None = None
    certificate_password: str | None = None
    managed_identity: bool = False
    managed_identity_client_id: str | None = None
    base_url: str | None = None  # None: the real https://graph.microsoft.com/v1.0
    max_retries: int = 5
    mailbox_concurrency: int = 4  # Outlook's per-app, per-mailbox limit

    @property
    def is_sandbox(self) -> bool:
        """True when calls go to a loopback tenant with no credential at all."""
        return (
            self.base_url is not None
            and is_loopback_url(self.base_url)
            and not self.client_secret
            and self.certificate_path is None
            and not self.managed_identity
        )


class ConfigurationError(ValueError):
    """The Graph connection settings do not name a usable credential."""


def credential_for(conn: GraphConnection) -> Any:
    """The azure-identity credential the settings name."""
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

    if conn.managed_identity:
        return ManagedIdentityCredential(client_id=conn.managed_identity_client_id)
    if not conn.tenant_id or not conn.client_id:
        raise ConfigurationError("Graph needs a tenant id and a client id")
    if conn.certificate_path is not None:
        return CertificateCredential(
            conn.tenant_id,
            conn.client_id,
            certificate_path=str(conn.certificate_path),
            password=conn.certificate_password,
        )
    if conn.client_secret:
        return ClientSecretCredential(conn.tenant_id, conn.client_id, conn.client_secret)
    raise ConfigurationError("Graph needs a client secret, a certificate or a managed identity")


def build_gateway(conn: GraphConnection) -> GraphGateway:
    """A gateway using the credential ``conn`` names (anonymous for a loopback sandbox)."""
    from kiota_abstractions.authentication import (
        AnonymousAuthenticationProvider,
    )

    from graph.gateway import GraphGateway

    credential: Any = None
    if conn.is_sandbox:
        provider: Any = AnonymousAuthenticationProvider()
    else:
        if conn.base_url is not None and not conn.base_url.startswith("https://"):
            # A bearer token must never travel in clear text.
            raise ConfigurationError("a credential may only be sent to an https Graph URL")
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )

        credential = credential_for(conn)
        provider = AzureIdentityAuthenticationProvider(credential, scopes=GRAPH_SCOPES)
    return GraphGateway.create(
        provider,
        base_url=conn.base_url,
        max_retries=conn.max_retries,
        mailbox_concurrency=conn.mailbox_concurrency,
        credential=credential,
    )
