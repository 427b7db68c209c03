"""Documents received for a conference: reports, kept for packs and the record."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.conference import Role
from bot.store.base import Store
from bot.store.mapping import document_of
from bot.store.models import DocumentRow
from bot.store.records import StoredDocument


class DocumentStore(Store):
    """Documents by conference."""

    def add_document(
        self,
        conference_id: int,
        *,
        name: str,
        content_type: str,
        content: bytes,
        restricted: bool,
        kind: str = "report",
        from_role: Role | None = None,
        request_id: int | None = None,
    ) -> StoredDocument:
        """Keep a document received for a conference."""
        row = DocumentRow(
            conference_id=conference_id,
            request_id=request_id,
            name=name,
            content_type=content_type,
            content=content,
            restricted=restricted,
            kind=kind,
            from_role=from_role.value if from_role else None,
            received_at=self.clock(),
        )
        with self.db.session() as session:
            session.add(row)
            session.flush()
            return document_of(row)

    def documents(self, conference_id: int) -> list[StoredDocument]:
        """A conference's documents, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(DocumentRow)
                .where(DocumentRow.conference_id == conference_id)
                .order_by(DocumentRow.id)
            ).all()
            return [document_of(row) for row in rows]
