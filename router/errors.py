"""Errors of the decision side (routing), as opposed to a provider's errors."""

from __future__ import annotations

from adapters import TarashError


class UnknownAliasError(TarashError):
    """The client asked for a model alias the config does not define."""

    code = "model_not_found"

    def __init__(self, alias: str, available: list[str]) -> None:
        listing = ", ".join(available) if available else "(none configured)"
        super().__init__(f"The model {alias!r} does not exist. Available models: {listing}")
        self.alias = alias
        self.available = available


class DeploymentGoneError(TarashError):
    """A job's deployment is no longer in the config, so it cannot be polled."""

    code = "deployment_unavailable"
