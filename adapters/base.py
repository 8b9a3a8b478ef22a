"""The one interface every provider implements.

Video generation is a long-running job everywhere, so the interface is the job's
lifecycle (submit, poll, fetch the result, cancel) rather than one blocking call. The
server drives these steps from its durable poller; the library drives them from one
poll loop. Either way, no provider writes its own polling loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from tarash_gateway.adapters.errors import GenerationFailedError, TarashError, ValidationError
from tarash_gateway.adapters.field_mappers import Capabilities, lookup_mapping, protected_fields
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.uploads import Publisher


class VideoProvider(ABC):
    """A provider of long-running video jobs. Implementations must be stateless
    between calls: everything needed to resume a job lives in its ``request_id``
    and the config, so a restarted process can pick any job up again."""

    #: The name used in configs (``provider: <name>``).
    name: str

    @abstractmethod
    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        """Start a job and return the provider's id for it."""

    @abstractmethod
    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        """Report the job's status and progress; a failed job carries its classified error."""

    @abstractmethod
    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        """Return the finished job's result (called once ``poll_video`` says completed)."""

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """``request`` with its input images in a form this provider reads, called right
        before :meth:`submit_video` for the deployment chosen (after capability checks).

        The default leaves images alone. A provider that needs URLs (or caps inline
        sizes) overrides this with :func:`adapters.uploads.images_as_urls`: its own upload
        API if it has one, else ``publisher`` (the gateway's signed URLs; None in the
        library), else a ValidationError naming ``general_settings.public_url``.
        """
        return request

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        """Stop a job that is no longer wanted. Providers without a cancel call ignore it."""
        return None

    def config_warnings(self, config: VideoGenerationConfig) -> list[str]:
        """Problems with this deployment that do not make the config invalid but will
        make its calls fail (an endpoint that was shut down, a missing endpoint), for
        ``check-config`` and the start-up log. Never calls the provider."""
        return []

    def capabilities(self, config: VideoGenerationConfig) -> Capabilities | None:
        """What ``config.model`` can do (None: unknown, so nothing is ruled out).

        The router reads this to skip deployments that cannot serve a request; by
        default it comes from the provider's registered field-mapper tables.
        """
        mapping = lookup_mapping(self.name, config.model)
        return mapping.capabilities if mapping is not None else None

    def protected_extras(self, config: VideoGenerationConfig) -> dict[str, str | None]:
        """Provider fields client extras may not set for ``config.model`` (empty: none
        known), each with the unified parameter to use instead.

        The router checks a request's extras against this before it reserves any budget;
        the adapter's own merge (:func:`adapters.extras.merge_extra_params`) refuses the
        same fields and more. By default it comes from the registered field tables.
        """
        mapping = lookup_mapping(self.name, config.model)
        return protected_fields(mapping) if mapping is not None else {}

    def download_headers(self, config: VideoGenerationConfig, location: str) -> dict[str, str]:
        """Headers needed to GET a result URL this provider returned (e.g. its auth).

        The gateway streams results to clients itself, so a provider whose file URLs need
        credentials returns them here; they never reach the client.
        """
        return {}

    def supports_remix(self, config: VideoGenerationConfig) -> bool:
        """Whether ``remix_video`` can be used with this configuration."""
        return False

    async def remix_video(
        self,
        config: VideoGenerationConfig,
        source_request_id: str,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        """Start a new job that reworks a finished one."""
        raise ValidationError(
            f"provider {self.name!r} cannot remix videos",
            param="video_id",
            provider=self.name,
            model=config.model,
        )


class ImageProvider(ABC):
    """A provider of images. Most image APIs answer synchronously; one that queues
    (fal) runs its job through :func:`adapters.polling.run_job` like videos do."""

    name: str

    @abstractmethod
    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        """Generate the images and return them (URLs or base64)."""


def require_completed(
    progress: JobProgress, *, provider: str, model: str, request_id: str, raw_response: Any
) -> None:
    """For providers whose result comes with the status: raise the job's own error if it
    failed, and a retryable error if it has not finished (a fetch came too early)."""
    if progress.status == "failed":
        error = progress.error
        raise (
            error
            if isinstance(error, TarashError)
            else GenerationFailedError(
                str(error or "the provider reported a failure"),
                provider=provider,
                model=model,
                request_id=request_id,
                raw_response=raw_response,
            )
        )
    if progress.status != "completed":
        raise GenerationFailedError(
            f"{provider} job {request_id} has not finished yet",
            provider=provider,
            model=model,
            request_id=request_id,
            raw_response=raw_response,
        )


def with_result(progress: JobProgress, build: Callable[[], VideoGenerationResponse]) -> JobProgress:
    """A completed poll carrying its finished result, built by the code ``fetch_video``
    uses from the same status answer, so the lifecycle need not GET it again. When the
    answer cannot be turned into a result (no output URL, say), the poll stays without
    one and the lifecycle's ``fetch_video`` reports that error as before."""
    if progress.status != "completed":
        return progress
    try:
        result = build()
    except TarashError:
        return progress
    return progress.model_copy(update={"result": result})
