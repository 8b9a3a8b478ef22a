"""A create with only ``model`` and ``prompt`` reaches the provider, for every model
family of every provider with a strict emulator (issue 15, "Done means").

Each family is sent what ``client.videos.create(model=..., prompt=...)`` sends (plus the
first frame or source video a model that cannot start from text needs), through what
the router does per deployment: the family's own defaults filled in
(:func:`adapters.defaults.resolve_request` over ``provider.capabilities(config)``), the
capability check, then ``submit_video`` against the provider's strict emulator, which
refuses what the real API refuses. fal validates only when the result is read (a late
422), so fal jobs are also polled and fetched. The payload must carry the family's
default duration in the provider's own encoding: nothing is left for the provider to
refuse or to guess.

The concrete model ids, and every family treated differently, are tables in
:mod:`tests.conformance.first_call_models`; the last tests here check those tables.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tarash_gateway.adapters import VideoProvider, registered_providers
from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.errors import TarashError, ValidationError
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    check_capabilities,
    encode_duration,
    get_provider_field_mapping,
    lookup_mapping,
)
from tarash_gateway.adapters.models import ImageInput, VideoGenerationConfig, VideoGenerationRequest
from tarash_gateway.adapters.providers import google_vertex
from tarash_gateway.adapters.registry import get_provider, get_provider_or_none
from tests.conformance.first_call_models import (
    FAL_UNCHECKED,
    GOOGLE_MODELS,
    MODEL_FOR,
    MORE_THAN_A_PROMPT,
    NO_DEFAULT_DURATION,
    NO_DURATION_FIELD,
    NO_SERVED_MODEL,
    NOT_A_CREATE,
    REPLICATE_UNCHECKED,
    Family,
)
from tests.emulators import luma as luma_emulator
from tests.emulators import minimax as minimax_emulator
from tests.emulators import openai as openai_emulator
from tests.emulators import replicate as replicate_emulator
from tests.emulators import runway_schema
from tests.emulators.azure import AzureEmulator
from tests.emulators.base import Call, Emulator
from tests.emulators.fal import FalEmulator
from tests.emulators.fal_schemas import SCHEMAS as FAL_SCHEMAS
from tests.emulators.google import GoogleEmulator
from tests.emulators.luma import LumaEmulator
from tests.emulators.minimax import MiniMaxEmulator
from tests.emulators.openai import OpenAIEmulator
from tests.emulators.replicate import ReplicateEmulator
from tests.emulators.runway import RunwayEmulator

PROMPT = "a lighthouse at dawn"
IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
REFERENCE = "https://example.com/reference.png"
VIDEO = "https://example.com/source.mp4"
PROJECT = "test-project"
SA_EMAIL = "first-call@test-project.iam.gserviceaccount.com"
PROVIDERS = ("azure", "fal", "google", "luma", "minimax", "openai", "replicate", "runway")
"""Every provider with a strict emulator (tests/emulators/<provider>.py)."""
APIS: dict[str, tuple[str, ...]] = {"google": ("gemini", "vertex")}
"""Providers served over more than one API, each tested in full."""


# -- the cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    provider: str
    api: str
    """The emulator (and API) used: the provider's name, or gemini / vertex for google."""
    prefix: str
    model: str

    @property
    def family(self) -> Family:
        return (self.provider, self.prefix)

    @property
    def id(self) -> str:
        return f"{self.api}:{self.model}"


def family_of(provider: str, model: str) -> str:
    """The prefix the field-mapper lookup picks for ``model`` (longest match, else "")."""
    prefixes = [p for p in get_provider_field_mapping(provider) if p and model.startswith(p)]
    return max(prefixes, key=len) if prefixes else ""


def _model_for(provider: str, api: str, prefix: str) -> str:
    if provider == "google":
        return GOOGLE_MODELS[api][prefix]
    return MODEL_FOR.get((provider, prefix), prefix)


def _cases() -> list[Case]:
    cases: list[Case] = []
    for provider in PROVIDERS:
        for prefix in sorted(get_provider_field_mapping(provider)):
            if (provider, prefix) in NOT_A_CREATE or (provider, prefix) in NO_SERVED_MODEL:
                continue
            for api in APIS.get(provider, (provider,)):
                cases.append(Case(provider, api, prefix, _model_for(provider, api, prefix)))
    return cases


CASES = _cases()


# -- the emulators: one of each per module, started when first needed ---------------------


def _service_account_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class Emulators:
    """The strict emulators, each started on first use and stopped with the module."""

    def __init__(self) -> None:
        self.running: dict[str, Emulator] = {}
        self.private_key, self.public_key = _service_account_key()

    def _start(self, provider: str) -> Emulator:
        makers: dict[str, Callable[[], Emulator]] = {
            # fal's jobs finish at once; its check happens when the result is read
            "fal": lambda: FalEmulator(job_seconds=0.0, open_endpoints=tuple(FAL_UNCHECKED)),
            "google": lambda: GoogleEmulator(job_seconds=0.05, project=PROJECT),
            "luma": lambda: LumaEmulator(job_seconds=0.05),
            "runway": lambda: RunwayEmulator(job_seconds=0.05),
            "replicate": lambda: ReplicateEmulator(job_seconds=0.05),
            "minimax": lambda: MiniMaxEmulator(job_seconds=0.05),
            "openai": lambda: OpenAIEmulator(job_seconds=0.05),
            "azure": lambda: AzureEmulator(job_seconds=0.05),
        }
        emulator = makers[provider]()
        if isinstance(emulator, GoogleEmulator):
            emulator.register_service_account(SA_EMAIL, self.public_key)
        return emulator.start()

    def get(self, provider: str) -> Emulator:
        if provider not in self.running:
            self.running[provider] = self._start(provider)
        return self.running[provider]

    def stop(self) -> None:
        for emulator in self.running.values():
            emulator.stop()


@pytest.fixture(scope="module")
def emulators() -> Iterator[Emulators]:
    started = Emulators()
    try:
        yield started
    finally:
        started.stop()


def make_config(case: Case, emulator: Emulator, private_key: str) -> VideoGenerationConfig:
    """The deployment as each provider's own tests configure it against its emulator."""
    settings: dict[str, Any] = {
        "provider": case.provider,
        "model": case.model,
        "base_url": emulator.base_url,
        "poll_interval": 0.02,
        "request_timeout": 5.0,
    }
    if case.api == "vertex":
        settings["provider_config"] = {
            "project": PROJECT,
            "location": "us-central1",
            "credentials": {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "k1",
                "private_key": private_key,
                "client_email": SA_EMAIL,
                "client_id": "1234567890",
                "token_uri": f"{emulator.base_url}/token",
            },
        }
    else:
        settings["api_key"] = "test-key"
    return VideoGenerationConfig(**settings)


# -- the request ---------------------------------------------------------------------------


def only_a_prompt(caps: Capabilities | None) -> VideoGenerationRequest:
    """What ``client.videos.create(model=..., prompt=...)`` sends, plus the first frame
    (or source video) a model that cannot start from text needs: the same rule as
    tests/adapters/test_capability_tables.py::_only_a_prompt."""
    request = VideoGenerationRequest(prompt=PROMPT)
    if caps is None or caps.text_to_video:
        return request
    if caps.image_roles:
        role = "first_frame" if "first_frame" in caps.image_roles else caps.image_roles[0]
        request.image_list.append(ImageInput(image=IMAGE, role=role))
    else:
        request.video = VIDEO
    return request


def first_call(case: Case, caps: Capabilities | None) -> VideoGenerationRequest:
    """:func:`only_a_prompt`, plus what a family in MORE_THAN_A_PROMPT also needs."""
    request = only_a_prompt(caps)
    need = MORE_THAN_A_PROMPT.get(case.family)
    if need is None:
        return request
    if need[0] == "last_frame":
        request.image_list.append(ImageInput(image=LAST, role="last_frame"))
    elif need[0] == "reference":
        request.image_list = [ImageInput(image=REFERENCE, role="reference")]
    else:
        request.video = VIDEO
    return request


# -- driving one create as the router does ------------------------------------------------


@dataclass
class Sent:
    request: VideoGenerationRequest
    """The request as resolved (defaults filled) and submitted."""
    body: Any
    """What the emulator received at submit."""
    request_id: str


async def submit(
    case: Case, emulator: Emulator, config: VideoGenerationConfig, request: VideoGenerationRequest
) -> Sent:
    """Router.resolve, the capability check of Router._servable, then what
    Router._submit_once does: prepare_images (URL inputs stay as they are; no gateway
    publisher, as in the library) and submit_video."""
    provider = get_provider(case.provider)
    caps = provider.capabilities(config)
    resolved = resolve_request(request, caps).request
    if caps is not None:
        check_capabilities(resolved, caps, provider=case.provider, model=case.model)
    resolved = await provider.prepare_images(config, resolved, None)
    before = len(emulator.calls_of("submit"))
    job = await provider.submit_video(config, resolved)
    submits: list[Call] = emulator.calls_of("submit")[before:]
    assert len(submits) == 1, f"{len(submits)} submit calls"
    return Sent(resolved, submits[0].body, job.request_id)


async def finish(case: Case, config: VideoGenerationConfig, request_id: str) -> TarashError | None:
    """Poll until the job is done and fetch its result (fal refuses bad input only then);
    the job's error, or None once the result holds a video."""
    provider = get_provider(case.provider)
    deadline = time.monotonic() + 10
    while True:
        progress = await provider.poll_video(config, request_id)
        if progress.status == "failed":
            assert isinstance(progress.error, TarashError), progress
            return progress.error
        if progress.status == "completed":
            break
        assert time.monotonic() < deadline, f"job still {progress.status} after 10 s"
        await asyncio.sleep(0.02)
    try:
        result = await provider.fetch_video(config, request_id)
    except TarashError as error:
        return error
    assert result.video, result
    return None


# -- where each provider carries the duration ---------------------------------------------


def duration_on_the_wire(case: Case, body: Any, seconds: int) -> tuple[str, Any, Any]:
    """(field, value sent, value expected) for a ``seconds``-long default in the
    provider's own encoding, restated here from each API reference. fal's encoding
    differs per endpoint ("8s", "5", 6, or a frame count), so there the family table's
    row says which; the emulator's schema enums check that encoding independently."""
    if case.provider == "fal":
        mapping = lookup_mapping("fal", case.model)
        assert mapping is not None
        row = next((r for r in mapping.fields if r.source == "duration_seconds"), None)
        assert row is not None, f"{case.model} maps no duration: list it in NO_DURATION_FIELD"
        expected = (
            row.transform(seconds)
            if row.transform is not None
            else encode_duration(seconds, mapping.duration_format)
        )
        return row.target, body.get(row.target), expected
    if case.provider == "google":  # predictLongRunning parameters.durationSeconds: int
        return "parameters.durationSeconds", body["parameters"].get("durationSeconds"), seconds
    if case.provider == "luma":  # "5s"
        return "duration", body.get("duration"), f"{seconds}s"
    if case.provider in ("runway", "minimax"):  # integer seconds
        return "duration", body.get("duration"), seconds
    if case.provider == "replicate":  # each model's input.duration, integer seconds
        return "input.duration", body["input"].get("duration"), seconds
    # openai, azure: the videos API's seconds, a string enum ("4", "8", "12")
    return "seconds", body.get("seconds"), str(seconds)


DURATION_LIKE = re.compile(r"duration|seconds|num_frames|length")


def duration_like(body: Any) -> list[str]:
    """The duration-ish fields of a payload (a Replicate payload's live under input)."""
    fields = body.get("input", body) if isinstance(body, dict) else {}
    return [name for name in fields if DURATION_LIKE.search(name)]


def duration_optional(case: Case) -> bool:
    """Whether the emulator lets ``case.model``'s create leave the duration out."""
    if case.provider == "runway":
        schemas = [s[case.model] for s in runway_schema.SCHEMAS.values() if case.model in s]
        return bool(schemas) and all("duration" not in s.required for s in schemas)
    schema = emulator_schema(case)
    return schema is not None and not duration_like(dict.fromkeys(schema))


def emulator_schema(case: Case) -> set[str] | None:
    """The input fields the emulator's schema lists for ``case.model`` (None: no schema)."""
    schemas: Mapping[str, Mapping[str, object]] = (
        FAL_SCHEMAS if case.provider == "fal" else replicate_emulator.SCHEMAS
    )
    schema = schemas.get(case.model)
    return set(schema) if schema is not None else None


def has_duration_row(case: Case) -> bool:
    mapping = lookup_mapping(case.provider, case.model)
    return mapping is not None and any(r.source == "duration_seconds" for r in mapping.fields)


# -- the test -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_a_create_with_only_a_prompt_reaches_the_provider(
    case: Case, emulators: Emulators
) -> None:
    assert family_of(case.provider, case.model) == case.prefix, (
        f"{case.model} falls into {family_of(case.provider, case.model)!r}, not {case.prefix!r}"
    )
    emulator = emulators.get(case.provider)
    google_vertex.clear_token_cache()
    config = make_config(case, emulator, emulators.private_key)
    caps = get_provider(case.provider).capabilities(config)
    sent = await submit(case, emulator, config, first_call(case, caps))
    assert sent.request_id
    if case.provider == "fal":
        error = await finish(case, config, sent.request_id)
        assert error is None, f"{case.model}: {error} {error.raw_response if error else ''}"

    assert caps is not None, f"{case.model} has no capability table"
    seconds = caps.default_duration
    if seconds is None:
        assert case.family in NO_DEFAULT_DURATION, f"{case.family}: no default duration"
        assert sent.request.duration_seconds is None
        assert not duration_like(sent.body), sent.body
        assert duration_optional(case), f"{case.model}: the emulator requires a duration"
        return
    assert case.family not in NO_DEFAULT_DURATION, f"{case.family} has {seconds}s now"
    assert sent.request.duration_seconds == seconds
    if case.family in NO_DURATION_FIELD:
        assert not has_duration_row(case), f"{case.family} maps a duration after all"
        schema = emulator_schema(case)
        assert schema is not None or case.model in FAL_UNCHECKED, case.model
        assert not duration_like(schema or {}), f"{case.model}: {sorted(schema or ())}"
        assert not duration_like(sent.body), sent.body
        return
    field, value, expected = duration_on_the_wire(case, sent.body, seconds)
    assert value == expected, (
        f"{case.model}: {field} sent {value!r}, default {seconds}s is {expected!r}"
    )


# -- the exception lists hold --------------------------------------------------------------


def served_models(provider: str) -> set[str]:
    """Every model id the provider's emulator serves (its schemas or model lists)."""
    if provider == "fal":
        return set(FAL_SCHEMAS) | set(FAL_UNCHECKED)
    if provider == "replicate":
        return set(replicate_emulator.SCHEMAS) | set(REPLICATE_UNCHECKED)
    if provider == "luma":
        return set(luma_emulator.VIDEO_MODELS)
    if provider == "minimax":
        return set(minimax_emulator.MODELS)
    if provider in ("openai", "azure"):
        return set(openai_emulator.SIZES)
    if provider == "runway":
        return {model for models in runway_schema.SCHEMAS.values() for model in models}
    return {model for models in GOOGLE_MODELS.values() for model in models.values()}


def test_every_provider_with_video_families_is_here() -> None:
    """A provider registered later, with video families, must be added to PROVIDERS."""
    with_video = set()
    for name in registered_providers():
        handler = get_provider_or_none(name)
        mappings = get_provider_field_mapping(name).values()
        video = any(
            m.capabilities.text_to_video or m.capabilities.image_roles or m.capabilities.video_input
            for m in mappings
        )
        if isinstance(handler, VideoProvider) and video:
            with_video.add(name)
    assert with_video == set(PROVIDERS)


def test_every_family_is_sent_or_excused() -> None:
    tested = {case.family for case in CASES}
    for provider in PROVIDERS:
        for prefix in get_provider_field_mapping(provider):
            family = (provider, prefix)
            reasons = [family in tested, family in NOT_A_CREATE, family in NO_SERVED_MODEL]
            assert sum(reasons) == 1, f"{family}: tested/not a create/not served = {reasons}"
    listed = {
        *MODEL_FOR,
        *NOT_A_CREATE,
        *NO_SERVED_MODEL,
        *MORE_THAN_A_PROMPT,
        *NO_DURATION_FIELD,
        *NO_DEFAULT_DURATION,
    }
    registered = {(p, prefix) for p in PROVIDERS for prefix in get_provider_field_mapping(p)}
    assert listed <= registered, f"stale entries: {sorted(listed - registered)}"


@pytest.mark.parametrize("family", sorted(NO_SERVED_MODEL), ids=lambda f: f"{f[0]}:{f[1]}")
def test_no_model_the_emulator_serves_falls_into_an_excused_family(family: Family) -> None:
    provider, prefix = family
    caught = sorted(m for m in served_models(provider) if family_of(provider, m) == prefix)
    assert caught == [], f"{family} ({NO_SERVED_MODEL[family]}) catches {caught}: test them"


def test_the_families_that_are_not_creates() -> None:
    remix = ("fal", "fal-ai/sora-2/video-to-video/remix")
    assert remix in NOT_A_CREATE
    assert FAL_SCHEMAS[remix[1]]["video_id"].required
    for provider, prefix in NOT_A_CREATE:
        if provider == "luma":  # Photon: images only, on Luma's image endpoint
            caps = get_provider_field_mapping("luma")[prefix].capabilities
            assert not caps.text_to_video
            assert "first_frame" not in caps.image_roles
            assert all(family_of("luma", m) != prefix for m in luma_emulator.VIDEO_MODELS)


def test_the_unchecked_ids_really_have_no_schema() -> None:
    """Once a schema is transcribed for one of them, it leaves the unchecked list."""
    assert not FAL_UNCHECKED & set(FAL_SCHEMAS)
    assert not REPLICATE_UNCHECKED & set(replicate_emulator.SCHEMAS)


MORE = [c for c in CASES if c.family in MORE_THAN_A_PROMPT]


@pytest.mark.parametrize("case", MORE, ids=[case.id for case in MORE])
async def test_what_the_bare_request_gets_where_a_family_needs_more(
    case: Case, emulators: Emulators
) -> None:
    """Each MORE_THAN_A_PROMPT entry is a table gap: the capability check (what the
    router runs) lets the bare request through, and then the adapter (a 400 before any
    call) or fal (a 422 when the result is read) refuses it. When the table learns the
    requirement, this fails and the entry goes."""
    emulator = emulators.get(case.provider)
    config = make_config(case, emulator, emulators.private_key)
    provider = get_provider(case.provider)
    caps = provider.capabilities(config)
    assert caps is not None
    bare = resolve_request(only_a_prompt(caps), caps).request
    check_capabilities(bare, caps, provider=case.provider, model=case.model)  # passes
    where = MORE_THAN_A_PROMPT[case.family][1]
    field = where.rsplit(" ", 1)[-1]
    before = len(emulator.calls_of("submit"))
    if where.startswith("adapter"):
        with pytest.raises(ValidationError, match=field):
            await provider.submit_video(config, bare)
        assert len(emulator.calls_of("submit")) == before, "sent anyway"
        return
    job = await provider.submit_video(config, bare)
    error = await finish(case, config, job.request_id)
    assert error is not None, f"{case.model} made a video from the bare request"
    assert "422" in error.message, error
    assert field in repr(error.raw_response), (error, error.raw_response)
