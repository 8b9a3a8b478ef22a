"""The gateway's YAML configuration: its schema, and the loader that reports mistakes.

Every mistake is reported as a :class:`ConfigIssue` that names the file, the line and
the field at fault and says what was expected, because a config that is silently
half-applied is worse than one that is refused.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tarash_gateway.adapters import (
    ImageGenerationConfig,
    MockConfig,
    VideoGenerationConfig,
    registered_providers,
)
from tarash_gateway.adapters.defaults import CoerceMode

RoutingStrategy = Literal["weighted", "lowest-cost", "lowest-latency", "least-busy"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeploymentParams(_Strict):
    """One deployment: a provider model that can serve an alias, with its price and limits."""

    provider: str = Field(description="A registered provider name, e.g. `mock`, `fal`.")
    model: str = Field(min_length=1, description="The provider's model id.")
    id: str | None = Field(
        default=None,
        min_length=1,
        description="Stable deployment id; defaults to `<alias>:<provider>:<model>`.",
    )
    api_key: SecretStr | None = Field(
        default=None, description="A secret; write it as `os.environ/NAME`."
    )
    base_url: str | None = None
    api_version: str | None = None
    weight: float = Field(default=1.0, ge=0, description="Relative share of traffic.")
    order: int = Field(
        default=1, ge=1, description="Tier: tier 2 is used only when no tier-1 deployment can."
    )
    cost_per_second: float | None = Field(default=None, ge=0)
    cost_per_video: float | None = Field(default=None, ge=0)
    cost_per_image: float | None = Field(default=None, ge=0)
    rpm: int | None = Field(default=None, gt=0)
    max_parallel_jobs: int | None = Field(default=None, gt=0)
    timeout: float = Field(default=600.0, gt=0, description="Seconds before a job is abandoned.")
    poll_interval: float = Field(default=5.0, gt=0, description="Seconds between polls.")
    max_poll_attempts: int = Field(default=120, gt=0)
    request_timeout: float = Field(default=60.0, gt=0, description="Seconds per provider call.")
    content_redirect: bool = Field(
        default=False,
        description="Answer content downloads with a redirect to the provider's URL instead "
        "of streaming through the gateway (only for URLs that need no credentials).",
    )
    mock: MockConfig | None = None
    provider_config: dict[str, Any] = Field(default_factory=dict)

    @field_validator("provider")
    @classmethod
    def _registered(cls, provider: str) -> str:
        available = registered_providers()
        if provider not in available:
            raise ValueError(
                f"unknown provider {provider!r}; expected one of: {', '.join(available)}"
            )
        return provider


class ModelEntry(_Strict):
    """One line of `model_list`: the alias clients call, and one deployment behind it."""

    model_name: str = Field(min_length=1, pattern=r"^\S+$", description="The alias.")
    params: DeploymentParams


class CooldownSettings(_Strict):
    failure_ratio: float = Field(default=0.5, gt=0, le=1)
    window_seconds: float = Field(default=60.0, gt=0)
    min_requests: int = Field(default=5, ge=1)
    seconds: float = Field(default=30.0, ge=0)


class JobSettings(_Strict):
    """The rules every job follows between submit and its final state, the same in the
    server's poller and in the library (router/jobs.py applies them)."""

    max_poll_failures: int = Field(
        default=10,
        ge=1,
        description="Consecutive failed polls (network errors, 5xx) after which the "
        "upstream job is abandoned: cancelled, then resubmitted or failed.",
    )
    poll_backoff_max_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Ceiling of the backoff between failed polls (the poll interval, "
        "doubled per consecutive failure).",
    )
    submit_grace_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A job still without a provider id after this long was orphaned by a "
        "crash mid-submit and is submitted again.",
    )


class RouterSettings(_Strict):
    routing_strategy: RoutingStrategy = "weighted"
    strategy_per_alias: dict[str, RoutingStrategy] = Field(
        default_factory=dict, description="Overrides `routing_strategy` for these aliases."
    )
    num_retries: int = Field(
        default=2, ge=0, description="Extra attempts on other deployments of the same alias."
    )
    retry_backoff_seconds: float = Field(
        default=0.2, ge=0, description="Base of the exponential backoff (with jitter)."
    )
    fallbacks: list[dict[str, list[str]]] = Field(default_factory=list)
    moderation_fallbacks: list[str] = Field(
        default_factory=list,
        description="Aliases whose fallbacks are also tried after a moderation refusal.",
    )
    cooldown: CooldownSettings = Field(default_factory=CooldownSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    coerce: CoerceMode = Field(
        default="exact",
        description="What a requested duration, resolution or aspect ratio a deployment's "
        "model cannot make does: `exact` rules the deployment out (a 400 naming the allowed "
        "values when none is left); `nearest` uses the nearest value the model makes and "
        "says so on the Video and in the `x-tarash-coerced` header.",
    )
    coerce_per_alias: dict[str, CoerceMode] = Field(
        default_factory=dict, description="Overrides `coerce` for these aliases."
    )

    def strategy_for(self, alias: str) -> RoutingStrategy:
        return self.strategy_per_alias.get(alias, self.routing_strategy)

    def coerce_for(self, alias: str) -> CoerceMode:
        return self.coerce_per_alias.get(alias, self.coerce)

    def fallbacks_for(self, alias: str) -> list[str]:
        """The aliases to try, in order, after ``alias`` is exhausted."""
        chain: list[str] = []
        for rule in self.fallbacks:
            chain.extend(target for target in rule.get(alias, []) if target not in chain)
        return chain


class GeneralSettings(_Strict):
    master_key: SecretStr = Field(
        min_length=1,
        description="Bearer key with full access; write it as `os.environ/NAME` in production.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        min_length=1,
        description="When set, `GET /metrics` needs `Authorization: Bearer <this token>` "
        "(or the master key): the metrics show per-team spend. Unset, `/metrics` is open, "
        "for a scraper on a private network.",
    )
    database_url: str = Field(default="sqlite:///./tarash.db", min_length=1)
    redis_url: str | None = None
    max_request_body_bytes: int = Field(
        default=25 * 1024 * 1024, gt=0, description="Larger request bodies get HTTP 413."
    )
    poller_concurrency: int = Field(
        default=64, gt=0, description="Upstream polls the server runs at once."
    )
    webhook_retry_base_seconds: float = Field(
        default=5.0, gt=0, description="First retry delay; doubles per attempt (max 1 h)."
    )
    webhook_max_retry_seconds: float = Field(
        default=86400.0, gt=0, description="Stop retrying an event this long after it."
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long an instance owns a job it polls; a dead instance's jobs "
        "are taken over by another after this.",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a virtual key lookup is reused without reading the database. "
        "Changes made through this instance apply at once; changes made through another "
        "instance (a revoke, a new allowlist) apply within this time. 0 turns it off.",
    )
    log_prompts: bool = Field(
        default=False, description="Include prompts in logs (off: prompts may be private)."
    )
    media_dir: str = Field(
        default="./tarash-media",
        description="Where results that arrive as bytes (not URLs) are written to be served.",
    )
    public_url: str | None = Field(
        default=None,
        description="The gateway's own address as providers reach it (e.g. "
        "`https://gateway.example.com`). When set, an uploaded `input_reference` sent to a "
        "provider that only fetches image URLs (Luma) is served from "
        "`<public_url>/v1/inputs/<token>`, a signed link that expires after "
        "`input_url_seconds`. Unset, such a request is a 400 unless the image is a URL "
        "(`input_reference[image_url]`) or the provider has its own upload API.",
    )
    input_url_seconds: float = Field(
        default=3600.0,
        gt=0,
        le=7 * 86400,
        description="How long a signed input image link under `public_url` works; "
        "providers fetch inputs when a job starts, so an hour is ample.",
    )
    max_json_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        gt=0,
        description="Larger JSON bodies get HTTP 413 while they arrive, before parsing "
        "(JSON is parsed on the event loop); send large images as multipart uploads.",
    )
    max_json_depth: int = Field(
        default=32, gt=0, le=200, description="JSON nested deeper than this is a 400."
    )
    max_json_items: int = Field(
        default=10_000,
        gt=0,
        description="JSON bodies with more keys and array elements than this are a 400.",
    )
    max_extra_params_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="Largest serialized size of the unknown (provider-specific) fields of "
        "one create; they are stored with the video, so larger sets are a 400.",
    )
    outbound_allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs (e.g. `10.20.0.0/16`) the gateway may connect to when it fetches "
        "a URL a provider returned, although they are private, loopback or link-local "
        "(media servers on an internal network). Public addresses and the host of the "
        "deployment's own `base_url` are always allowed; nothing else is.",
    )
    max_fetched_image_bytes: int = Field(
        default=50 * 1024 * 1024,
        gt=0,
        description="Largest provider image the gateway fetches into memory (to answer "
        "`b64_json`); a larger one is a 502.",
    )
    image_fetch_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        description="Total time allowed to fetch one provider image, redirects included.",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://gateway.example.com")
        if parsed.query or parsed.fragment:
            raise ValueError(f"{value!r} must not carry a query or fragment")
        return value.rstrip("/")

    @field_validator("outbound_allow_networks")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"{value!r} is not a CIDR network such as 10.0.0.0/8") from None
        return values


class GatewayConfig(_Strict):
    """The whole file."""

    model_list: list[ModelEntry] = Field(min_length=1)
    router_settings: RouterSettings = Field(default_factory=RouterSettings)
    general_settings: GeneralSettings

    def secret_values(self) -> list[str]:
        """Every secret in the file (master key, provider keys), for log redaction."""
        return _secret_values(self)


def _secret_values(config: GatewayConfig) -> list[str]:
    settings = config.general_settings
    values = [settings.master_key.get_secret_value()]
    if settings.metrics_token is not None:
        values.append(settings.metrics_token.get_secret_value())
    values.extend(
        entry.params.api_key.get_secret_value()
        for entry in config.model_list
        if entry.params.api_key is not None
    )
    return values


class Deployment:
    """A deployment as the router uses it: its resolved id, alias and provider config."""

    __slots__ = ("alias", "id", "image_config", "params", "video_config")

    def __init__(self, alias: str, deployment_id: str, params: DeploymentParams) -> None:
        self.alias = alias
        self.id = deployment_id
        self.params = params
        common = {
            "provider": params.provider,
            "model": params.model,
            "api_key": params.api_key,
            "base_url": params.base_url,
            "api_version": params.api_version,
            "mock": params.mock,
            "provider_config": params.provider_config,
            "request_timeout": params.request_timeout,
        }
        self.video_config = VideoGenerationConfig(
            **common,
            timeout=params.timeout,
            poll_interval=params.poll_interval,
            max_poll_attempts=params.max_poll_attempts,
        )
        self.image_config = ImageGenerationConfig(**common)

    def cost(self, seconds: float | None) -> float:
        """USD for one video of ``seconds``: the per-video price, else seconds times per-second."""
        if self.params.cost_per_video is not None:
            return self.params.cost_per_video
        if self.params.cost_per_second is None or not seconds:
            return 0.0
        return round(self.params.cost_per_second * seconds, 6)

    def image_cost(self, n: int) -> float:
        return round((self.params.cost_per_image or 0.0) * n, 6)

    def __repr__(self) -> str:
        return f"Deployment(id={self.id!r}, provider={self.params.provider!r})"


def deployment_ids(config: GatewayConfig) -> list[str]:
    """Each `model_list` entry's id: explicit, or `<alias>:<provider>:<model>` (`#n` on repeats)."""
    ids: list[str] = []
    seen_default: dict[str, int] = {}
    for entry in config.model_list:
        params = entry.params
        if params.id is not None:
            ids.append(params.id)
            continue
        base = f"{entry.model_name}:{params.provider}:{params.model}"
        count = seen_default.get(base, 0) + 1
        seen_default[base] = count
        ids.append(base if count == 1 else f"{base}#{count}")
    return ids


def build_deployments(config: GatewayConfig) -> dict[str, list[Deployment]]:
    """Group `model_list` by alias, each deployment with its id."""
    by_alias: dict[str, list[Deployment]] = {}
    for entry, deployment_id in zip(config.model_list, deployment_ids(config), strict=True):
        by_alias.setdefault(entry.model_name, []).append(
            Deployment(entry.model_name, deployment_id, entry.params)
        )
    return by_alias
