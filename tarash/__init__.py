"""The predecessor SDK's import root, kept so its users' code runs unchanged.

The predecessor (``pip install tarash-gateway``, versions before this gateway) was
imported as ``tarash.tarash_gateway``. That path now re-exports this project's own
objects (the same classes and functions as :mod:`tarash_gateway`, not copies); new code
should import from :mod:`tarash_gateway`.
"""
