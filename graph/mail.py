"""Mailbox calls: read the request mailbox by delta, mark what is done, send mail."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from msgraph.generated.models.message import Message
from msgraph.generated.users.item.messages.item.move.move_post_request_body import (
    MovePostRequestBody,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from bot.core.mailbox import Attachment, DeltaResult, InboundMessage, OutgoingMail
from graph import convert
from graph.calls import IMMUTABLE_IDS, GatewayCalls
from graph.errors import SyncStateExpired, graph_call

logger = logging.getLogger(__name__)

PROCESSED_CATEGORY = "confbot: processed"
DELTA_PAGE_SIZE = 50
# Exchange's clock and ours may differ a little: a copy this much older still counts.
CLOCK_SKEW = timedelta(minutes=5)


class RestrictedAttachmentError(ValueError):
    """A restricted document (police, third party) was about to leave by email."""


class MailCalls(GatewayCalls):
    """Read, mark and send mail."""

    delta_page_size: int = DELTA_PAGE_SIZE  # Graph may send fewer; it never sends more

    @graph_call
    async def read_inbox_delta(self, mailbox: str, delta_link: str | None) -> DeltaResult:
        """New and removed inbox messages since ``delta_link`` (None: everything)."""
        try:
            return await self._read_delta(mailbox, delta_link, resynced=False)
        except SyncStateExpired:
            if delta_link is None:
                raise
            # The stored link is gone: read everything again. The caller de-duplicates
            # replays by immutable id, which is why ``resynced`` is set.
            logger.warning("delta link expired; resyncing the inbox")
            return await self._read_delta(mailbox, None, resynced=True)

    async def _read_delta(self, mailbox: str, link: str | None, *, resynced: bool) -> DeltaResult:
        from graph.errors import translate

        builder = (
            self._client.users.by_user_id(mailbox)
            .mail_folders.by_mail_folder_id("inbox")
            .messages.delta
        )
        config = self._config(prefer=(IMMUTABLE_IDS, f"odata.maxpagesize={self.delta_page_size}"))
        seen: dict[str, Any] = {}
        removed: dict[str, None] = {}
        url = link
        while True:
            try:
                page = await (builder.with_url(url) if url else builder).get(config)
            except Exception as err:
                mapped = translate(err)
                if isinstance(mapped, SyncStateExpired):
                    raise mapped from err
                raise
            for item in (page.value if page else None) or []:
                if item.additional_data and "@removed" in item.additional_data:
                    seen.pop(str(item.id), None)
                    removed[str(item.id)] = None
                else:
                    removed.pop(str(item.id), None)
                    seen[str(item.id)] = item  # the latest version wins: replays collapse
            if page is not None and page.odata_next_link:
                url = page.odata_next_link
                continue
            delta_link = (page.odata_delta_link if page else None) or ""
            break
        messages: list[InboundMessage] = []
        for item in seen.values():
            attachments = await self._attachments(mailbox, item) if item.has_attachments else ()
            messages.append(convert.inbound_message(item, attachments))
        return DeltaResult(
            messages=messages,
            removed_ids=list(removed),
            delta_link=delta_link,
            resynced=resynced,
        )

    async def _attachments(self, mailbox: str, item: Any) -> tuple[Attachment, ...]:
        page = (
            await self._client.users.by_user_id(mailbox)
            .messages.by_message_id(str(item.id))
            .attachments.get(self._config(prefer=(IMMUTABLE_IDS,)))
        )
        found = (convert.domain_attachment(a) for a in (page.value if page else None) or [])
        return tuple(a for a in found if a is not None)

    @graph_call
    async def mark_processed(
        self,
        mailbox: str,
        message_id: str,
        *,
        category: str = PROCESSED_CATEGORY,
        folder: str | None = None,
        known_categories: Sequence[str] | None = None,
    ) -> str:
        """Mark a message done, by category or by moving it; never by ``isRead`` alone.

        People read that mailbox too, so read/unread is theirs. Pass ``known_categories``
        (as read by delta) to save the read of the current ones. Returns the message id
        afterwards (unchanged with immutable ids).
        """
        item = self._client.users.by_user_id(mailbox).messages.by_message_id(message_id)
        if folder is not None:
            moved = await item.move.post(
                MovePostRequestBody(destination_id=folder), self._config(prefer=(IMMUTABLE_IDS,))
            )
            return str(moved.id) if moved is not None and moved.id else message_id
        if known_categories is None:  # read them, so people's own categories are kept
            current = await item.get(self._select(["categories"]))
            known_categories = (current.categories if current else None) or []
        categories = list(known_categories)
        if category not in categories:
            categories.append(category)
            await item.patch(Message(categories=categories))
        return message_id

    def _select(self, fields: list[str]) -> Any:
        from msgraph.generated.users.item.messages.item.message_item_request_builder import (
            MessageItemRequestBuilder,
        )

        query = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(select=fields)
        return self._config(query, prefer=(IMMUTABLE_IDS,))

    @graph_call
    async def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> None:
        """Send ``mail`` from ``sender_mailbox``, keeping a copy in Sent Items; tried once.

        Not retried here: a failure may have sent it (see ``graph.calls.once_option``).
        """
        self._check_attachments(mail)
        body = SendMailPostRequestBody(message=convert.graph_message(mail), save_to_sent_items=True)
        await self._client.users.by_user_id(sender_mailbox).send_mail.post(
            body, self._config(once=True)
        )
        logger.info("mail sent", extra={"purpose": mail.purpose})

    @graph_call
    async def find_sent(self, sender_mailbox: str, key: str, since: datetime) -> bool:
        """Whether a message carrying outbox ``key``, made at or after ``since``, was accepted.

        ``sendMail`` first saves the message in the sender's Drafts, answers 202, and only
        then does transport move it to Sent Items (Microsoft's "Send mail by using the
        Microsoft Graph API"). So an accepted message is in one of the two; Drafts is asked
        first, so a move between the two questions cannot hide it. Copies older than
        ``since`` (an old store's, with the same key) do not count.
        """
        from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (  # noqa: E501
            MessagesRequestBuilder,
        )

        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            filter=convert.outbox_key_filter(key), select=["id", "createdDateTime"], top=10
        )
        folders = self._client.users.by_user_id(sender_mailbox).mail_folders
        for folder in ("drafts", "sentitems"):
            page = await folders.by_mail_folder_id(folder).messages.get(
                self._config(query, prefer=(IMMUTABLE_IDS,))
            )
            for item in (page.value if page else None) or []:
                made = item.created_date_time
                if made is None or made.astimezone(UTC) >= since - CLOCK_SKEW:
                    return True
        return False

    @staticmethod
    def _check_attachments(mail: OutgoingMail) -> None:
        # The last line of defence for the safety rule: restricted documents never go by email.
        if any(a.restricted for a in mail.attachments):
            raise RestrictedAttachmentError("a restricted document may not be sent by email")
