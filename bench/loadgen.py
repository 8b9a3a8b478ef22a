"""The load generator: wrk, a C program, in its own process.

wrk keeps each connection busy with one request after another (a closed loop, like N
SDK clients each waiting for its answer), records every latency, and costs far less
CPU per request than any Python client. A Lua script sets the request and prints the
percentiles as JSON. To show it is not the bottleneck, the CPU it used is read from
the kernel (``wait4``) and reported next to every number.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Request:
    """One HTTP request wrk sends over and over."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    connections: int
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    loadgen_cpu_percent: float
    """CPU wrk used, in % of one core, over the run."""

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "requests_per_second": round(self.requests_per_second, 1)}


def _lua_string(value: str | bytes) -> str:
    """A quoted Lua string holding exactly these bytes (CRLF included, which a Lua long
    string would turn into LF)."""
    data = value.encode() if isinstance(value, str) else value
    escaped = "".join(
        chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}" for byte in data
    )
    return f'"{escaped}"'


def script_for(request: Request) -> str:
    lines = [f"wrk.method = {_lua_string(request.method)}"]
    lines += [
        f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}"
        for name, value in request.headers.items()
    ]
    if request.body:
        lines.append(f"wrk.body = {_lua_string(request.body)}")
    return "\n".join(lines) + "\n" + _DONE


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run(base_url: str, request: Request, *, connections: int, seconds: float) -> LoadResult:
    """Run wrk with ``connections`` concurrent connections for ``seconds``."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError("wrk is not installed (scripts/bench installs it with apt)")
    threads = 1 if connections < 4 else 2
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script_for(request))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "30s", "-s", handle.name, base_url + request.path]
    before = os.times()
    try:
        finished = subprocess.run(command, capture_output=True, check=False)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    after = os.times()  # wrk has been reaped: its CPU is in the children's totals
    used = after.children_user - before.children_user
    used += after.children_system - before.children_system
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.decode()[-500:]}")
    stdout = finished.stdout.decode()
    line = next((x for x in stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {stdout[-500:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    duration = data["duration_us"] / 1e6
    return LoadResult(
        connections=connections,
        requests=data["requests"],
        seconds=duration,
        errors=data["errors"],
        non_2xx=data["non_2xx"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        loadgen_cpu_percent=round(100.0 * used / duration, 1) if duration else 0.0,
    )


def multipart(
    path: str,
    fields: Mapping[str, str],
    headers: Mapping[str, str],
    boundary: str = "benchboundary7261827",
) -> Request:
    """A create request encoded the way the OpenAI SDK sends it (multipart/form-data)."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    content_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return Request("POST", path, {**headers, **content_type}, body)
