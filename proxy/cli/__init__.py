"""The ``tarash-gateway`` command line: ``serve``, ``check-config`` and the admin
commands that talk to a running gateway."""
