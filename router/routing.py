"""Choosing deployments for an alias and running job steps on them.

The proxy talks to providers only through :class:`Router`: capability filtering,
strategies, tiers, limits, breakers, retries with backoff and alias fallbacks all live
here, so the HTTP layer stays ignorant of providers and the same routing runs
in-process (:meth:`Router.from_yaml`).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tarash_gateway.adapters import (
    AttemptRecord,
    ContentModerationError,
    ExecutionMetadata,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    SubmittedJob,
    TarashError,
    ValidationError,
    VideoGenerationRequest,
    VideoGenerationResponse,
    provider_for,
)
from tarash_gateway.adapters.defaults import Resolved, resolve_request
from tarash_gateway.adapters.extras import ProtectedFieldError, check_extra_params
from tarash_gateway.adapters.field_mappers import Capabilities, check_capabilities
from tarash_gateway.adapters.polling import ProgressCallback, follow_job
from tarash_gateway.adapters.redact import remember_secrets
from tarash_gateway.adapters.registry import image_provider_for
from tarash_gateway.adapters.uploads import Publisher
from tarash_gateway.router.config import Deployment, GatewayConfig, build_deployments
from tarash_gateway.router.errors import (
    DeploymentGoneError,
    NoDeploymentAvailableError,
    UnknownAliasError,
)
from tarash_gateway.router.health import HealthBook
from tarash_gateway.router.loader import load_config
from tarash_gateway.router.shared import SharedState
from tarash_gateway.router.strategies import rank, weighted_order

MAX_BACKOFF_SECONDS = 5.0


@dataclass
class Submission:
    """A job the provider accepted, where, and every attempt it took to get there."""

    deployment: Deployment
    job: SubmittedJob
    attempts: list[AttemptRecord] = field(default_factory=list)
    waited: float = 0.0
    """Seconds spent in retry backoff."""
    resolved: Resolved | None = None
    """The request as this deployment sent it (its model's defaults filled in, values
    coerced where the alias allows), and what was changed."""

    @property
    def provider_seconds(self) -> float:
        """Time spent in provider calls and backoff: not the gateway's own overhead."""
        return self.waited + sum(attempt.elapsed_seconds for attempt in self.attempts)


class Router:
    """Routes aliases to deployments for one loaded config."""

    def __init__(
        self,
        config: GatewayConfig,
        rng: random.Random | None = None,
        *,
        health: HealthBook | None = None,
        previous: Router | None = None,
        shared: SharedState | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.config = config
        #: Serves uploaded input images at URLs for providers that only fetch URLs (the
        #: gateway's signed ``/v1/inputs`` links); None in the library: such a provider
        #: then refuses an uploaded image with a 400 naming ``general_settings.public_url``.
        self.publisher = publisher
        self.settings = config.router_settings
        remember_secrets(config.secret_values())  # masked in every error message from now on
        self._rng = rng or random.Random()
        self.health = health or HealthBook(config.router_settings.cooldown)
        self.health.settings = config.router_settings.cooldown
        #: Redis-backed state shared with other instances (None: this process alone).
        self.shared = shared
        self._by_alias = build_deployments(config)
        self._by_id = {d.id: d for group in self._by_alias.values() for d in group}
        # Jobs started under an earlier config finish on the deployment they started on.
        self._retired: dict[str, Deployment] = {}
        if previous is not None:
            for deployment_id, deployment in {**previous._retired, **previous._by_id}.items():
                if deployment_id not in self._by_id:
                    self._retired[deployment_id] = deployment

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str], rng: random.Random | None = None) -> Router:
        """The YAML routing, in-process: ``await Router.from_yaml(p).generate_video(...)``."""
        return cls(load_config(path), rng)

    # -- lookup ------------------------------------------------------------------------

    @property
    def aliases(self) -> list[str]:
        """Every alias clients may call, sorted."""
        return sorted(self._by_alias)

    def deployments(self, alias: str) -> Sequence[Deployment]:
        """The deployments behind ``alias``; :class:`UnknownAliasError` lists the valid ones."""
        try:
            return self._by_alias[alias]
        except KeyError:
            raise UnknownAliasError(alias, self.aliases) from None

    def deployment(self, deployment_id: str) -> Deployment:
        """A deployment by id, current or retired by a reload, for jobs already on it."""
        found = self._by_id.get(deployment_id) or self._retired.get(deployment_id)
        if found is None:
            raise DeploymentGoneError(f"deployment {deployment_id!r} is no longer configured")
        return found

    def config_warnings(self) -> list[str]:
        """Each deployment's adapter warnings (``deployment-id: text``): calls that will
        fail although the config is valid, such as a shut-down endpoint."""
        warnings: list[str] = []
        for alias in self.aliases:
            for deployment in self.deployments(alias):
                config = deployment.video_config
                for text in provider_for(config).config_warnings(config):
                    warnings.append(f"{deployment.id}: {text}")
        return warnings

    def pick(self, alias: str) -> Deployment:
        """One deployment of ``alias`` chosen by weight alone (no health or limits)."""
        return weighted_order(self.deployments(alias), self._rng)[0]

    # -- planning ------------------------------------------------------------------------

    def servable(
        self, alias: str, request: VideoGenerationRequest
    ) -> tuple[list[Deployment], list[str]]:
        """The alias's deployments that can serve ``request``, and why the others cannot."""
        able, refusals = self._servable(alias, request)
        return able, [f"{deployment_id}: {error.message}" for deployment_id, error in refusals]

    def _servable(
        self, alias: str, request: VideoGenerationRequest
    ) -> tuple[list[Deployment], list[tuple[str, ValidationError]]]:
        """Capabilities and client extras checked per deployment, before anything is
        reserved: an extra that would override a field the deployment's adapter maps or
        bills rules that deployment out, like a capability it lacks."""
        able: list[Deployment] = []
        refusals: list[tuple[str, ValidationError]] = []
        for deployment in self.deployments(alias):
            if deployment.params.weight <= 0:
                continue
            config = deployment.video_config
            provider = provider_for(config)
            caps = provider.capabilities(config)
            try:
                if caps is not None:
                    effective = self._resolve(deployment, caps, request).request
                    check_capabilities(
                        effective, caps, provider=config.provider, model=config.model
                    )
                if request.extra_params:
                    check_extra_params(
                        request.extra_params,
                        protected=provider.protected_extras(config),
                        provider=config.provider,
                        model=config.model,
                    )
            except ValidationError as error:
                refusals.append((deployment.id, error))
                continue
            able.append(deployment)
        return able, refusals

    def plan(self, alias: str, request: VideoGenerationRequest) -> list[Deployment]:
        """Servable deployments in preference order: by tier, then by the strategy."""
        able, refusals = self._servable(alias, request)
        if not able:
            reasons = [f"{deployment_id}: {error.message}" for deployment_id, error in refusals]
            extras = {e.param for _, e in refusals if isinstance(e, ProtectedFieldError)}
            # Every deployment refused the same extra field: name it, not a unified one.
            only_extras = all(isinstance(e, ProtectedFieldError) for _, e in refusals)
            param = extras.pop() if only_extras and len(extras) == 1 else _common_param(reasons)
            raise ValidationError(
                f"no deployment of model {alias!r} can serve this request: " + "; ".join(reasons),
                param=param,
            )

        def seconds(deployment: Deployment) -> float:
            return self.seconds_for(deployment, request)

        strategy = self.settings.strategy_for(alias)
        ordered: list[Deployment] = []
        for tier in sorted({d.params.order for d in able}):
            members = [d for d in able if d.params.order == tier]
            ordered.extend(
                rank(strategy, members, seconds=seconds, health=self.health, rng=self._rng)
            )
        return ordered

    def chain(self, alias: str) -> list[str]:
        """``alias`` followed by its fallback aliases."""
        self.deployments(alias)  # unknown alias → UnknownAliasError
        return [alias, *self.settings.fallbacks_for(alias)]

    def max_cost(self, alias: str, request: VideoGenerationRequest) -> float:
        """The most any deployment in the alias's chain could charge (what to reserve),
        each at the duration it would make (its model's default when none was asked)."""
        costs = [0.0]
        for name in self.chain(alias):
            able, _ = self.servable(name, request)
            costs.extend(d.cost(self.seconds_for(d, request)) for d in able)
        return max(costs)

    def resolve(self, deployment: Deployment, request: VideoGenerationRequest) -> Resolved:
        """``request`` as ``deployment`` would send it: omitted duration, resolution and
        aspect ratio from its model's own defaults (never OpenAI's), out-of-range values
        moved to the nearest allowed ones when the alias sets ``coerce: nearest``."""
        config = deployment.video_config
        return self._resolve(deployment, provider_for(config).capabilities(config), request)

    def _resolve(
        self, deployment: Deployment, caps: Capabilities | None, request: VideoGenerationRequest
    ) -> Resolved:
        return resolve_request(request, caps, self.settings.coerce_for(deployment.alias))

    def seconds_for(self, deployment: Deployment, request: VideoGenerationRequest) -> float:
        """The duration ``deployment`` would make for ``request`` (0 when unknown)."""
        return float(self.resolve(deployment, request).request.duration_seconds or 0)

    # -- submitting with retries and fallbacks -------------------------------------------

    async def submit(
        self,
        alias: str,
        request: VideoGenerationRequest,
        *,
        exclude: Sequence[str] = (),
        attempts: list[AttemptRecord] | None = None,
        budget: int | None = None,
    ) -> Submission:
        """Submit on the best available deployment, retrying retryable failures on other
        deployments (backoff with jitter, up to ``num_retries`` more per alias) and then
        on the fallback aliases in order. Non-retryable errors are raised at once.

        ``exclude`` skips deployments (e.g. the one whose job just failed); ``budget``
        caps the total number of submits (None: one plus ``num_retries`` per alias).
        """
        attempts = attempts if attempts is not None else []
        excluded = set(exclude)
        refused: set[str] = set()
        waited = 0.0
        last_error: TarashError | None = None
        waits: list[float] = []
        limited = False
        made = 0
        moderation_ok = alias in self.settings.moderation_fallbacks
        if self.shared is not None:
            ids = [d.id for name in self.chain(alias) for d in self.deployments(name)]
            await self.shared.pull(self.health, ids)
        for position, current in enumerate(self.chain(alias)):
            try:
                candidates = [d for d in self.plan(current, request) if d.id not in excluded]
            except ValidationError as error:
                if position == 0:
                    raise
                last_error = last_error or error
                continue
            tries = 0
            next_alias = False
            # Cycle through the candidates (best first) until the retries run out: another
            # deployment when there is one, the same one again after a backoff otherwise.
            while not next_alias and tries <= self.settings.num_retries:
                attempted = False
                for deployment in candidates:
                    if deployment.id in refused:
                        continue
                    if tries > self.settings.num_retries or (budget is not None and made >= budget):
                        next_alias = budget is not None and made >= budget
                        break
                    wait, is_limit = await self._unavailable_for(deployment)
                    if wait > 0:
                        waits.append(wait)
                        limited = limited or is_limit
                        continue
                    if tries > 0:
                        pause = self._backoff(tries)
                        waited += pause
                        await asyncio.sleep(pause)
                    attempted = True
                    tries += 1
                    made += 1
                    resolved = self.resolve(deployment, request)
                    try:
                        job = await self._submit_once(deployment, resolved.request, attempts)
                    except ValidationError as error:
                        # The adapter refused before any call (a rule its table cannot
                        # express): not a failure of the deployment, and not a retry.
                        refused.add(deployment.id)
                        tries -= 1
                        made -= 1
                        last_error = last_error or error
                        continue
                    except TarashError as error:
                        last_error = error
                        if error.is_retryable:
                            continue
                        if isinstance(error, ContentModerationError) and moderation_ok:
                            next_alias = True  # this alias opted in: go on to its fallbacks
                            break
                        raise
                    return Submission(deployment, job, attempts, waited, resolved)
                if not attempted:
                    break  # everything here is cooling down or at a limit
            if budget is not None and made >= budget:
                break
        if last_error is not None:
            raise last_error
        retry_after = min(waits) if waits else self.settings.cooldown.seconds
        reason = "at their rate or parallel-job limits" if limited else "cooling down"
        raise NoDeploymentAvailableError(
            f"every deployment of model {alias!r} (and its fallbacks) is {reason}; "
            f"retry in {retry_after:.0f}s",
            retry_after=retry_after,
            limited=limited,
        ) from last_error

    async def _unavailable_for(self, deployment: Deployment) -> tuple[float, bool]:
        """(seconds to wait, whether a limit rather than the breaker is the reason).

        When this returns 0 with an ``rpm`` set and shared state in use, a slot of the
        deployment's shared window has been taken for the submit that follows.
        """
        params = deployment.params
        if not self.health.available(deployment.id):
            return max(self.health.cooldown_remaining(deployment.id), 0.5), False
        in_flight = self.health.of(deployment.id).in_flight
        if params.max_parallel_jobs is not None and in_flight >= params.max_parallel_jobs:
            return 5.0, True
        if params.rpm is not None:
            if self.shared is not None:
                rpm_wait = await self.shared.take_slot(deployment.id, params.rpm)
            else:
                rpm_wait = self.health.rpm_wait(deployment.id, params.rpm)
            if rpm_wait > 0:
                return rpm_wait, True
        return 0.0, False

    def _backoff(self, tries: int) -> float:
        base = self.settings.retry_backoff_seconds * 2.0 ** (tries - 1)
        return min(MAX_BACKOFF_SECONDS, base) * (0.5 + self._rng.random() / 2)

    async def _submit_once(
        self,
        deployment: Deployment,
        request: VideoGenerationRequest,
        attempts: list[AttemptRecord],
    ) -> SubmittedJob:
        config = deployment.video_config
        self.health.begin_attempt(deployment.id)
        started = time.monotonic()
        provider = provider_for(config)
        try:
            # Uploaded images become what this provider reads (its upload API, the
            # gateway's signed URL, or a 400) only now: for the deployment chosen, after
            # the capability checks, before the paid call.
            request = await provider.prepare_images(config, request, self.publisher)
            job = await provider.submit_video(config, request)
        except TarashError as error:
            if not isinstance(error, ValidationError):
                self.health.record_failure(deployment.id, error)
                await self._publish(deployment.id)
            attempts.append(_attempt(deployment, "failed", started, error))
            raise
        elapsed = time.monotonic() - started
        # An accepted submit is a success for the breaker (and ends a half-open trial at
        # once, rather than when the job finishes minutes later).
        self.health.record_success(deployment.id)
        self.health.record_submit(deployment.id, elapsed)
        self.health.job_started(deployment.id)
        if self.shared is not None:
            await self.shared.add_in_flight(deployment.id, 1)
        await self._publish(deployment.id)
        attempts.append(_attempt(deployment, "success", started))
        return job

    async def _publish(self, deployment_id: str) -> None:
        if self.shared is not None:
            await self.shared.push(self.health, deployment_id)

    # -- steps on a known deployment -----------------------------------------------------

    async def poll(self, deployment: Deployment, upstream_id: str) -> JobProgress:
        config = deployment.video_config
        return await provider_for(config).poll_video(config, upstream_id)

    async def fetch(self, deployment: Deployment, upstream_id: str) -> VideoGenerationResponse:
        config = deployment.video_config
        return await provider_for(config).fetch_video(config, upstream_id)

    async def cancel(self, deployment: Deployment, upstream_id: str) -> None:
        config = deployment.video_config
        await provider_for(config).cancel_video(config, upstream_id)

    async def job_finished(
        self,
        deployment: Deployment,
        *,
        error: TarashError | None = None,
        video_seconds: float = 0.0,
        elapsed: float = 0.0,
    ) -> None:
        """Book a job's end: frees its in-flight slot and teaches health and latency."""
        self.health.job_finished(deployment.id)
        if error is not None:
            self.health.record_failure(deployment.id, error)
        else:
            self.health.record_success(deployment.id)
            self.health.record_completion(deployment.id, video_seconds, elapsed)
        if self.shared is not None:
            await self.shared.add_in_flight(deployment.id, -1)
        await self._publish(deployment.id)

    def download_headers(self, deployment: Deployment, location: str) -> dict[str, str]:
        config = deployment.video_config
        return provider_for(config).download_headers(config, location)

    def supports_remix(self, deployment: Deployment) -> bool:
        config = deployment.video_config
        return provider_for(config).supports_remix(config)

    async def remix(
        self, deployment: Deployment, source_upstream_id: str, request: VideoGenerationRequest
    ) -> SubmittedJob:
        config = deployment.video_config
        job = await provider_for(config).remix_video(config, source_upstream_id, request)
        self.health.job_started(deployment.id)
        if self.shared is not None:
            await self.shared.add_in_flight(deployment.id, 1)
        return job

    async def generate_video(
        self,
        alias: str,
        request: VideoGenerationRequest,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        """The gateway's routing, in-process: submit through the alias (strategies,
        retries, fallbacks), follow the job, and resubmit elsewhere if it fails after
        being accepted, exactly as the server's poller does."""
        attempts: list[AttemptRecord] = []
        started = time.monotonic()
        exclude: list[str] = []
        limit = (self.settings.num_retries + 1) * len(self.chain(alias))
        while True:
            submission = await self.submit(
                alias,
                request,
                exclude=exclude,
                attempts=attempts,
                budget=max(1, limit - len(attempts)),
            )
            deployment = submission.deployment
            config = deployment.video_config
            job_started = time.monotonic()
            try:
                result = await follow_job(provider_for(config), config, submission.job, on_progress)
            except TarashError as error:
                await self.job_finished(deployment, error=error)
                attempts[-1] = attempts[-1].model_copy(
                    update={
                        "status": "failed",
                        "error_type": type(error).__name__,
                        "error_message": error.message,
                    }
                )
                if not error.is_retryable or len(attempts) >= limit:
                    error.execution_metadata = _metadata(attempts, started)
                    raise
                others = [d for d in self.plan(alias, request) if d.id != deployment.id]
                exclude = [deployment.id] if others else []
                continue
            seconds = result.duration or self.seconds_for(deployment, request)
            await self.job_finished(
                deployment, video_seconds=seconds, elapsed=time.monotonic() - job_started
            )
            result.execution_metadata = _metadata(attempts, started)
            return result

    async def generate_image(
        self, deployment: Deployment, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        config = deployment.image_config
        return await image_provider_for(config).generate_image(config, request)


def _attempt(
    deployment: Deployment, status: str, started: float, error: TarashError | None = None
) -> AttemptRecord:
    return AttemptRecord(
        provider=deployment.params.provider,
        model=deployment.params.model,
        deployment_id=deployment.id,
        status="failed" if status == "failed" else "success",
        error_type=type(error).__name__ if error is not None else None,
        error_message=error.message if error is not None else None,
        elapsed_seconds=round(time.monotonic() - started, 6),
    )


def _metadata(attempts: list[AttemptRecord], started: float) -> ExecutionMetadata:
    deployments = {a.deployment_id for a in attempts}
    succeeded = [i for i, a in enumerate(attempts) if a.status == "success"]
    return ExecutionMetadata(
        total_attempts=len(attempts),
        successful_attempt=succeeded[-1] + 1 if succeeded else None,
        attempts=list(attempts),
        fallback_triggered=len(deployments) > 1,
        configs_in_chain=len(deployments),
        total_elapsed_seconds=round(time.monotonic() - started, 6),
    )


def _common_param(reasons: list[str]) -> str | None:
    """The field to blame when every deployment refused for the same kind of reason."""
    for marker, param in (
        ("duration", "seconds"),
        ("resolution", "resolution"),
        ("aspect ratio", "aspect_ratio"),
        ("audio", "generate_audio"),
        ("image", "input_reference"),
        ("video", "video"),
    ):
        if reasons and all(marker in reason for reason in reasons):
            return param
    return None
