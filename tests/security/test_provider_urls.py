"""A hostile provider cannot make the gateway read its files or reach the network behind
it: provider URLs are followed only as http(s) to public addresses (or the deployment's
own host, or an allowlisted network), data:, and local files of the gateway's own media.

The providers here are loopback servers of our own: an OpenAI-compatible image upstream
that answers whatever URL the test chooses, a fal emulator whose finished video points
wherever the test says, and small "CDN" servers, one on 127.0.0.1 (the deployments' own
host) and one on 127.0.0.2 (a private address that is nobody's base_url)."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.outbound import AddressPolicy
from tarash_gateway.router import ConfigError, load_config
from tests.conftest import write_config
from tests.emulators.base import Job
from tests.emulators.fal import FalEmulator
from tests.servers import free_port

MASTER = "sk-provider-urls-master-5d1c0e"
PAYLOAD = os.urandom(4096)
"""What the CDN servers serve at /media/<anything>."""
ENVIRON = Path("/proc/self/environ").read_bytes()
"""This process's environment as /proc shows it: what a leak would hand out."""


class Site:
    """A loopback server on ``host``: an OpenAI-style image endpoint answering
    ``image_url``, ``/media/<name>`` (``PAYLOAD``) and ``/redirect?to=<url>`` (a 302)."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = free_port()
        self.image_url = ""
        self.requests: list[str] = []

        async def images(request: Request) -> Response:
            self.requests.append(request.url.path)
            return JSONResponse({"created": int(time.time()), "data": [{"url": self.image_url}]})

        async def media(request: Request) -> Response:
            self.requests.append(request.url.path)
            return Response(PAYLOAD, media_type="video/mp4")

        async def redirect(request: Request) -> Response:
            self.requests.append(request.url.path)
            return RedirectResponse(request.query_params["to"], status_code=302)

        app = Starlette(
            routes=[
                Route("/v1/images/generations", images, methods=["POST"]),
                Route("/media/{name}", media),
                Route("/redirect", redirect),
            ]
        )
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Site:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.host} did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class HostileFal(FalEmulator):
    """fal's queue, with finished videos at whatever ``video_url`` says."""

    video_url = ""

    def media_url(self, job: Job, kind: Literal["video", "image"] = "video") -> str:
        return self.video_url


@dataclass
class Servers:
    own: Site  # 127.0.0.1: the host every deployment's base_url points at
    other: Site  # 127.0.0.2: private, and nobody's base_url
    fal: HostileFal


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with Site("127.0.0.1") as own, Site("127.0.0.2") as other, HostileFal(job_seconds=0) as fal:
        yield Servers(own, other, fal)


@dataclass
class Gw:
    client: httpx.AsyncClient
    gateway: Gateway
    config: Path
    media: Path


@asynccontextmanager
async def running(directory: Path, servers: Servers, settings: str = "") -> AsyncIterator[Gw]:
    media = directory / "media"
    media.mkdir(exist_ok=True)
    config = write_config(
        directory,
        f"""
        model_list:
          - model_name: pics
            params: {{provider: openai, model: gpt-image-1, api_key: test-key,
                      base_url: "{servers.own.base_url}/v1", request_timeout: 5}}
          - model_name: clips
            params: {{provider: fal, model: fal-ai/veo3.1/fast, api_key: test-key,
                      base_url: "{servers.fal.base_url}", poll_interval: 0.05,
                      request_timeout: 5}}
          - model_name: mocked
            params: {{provider: mock, model: m, poll_interval: 0.05, mock: {{job_seconds: 0}}}}
        general_settings:
          master_key: {MASTER}
          database_url: sqlite:///{directory / "jobs.db"}
          media_dir: "{media}"
          {settings}
        """,
    )
    app = create_app(load_config(config))
    gateway: Gateway = app.state.gateway
    await gateway.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {MASTER}"},
            timeout=30,
        ) as client:
            yield Gw(client, gateway, config, media)
    finally:
        await gateway.stop()


@pytest.fixture
async def gw(tmp_path: Path, servers: Servers) -> AsyncIterator[Gw]:
    async with running(tmp_path, servers) as running_gateway:
        yield running_gateway


def assert_refused(response: httpx.Response) -> None:
    """The gateway's answer to a provider URL it will not follow: an OpenAI error."""
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == "content_unavailable", error


def leaked(response: httpx.Response, secret: bytes) -> bool:
    """Whether the start of ``secret`` is in the body, as it is or base64-encoded."""
    head = secret[:48]
    return head in response.content or base64.b64encode(head)[:60] in response.content


async def image(gw: Gw, servers: Servers, url: str, fmt: str = "b64_json") -> httpx.Response:
    servers.own.image_url = url
    return await gw.client.post(
        "/v1/images/generations", json={"model": "pics", "prompt": "p", "response_format": fmt}
    )


async def finished_video(gw: Gw, model: str = "clips") -> str:
    created = await gw.client.post(
        "/v1/videos", json={"model": model, "prompt": "p", "seconds": "4"}
    )
    assert created.status_code == 200, created.text
    video_id = str(created.json()["id"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        record = await gw.gateway.store.get(video_id)
        if record is not None and record.status in ("completed", "failed"):
            assert record.status == "completed", record
            return video_id
        await asyncio.sleep(0.02)
    raise AssertionError(f"{video_id} did not finish")


async def content(gw: Gw, servers: Servers, url: str, **headers: str) -> httpx.Response:
    servers.fal.video_url = url
    video_id = await finished_video(gw)
    return await gw.client.get(f"/v1/videos/{video_id}/content", headers=headers)


# -- local files -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["b64_json", "url"])
async def test_image_upstream_cannot_read_the_gateways_environment(
    gw: Gw, servers: Servers, fmt: str
) -> None:
    response = await image(gw, servers, "file:///proc/self/environ", fmt)
    assert_refused(response)
    assert not leaked(response, ENVIRON)
    assert os.environ["PATH"].encode() not in response.content


async def test_image_upstream_cannot_read_the_config_file(gw: Gw, servers: Servers) -> None:
    response = await image(gw, servers, gw.config.as_uri())
    assert_refused(response)
    assert MASTER.encode() not in response.content
    assert not leaked(response, gw.config.read_bytes())


async def test_image_upstream_cannot_use_other_schemes(gw: Gw, servers: Servers) -> None:
    for url in ("ftp://127.0.0.1/x.png", "gopher://127.0.0.1:70/x", "file://otherhost/etc/x"):
        assert_refused(await image(gw, servers, url))


async def test_video_result_outside_the_media_dirs_is_not_served(gw: Gw, servers: Servers) -> None:
    whole = await content(gw, servers, "file:///proc/self/environ")
    assert_refused(whole)
    ranged = await content(gw, servers, "file:///proc/self/environ", range="bytes=0-99")
    assert_refused(ranged)
    config = await content(gw, servers, gw.config.as_uri(), range="bytes=0-")
    assert_refused(config)
    for response in (whole, ranged, config):
        assert not leaked(response, ENVIRON)
        assert MASTER.encode() not in response.content


async def test_symlinks_and_dot_dots_out_of_the_media_dir_are_refused(
    gw: Gw, servers: Servers
) -> None:
    (gw.media / "escape.mp4").symlink_to(gw.config)
    for url in (
        (gw.media / "escape.mp4").as_uri(),
        f"file://{gw.media}/../config.yaml",
        f"file://{gw.media}/%2e%2e/config.yaml",
    ):
        response = await content(gw, servers, url)
        assert_refused(response)
        assert MASTER.encode() not in response.content


async def test_files_in_the_media_dir_and_packaged_media_are_still_served(
    gw: Gw, servers: Servers
) -> None:
    (gw.media / "stored.mp4").write_bytes(PAYLOAD)
    stored = await content(gw, servers, (gw.media / "stored.mp4").as_uri(), range="bytes=0-9")
    assert stored.status_code == 206, stored.text
    assert stored.content == PAYLOAD[:10]
    video_id = await finished_video(gw, "mocked")  # the mock answers the shipped sample
    packaged = await gw.client.get(f"/v1/videos/{video_id}/content")
    assert packaged.status_code == 200, packaged.text
    assert packaged.content == SAMPLE_VIDEO.read_bytes()
    pictures = await image(gw, servers, SAMPLE_THUMBNAIL.as_uri())
    assert pictures.status_code == 200, pictures.text
    assert base64.b64decode(pictures.json()["data"][0]["b64_json"]) == SAMPLE_THUMBNAIL.read_bytes()


# -- addresses -------------------------------------------------------------------------

FORBIDDEN_HOPS = (
    "http://127.0.0.2:{other}/media/x.mp4",  # loopback, but not the deployment's host
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.0.0.1/x.mp4",  # RFC 1918
    "http://[::ffff:127.0.0.2]:{other}/media/x.mp4",  # the same, IPv4-mapped
)


@pytest.mark.parametrize("target", FORBIDDEN_HOPS)
async def test_content_redirect_to_a_private_address_is_refused_at_the_hop(
    gw: Gw, servers: Servers, target: str
) -> None:
    hop = target.format(other=servers.other.port)
    before = len(servers.other.requests)
    start = f"{servers.own.base_url}/redirect?to={hop}"
    assert_refused(await content(gw, servers, start))
    assert_refused(await content(gw, servers, start, range="bytes=0-9"))
    assert len(servers.other.requests) == before  # never connected


@pytest.mark.parametrize("target", FORBIDDEN_HOPS)
async def test_image_redirect_to_a_private_address_is_refused_at_the_hop(
    gw: Gw, servers: Servers, target: str
) -> None:
    hop = target.format(other=servers.other.port)
    before = len(servers.other.requests)
    assert_refused(await image(gw, servers, f"{servers.own.base_url}/redirect?to={hop}"))
    assert len(servers.other.requests) == before


async def test_provider_urls_on_another_private_host_are_refused(gw: Gw, servers: Servers) -> None:
    before = len(servers.other.requests)
    assert_refused(await content(gw, servers, f"{servers.other.base_url}/media/x.mp4"))
    assert_refused(await image(gw, servers, f"{servers.other.base_url}/media/x.png"))
    assert len(servers.other.requests) == before


async def test_the_deployments_own_host_is_allowed_on_any_port(gw: Gw, servers: Servers) -> None:
    # The image deployment's base_url is servers.own; the fal one is on the same host
    # (127.0.0.1) but another port, which is the deployment's host all the same.
    relayed = await content(gw, servers, f"{servers.own.base_url}/media/x.mp4")
    assert relayed.status_code == 200, relayed.text
    assert relayed.content == PAYLOAD
    fetched = await image(gw, servers, f"{servers.own.base_url}/media/x.png")
    assert fetched.status_code == 200, fetched.text
    assert base64.b64decode(fetched.json()["data"][0]["b64_json"]) == PAYLOAD


async def test_the_allowlist_lets_a_private_media_server_through(
    tmp_path: Path, servers: Servers
) -> None:
    settings = "outbound_allow_networks: [127.0.0.2/32]"
    async with running(tmp_path, servers, settings) as allowed:
        relayed = await content(allowed, servers, f"{servers.other.base_url}/media/x.mp4")
        assert relayed.status_code == 200, relayed.text
        assert relayed.content == PAYLOAD
        hop = f"{servers.own.base_url}/redirect?to={servers.other.base_url}/media/y.mp4"
        assert (await content(allowed, servers, hop)).content == PAYLOAD
        fetched = await image(allowed, servers, f"{servers.other.base_url}/media/x.png")
        assert fetched.status_code == 200, fetched.text
        assert base64.b64decode(fetched.json()["data"][0]["b64_json"]) == PAYLOAD
        # Still only that network: the metadata address stays out.
        metadata = f"{servers.own.base_url}/redirect?to=http://169.254.169.254/"
        assert_refused(await content(allowed, servers, metadata))


async def test_images_larger_than_the_limit_are_not_fetched_into_memory(
    tmp_path: Path, servers: Servers
) -> None:
    settings = f"max_fetched_image_bytes: {len(PAYLOAD) - 1}"
    async with running(tmp_path, servers, settings) as limited:
        response = await image(limited, servers, f"{servers.own.base_url}/media/x.png")
    assert response.status_code == 502, response.text
    assert response.json()["error"]["code"] == "content_too_large"


def test_the_allowlist_must_hold_networks(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        f"""
        model_list:
          - model_name: m
            params: {{provider: mock, model: m}}
        general_settings:
          master_key: {MASTER}
          outbound_allow_networks: [not-a-network]
        """,
    )
    with pytest.raises(ConfigError, match="not-a-network"):
        load_config(config)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fec0::1", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::ffff:169.254.169.254", False),
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ],
)
def test_only_public_unicast_addresses_are_allowed_by_default(address: str, allowed: bool) -> None:
    assert AddressPolicy().allows(ipaddress.ip_address(address)) is allowed


def test_trusted_addresses_and_allowed_networks_are_exceptions() -> None:
    policy = AddressPolicy(
        trusted=frozenset({ipaddress.ip_address("127.0.0.1")}),
        networks=(ipaddress.ip_network("10.20.0.0/16"),),
    )
    assert policy.allows(ipaddress.ip_address("127.0.0.1"))
    assert policy.allows(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert policy.allows(ipaddress.ip_address("10.20.30.40"))
    assert not policy.allows(ipaddress.ip_address("127.0.0.2"))
    assert not policy.allows(ipaddress.ip_address("10.21.0.1"))
