"""The markdown tables: every gateway number beside the direct and LiteLLM numbers, with
the ratios and the SPEC §9 target it is held to."""

from __future__ import annotations

from typing import Any

GATEWAY = "tarash"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "-"
    return f"{numerator / denominator:.2f}x"


def _p50(row: dict[str, Any] | None) -> float | None:
    return None if row is None else float(row["p50_ms"])


def _triple(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    return f"{_ms(row['p50_ms'])} / {_ms(row['p95_ms'])} / {_ms(row['p99_ms'])}"


def create_table(create: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    lines = [
        "### Create: latency in ms (p50 / p95 / p99), multipart as the OpenAI SDK sends it",
        "",
        "| clients | direct | tarash | added by tarash p50 / p99 | tarash ÷ direct p50 "
        "| litellm | tarash ÷ litellm p50 | req/s direct / tarash / litellm "
        "| wrk CPU % (max) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    direct, ours, litellm = (create.get(n, {}) for n in ("direct", GATEWAY, "litellm"))
    for clients in ours:
        d, t, lite = direct.get(clients), ours.get(clients), litellm.get(clients)
        added = (
            f"{_ms(t['p50_ms'] - d['p50_ms'])} / {_ms(t['p99_ms'] - d['p99_ms'])}"
            if d and t
            else "-"
        )
        rates = " / ".join(
            f"{row['requests_per_second']:.0f}" if row else "-" for row in (d, t, lite)
        )
        wrk_cpu = max(row["loadgen_cpu_percent"] for row in (d, t, lite) if row)
        lines.append(
            f"| {clients} | {_triple(d)} | {_triple(t)} | {added} "
            f"| {_ratio(_p50(t), _p50(d))} | {_triple(lite)} "
            f"| {_ratio(_p50(t), _p50(lite))} | {rates} | {wrk_cpu:.0f} |"
        )
    return lines


def retrieve_table(retrieve: dict[str, dict[str, Any]]) -> list[str]:
    rate = {name: row["requests_per_second"] for name, row in retrieve.items()}
    ours = retrieve.get(GATEWAY, {})
    cells = [
        f"{rate[name]:.0f}" if name in rate else "-" for name in ("direct", GATEWAY, "litellm")
    ]
    cells += [
        _ratio(rate.get(GATEWAY), rate.get("direct")),
        _ratio(rate.get(GATEWAY), rate.get("litellm")),
        _ms(ours.get("p99_ms")),
        str(ours.get("target_cpu_percent", "-")),
        f"{max(row['loadgen_cpu_percent'] for row in retrieve.values()):.0f}",
    ]
    return [
        f"### Retrieve: requests per second at saturation ({ours.get('connections', '?')} "
        "connections)",
        "",
        "| direct | tarash | litellm | tarash ÷ direct | tarash ÷ litellm | tarash p99 ms "
        "| tarash CPU % | wrk CPU % (max) |",
        "|---|---|---|---|---|---|---|---|",
        "| " + " | ".join(cells) + " |",
    ]


def content_table(content: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "### Content: one video streamed to curl",
        "",
        "| target | size MB | MB/s | ÷ direct | process RSS idle → peak MB |",
        "|---|---|---|---|---|",
    ]
    direct = content.get("direct", {}).get("mb_per_second")
    for name, row in content.items():
        lines.append(
            f"| {name} | {row['bytes'] / 1e6:.0f} | {row['mb_per_second']:.0f} "
            f"| {_ratio(row['mb_per_second'], direct)} "
            f"| {row['idle_rss_mb']:.0f} → {row['peak_rss_mb']:.0f} |"
        )
    return lines


def in_flight_table(row: dict[str, Any]) -> list[str]:
    return [
        "### Jobs in flight: the gateway polling jobs that never finish",
        "",
        "| jobs | poll interval s | polls/s wanted / done | gateway CPU % | CPU ms per poll "
        "| RSS idle → with jobs (peak) MB |",
        "|---|---|---|---|---|---|",
        f"| {row['accepted']} | {row['poll_interval_s']:g} "
        f"| {row['polls_per_second_wanted']:.0f} / {row['polls_per_second']:.0f} "
        f"| {row['cpu_percent']:.0f} | {row['cpu_ms_per_poll']} "
        f"| {row['idle_rss_mb']:.0f} → {row['rss_mb']:.0f} ({row['peak_rss_mb']:.0f}) |",
    ]


def targets_table(results: dict[str, Any]) -> list[str]:
    """SPEC §9, each target against what this run measured."""
    create = results.get("create", {})
    ours, direct = create.get(GATEWAY, {}), create.get("direct", {})
    rows: list[tuple[str, str, bool | None]] = []
    one, ten = ours.get("1"), ours.get("10")
    if one and direct.get("1"):
        added50 = one["p50_ms"] - direct["1"]["p50_ms"]
        added99 = one["p99_ms"] - direct["1"]["p99_ms"]
        rows.append(("create ≤ 0.5 ms added at p50, 1 client", f"{added50:.2f} ms", added50 <= 0.5))
        rows.append(("create ≤ 2 ms added at p99, 1 client", f"{added99:.2f} ms", added99 <= 2.0))
    if ten and direct.get("10"):
        ratio = ten["p50_ms"] / direct["10"]["p50_ms"]
        rows.append(("create ≤ 1.5x direct at 10 clients (p50)", f"{ratio:.2f}x", ratio <= 1.5))
    retrieve = results.get("retrieve", {}).get(GATEWAY)
    if retrieve:
        rate = retrieve["requests_per_second"]
        rows.append(("retrieve ≥ 1 500/s, one worker", f"{rate:.0f}/s", rate >= 1500))
    content = results.get("content", {})
    if GATEWAY in content and "direct" in content:
        share = content[GATEWAY]["mb_per_second"] / content["direct"]["mb_per_second"]
        rows.append(("content ≥ 90 % of direct throughput", f"{share:.0%}", share >= 0.9))
        growth = content[GATEWAY]["rss_growth_mb"]
        rows.append(("content memory flat in file size", f"+{growth:.0f} MB peak", growth < 64))
    in_flight = results.get("in_flight")
    if in_flight:
        rss = in_flight["peak_rss_mb"]
        rows.append(
            (f"{in_flight['accepted']} jobs polled with RSS < 300 MB", f"{rss:.0f} MB", rss < 300)
        )
    lines = ["### SPEC §9 targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else 'no'} |" for name, value, ok in rows]
    return lines


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"## Benchmark {results['started_at']}",
        "",
        f"Machine: {machine['cores']} cores ({machine['cpu']}), Python {machine['python']}, "
        + ", ".join(f"{name} {version}" for name, version in machine["versions"].items())
        + ".",
        "",
        f"Settings: {results['settings']}.",
    ]
    if results.get("store"):  # runs recorded before --store existed measured SQLite
        lines += ["", f"Gateway store: {results['store']}."]
    if results.get("litellm_note"):
        lines += ["", f"LiteLLM: {results['litellm_note']}."]
    lines.append("")
    sections = [
        create_table(results["create"]) if results.get("create") else [],
        retrieve_table(results["retrieve"]) if results.get("retrieve") else [],
        content_table(results["content"]) if results.get("content") else [],
        in_flight_table(results["in_flight"]) if results.get("in_flight") else [],
        targets_table(results),
    ]
    for section in sections:
        if section:
            lines += [*section, ""]
    return "\n".join(lines)
