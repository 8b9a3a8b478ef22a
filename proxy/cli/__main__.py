"""``python -m tarash_gateway.proxy.cli``: the same command as ``tarash-gateway``."""

from tarash_gateway.proxy.cli.main import main

main()
