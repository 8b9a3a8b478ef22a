"""Alembic environment: migrations run on the connection the gateway hands over."""

from __future__ import annotations

from alembic import context

from tarash_gateway.proxy.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through proxy.database.Database.open()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
