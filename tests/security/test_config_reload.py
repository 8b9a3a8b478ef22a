"""Config hot reload survives however the file is replaced.

A watch on the file itself dies with its inode: after ``sed -i``, an editor's save
(write a new file, rename it over the old one), a delete and recreate or a Kubernetes
ConfigMap's symlink swap, later edits were ignored without a log line. These drive a
real ``serve`` process through each of those, several times in a row, and watch the
change arrive in ``GET /v1/models``; the last ones test the watcher's pieces in-process.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tarash_gateway.proxy.workers.config_watch import (
    ConfigWatcher,
    digest,
    lookup_names,
    watched_directories,
)
from tarash_gateway.router import ConfigError, ConfigIssue
from tests.db_backends import adapt_config
from tests.servers import GatewayProcess

KEY = "sk-config-reload-test"
DEADLINE = 15.0
APPLIED = "config change applied"


def config_text(database: Path, alias: str) -> str:
    """A valid config whose one alias names the version of the file."""
    return adapt_config(
        "model_list:\n"
        f"  - model_name: {alias}\n"
        f"    params: {{provider: mock, model: m-{alias}, id: {alias}-1}}\n"
        "general_settings:\n"
        f"  master_key: {KEY}\n"
        f"  database_url: sqlite:///{database}\n"
    )


def replace_atomically(path: Path, text: str) -> None:
    """What most editors and config tools do: a new file renamed over the old name."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def models(server: GatewayProcess) -> list[str]:
    response = httpx.get(
        f"{server.base_url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}, timeout=5
    )
    response.raise_for_status()
    return sorted(model["id"] for model in response.json()["data"])


def wait_until(server: GatewayProcess, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {DEADLINE} s: {what}\n--- gateway log ---\n{server.log()}")


def wait_for_alias(server: GatewayProcess, alias: str) -> None:
    wait_until(server, lambda: models(server) == [alias], f"/v1/models lists only {alias!r}")


def wait_for_log(server: GatewayProcess, text: str, count: int = 1) -> None:
    wait_until(server, lambda: server.log().count(text) >= count, f"{count}x {text!r} in the log")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """Starts ``serve`` (watching is on by default) on a config file; stops it after."""
    started: list[GatewayProcess] = []

    def start(config: Path, log_level: str = "info") -> GatewayProcess:
        server = GatewayProcess(config, tmp_path / "gateway.log", log_level=log_level)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def test_three_atomic_replaces_in_a_row_are_each_picked_up(
    tmp_path: Path, serve: Callable[..., GatewayProcess]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(tmp_path / "jobs.db", "alias-v0"))
    server = serve(config)
    assert models(server) == ["alias-v0"]
    for version in (1, 2, 3):
        replace_atomically(config, config_text(tmp_path / "jobs.db", f"alias-v{version}"))
        wait_for_alias(server, f"alias-v{version}")
    wait_for_log(server, APPLIED, 3)
    log = server.log()
    assert log.count(APPLIED) == 3, log  # one reload per save, however many events
    expected = hashlib.sha256(config.read_bytes()).hexdigest()[:12]
    assert f"(sha256 {expected}): 1 aliases" in log


def test_sed_in_place_twice(tmp_path: Path, serve: Callable[..., GatewayProcess]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(tmp_path / "jobs.db", "alias-v0"))
    server = serve(config)
    for old, new in (("alias-v0", "alias-v1"), ("alias-v1", "alias-v2")):
        subprocess.run(["sed", "-i", f"s/{old}/{new}/g", str(config)], check=True)
        wait_for_alias(server, new)


def test_delete_and_recreate_warns_then_picks_the_new_file_up(
    tmp_path: Path, serve: Callable[..., GatewayProcess]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(tmp_path / "jobs.db", "alias-v0"))
    server = serve(config)
    for version in (1, 2):
        config.unlink()
        wait_for_log(server, "config file gone; still running the previous config", version)
        assert models(server) == [f"alias-v{version - 1}"]  # still serving the old one
        config.write_text(config_text(tmp_path / "jobs.db", f"alias-v{version}"))
        wait_for_alias(server, f"alias-v{version}")


def publish_configmap(directory: Path, text: str, version: int) -> None:
    """What the kubelet does on a ConfigMap update: the data in a new timestamped
    directory, ``..data`` swapped to it through a renamed temporary symlink, the old
    directory removed."""
    fresh = directory / f"..2026_12_03_12_00_0{version}.{version}"
    fresh.mkdir()
    (fresh / "config.yaml").write_text(text)
    data = directory / "..data"
    previous = directory / os.readlink(data) if data.is_symlink() else None
    temporary = directory / "..data_tmp"
    os.symlink(fresh.name, temporary)
    os.replace(temporary, data)
    if previous is not None:
        shutil.rmtree(previous)
    if not (directory / "config.yaml").is_symlink():
        os.symlink("..data/config.yaml", directory / "config.yaml")


def test_kubernetes_configmap_symlink_swap_twice(
    tmp_path: Path, serve: Callable[..., GatewayProcess]
) -> None:
    mount = tmp_path / "config"
    mount.mkdir()
    publish_configmap(mount, config_text(tmp_path / "jobs.db", "alias-v0"), 0)
    server = serve(mount / "config.yaml")
    assert models(server) == ["alias-v0"]
    for version in (1, 2):
        publish_configmap(mount, config_text(tmp_path / "jobs.db", f"alias-v{version}"), version)
        wait_for_alias(server, f"alias-v{version}")


def test_a_broken_file_is_refused_and_the_next_good_write_applies(
    tmp_path: Path, serve: Callable[..., GatewayProcess]
) -> None:
    config = tmp_path / "config.yaml"
    good = config_text(tmp_path / "jobs.db", "alias-v0")
    config.write_text(good)
    server = serve(config)
    replace_atomically(config, good.replace("provider: mock", "provider: nope"))
    wait_for_log(server, "config change refused; still running the previous config")
    assert "unknown provider 'nope'" in server.log()
    assert models(server) == ["alias-v0"]
    replace_atomically(config, "model_list: [unclosed\n")  # not even YAML
    wait_for_log(server, "config change refused", 2)
    replace_atomically(config, config_text(tmp_path / "jobs.db", "alias-v1"))
    wait_for_alias(server, "alias-v1")


def test_a_touch_or_a_rewrite_of_the_same_bytes_does_not_reload(
    tmp_path: Path, serve: Callable[..., GatewayProcess]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(tmp_path / "jobs.db", "alias-v0"))
    server = serve(config, log_level="debug")
    unchanged = "event without a content change"
    subprocess.run(["touch", str(config)], check=True)
    wait_for_log(server, unchanged)  # the watcher saw the touch, and let it be
    replace_atomically(config, config.read_text())
    wait_for_log(server, unchanged, 2)
    log = server.log()
    assert APPLIED not in log, log
    assert "config reloaded" not in log, log
    # Still watching: a real change after those reloads once.
    replace_atomically(config, config_text(tmp_path / "jobs.db", "alias-v1"))
    wait_for_alias(server, "alias-v1")
    wait_for_log(server, APPLIED)
    assert server.log().count(APPLIED) == 1


# The watcher's pieces, in-process.


def make_configmap(tmp_path: Path) -> Path:
    mount = tmp_path / "mount"
    mount.mkdir()
    publish_configmap(mount, "a: 1\n", 0)
    return mount


def test_lookup_names_follow_a_configmaps_symlink_chain(tmp_path: Path) -> None:
    mount = make_configmap(tmp_path)
    real = mount.resolve()
    assert lookup_names(mount / "config.yaml") == {
        real / "config.yaml",
        real / "..data",
        real / "..2026_12_03_12_00_00.0",
        real / "..2026_12_03_12_00_00.0" / "config.yaml",
    }
    assert watched_directories(lookup_names(mount / "config.yaml")) == [
        real,
        real / "..2026_12_03_12_00_00.0",
    ]
    publish_configmap(mount, "a: 2\n", 1)
    assert real / "..2026_12_03_12_00_01.1" / "config.yaml" in lookup_names(mount / "config.yaml")


def test_lookup_names_of_a_plain_file_and_of_links_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "real.yaml").write_text("a: 1\n")
    assert lookup_names(tmp_path / "etc" / "real.yaml") == {tmp_path.resolve() / "etc/real.yaml"}
    os.symlink(tmp_path / "etc" / "real.yaml", tmp_path / "absolute.yaml")
    os.symlink("etc/../etc/real.yaml", tmp_path / "relative.yaml")
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    root = tmp_path.resolve()
    for link in ("absolute.yaml", "relative.yaml"):
        assert lookup_names(tmp_path / link) == {root / link, root / "etc/real.yaml"}
    assert lookup_names(tmp_path / "loop.yaml") == {root / "loop.yaml"}  # no endless walk
    assert lookup_names(tmp_path / "missing.yaml") == {root / "missing.yaml"}


def test_digest_is_the_sha256_of_the_bytes_and_none_when_gone(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    assert digest(path) is None
    path.write_bytes(b"a: 1\n")
    assert digest(path) == hashlib.sha256(b"a: 1\n").hexdigest()
    os.symlink("nowhere/config.yaml", tmp_path / "dangling.yaml")
    assert digest(tmp_path / "dangling.yaml") is None


class Reloads:
    """A stand-in for the gateway's reload: refuses files that say ``broken``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.applied: list[str] = []
        self.arrivals: asyncio.Queue[str] = asyncio.Queue()

    async def __call__(self) -> int:
        text = self.path.read_text()
        if "broken" in text:
            raise ConfigError([ConfigIssue(str(self.path), 1, 1, "", "broken on purpose")])
        self.applied.append(text)
        self.arrivals.put_nowait(text)
        return 1


async def test_check_reloads_once_per_content_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("v: 0\n")
    reloads = Reloads(path)
    watcher = ConfigWatcher(path, reloads)
    await watcher.check()  # nothing changed yet
    path.touch()
    await watcher.check()
    assert reloads.applied == []
    path.write_text("v: 1\n")
    await watcher.check()
    await watcher.check()  # a second event of the same save
    assert reloads.applied == ["v: 1\n"]
    path.write_text("broken\n")
    with caplog.at_level("ERROR", logger="tarash.config"):
        await watcher.check()
        await watcher.check()
    assert [r.message.splitlines()[0] for r in caplog.records if r.levelname == "ERROR"] == [
        "config change refused; still running the previous config:"
    ]  # one line per bad save, not per event
    path.unlink()
    with caplog.at_level("WARNING", logger="tarash.config"):
        await watcher.check()
        await watcher.check()
    assert sum("config file gone" in r.message for r in caplog.records) == 1
    path.write_text("v: 1\n")  # back to what is running: nothing to reload
    await watcher.check()
    path.write_text("v: 2\n")
    await watcher.check()
    assert reloads.applied == ["v: 1\n", "v: 2\n"]


async def test_the_watch_outlives_a_missing_directory_and_stops_on_close(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "later"
    path = directory / "config.yaml"
    reloads = Reloads(path)
    watcher = ConfigWatcher(path, reloads, retry_seconds=0.05).start()
    try:
        directory.mkdir()  # the directory appears while the watch waits for it
        path.write_text("v: 1\n")
        assert await asyncio.wait_for(reloads.arrivals.get(), DEADLINE) == "v: 1\n"
        replace_atomically(path, "v: 2\n")
        assert await asyncio.wait_for(reloads.arrivals.get(), DEADLINE) == "v: 2\n"
        assert reloads.applied == ["v: 1\n", "v: 2\n"]
    finally:
        await watcher.close()
    assert watcher._task is not None
    assert watcher._task.done()
