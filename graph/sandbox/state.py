"""The sandbox tenant's in-memory state, kept in Graph's own JSON shapes."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from graph.sandbox.seed import SeedUser

WELL_KNOWN_FOLDERS = ("inbox", "sentitems", "drafts", "deleteditems", "archive")


def now_iso() -> str:
    """The current UTC time as Graph writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(prefix: str) -> str:
    """An opaque, immutable id in the style of Graph's base64 ids."""
    raw = f"{prefix}-{uuid4().hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class GraphFault(Exception):
    """An error to answer with Graph's error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Tenant:
    """Users, calendars, mailboxes, drives and subscriptions of one sandbox tenant."""

    seed: list[SeedUser]
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    transactions: dict[tuple[str, str], str] = field(default_factory=dict)
    online_meetings: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    attendance_reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by meeting
    messages: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    folders: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    changes: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    drives: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    epoch: int = 1  # bumped when delta state is thrown away; old links then answer 410
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    seq: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to the seeded users, with empty calendars, mailboxes and drives."""
        for store in (
            self.users,
            self.events,
            self.transactions,
            self.online_meetings,
            self.attendance_reports,
            self.messages,
            self.attachments,
            self.folders,
            self.changes,
            self.drives,
            self.subscriptions,
        ):
            store.clear()
        self.outbox.clear()
        self.epoch += 1
        for user in self.seed:
            self.users[user.id] = {
                "id": user.id,
                "displayName": user.display_name,
                "mail": user.mail,
                "userPrincipalName": user.mail,
                "jobTitle": user.role or None,
                "businessPhones": [user.business_phone] if user.business_phone else [],
            }
            self.events[user.id] = {}
            self.online_meetings[user.id] = {}
            self.messages[user.id] = {}
            self.folders[user.id] = {
                name: {"id": name, "displayName": name, "parentFolderId": "msgfolderroot"}
                for name in WELL_KNOWN_FOLDERS
            }
            self.drives[f"drive-{user.id}"] = {}

    # -- users ---------------------------------------------------------------

    def user_id(self, key: str, *, must: bool = True) -> str:
        """The user id for an id, an address or a principal name."""
        if key in self.users:
            return key
        low = key.lower()
        for uid, user in self.users.items():
            if str(user["mail"]).lower() == low:
                return uid
        if must:
            raise GraphFault(404, "ErrorInvalidUser", "The requested user is invalid.")
        return ""

    def address(self, uid: str) -> dict[str, str]:
        """The emailAddress object for a user."""
        user = self.users[uid]
        return {"name": str(user["displayName"]), "address": str(user["mail"])}

    # -- mail ------------------------------------------------------------------

    def record_change(self, uid: str, folder: str, message_id: str) -> None:
        """Note that ``message_id`` changed in ``folder``, for delta readers."""
        self.seq = next(self._seq)
        self.changes.setdefault((uid, folder), []).append((self.seq, message_id))

    def folder_id(self, uid: str, key: str) -> str:
        """A folder id from an id or a well-known name."""
        folders = self.folders[uid]
        low = key.lower()
        if low in folders:
            return low
        if key in folders:
            return key
        for fid, folder in folders.items():
            if str(folder["displayName"]).lower() == low:
                return fid
        raise GraphFault(404, "ErrorItemNotFound", "The specified folder could not be found.")

    def deliver(
        self,
        uid: str,
        message: dict[str, Any],
        attachments: list[dict[str, Any]] | None = None,
        folder: str = "inbox",
    ) -> dict[str, Any]:
        """Put a copy of ``message`` in a mailbox folder; returns the stored message."""
        stored = dict(message)
        stored["id"] = new_id("msg")
        stored["parentFolderId"] = folder
        stored.setdefault("receivedDateTime", now_iso())
        stored.setdefault("sentDateTime", stored["receivedDateTime"])
        stored.setdefault("createdDateTime", stored["receivedDateTime"])
        stored["lastModifiedDateTime"] = now_iso()
        stored.setdefault("internetMessageId", f"<{uuid4().hex}@sandbox.example.org>")
        stored.setdefault("conversationId", new_id("conv"))
        stored.setdefault("categories", [])
        stored.setdefault("isRead", folder != "inbox")
        stored.setdefault("isDraft", False)
        stored.setdefault("importance", "normal")
        stored["hasAttachments"] = bool(attachments)
        body = stored.get("body") or {"contentType": "text", "content": ""}
        stored["body"] = body
        stored["bodyPreview"] = str(body.get("content", ""))[:255]
        self.messages[uid][stored["id"]] = stored
        if attachments:
            self.attachments[stored["id"]] = [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "id": new_id("att"),
                    "name": a.get("name", "attachment"),
                    "contentType": a.get("contentType", "application/octet-stream"),
                    "size": len(base64.b64decode(a.get("contentBytes", ""))),
                    "isInline": False,
                    "lastModifiedDateTime": now_iso(),
                    "contentBytes": a.get("contentBytes", ""),
                }
                for a in attachments
            ]
        self.record_change(uid, folder, stored["id"])
        return stored

    def message(self, uid: str, message_id: str) -> dict[str, Any]:
        """A stored message, or Graph's 404."""
        found = self.messages[uid].get(message_id)
        if found is None:
            raise GraphFault(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return found

    def update_message(self, uid: str, message_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        """Apply a PATCH to a message."""
        stored = self.message(uid, message_id)
        for key in ("categories", "isRead", "flag", "importance", "subject"):
            if key in patch:
                stored[key] = patch[key]
        stored["lastModifiedDateTime"] = now_iso()
        self.record_change(uid, stored["parentFolderId"], message_id)
        return stored

    def move_message(self, uid: str, message_id: str, destination: str) -> dict[str, Any]:
        """Move a message; its immutable id stays the same."""
        stored = self.message(uid, message_id)
        target = self.folder_id(uid, destination)
        source = stored["parentFolderId"]
        stored["parentFolderId"] = target
        stored["lastModifiedDateTime"] = now_iso()
        self.record_change(uid, source, message_id)
        self.record_change(uid, target, message_id)
        return stored

    def create_folder(self, uid: str, name: str) -> dict[str, Any]:
        """A new mail folder under the root."""
        folder = {"id": new_id("fld"), "displayName": name, "parentFolderId": "msgfolderroot"}
        self.folders[uid][folder["id"]] = folder
        return folder

    # -- snapshot --------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything, for ``GET /_sandbox/state``."""
        mail: dict[str, list[dict[str, Any]]] = {}
        for uid, items in self.messages.items():
            mail[uid] = [
                {
                    "id": m["id"],
                    "folder": m["parentFolderId"],
                    "subject": m.get("subject", ""),
                    "from": (m.get("from") or {}).get("emailAddress", {}).get("address", ""),
                    "to": [r["emailAddress"]["address"] for r in m.get("toRecipients", [])],
                    "cc": [r["emailAddress"]["address"] for r in m.get("ccRecipients") or []],
                    "categories": m.get("categories", []),
                    "isRead": m.get("isRead", False),
                    "attachments": [a["name"] for a in self.attachments.get(m["id"], [])],
                }
                for m in items.values()
            ]
        return {
            "users": list(self.users.values()),
            "events": {
                uid: [
                    {
                        "id": e["id"],
                        "subject": e.get("subject", ""),
                        "transactionId": e.get("transactionId"),
                        "start": e.get("start"),
                        "end": e.get("end"),
                        "isCancelled": e.get("isCancelled", False),
                        "joinUrl": (e.get("onlineMeeting") or {}).get("joinUrl"),
                        "attendees": [a["emailAddress"]["address"] for a in e.get("attendees", [])],
                    }
                    for e in items.values()
                ]
                for uid, items in self.events.items()
            },
            "mail": mail,
            "outbox": self.outbox,
            "drives": {
                did: [{k: v for k, v in item.items() if k != "content"} for item in items.values()]
                for did, items in self.drives.items()
            },
            "subscriptions": list(self.subscriptions.values()),
        }
