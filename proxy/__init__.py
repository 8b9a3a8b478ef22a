"""The server: Tarash Gateway as an OpenAI-compatible HTTP service.

- ``http/``: the endpoints and what every request passes through;
- ``store/``: the database and everything durable (jobs, teams, keys, ledger, outbox);
- ``workers/``: background work (the job poller, the webhook sender, the config watcher);
- ``cli/``: the ``tarash-gateway`` command line.

``app`` builds the ASGI application, ``gateway`` holds the running services (built in
``services``), and ``jobs`` starts a video job between the HTTP handler and the store.
Providers are reached only through :mod:`tarash_gateway.router`.
"""
