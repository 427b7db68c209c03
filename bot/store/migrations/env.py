"""Alembic environment: runs migrations on the engine confbot hands over."""

from __future__ import annotations

from alembic import context

from bot.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # One transaction for the whole upgrade, SQLite included: all of it or none of it.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
