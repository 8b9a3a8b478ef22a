"""Choosing a deployment for an alias, and running job steps on the chosen one.

The proxy talks to providers only through :class:`Router`, so retries, fallbacks and
health (later) live in one place and the HTTP layer stays ignorant of providers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from adapters import (
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    SubmittedJob,
    VideoGenerationRequest,
    VideoGenerationResponse,
    provider_for,
)
from adapters.registry import image_provider_for
from router.config import Deployment, GatewayConfig, build_deployments
from router.errors import DeploymentGoneError, UnknownAliasError


class Router:
    """Routes aliases to deployments for one loaded config."""

    def __init__(self, config: GatewayConfig, rng: random.Random | None = None) -> None:
        self.config = config
        self._rng = rng or random.Random()
        self._by_alias = build_deployments(config)
        self._by_id = {d.id: d for group in self._by_alias.values() for d in group}

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
        """A deployment by id, for jobs that already run on it."""
        try:
            return self._by_id[deployment_id]
        except KeyError:
            raise DeploymentGoneError(
                f"deployment {deployment_id!r} is no longer configured"
            ) from None

    def pick(self, alias: str) -> Deployment:
        """Choose one deployment of ``alias`` with probability proportional to its weight."""
        candidates = [d for d in self.deployments(alias) if d.params.weight > 0]
        weights = [d.params.weight for d in candidates]
        return self._rng.choices(candidates, weights=weights)[0]

    async def submit(self, deployment: Deployment, request: VideoGenerationRequest) -> SubmittedJob:
        """Start a job on ``deployment``."""
        config = deployment.video_config
        return await provider_for(config).submit_video(config, request)

    async def generate_image(
        self, deployment: Deployment, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        config = deployment.image_config
        return await image_provider_for(config).generate_image(config, request)

    async def poll(self, deployment: Deployment, upstream_id: str) -> JobProgress:
        config = deployment.video_config
        return await provider_for(config).poll_video(config, upstream_id)

    async def fetch(self, deployment: Deployment, upstream_id: str) -> VideoGenerationResponse:
        config = deployment.video_config
        return await provider_for(config).fetch_video(config, upstream_id)

    async def cancel(self, deployment: Deployment, upstream_id: str) -> None:
        config = deployment.video_config
        await provider_for(config).cancel_video(config, upstream_id)

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
        return await provider_for(config).remix_video(config, source_upstream_id, request)
