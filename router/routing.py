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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tarash_gateway.adapters import (
    AttemptRecord,
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
from tarash_gateway.adapters.polling import ProgressCallback
from tarash_gateway.adapters.redact import remember_secrets
from tarash_gateway.adapters.registry import image_provider_for
from tarash_gateway.adapters.uploads import Publisher
from tarash_gateway.router.attempts import Group, Loop, Tally, attempt_record
from tarash_gateway.router.config import Deployment, GatewayConfig, build_deployments
from tarash_gateway.router.errors import DeploymentGoneError, UnknownAliasError
from tarash_gateway.router.health import HealthBook
from tarash_gateway.router.lifecycle import run_video
from tarash_gateway.router.loader import load_config
from tarash_gateway.router.shared import LocalState, RouterState, SharedState
from tarash_gateway.router.strategies import rank, weighted_order

MAX_BACKOFF_SECONDS = 5.0
T = TypeVar("T")


@dataclass
class Route:
    """One request's view of an alias chain, worked out once: for each alias, in order,
    the deployments that can serve the request or why none can, and each servable
    deployment's request as it would send it. Ranking waits for the submit, so it
    sees the health pulled just before."""

    alias: str
    request: VideoGenerationRequest
    groups: list[Group] = field(default_factory=list)
    resolved: dict[str, Resolved] = field(default_factory=dict)

    def servable(self) -> list[Deployment]:
        """Every deployment of the chain that can serve the request."""
        return [d for _name, able in self.groups if isinstance(able, list) for d in able]

    def resolved_for(self, deployment: Deployment) -> Resolved:
        """The request as ``deployment``, one of the servable ones, would send it."""
        return self.resolved[deployment.id]

    def seconds(self, deployment: Deployment) -> float:
        """The duration a servable ``deployment`` would make (0 when unknown)."""
        return float(self.resolved[deployment.id].request.duration_seconds or 0)


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


@dataclass
class ImageResult:
    """Images one deployment made, and every try it took to get them."""

    deployment: Deployment
    response: ImageGenerationResponse
    attempts: list[AttemptRecord]


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
        self._state: RouterState = shared if shared is not None else LocalState(self.health)
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

    def route(self, alias: str, request: VideoGenerationRequest) -> Route:
        """Which deployments of ``alias`` and its fallbacks can serve ``request``, worked
        out once per request (capabilities, client extras, each deployment's resolved
        request); :meth:`plan`, :meth:`max_cost` and :meth:`submit` all read it."""
        route = Route(alias, request)
        for name in self.chain(alias):
            able, refusals = self._servable(name, request, route.resolved)
            route.groups.append((name, able if able else _refusal(name, refusals)))
        return route

    def servable(
        self, alias: str, request: VideoGenerationRequest
    ) -> tuple[list[Deployment], list[str]]:
        """The alias's deployments that can serve ``request``, and why the others cannot."""
        able, refusals = self._servable(alias, request, {})
        return able, [f"{deployment_id}: {error.message}" for deployment_id, error in refusals]

    def _servable(
        self, alias: str, request: VideoGenerationRequest, resolved: dict[str, Resolved]
    ) -> tuple[list[Deployment], list[tuple[str, ValidationError]]]:
        """Capabilities and client extras checked per deployment, before anything is
        reserved: an extra that would override a field the deployment's adapter maps or
        bills rules that deployment out, like a capability it lacks. ``resolved``
        learns each deployment's request as it would send it."""
        able: list[Deployment] = []
        refusals: list[tuple[str, ValidationError]] = []
        for deployment in self.deployments(alias):
            if deployment.params.weight <= 0:
                continue
            try:
                resolved[deployment.id] = self._checked(deployment, request)
            except ValidationError as error:
                refusals.append((deployment.id, error))
                continue
            able.append(deployment)
        return able, refusals

    def _checked(self, deployment: Deployment, request: VideoGenerationRequest) -> Resolved:
        """``request`` as ``deployment`` sends it, if its capabilities and extras allow."""
        config = deployment.video_config
        provider = provider_for(config)
        caps = provider.capabilities(config)
        resolved = self._resolve(deployment, caps, request)
        if caps is not None:
            check_capabilities(resolved.request, caps, provider=config.provider, model=config.model)
        if request.extra_params:
            check_extra_params(
                request.extra_params,
                protected=provider.protected_extras(config),
                provider=config.provider,
                model=config.model,
            )
        return resolved

    def plan(
        self, alias: str, request: VideoGenerationRequest, route: Route | None = None
    ) -> list[Deployment]:
        """Servable deployments in preference order: by tier, then by the strategy."""
        route = route or self.route(alias, request)
        name, planned = route.groups[0]
        if isinstance(planned, ValidationError):
            raise planned
        return self._ranked(name, planned, seconds=route.seconds)

    def _ranked(
        self,
        alias: str,
        able: list[Deployment],
        *,
        seconds: Callable[[Deployment], float],
        cost: Callable[[Deployment], float] | None = None,
    ) -> list[Deployment]:
        """``able`` by tier, then within each tier as the alias's strategy prefers
        (``cost`` prices a candidate when a video's price does not apply)."""
        strategy = self.settings.strategy_for(alias)
        ordered: list[Deployment] = []
        for tier in sorted({d.params.order for d in able}):
            members = [d for d in able if d.params.order == tier]
            ordered.extend(
                rank(
                    strategy, members, seconds=seconds, health=self.health, rng=self._rng, cost=cost
                )
            )
        return ordered

    def chain(self, alias: str) -> list[str]:
        """``alias`` followed by its fallback aliases."""
        self.deployments(alias)  # unknown alias → UnknownAliasError
        return [alias, *self.settings.fallbacks_for(alias)]

    def max_cost(
        self, alias: str, request: VideoGenerationRequest, route: Route | None = None
    ) -> float:
        """The most any deployment in the alias's chain could charge (what to reserve),
        each at the duration it would make (its model's default when none was asked)."""
        route = route or self.route(alias, request)
        return max([0.0, *(d.cost(route.seconds(d)) for d in route.servable())])

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

    # -- sending: videos, remixes, images ------------------------------------------------

    async def submit(
        self,
        alias: str,
        request: VideoGenerationRequest,
        *,
        route: Route | None = None,
        exclude: Sequence[str] = (),
        attempts: list[AttemptRecord] | None = None,
        budget: int | None = None,
    ) -> Submission:
        """Submit on the best available deployment, retrying retryable failures on other
        deployments (backoff with jitter, up to ``num_retries`` more per alias) and then
        on the fallback aliases in order. Non-retryable errors are raised at once.

        ``route`` is the request's :meth:`route` when the caller already has it;
        ``exclude`` skips deployments (e.g. the one whose job just failed); ``budget``
        caps the total number of submits (None: one plus ``num_retries`` per alias).
        """
        route = route or self.route(alias, request)
        attempts = attempts if attempts is not None else []
        await self._state.pull(self.health, self._chain_ids(alias))
        skipped = set(exclude)

        def order(name: str, able: list[Deployment]) -> list[Deployment]:
            ranked = self._ranked(name, able, seconds=route.seconds)
            return [d for d in ranked if d.id not in skipped]

        async def send(deployment: Deployment) -> SubmittedJob:
            sent = route.resolved_for(deployment).request
            return await self._start_job(
                deployment, attempts, lambda: self._submit_video(deployment, sent)
            )

        loop = self._loop(alias, send, budget)
        deployment, job = await loop.first_success(alias, route.groups, order)
        resolved = route.resolved_for(deployment)
        return Submission(deployment, job, attempts, loop.tally.waited, resolved)

    async def remix(
        self,
        source: Deployment,
        upstream_id: str,
        request: VideoGenerationRequest,
        *,
        attempts: list[AttemptRecord] | None = None,
    ) -> Submission:
        """Remix ``upstream_id`` where it ran (only that deployment knows the job): under
        its breaker and limits, retried there with backoff, every try recorded in
        ``attempts`` and in its health, like any submit; never moved elsewhere."""
        attempts = attempts if attempts is not None else []
        await self._state.pull(self.health, [source.id])
        config = source.video_config

        async def send(deployment: Deployment) -> SubmittedJob:
            return await self._start_job(
                deployment,
                attempts,
                lambda: provider_for(config).remix_video(config, upstream_id, request),
            )

        loop = self._loop(source.alias, send, None)
        deployment, job = await loop.first_success(
            source.alias, [(source.alias, [source])], lambda _name, able: able
        )
        return Submission(deployment, job, attempts, loop.tally.waited, None)

    def image_deployments(self, alias: str) -> list[Deployment]:
        """The alias's deployments that generate images (and may be chosen)."""
        return [d for d in self.deployments(alias) if d.params.weight > 0 and _makes_images(d)]

    def max_image_cost(self, alias: str, n: int) -> float:
        """The most any image deployment of the alias's chain could charge for ``n``."""
        costs = [
            d.image_cost(n) for name in self.chain(alias) for d in self.image_deployments(name)
        ]
        return max([0.0, *costs])

    async def generate_image(
        self,
        alias: str,
        request: ImageGenerationRequest,
        *,
        attempts: list[AttemptRecord] | None = None,
    ) -> ImageResult:
        """Generate images through the alias exactly as a video is submitted: ranked by
        its strategy (``lowest-cost`` by image price), breaker and limits honoured,
        retryable failures retried and then sent to the fallback aliases, every try
        recorded in ``attempts`` and in health."""
        attempts = attempts if attempts is not None else []
        await self._state.pull(self.health, self._chain_ids(alias))
        groups: list[Group] = []
        for name in self.chain(alias):
            able = self.image_deployments(name)
            groups.append(
                (
                    name,
                    able
                    or ValidationError(f"model {name!r} does not generate images", param="model"),
                )
            )

        def order(name: str, able: list[Deployment]) -> list[Deployment]:
            return self._ranked(
                name, able, seconds=lambda _d: 0.0, cost=lambda d: d.image_cost(request.n)
            )

        async def send(deployment: Deployment) -> ImageGenerationResponse:
            config = deployment.image_config
            made = await self._call(
                deployment,
                attempts,
                lambda: image_provider_for(config).generate_image(config, request),
            )
            await self._state.push(self.health, deployment.id)
            return made

        loop = self._loop(alias, send, None)
        deployment, response = await loop.first_success(alias, groups, order)
        return ImageResult(deployment, response, attempts)

    def _chain_ids(self, alias: str) -> list[str]:
        return [d.id for name in self.chain(alias) for d in self.deployments(name)]

    def _loop(
        self, alias: str, attempt: Callable[[Deployment], Awaitable[T]], budget: int | None
    ) -> Loop[T]:
        return Loop(
            num_retries=self.settings.num_retries,
            cooldown_seconds=self.settings.cooldown.seconds,
            attempt=attempt,
            available=self._available,
            pause=self._pause,
            tally=Tally(budget, moderation_fallback=alias in self.settings.moderation_fallbacks),
        )

    async def _available(self, deployment: Deployment, tally: Tally) -> bool:
        wait, is_limit = await self._unavailable_for(deployment)
        if wait > 0:
            tally.waits.append(wait)
            tally.limited = tally.limited or is_limit
            return False
        return True

    async def _pause(self, tries: int, tally: Tally) -> None:
        pause = self._backoff(tries)
        tally.waited += pause
        await asyncio.sleep(pause)

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
            rpm_wait = await self._state.take_slot(deployment.id, params.rpm)
            if rpm_wait > 0:
                return rpm_wait, True
        return 0.0, False

    def _backoff(self, tries: int) -> float:
        base = self.settings.retry_backoff_seconds * 2.0 ** (tries - 1)
        return min(MAX_BACKOFF_SECONDS, base) * (0.5 + self._rng.random() / 2)

    async def _submit_video(
        self, deployment: Deployment, request: VideoGenerationRequest
    ) -> SubmittedJob:
        config = deployment.video_config
        provider = provider_for(config)
        # Uploaded images become what this provider reads (its upload API, the gateway's
        # signed URL, or a 400) only now: for the deployment chosen, after the capability
        # checks, before the paid call.
        request = await provider.prepare_images(config, request, self.publisher)
        return await provider.submit_video(config, request)

    async def _call(
        self,
        deployment: Deployment,
        attempts: list[AttemptRecord],
        call: Callable[[], Awaitable[T]],
    ) -> T:
        """One try on ``deployment``, booked in its health and in ``attempts``."""
        self.health.begin_attempt(deployment.id)
        started = time.monotonic()
        try:
            result = await call()
        except TarashError as error:
            if not isinstance(error, ValidationError):
                self.health.record_failure(deployment.id, error)
                await self._state.push(self.health, deployment.id)
            attempts.append(attempt_record(deployment, started, error))
            raise
        # A success for the breaker (an accepted job ends a half-open trial at once,
        # rather than when the job finishes minutes later).
        self.health.record_success(deployment.id)
        attempts.append(attempt_record(deployment, started))
        return result

    async def _start_job(
        self,
        deployment: Deployment,
        attempts: list[AttemptRecord],
        call: Callable[[], Awaitable[SubmittedJob]],
    ) -> SubmittedJob:
        """A try that starts a job: also its submit latency and an in-flight slot."""
        started = time.monotonic()
        job = await self._call(deployment, attempts, call)
        self.health.record_submit(deployment.id, time.monotonic() - started)
        self.health.job_started(deployment.id)
        await self._state.add_in_flight(deployment.id, 1)
        await self._state.push(self.health, deployment.id)
        return job

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
        await self._state.add_in_flight(deployment.id, -1)
        await self._state.push(self.health, deployment.id)

    def download_headers(self, deployment: Deployment, location: str) -> dict[str, str]:
        config = deployment.video_config
        return provider_for(config).download_headers(config, location)

    def supports_remix(self, deployment: Deployment) -> bool:
        config = deployment.video_config
        return provider_for(config).supports_remix(config)

    async def generate_video(
        self,
        alias: str,
        request: VideoGenerationRequest,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        """The gateway's routing and job lifecycle, in-process: submit through the alias
        (strategies, retries, fallbacks), then the same transitions the server's poller
        takes (:func:`router.lifecycle.run_video`), resubmitting elsewhere if the job
        fails after being accepted."""
        return await run_video(self, alias, request, on_progress)


def _makes_images(deployment: Deployment) -> bool:
    try:
        image_provider_for(deployment.image_config)
    except TarashError:
        return False
    return True


def _refusal(alias: str, refusals: list[tuple[str, ValidationError]]) -> ValidationError:
    """Why no deployment of ``alias`` can serve a request, naming the field to blame."""
    reasons = [f"{deployment_id}: {error.message}" for deployment_id, error in refusals]
    extras = {e.param for _, e in refusals if isinstance(e, ProtectedFieldError)}
    # Every deployment refused the same extra field: name it, not a unified one.
    only_extras = all(isinstance(e, ProtectedFieldError) for _, e in refusals)
    param = extras.pop() if only_extras and len(extras) == 1 else _common_param(reasons)
    return ValidationError(
        f"no deployment of model {alias!r} can serve this request: " + "; ".join(reasons),
        param=param,
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
