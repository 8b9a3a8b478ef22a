"""The built wheel is what users get: one namespace, the predecessor's path, its quickstart.

The wheel is built offline from a copy of the sources and installed into a fresh venv
whose only view of the dependencies is a ``.pth`` line naming the dev venv's
site-packages. A ``.pth`` line only adds a directory; the ``.pth`` files inside it (the
dev venv's editable finder among them) are not run, so nothing of the repository can be
imported there unless the wheel carries it: a module missing from the wheel fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import tarash.tarash_gateway as predecessor
import tarash.tarash_gateway.exceptions as predecessor_exceptions
import tarash.tarash_gateway.models as predecessor_models
import tarash_gateway
from tests.servers import REPO_ROOT

SOURCES = ("pyproject.toml", "README.md", "tarash_gateway", "adapters", "router", "proxy", "tarash")
IMPLEMENTATION = ("adapters", "router", "proxy")
DIST_INFO = f"tarash_gateway-{tarash_gateway.__version__}.dist-info"

PUBLIC_NAMES = {
    *("generate_video", "generate_video_async", "generate_image", "generate_image_async"),
    *("Router", "load_config", "parse_config", "ConfigError", "__version__"),
    *("register_provider", "register_provider_field_mapping", "get_provider_field_mapping"),
    *("VideoGenerationConfig", "VideoGenerationRequest", "VideoGenerationResponse"),
    *("ImageGenerationConfig", "ImageGenerationRequest", "ImageGenerationResponse"),
    *("ImageInput", "MockConfig", "MockResponse", "MockError", "ProgressUpdate"),
    *("ExecutionMetadata", "AttemptRecord"),
    *("VideoProvider", "ImageProvider", "JobProgress", "SubmittedJob"),
    *("ModelMapping", "FieldMap", "Capabilities"),
    *("TarashError", "ValidationError", "ContentModerationError", "GenerationFailedError"),
    *("PollTimeoutError", "ProviderConnectionError", "HTTPError", "RateLimitError"),
    *("ProviderAuthenticationError", "UnknownAliasError", "NoDeploymentAvailableError"),
    "DeploymentGoneError",
}

# The predecessor's names that the gateway spells differently: same objects, old names.
RENAMED = {
    "TarashException": "TarashError",
    "HTTPConnectionError": "ProviderConnectionError",
    "TimeoutError": "PollTimeoutError",
    "VideoGenerationUpdate": "ProgressUpdate",
    "ImageGenerationUpdate": "ProgressUpdate",
    "AttemptMetadata": "AttemptRecord",
}
TYPE_ALIASES = {"AspectRatio", "Resolution", "StatusType", "ProgressCallback"}

QUICKSTART = """\
{imports}
request = VideoGenerationRequest(prompt="A calm lake at sunrise, mist rising off the water",
                                 duration_seconds=4, aspect_ratio="16:9")
config = VideoGenerationConfig(provider="fal", model="fal-ai/veo3.1", api_key="...",
                               mock=MockConfig(enabled=True))
response = generate_video(config, request)
print(response.video)
print(response.is_mock)
"""
PREDECESSOR_IMPORTS = """\
from tarash.tarash_gateway import generate_video, VideoGenerationConfig, VideoGenerationRequest
from tarash.tarash_gateway.mock import MockConfig
"""
PUBLIC_IMPORTS = """\
from tarash_gateway import generate_video, VideoGenerationConfig, VideoGenerationRequest
from tarash_gateway import MockConfig
"""

IDENTITY = """\
import importlib.util, json, sys
import tarash_gateway
import tarash.tarash_gateway as old
import tarash.tarash_gateway.exceptions as old_exceptions
import tarash.tarash_gateway.mock as old_mock
from tarash.tarash_gateway.models import VideoGenerationConfig
names = ["generate_video", "VideoGenerationConfig", "VideoGenerationRequest",
         "VideoGenerationResponse", "ValidationError", "MockConfig"]
print(json.dumps({
    "same": [getattr(old, n) is getattr(tarash_gateway, n) for n in names]
    + [VideoGenerationConfig is tarash_gateway.VideoGenerationConfig,
       old.TarashException is tarash_gateway.TarashError,
       old_exceptions.TimeoutError is tarash_gateway.PollTimeoutError,
       old_mock.MockConfig is tarash_gateway.MockConfig],
    "files": sorted(m.__file__ for m in list(sys.modules.values())
                    if m.__name__.split(".")[0] in ("tarash", "tarash_gateway")),
    "top_level": [n for n in ("adapters", "router", "proxy")
                  if importlib.util.find_spec(n) is not None],
    "path": sys.path,
}))
"""


@dataclass
class Installed:
    """A fresh venv with the wheel installed; ``run`` executes Python there, cwd outside
    the repository, so no folder of the repository can shadow what the wheel installed."""

    python: Path
    bin: Path
    site_packages: Path
    workdir: Path

    def env(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "TMPDIR")
        return {name: os.environ[name] for name in keep if name in os.environ}

    def start(self, code: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.python), "-W", "ignore", "-c", code],
            cwd=self.workdir,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, code: str) -> str:
        return finish(self.start(code))


def finish(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    return stdout


def _copy_sources(destination: Path) -> None:
    """The files a build reads, symlinks kept (tarash_gateway/adapters -> ../adapters),
    so the build sees the repository's layout without writing build/ into it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        source = REPO_ROOT / name
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, destination / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sources = tmp_path_factory.mktemp("sources")
    _copy_sources(sources)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*command, "--no-index", "--quiet", "--wheel-dir", str(out), str(sources)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    subprocess.run([*pip, "--no-index", "--quiet", str(wheel)], check=True, timeout=300)
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    dependencies = Path(sysconfig.get_paths()["purelib"])
    assert dependencies.name == "site-packages"  # the dependencies, never the repository root
    (site_packages / "dev-venv-dependencies.pth").write_text(f"{dependencies}\n")
    workdir = tmp_path_factory.mktemp("cwd")
    return Installed(python, venv / "bin", site_packages, workdir)


def _wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _repository_files(folder: str) -> set[str]:
    root = REPO_ROOT / folder
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_wheel_installs_one_namespace_and_the_predecessor_path(wheel: Path) -> None:
    files = _wheel_files(wheel)
    assert {name.split("/")[0] for name in files} == {"tarash_gateway", "tarash", DIST_INFO}
    for folder in IMPLEMENTATION:
        missing = {f"tarash_gateway/{folder}/{name}" for name in _repository_files(folder)}
        assert missing - files == set(), f"{folder}/ files missing from the wheel"
    compat = {f"tarash/{name}" for name in _repository_files("tarash")}
    assert compat - files == set()
    assert {
        "tarash_gateway/__init__.py",
        "tarash_gateway/py.typed",
        "tarash/tarash_gateway/py.typed",
        "tarash_gateway/adapters/media/sample.mp4",
        "tarash_gateway/adapters/media/sample.jpg",
        "tarash_gateway/proxy/store/migrations/script.py.mako",
        "tarash_gateway/proxy/store/migrations/env.py",
    } <= files


def test_wheel_declares_the_predecessors_extras(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
    extras = {
        line.removeprefix("Provides-Extra:").strip()
        for line in metadata.splitlines()
        if line.startswith("Provides-Extra:")
    }
    assert {"fal", "openai", "runway", "veo3", "replicate", "all", "dev"} <= extras
    assert 'Requires-Dist: fal-client>=0.5; extra == "fal"' in metadata
    assert 'Requires-Dist: openai>=1.100; extra == "all"' in metadata


def test_predecessor_quickstart_runs_through_both_import_paths(installed: Installed) -> None:
    # The two quickstarts wait on the mock's poll interval; run them side by side.
    running = [
        installed.start(QUICKSTART.format(imports=imports))
        for imports in (PREDECESSOR_IMPORTS, PUBLIC_IMPORTS)
    ]
    for process in running:
        video, is_mock = finish(process).splitlines()
        assert is_mock == "True"
        assert video.startswith("file://")
        path = Path(video.removeprefix("file://"))
        assert path.is_relative_to(installed.site_packages / "tarash_gateway")
        assert path.read_bytes()[4:8] == b"ftyp"


def test_both_paths_give_the_same_objects_from_the_wheel_alone(installed: Installed) -> None:
    report = json.loads(installed.run(IDENTITY))
    assert report["same"] == [True] * len(report["same"])
    assert report["files"]
    for file in report["files"]:
        assert Path(file).is_relative_to(installed.site_packages), file
    assert report["top_level"] == []  # no bare adapters/router/proxy anywhere on the path
    assert str(REPO_ROOT) not in report["path"]


def test_installed_console_script_starts(installed: Installed) -> None:
    result = subprocess.run(
        [str(installed.bin / "tarash-gateway"), "--help"],
        cwd=installed.workdir,
        env=installed.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout


def test_public_face_is_pinned() -> None:
    assert set(tarash_gateway.__all__) == PUBLIC_NAMES
    assert len(tarash_gateway.__all__) == len(PUBLIC_NAMES)  # no name listed twice
    for name in tarash_gateway.__all__:
        assert getattr(tarash_gateway, name) is not None


def test_public_face_loads_no_server_code() -> None:
    code = (
        "import sys, tarash_gateway\n"
        "server = ('tarash_gateway.proxy', 'starlette', 'sqlalchemy', 'uvicorn', 'alembic')\n"
        "print([m for m in sys.modules if m.startswith(server)])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_predecessor_names_are_the_gateways_objects() -> None:
    modules = (predecessor, predecessor_models, predecessor_exceptions)
    for module in modules:
        for name in module.__all__:
            if name in TYPE_ALIASES or name in ("__version__", "is_retryable_error"):
                continue
            ours = getattr(tarash_gateway, RENAMED.get(name, name))
            assert getattr(module, name) is ours, f"{module.__name__}.{name}"
    assert predecessor.__version__ == tarash_gateway.__version__


def test_predecessor_is_retryable_error_follows_the_error() -> None:
    retryable = predecessor_exceptions.is_retryable_error
    assert retryable(tarash_gateway.GenerationFailedError("failed"))
    assert not retryable(tarash_gateway.ValidationError("bad"))
    assert retryable(tarash_gateway.HTTPError("busy", status_code=503))
    assert not retryable(tarash_gateway.HTTPError("gone", status_code=404))
    assert not retryable(RuntimeError("not ours"))
