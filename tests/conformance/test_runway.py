"""The Runway adapter sends the same HTTP requests as Runway's official SDK, runwayml 5.24.

Each unified request goes through our adapter against the strict emulator
(tests/emulators/runway.py, whose schemas come from the SDK's types and which records
what arrived); the equivalent ``client.image_to_video.create`` /
``client.text_to_video.create`` / ``client.tasks.retrieve`` / ``client.tasks.delete``
goes through ``runwayml.RunwayML`` on a mock transport (nothing is sent). Method, path,
query, auth scheme, ``X-Runway-Version`` and JSON body must match.

The cases come from the SDK's own types, per model and endpoint: text only, first frame,
first and last frame (a ``promptImage`` list with positions), seed / audio / negative
prompt where the model takes them, every duration and every ``ratio`` / ``resolution``
value. What the two cannot share is named and asserted below, not skipped:
- ``NOT_IN_SDK``: ``veo3``, gone from 5.24 (its schema is runwayml 5.13's);
- ``REFUSED``: unified fields a model lacks are a 400 before any call (never dropped);
- ``SDK_ONLY_*``: SDK values no unified request names (3:4 portrait ratios, "adaptive",
  ``auto_*`` tiers on text-to-video, the 2k tier, deprecated upper-case spellings,
  ``"auto"`` durations), reachable through nothing.
- ``DOC_POSITIONS``: models whose ``promptImage`` items the SDK types as ``object``;
  their first / last positions come from the SDK's docstrings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, get_args, get_type_hints

import httpx
import pytest
from pydantic import TypeAdapter
from runwayml import RunwayML
from runwayml.types import (
    TaskRetrieveResponse,
    image_to_video_create_params,
    text_to_video_create_params,
)
from typing_extensions import is_typeddict

from tarash_gateway.adapters import (
    ImageInput,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers.runway import RunwayProvider, decode_request_id
from tarash_gateway.adapters.providers.runway_models import MODELS, WAN_RATIOS, RunwayModel, size_of
from tarash_gateway.adapters.providers.runway_models import Endpoint as Row
from tests.conformance.capture import SdkRecorder, WireRequest, from_call, from_httpx
from tests.emulators.runway import API_VERSION, RunwayEmulator
from tests.emulators.runway_schema import PROMPT_LIMITS, SCHEMAS, Endpoint, schema_of

KEY = "test-key"
PROMPT = "a lighthouse in a storm"
FIRST = "https://example.com/first.png"
LAST = "https://example.com/last.png"
TASK_ID = "0b9d6f5e-4f1c-4f8e-9a43-5b1c2d3e4f50"
ENDPOINTS: tuple[Endpoint, Endpoint] = ("image_to_video", "text_to_video")

NOT_IN_SDK = {"veo3"}
"""In the adapter (runwayml 5.13's ``Veo3``) but no longer in 5.24's create params."""
DOC_POSITIONS = {"hailuo3", "wan3", "wan3_prime", "kling_4"}
"""``promptImage`` is ``str | Iterable[object]`` in the SDK; the docstrings say "Use
position first/last for keyframe mode" (Kling 4: "a first frame and optional middle and
last frames"), so the adapter's first / last are checked against the emulator only."""
UNIFIED_OPTIONS = {"seed": "seed", "audio": "generate_audio", "negativePrompt": "negative_prompt"}
"""Optional wire fields a unified request can set, with the unified field that sets them."""

_HD = {"ratio": "1280:720"}


def _each(size: dict[str, str]) -> dict[Endpoint, dict[str, str]]:
    return {endpoint: size for endpoint in ENDPOINTS}


_BOTH: dict[Endpoint, dict[str, str]] = {"image_to_video": _HD, "text_to_video": _HD}
_AUTO: dict[Endpoint, dict[str, str]] = {
    "image_to_video": {"ratio": "auto_720p"},
    "text_to_video": _HD,
}
EXPECTED_DEFAULTS: dict[str, tuple[int | None, dict[Endpoint, dict[str, str]]]] = {
    "gen4.5": (5, _BOTH),
    "gen4_turbo": (5, {"image_to_video": _HD}),
    "veo3.1": (8, _BOTH),
    "veo3.1_fast": (8, _BOTH),
    "veo3": (8, _BOTH),
    "seedance2": (5, _BOTH),
    "seedance2_fast": (5, _BOTH),
    "seedance2_mini": (5, _BOTH),
    "seedance2_5": (5, _BOTH),
    "happyhorse_1_0": (
        5,
        {"image_to_video": {"resolution": "1080P"}, "text_to_video": {"ratio": "1920:1080"}},
    ),
    "gemini_omni_flash": (8, _BOTH),
    "gemini_omni_flash_1.1": (8, _BOTH),
    "klingO3_4k": (None, _each({"ratio": "3840:2160"})),
    "kling3.0_4k": (None, _each({"ratio": "3840:2160"})),
    "klingO3_pro": (None, _each({"ratio": "1920:1080"})),
    "kling3.0_pro": (None, _each({"ratio": "1920:1080"})),
    "klingO3_standard": (None, _BOTH),
    "kling3.0_standard": (None, _BOTH),
    "kling2.5_turbo_pro": (5, {"image_to_video": {}, "text_to_video": _HD}),
    "kling_4": (None, _AUTO),
    "hailuo3": (None, _each({"ratio": "16:9", "resolution": "768p"})),
    "h3_max": (None, _each({"resolution": "768p"})),
    "grok_imagine_1_5": (
        None,
        {
            "image_to_video": {"resolution": "720p"},
            "text_to_video": {"ratio": "16:9", "resolution": "720p"},
        },
    ),
    "grok_imagine_1_5_lite": (None, _AUTO),
    "wan3": (None, _AUTO),
    "wan3_prime": (None, _AUTO),
}
"""What a request naming only a prompt (and frames) sends, per model and endpoint: the
effective defaults (None: no ``duration`` is sent, Runway picks), stated here
independently of the adapter's table."""

PINNED_SIZES: list[tuple[str, Endpoint, str, str, dict[str, str]]] = [
    ("gen4.5", "image_to_video", "720p", "4:3", {"ratio": "1104:832"}),
    ("gen4_turbo", "image_to_video", "720p", "21:9", {"ratio": "1584:672"}),
    ("gen4_turbo", "image_to_video", "720p", "1:1", {"ratio": "960:960"}),
    ("veo3.1", "text_to_video", "1080p", "9:16", {"ratio": "1080:1920"}),
    ("seedance2", "text_to_video", "480p", "21:9", {"ratio": "992:432"}),
    ("seedance2", "image_to_video", "4k", "4:3", {"ratio": "3840:2880"}),
    ("seedance2_mini", "text_to_video", "480p", "1:1", {"ratio": "640:640"}),
    ("happyhorse_1_0", "text_to_video", "1080p", "4:3", {"ratio": "1662:1248"}),
    ("happyhorse_1_0", "image_to_video", "720p", "16:9", {"resolution": "720P"}),
    ("hailuo3", "text_to_video", "720p", "21:9", {"ratio": "21:9", "resolution": "768p"}),
    ("h3_max", "image_to_video", "480p", "16:9", {"resolution": "480p"}),
    ("wan3", "image_to_video", "1080p", "16:9", {"ratio": "auto_1080p"}),
    ("wan3", "text_to_video", "480p", "1:1", {"ratio": "624:624"}),
    ("kling2.5_turbo_pro", "text_to_video", "480p", "1:1", {"ratio": "720:720"}),
    ("grok_imagine_1_5", "text_to_video", "1080p", "4:3", {"ratio": "4:3", "resolution": "1080p"}),
    ("gemini_omni_flash_1.1", "text_to_video", "360p", "9:16", {"ratio": "360:640"}),
]
"""Unified size → Runway's size fields, written out by hand (the sweep below reads the
adapter's own tier table and size reading; these pin them)."""
_AUTO_TIERS = {"auto_480p", "auto_720p", "auto_1080p"}
_HAILUO = {"3:4", "adaptive", "2k", "2K", "768P"}
SDK_ONLY: dict[tuple[str, Endpoint], set[str]] = {
    ("happyhorse_1_0", "image_to_video"): {"720p", "1080p"},
    ("kling_4", "text_to_video"): {"auto_720p", "auto_1080p"},
    ("hailuo3", "image_to_video"): _HAILUO,
    ("hailuo3", "text_to_video"): _HAILUO,
    ("grok_imagine_1_5", "text_to_video"): {"2:3", "3:2", "3:4"},
    ("wan3", "image_to_video"): set(WAN_RATIOS),
    ("wan3", "text_to_video"): _AUTO_TIERS,
    ("wan3_prime", "image_to_video"): set(WAN_RATIOS),
    ("wan3_prime", "text_to_video"): _AUTO_TIERS,
}
"""``ratio`` / ``resolution`` values the SDK lists that the adapter never sends: 3:4,
2:3 and 3:2 aspect ratios (no unified name), Hailuo's "adaptive" (for reference-driven
requests) and 2k tier, lower-case or deprecated duplicate spellings (HappyHorse's 720p /
1080p: the adapter sends 720P / 1080P, which 5.13 also took; Hailuo's 768P), ``auto_*``
tiers on text-to-video, and Wan's pixel ratios on image-to-video ("Keyframe
image-to-video requests must use auto_480p, auto_720p, or auto_1080p")."""
UNNAMED_RATIOS = {
    "832:1104", "560:752", "834:1112", "1248:1664", "2880:3840", "832:1108", "1248:1662",
    "544:720", "1248:1648", "480:640", "720:960", "1232:1648",
    "480:720", "720:1088", "1152:1744", "720:480", "1088:720", "1744:1152",
}  # fmt: skip
"""Ratios in the adapter's tables (so the emulator and the SDK agree on them) that no
unified size names: 3:4 portraits and Grok Imagine's 2:3 / 3:2 (the unified aspect
ratios are 9:16, 1:1, 4:3, 16:9 and 21:9)."""


# -- the SDK's types --------------------------------------------------------------------

_SDK_TYPES = {
    "image_to_video": image_to_video_create_params.ImageToVideoCreateParams,
    "text_to_video": text_to_video_create_params.TextToVideoCreateParams,
}


def sdk_literal(endpoint: Endpoint, model: str, key: str) -> tuple[Any, ...]:
    """The Literal values of ``key`` for ``model`` (empty if it is not a Literal)."""
    return tuple(SCHEMAS[endpoint][model].literals.get(key, ()))


def _flatten(hint: Any) -> list[Any]:
    found = [hint]
    for arg in get_args(hint):
        found.extend(_flatten(arg))
    return found


def sdk_positions(model: str) -> set[str]:
    """The ``promptImage[].position`` values runwayml 5.24 allows for ``model``."""
    if model in DOC_POSITIONS:
        return {"first", "last"}
    for typed in get_args(_SDK_TYPES["image_to_video"]):
        if schema_of(typed).literals["model"] != (model,):
            continue
        hint = get_type_hints(typed, include_extras=True)["prompt_image"]
        for item in _flatten(hint):
            if isinstance(item, type) and is_typeddict(item):
                return set(schema_of(item).literals.get("position", ()))
        return set()
    return {"first"}  # veo3 (runwayml 5.13): a first frame only


def row_of(spec: RunwayModel, endpoint: Endpoint) -> Row | None:
    return spec.image if endpoint == "image_to_video" else spec.text


def ratio_values(row: Row) -> set[str]:
    """Every ``ratio`` value the adapter can send on ``row``."""
    tiers = {wire for _tier, wire in row.tiers} if row.tier_field == "ratio" else set()
    return set(row.ratios) | set(row.aspects) | tiers


def resolution_values(row: Row) -> set[str]:
    return {wire for _tier, wire in row.tiers} if row.tier_field == "resolution" else set()


# -- one request each way ---------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunwayEmulator]:
    with RunwayEmulator(job_seconds=0.05, api_key=KEY) as server:
        yield server


def sdk_request(call: Callable[[RunwayML], Any], answer: Any = None) -> httpx.Request:
    """The one request runwayml makes for ``call`` (answered with ``answer``, a new task
    id by default; the SDK's own base URL is kept, so paths are the real ones)."""

    def respond(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=answer if answer is not None else {"id": TASK_ID})

    recorder = SdkRecorder(respond)
    with recorder.client() as http_client:
        call(RunwayML(api_key=KEY, http_client=http_client, max_retries=0))
    (request,) = recorder.requests
    return request


def config_for(emulator: RunwayEmulator, model: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="runway", model=model, api_key=KEY, base_url=emulator.base_url
    )


async def adapter_submit(
    emulator: RunwayEmulator, model: str, request: VideoGenerationRequest
) -> tuple[WireRequest, dict[str, str], str]:
    before = len(emulator.calls)
    job = await RunwayProvider().submit_video(config_for(emulator, model), request)
    (call,) = emulator.calls[before:]
    assert call.operation == "submit"
    return from_call(call), call.headers, job.request_id


def sdk_create(endpoint: Endpoint, kwargs: dict[str, Any]) -> httpx.Request:
    if endpoint == "image_to_video":
        return sdk_request(lambda client: client.image_to_video.create(**kwargs))
    return sdk_request(lambda client: client.text_to_video.create(**kwargs))


def assert_same(ours: WireRequest, headers: dict[str, str], theirs: httpx.Request) -> None:
    expected = from_httpx(theirs)
    assert ours == expected, (
        f"\nadapter: {json.dumps(ours.body, sort_keys=True)}"
        f"\nsdk:     {json.dumps(expected.body, sort_keys=True)}"
    )
    assert headers["authorization"] == theirs.headers["authorization"] == f"Bearer {KEY}"
    assert headers["x-runway-version"] == theirs.headers["x-runway-version"] == API_VERSION


# -- the cases --------------------------------------------------------------------------

Case = tuple[str, str, Endpoint, dict[str, Any], dict[str, Any]]
"""(id, model, endpoint, unified request fields, SDK keyword arguments)."""


def _frames(endpoint: Endpoint, last: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    if endpoint == "text_to_video":
        return {}, {}
    if not last:
        first = [ImageInput(image=FIRST, role="first_frame")]
        return {"image_list": first}, {"prompt_image": FIRST}
    both = [ImageInput(image=FIRST, role="first_frame"), ImageInput(image=LAST, role="last_frame")]
    positioned = [{"uri": FIRST, "position": "first"}, {"uri": LAST, "position": "last"}]
    return {"image_list": both}, {"prompt_image": positioned}


def _base(
    model: str, endpoint: Endpoint, last: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    seconds, size_by_endpoint = EXPECTED_DEFAULTS[model]
    unified, sdk = _frames(endpoint, last)
    sdk = {"model": model, "prompt_text": PROMPT, **size_by_endpoint[endpoint], **sdk}
    if seconds is not None:
        sdk["duration"] = seconds
    return unified, sdk


def _size_cases(model: str, endpoint: Endpoint, row: Row, kind: str) -> list[Case]:
    """One case per SDK ``ratio`` / ``resolution`` value the unified request can name."""
    cases: list[Case] = []
    for value in sdk_literal(endpoint, model, "ratio"):
        unified_size: dict[str, str] = {}
        size = size_of(value)
        if size is not None and value in row.ratios:
            unified_size = {"resolution": size[0], "aspect_ratio": size[1]}
        elif value in row.aspects:
            unified_size = {"aspect_ratio": value}
        elif row.tier_field == "ratio" and value in dict((w, t) for t, w in row.tiers):
            unified_size = {"resolution": dict((w, t) for t, w in row.tiers)[value]}
        if not unified_size:
            continue  # SDK_ONLY_RATIOS, asserted in test_the_adapter_tables_match_the_sdk
        unified, sdk = _base(model, endpoint)
        cases.append(
            (f"{model} {kind} ratio {value}", model, endpoint,
             {**unified, **unified_size}, {**sdk, "ratio": value})
        )  # fmt: skip
    for tier, wire in row.tiers if row.tier_field == "resolution" else ():
        unified, sdk = _base(model, endpoint)
        cases.append(
            (f"{model} {kind} tier {wire}", model, endpoint,
             {**unified, "resolution": tier}, {**sdk, "resolution": wire})
        )  # fmt: skip
    return cases


def build_cases() -> list[Case]:
    cases: list[Case] = []
    for model, spec in MODELS.items():
        for endpoint in ENDPOINTS:
            row = row_of(spec, endpoint)
            if row is None:
                continue
            schema = SCHEMAS[endpoint][model]
            kind = "first frame" if endpoint == "image_to_video" else "text only"
            unified, sdk = _base(model, endpoint)
            cases.append((f"{model} {kind}", model, endpoint, unified, sdk))
            if endpoint == "image_to_video" and "last" in sdk_positions(model):
                unified, sdk = _base(model, endpoint, last=True)
                cases.append((f"{model} first and last frame", model, endpoint, unified, sdk))
            if "seed" in schema.fields:
                unified, sdk = _base(model, endpoint)
                cases.append(
                    (
                        f"{model} {kind} seed",
                        model,
                        endpoint,
                        {**unified, "seed": 42},
                        {**sdk, "seed": 42},
                    )
                )
            if "audio" in schema.fields:
                for flag in (True, False):
                    unified, sdk = _base(model, endpoint)
                    cases.append(
                        (
                            f"{model} {kind} audio={flag}",
                            model,
                            endpoint,
                            {**unified, "generate_audio": flag},
                            {**sdk, "audio": flag},
                        )
                    )
            if "negativePrompt" in schema.fields:
                unified, sdk = _base(model, endpoint)
                cases.append(
                    (
                        f"{model} {kind} negative prompt",
                        model,
                        endpoint,
                        {**unified, "negative_prompt": "blur"},
                        {**sdk, "negative_prompt": "blur"},
                    )
                )
            # Models without a published range: two lengths, to pin the int encoding.
            for seconds in spec.durations or (5, 10):
                unified, sdk = _base(model, endpoint)
                cases.append(
                    (
                        f"{model} {kind} {seconds}s",
                        model,
                        endpoint,
                        {**unified, "duration_seconds": seconds},
                        {**sdk, "duration": seconds},
                    )
                )
            cases += _size_cases(model, endpoint, row, kind)
    for model, endpoint, resolution, aspect, fields in PINNED_SIZES:
        unified, sdk = _base(model, endpoint)
        cases.append(
            (
                f"pinned {model} {endpoint} {resolution} {aspect}",
                model,
                endpoint,
                {**unified, "resolution": resolution, "aspect_ratio": aspect},
                {**sdk, **fields},
            )
        )
    return cases  # fmt: skip


CASES = build_cases()


@pytest.mark.parametrize(
    ("model", "endpoint", "unified", "sdk"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
async def test_create_matches_the_sdk(
    emulator: RunwayEmulator,
    model: str,
    endpoint: Endpoint,
    unified: dict[str, Any],
    sdk: dict[str, Any],
) -> None:
    ours, headers, _request_id = await adapter_submit(
        emulator, model, VideoGenerationRequest(prompt=PROMPT, **unified)
    )
    assert ours.path == f"/v1/{endpoint}"
    assert_same(ours, headers, sdk_create(endpoint, sdk))


def test_the_sweep_covers_every_family() -> None:
    """Text-only, first-frame, last-frame, seed, audio and duration cases for every model
    that has them (the counts guard against a sweep that silently shrinks)."""
    ids = [case[0] for case in CASES]
    for model, spec in MODELS.items():
        for seconds in spec.durations or (5, 10):
            assert any(i.startswith(f"{model} ") and i.endswith(f" {seconds}s") for i in ids)
        if spec.text is not None:
            assert f"{model} text only" in ids
        if spec.image is not None:
            assert f"{model} first frame" in ids
    last = {i.removesuffix(" first and last frame") for i in ids if "first and last" in i}
    no_last = {"gen4.5", "gen4_turbo", "veo3", "happyhorse_1_0", "gemini_omni_flash",
               "grok_imagine_1_5", "grok_imagine_1_5_lite"}  # fmt: skip
    assert last == set(MODELS) - no_last
    assert sum(i.endswith(" seed") for i in ids) == 17
    assert sum("audio=" in i for i in ids) == 56


# -- what the unified API and the SDK cannot share --------------------------------------


def test_every_sdk_model_has_a_table() -> None:
    sdk_models = set(SCHEMAS["image_to_video"]) | set(SCHEMAS["text_to_video"])
    assert sdk_models == set(MODELS)
    assert {
        m for m in MODELS if all(m not in SCHEMAS[e] or m in NOT_IN_SDK for e in ENDPOINTS)
    } == NOT_IN_SDK


def test_the_adapter_tables_match_the_sdk_types() -> None:
    """Each table row against the SDK's TypedDict for that model and endpoint: the same
    optional unified fields and positions, only values the SDK lists for ``ratio`` and
    ``resolution`` (what is left over is named), and typed durations."""
    left: dict[tuple[str, Endpoint], set[str]] = {}
    for model, spec in MODELS.items():
        for endpoint in ENDPOINTS:
            row = row_of(spec, endpoint)
            schema = SCHEMAS[endpoint].get(model)
            assert (row is None) == (schema is None), (model, endpoint)
            if row is None or schema is None:
                continue
            sdk_options = {field for field in UNIFIED_OPTIONS if field in schema.fields}
            assert set(row.options) == sdk_options, (model, endpoint)
            sdk_ratios = set(sdk_literal(endpoint, model, "ratio"))
            assert ratio_values(row) <= sdk_ratios, (model, endpoint)
            assert bool(ratio_values(row)) == bool(sdk_ratios), (model, endpoint)
            unsent = sdk_ratios - ratio_values(row)
            sdk_tiers = set(sdk_literal(endpoint, model, "resolution"))
            assert resolution_values(row) <= sdk_tiers, (model, endpoint)
            assert bool(resolution_values(row)) == bool(sdk_tiers), (model, endpoint)
            unsent |= sdk_tiers - resolution_values(row)
            if unsent:
                left[(model, endpoint)] = unsent
            typed = sdk_literal(endpoint, model, "duration")
            if typed:
                assert spec.durations is not None
                assert set(spec.durations) == set(typed), model
            if endpoint == "image_to_video":
                assert set(row.positions) == sdk_positions(model), model
    assert left == SDK_ONLY
    # Prompt limits: the adapter's and the emulator's (both from the SDK's docstrings).
    assert {m: s.max_prompt for m, s in MODELS.items() if s.max_prompt} == PROMPT_LIMITS
    unnamed = {r for spec in MODELS.values() for row in (spec.image, spec.text) if row
               for r in row.ratios if size_of(r) is None}  # fmt: skip
    assert unnamed == UNNAMED_RATIOS
    # Seedance's and Gemini Omni Flash 1.1's "auto" duration has no unified spelling.
    assert "auto" in str(SCHEMAS["text_to_video"]["seedance2"].fields["duration"]("x", "d"))


def _refused_cases() -> list[tuple[str, Endpoint, dict[str, Any], str]]:
    found: list[tuple[str, Endpoint, dict[str, Any], str]] = []
    for model, spec in MODELS.items():
        for endpoint in ENDPOINTS:
            schema = SCHEMAS[endpoint].get(model)
            if schema is None or row_of(spec, endpoint) is None:
                continue
            unified, _sdk = _base(model, endpoint)
            for wire, field in UNIFIED_OPTIONS.items():
                if wire in schema.fields or (field == "generate_audio" and spec.always_audio):
                    continue
                value: Any = {"seed": 1, "generate_audio": True, "negative_prompt": "x"}[field]
                found.append((model, endpoint, {**unified, field: value}, field))
            if endpoint == "image_to_video" and "last" not in sdk_positions(model):
                last, _ = _base(model, endpoint, last=True)
                found.append((model, endpoint, last, "image_list"))
    return found


REFUSED = _refused_cases()


@pytest.mark.parametrize(("model", "endpoint", "unified", "param"), REFUSED)
async def test_fields_a_model_lacks_are_refused_not_dropped(
    emulator: RunwayEmulator, model: str, endpoint: Endpoint, unified: dict[str, Any], param: str
) -> None:
    """Where the SDK has no field for a unified one, the adapter answers 400 (naming it)
    before any call; the old adapter dropped seeds silently and sent them where Runway
    refuses them."""
    before = len(emulator.calls)
    with pytest.raises(ValidationError) as caught:
        await RunwayProvider().submit_video(
            config_for(emulator, model), VideoGenerationRequest(prompt=PROMPT, **unified)
        )
    assert caught.value.param == param
    assert len(emulator.calls) == before


def test_refusals_cover_the_known_gaps() -> None:
    refused = {(model, endpoint, param) for model, endpoint, _u, param in REFUSED}
    assert ("happyhorse_1_0", "image_to_video", "seed") in refused
    assert ("gemini_omni_flash", "text_to_video", "seed") in refused
    assert ("veo3", "text_to_video", "seed") in refused
    assert ("kling3.0_pro", "image_to_video", "seed") in refused
    assert ("gen4_turbo", "image_to_video", "image_list") in refused
    assert ("gen4.5", "text_to_video", "negative_prompt") in refused


# -- tasks ------------------------------------------------------------------------------


async def test_retrieve_and_delete_match_the_sdk(emulator: RunwayEmulator) -> None:
    config = config_for(emulator, "gen4_turbo")
    provider = RunwayProvider()
    _ours, _headers, request_id = await adapter_submit(
        emulator,
        "gen4_turbo",
        VideoGenerationRequest(prompt=PROMPT, **_frames("image_to_video")[0]),
    )
    task_id = decode_request_id(request_id)[0]

    before = len(emulator.calls)
    await provider.poll_video(config, request_id)
    (poll,) = emulator.calls[before:]
    theirs = sdk_request(
        lambda client: client.tasks.retrieve(task_id),
        answer={"id": task_id, "createdAt": "2026-12-03T00:00:00Z", "status": "PENDING",
                "estimatedCost": {"credits": 25}},
    )  # fmt: skip
    assert_same(from_call(poll), poll.headers, theirs)

    before = len(emulator.calls)
    await provider.cancel_video(config, request_id)
    (cancel,) = emulator.calls[before:]
    theirs = sdk_request(lambda client: client.tasks.delete(task_id))
    assert_same(from_call(cancel), cancel.headers, theirs)


@pytest.mark.parametrize("outcome", ["success", "fail", "moderation", "cancelled", "throttled"])
async def test_the_sdk_reads_the_emulators_tasks(emulator: RunwayEmulator, outcome: str) -> None:
    """The emulator's task answers validate as the SDK's ``TaskRetrieveResponse`` (a
    discriminated union on ``status``) with nothing left over, so its shape is Runway's."""
    emulator.job_seconds = 60 if outcome in ("cancelled", "throttled") else 0.0
    emulator.throttle = outcome == "throttled"
    emulator.next_job_outcome = "success" if outcome in ("cancelled", "throttled") else outcome  # type: ignore[assignment]
    try:
        provider, config = RunwayProvider(), config_for(emulator, "veo3.1")
        job = await provider.submit_video(config, VideoGenerationRequest(prompt=PROMPT))
        task_id = decode_request_id(job.request_id)[0]
        if outcome == "cancelled":
            await provider.cancel_video(config, job.request_id)
        async with httpx.AsyncClient() as client:
            answer = (
                await client.get(
                    f"{emulator.base_url}/v1/tasks/{task_id}",
                    headers={"Authorization": f"Bearer {KEY}", "X-Runway-Version": API_VERSION},
                )
            ).json()
        # The SDK's models are built without validation; pydantic checks the shape.
        task = TypeAdapter(TaskRetrieveResponse).validate_python(answer)
        expected = {"success": "SUCCEEDED", "fail": "FAILED", "moderation": "FAILED",
                    "cancelled": "CANCELLED", "throttled": "THROTTLED"}[outcome]  # fmt: skip
        assert task.status == expected
        assert type(task).__name__ == expected.capitalize()
        assert set(json.loads(task.model_dump_json(by_alias=True, exclude_none=True))) == set(
            answer
        )
    finally:
        emulator.job_seconds = 0.05
        emulator.throttle = False
