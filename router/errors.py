"""Errors of the decision side (routing), as opposed to a provider's errors."""

from __future__ import annotations

from tarash_gateway.adapters import TarashError


class UnknownAliasError(TarashError):
    """The client asked for a model alias the config does not define."""

    code = "model_not_found"

    def __init__(self, alias: str, available: list[str]) -> None:
        listing = ", ".join(available) if available else "(none configured)"
        super().__init__(f"The model {alias!r} does not exist. Available models: {listing}")
        self.alias = alias
        self.available = available


class NoDeploymentAvailableError(TarashError):
    """Every deployment that could serve the request is cooling down or at a limit."""

    code = "no_deployment_available"

    def __init__(self, message: str, *, retry_after: float, limited: bool) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        #: True when limits (rpm, parallel jobs) said no; False when breakers did.
        self.limited = limited

    @property
    def is_retryable(self) -> bool:
        return True


class DeploymentGoneError(TarashError):
    """A job's deployment is no longer in the config, so it cannot be polled."""

    code = "deployment_unavailable"
