"""Versioned schema migrations (alembic), applied when the gateway starts."""
