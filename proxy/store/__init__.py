"""Durable state: the database, its schema and migrations, the job rows, teams and keys,
the budget ledger and the leases that let several instances share one store."""
