"""``$batch``: several calls for one conference travel in one request (at most 20).

msgraph-core's own batch builder needs the ``deprecated`` package, which is not a
dependency here, so the batch body is built from the SDK's request information directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from bot.core.mailbox import OutgoingMail
from graph import convert
from graph.calls import GatewayCalls, once_option
from graph.errors import graph_call

logger = logging.getLogger(__name__)

BATCH_LIMIT = 20  # Graph's documented maximum per $batch


class BatchCalls(GatewayCalls):
    """Calls that go together in one ``$batch``."""

    def _batch_item(self, request_id: str, info: Any) -> dict[str, Any]:
        url = info.url  # absolute, on the adapter's base URL
        base = str(self._adapter.base_url)
        item: dict[str, Any] = {
            "id": request_id,
            "method": str(info.http_method.value),
            "url": url[len(base) :] if url.startswith(base) else url,
        }
        if info.content:
            item["body"] = json.loads(info.content)
            item["headers"] = {"Content-Type": "application/json"}
        return item

    async def _post_batch(self, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from kiota_abstractions.serialization import ParsableFactory
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        info = RequestInformation(Method.POST, "{+baseurl}/$batch")
        info.path_parameters["baseurl"] = self._adapter.base_url
        info.headers.try_add("Accept", "application/json")
        info.set_stream_content(json.dumps({"requests": items}).encode(), "application/json")
        # Sent once: a resent $batch would send again the mails it had already sent. The
        # outbox retries each failed item alone instead (see ``graph.calls.once_option``).
        info.add_request_options([once_option()])
        error_map: dict[str, type[ParsableFactory]] = {"XXX": ODataError}
        raw = await self._adapter.send_primitive_async(info, "bytes", error_map)
        answer = json.loads(raw or b"{}")
        return {str(r["id"]): r for r in answer.get("responses", [])}

    @graph_call
    async def send_mails(self, sender_mailbox: str, mails: Sequence[OutgoingMail]) -> list[int]:
        """Send several mails for one conference; returns each one's HTTP status in order.

        Each item stands alone: Graph runs them independently and answers each with its own
        status (0 here when the answer names no status for it). A failed item is for the
        caller to retry by itself; this never raises for items, only when the ``$batch``
        request as a whole fails.
        """
        from graph.mail import MailCalls

        statuses: list[int] = []
        builder = self._client.users.by_user_id(sender_mailbox).send_mail
        for start in range(0, len(mails), BATCH_LIMIT):
            chunk = mails[start : start + BATCH_LIMIT]
            items = []
            for index, mail in enumerate(chunk, start=start + 1):
                MailCalls._check_attachments(mail)
                body = SendMailPostRequestBody(
                    message=convert.graph_message(mail), save_to_sent_items=True
                )
                items.append(
                    self._batch_item(str(index), builder.to_post_request_information(body))
                )
            responses = await self._post_batch(items)
            statuses.extend(int(responses.get(i["id"], {}).get("status", 0)) for i in items)
        failed = [s for s in statuses if not 200 <= s < 300]
        if failed:
            logger.warning("batch send had %d failure(s)", len(failed))
        return statuses
