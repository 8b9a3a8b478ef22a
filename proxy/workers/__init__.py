"""Background work inside the server process: the job poller, the webhook sender and
the config watcher."""
