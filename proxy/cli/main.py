"""The ``tarash-gateway`` command: ``serve`` and ``check-config``."""

from __future__ import annotations

import gc
import importlib
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from tarash_gateway.proxy.cli.admin import keys_app, spend, teams_app
from tarash_gateway.proxy.http.server import (
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_HEADER_BYTES,
    client_limits,
    protocol_class,
)
from tarash_gateway.proxy.logs import configure as configure_logging
from tarash_gateway.router import ConfigError, GatewayConfig, Router, load_config

KEEP_ALIVE_SECONDS = 75
"""How long an idle client connection stays open. A server that closes an idle connection
at the very moment the client sends its next request on it makes that request fail with
no answer: the client cannot tell whether a create was received. Keeping connections
longer than clients do makes the client close first: the openai SDK (httpx) drops idle
connections after 5 s, and load balancers commonly after 60 s. uvicorn's own default is
5 s, which raced the SDK's: about one create in 10 000 saw its connection reset."""

app = typer.Typer(
    name="tarash-gateway",
    help="An OpenAI-compatible gateway for AI video providers.",
    no_args_is_help=True,
    add_completion=False,
)

app.add_typer(teams_app, name="teams")
app.add_typer(keys_app, name="keys")
app.command("spend")(spend)

Imports = Annotated[
    list[str] | None,
    typer.Option(
        "--import",
        help="A module to import first, e.g. one that calls register_provider() for a "
        "custom provider (repeatable).",
    ),
]


def _import_plugins(modules: list[str] | None) -> None:
    for name in modules or []:
        try:
            importlib.import_module(name)
        except ImportError as error:
            typer.echo(f"cannot import {name}: {error}", err=True)
            raise typer.Exit(code=1) from None


ConfigPath = Annotated[
    Path,
    typer.Argument(help="The YAML config file.", envvar="TARASH_CONFIG", show_default=True),
]


def _load_or_exit(path: Path) -> GatewayConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        typer.echo(f"{path}: {len(error.issues)} problem(s) found:", err=True)
        for issue in error.issues:
            typer.echo(f"  {issue}", err=True)
        raise typer.Exit(code=1) from None


@app.command("check-config")
def check_config(config: ConfigPath = Path("config.yaml"), imports: Imports = None) -> None:
    """Validate a config file; print every problem with its line, exit 1 if any."""
    _import_plugins(imports)
    loaded = _load_or_exit(config)
    router = Router(loaded)
    typer.echo(f"{config}: OK")
    for warning in router.config_warnings():
        typer.echo(f"  warning: {warning}", err=True)
    for alias in router.aliases:
        typer.echo(f"  {alias}")
        for deployment in router.deployments(alias):
            params = deployment.params
            typer.echo(
                f"    - {deployment.id} ({params.provider} {params.model}, "
                f"weight {params.weight:g})"
            )


ServeConfig = Annotated[
    Path, typer.Option("--config", "-c", help="The YAML config file.", envvar="TARASH_CONFIG")
]
KeepAlive = Annotated[
    int,
    typer.Option(
        min=1,
        help="Seconds an idle client connection stays open; keep it above the idle "
        "timeout of your clients and load balancer.",
        envvar="TARASH_KEEP_ALIVE_TIMEOUT",
    ),
]
MaxHeaderBytes = Annotated[
    int,
    typer.Option(
        min=256,
        help="Largest request line plus headers, in bytes; a larger one is answered "
        "431 and closed as soon as that many bytes have arrived, without buffering "
        "the rest.",
        envvar="TARASH_MAX_HEADER_BYTES",
    ),
]
HeaderTimeout = Annotated[
    float,
    typer.Option(
        min=0.1,
        help="Seconds a client has to send a request's complete headers, counted from "
        "connecting (or from the first byte of a later request on a kept-alive "
        "connection); slower ones are answered 408 and closed. Idle kept-alive "
        "connections fall under --keep-alive-timeout instead.",
        envvar="TARASH_HEADER_TIMEOUT",
    ),
]
MaxConnections = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Most client connections open at once. Past it, a new connection closes "
        "the oldest one without a running request (slow headers first, then idle "
        "kept-alive); if every one is running a request, the new one gets a 503. "
        "Default: half the file-descriptor limit (raised to its hard limit at "
        "start), at most 10000.",
        show_default=False,
        envvar="TARASH_MAX_CONNECTIONS",
    ),
]


@app.command()
def serve(
    config: ServeConfig = Path("config.yaml"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 4000,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    watch: Annotated[bool, typer.Option(help="Reload the config when the file changes.")] = True,
    keep_alive_timeout: KeepAlive = KEEP_ALIVE_SECONDS,
    max_header_bytes: MaxHeaderBytes = DEFAULT_MAX_HEADER_BYTES,
    header_timeout: HeaderTimeout = DEFAULT_HEADER_TIMEOUT,
    max_connections: MaxConnections = None,
    imports: Imports = None,
) -> None:
    """Start the gateway; refuses to start on an invalid config."""
    import uvicorn

    from tarash_gateway.proxy.app import create_app

    _import_plugins(imports)
    loaded = _load_or_exit(config)
    configure_logging(log_level, loaded.secret_values())
    limits = client_limits(max_header_bytes, header_timeout, max_connections)
    typer.echo(f"Tarash Gateway on http://{host}:{port}/v1 (config {config}, pid {os.getpid()})")
    gateway_app = create_app(
        loaded,
        config_path=config,
        watch_config=watch,
        instance_id=os.environ.get("TARASH_INSTANCE_ID") or f"{socket.gethostname()}:{port}",
    )
    # Everything imported so far lives as long as the process. Freezing it keeps the
    # garbage collector's full passes from walking it again and again: unfrozen, those
    # passes stalled every request for 60-125 ms every few seconds under load.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        gateway_app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,  # keep the JSON logging configured above
        access_log=False,
        timeout_graceful_shutdown=30,
        timeout_keep_alive=keep_alive_timeout,
        http=protocol_class(limits),
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
