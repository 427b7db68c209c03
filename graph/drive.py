"""Files and subscriptions: minutes uploaded to a drive, and mailbox change notifications."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from msgraph.generated.models.subscription import Subscription as GraphSubscription

from bot.core.mailbox import Subscription
from graph.calls import GatewayCalls
from graph.errors import GraphError, graph_call

logger = logging.getLogger(__name__)


def inbox_resource(mailbox: str) -> str:
    """The subscription resource for a mailbox's inbox messages."""
    return f"users/{mailbox}/mailFolders('inbox')/messages"


def _subscription(item: GraphSubscription, fallback_url: str = "") -> Subscription:
    expires = item.expiration_date_time or datetime.now(UTC)
    return Subscription(
        id=str(item.id),
        resource=item.resource or "",
        notification_url=item.notification_url or fallback_url,
        expires_at=expires.astimezone(UTC),
        client_state=item.client_state or "",
    )


class DriveCalls(GatewayCalls):
    """Upload files to a drive; manage change-notification subscriptions."""

    @graph_call
    async def upload_file(self, owner: str, folder: str, name: str, content: bytes) -> str:
        """Put ``content`` at ``folder/name`` in ``owner``'s drive; returns its web URL."""
        # Simple upload takes up to 250 MB; minutes are far smaller.
        drive = await self._client.users.by_user_id(owner).drive.get()
        if drive is None or not drive.id:
            raise GraphError("the owner has no drive")
        path = "/".join(part for part in [*folder.strip("/").split("/"), name] if part)
        item = await (
            self._client.drives.by_drive_id(drive.id)
            .items.by_drive_item_id(f"root:/{path}:")
            .content.put(content)
        )
        return str(item.web_url) if item is not None and item.web_url else ""

    @graph_call
    async def create_subscription(
        self,
        mailbox: str,
        notification_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> Subscription:
        """Ask Graph to POST to ``notification_url`` when mail arrives in the inbox."""
        body = GraphSubscription(
            change_type="created",
            notification_url=notification_url,
            resource=inbox_resource(mailbox),
            expiration_date_time=expires_at.astimezone(UTC),
            client_state=client_state,
        )
        created = await self._client.subscriptions.post(body)
        return _subscription(created, notification_url)

    @graph_call
    async def renew_subscription(self, subscription_id: str, expires_at: datetime) -> Subscription:
        """Push a subscription's expiry out (mail subscriptions last under 7 days)."""
        body = GraphSubscription(expiration_date_time=expires_at.astimezone(UTC))
        renewed = await self._client.subscriptions.by_subscription_id(subscription_id).patch(body)
        return _subscription(renewed)

    @graph_call
    async def delete_subscription(self, subscription_id: str) -> None:
        """Stop a subscription."""
        await self._client.subscriptions.by_subscription_id(subscription_id).delete()
