"""`uv run python -m benchmarks`: run every benchmark, print one table, save results.json.

Items 1-4 run in this process on the embedded sandbox with a FakeClock: sandbox time is simulated
(a 20-minute job costs no real waiting), calls are counted exactly, and CPU time is real and this
machine's. Items 5-6 run headless: `puffle-agent worker` processes, the sandbox served on loopback
with 50-200 ms of latency per request at `--speed` times real time, and PostgreSQL
(`PUFFLE_BENCH_DATABASE_URL`, by default the local `postgres` database, next to which each run
makes and drops a database of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.logging import configure_logging
from benchmarks.chains import journey_cases
from benchmarks.load import database_url_from_env, fresh_database, key_budget, workspace_scale
from benchmarks.suites import (
    agent_overhead,
    call_efficiency,
    model_cases,
    model_use,
    polling_efficiency,
)

RESULTS = Path(__file__).with_name("results.json")
SUITES = ["calls", "polling", "model", "overhead", "budget", "scale"]
BUDGET_WORKERS = [1, 2, 4, 8]
# Each worker gets this many goals (one turn of the workload), so the queue never runs dry early.
BUDGET_GOALS_PER_WORKER = 5
SCALE_WORKSPACES = [1, 2, 5, 10]
SCALE_GOALS_PER_WORKSPACE = 5
# A small lead file for the import goal, written fresh for each invocation.
LEADS_CSV = (
    "First Name,Last Name,Email,Company\n"
    "Ana,Lopez,ana.lopez@example.com,Clearvault\n"
    "Ben,Kim,ben.kim@example.com,Quillpay\n"
    "Cleo,Marsh,cleo.marsh@example.com,Ledgerly\n"
)


def _fmt(spread: dict[str, Any], digits: int = 0) -> str:
    middle = f"{spread['median']:.{digits}f}"
    if spread["min"] == spread["max"]:
        return middle
    return f"{middle} ({spread['min']:.{digits}f}-{spread['max']:.{digits}f})"


def _measured(results: dict[str, Any], suite: str) -> str:
    """When and how the suite was measured; partial runs keep older suites' figures."""
    meta = (results.get("measured") or {}).get(suite)
    if not meta:
        return ""
    runs = f"{meta['repeats']} run{'s' if meta['repeats'] != 1 else ''}"
    speed = f" at {meta['speed']:g}x" if suite in {"budget", "scale"} else ""
    return f" [{runs}{speed}, {meta['date']}]"


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = [f"\n{title}", "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    out: list[str] = [
        f"puffle-agent benchmarks: median (min-max) of the runs each table names; "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']}"
    ]
    if calls := results.get("calls"):
        out.append(
            _table(
                "1. Non-poll API calls per journey vs the documented chain"
                + _measured(results, "calls"),
                ["journey", "status", "calls", "documented", "ratio", "polls", "extra calls"],
                [
                    [
                        r["journey"],
                        r["status"],
                        _fmt(r["calls"]),
                        str(r["documented"]),
                        f"{r['ratio']:.2f}",
                        _fmt(r["polls"]),
                        ", ".join(r["extra"]) or "-",
                    ]
                    for r in calls
                ],
            )
        )
    if polling := results.get("polling"):
        out.append(
            _table(
                "2. Status polls vs the ideal 2 s → 30 s backoff (sandbox time)"
                + _measured(results, "polling"),
                ["job", "length", "status", "polls", "ideal", "ratio", "min gap s", "seen late s"],
                [
                    [
                        r["job"],
                        f"{r['seconds']:.0f} s",
                        r["status"],
                        _fmt(r["polls"]),
                        str(r["ideal_polls"]),
                        f"{r['ratio']:.2f}",
                        _fmt(r["min_gap"], 1),
                        _fmt(r["seen_late_by"], 1),
                    ]
                    for r in polling
                ],
            )
        )
    if model := results.get("model"):
        out.append(
            _table(
                "3. Model calls and tokens per goal (scripted model) vs a ReAct agent's floor"
                + _measured(results, "model"),
                [
                    "journey",
                    "case",
                    "status",
                    "pauses",
                    "model calls",
                    "tokens",
                    "ReAct floor",
                    "ratio",
                ],
                [
                    [
                        r["journey"],
                        r["case"],
                        r["status"],
                        ", ".join(r["pauses"]) or "-",
                        _fmt(r["model_calls"]),
                        _fmt(r["tokens"]),
                        _fmt(r["react_lower_bound"]),
                        f"{r['ratio']:.2f}",
                    ]
                    for r in model
                ],
            )
        )
    if overhead := results.get("overhead"):
        out.append(
            _table(
                "4. CPU per goal (agent + in-process sandbox), no latency"
                + _measured(results, "overhead"),
                ["journey", "CPU ms / goal", "CPU ms / API call", "agent-only ms / call"],
                [
                    [
                        r["journey"],
                        _fmt(r["cpu_ms"], 1),
                        _fmt(r["cpu_ms_per_call"], 2),
                        f"{r['agent_ms_per_call']:.2f}",
                    ]
                    for r in overhead["journeys"]
                ],
            )
        )
        groups = ", ".join(f"{g} {p}%" for g, p in overhead["profile_groups"].items())
        out.append(
            f"   cProfile, main thread, {overhead['profile_cpu_ms']:.0f} ms own time by group "
            f"(+{overhead['profile_waiting_ms']:.0f} ms waiting on worker threads): {groups}"
        )
        for entry in overhead["top_functions"][:6]:
            out.append(f"   {entry['own_ms']:>7} ms  {entry['group']:<14} {entry['function']}")
    if budget := results.get("budget"):
        out.append(
            _table(
                f"5. Key budget, one workspace, {BUDGET_GOALS_PER_WORKER} goals per worker, "
                "workers at concurrency 1 "
                "(sandbox minutes, 50-200 ms per request)" + _measured(results, "budget"),
                _LOAD_HEADER,
                [[str(r["workers"]), *_load_cells(r)] for r in budget],
            )
        )
    if scale := results.get("scale"):
        out.append(
            _table(
                f"6. Workspaces, {SCALE_GOALS_PER_WORKSPACE} goals each, 4 workers at "
                "concurrency 10" + _measured(results, "scale"),
                ["workspaces", *_LOAD_HEADER[1:]],
                [[str(r["workspaces"]), *_load_cells(r)] for r in scale],
            )
        )
    if budget or scale:
        out.append(
            "   req/min: the drain's requests over its length, all workspaces; key req/min: one "
            "workspace, first to last request;\n   busiest: most requests of one key in any 60 s "
            "(the limit is 100); CPU: worker and sandbox processes, per API call."
        )
    return "\n".join(out)


_LOAD_HEADER = [
    "workers",
    "goals/h",
    "req/min",
    "key req/min",
    "busiest",
    "429s",
    "peak RSS MB",
    "worker CPU ms/call",
    "sandbox CPU ms/call",
    "machine CPU %",
]


def _load_cells(row: dict[str, Any]) -> list[str]:
    cut = " (cut short)" if row["cut_short"] else ""
    return [
        _fmt(row["goals_per_hour"]) + cut,
        _fmt(row["calls_per_minute"]),
        _fmt(row["key_per_minute"]),
        _fmt(row["busiest_minute"]),
        _fmt(row["rate_limited"]),
        _fmt(row["peak_rss_mb"]),
        _fmt(row["worker_cpu_ms_per_call"], 1),
        _fmt(row["sandbox_cpu_ms_per_call"], 1),
        _fmt(row["machine_cpu_percent"]),
    ]


async def run(repeats: int, only: set[str], speed: float, results: dict[str, Any]) -> None:
    """Run the chosen suites, storing each one in `results` as soon as it is done.

    Filling the caller's dict keeps whatever finished when the run is interrupted; SIGTERM is
    turned into a cancellation so workers, the served sandbox and the database are cleaned up
    just as they are after Ctrl-C.
    """
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)

    if only & {"budget", "scale"}:
        # Fail now, not after the in-process benchmarks have spent a minute.
        with fresh_database(database_url_from_env()):
            pass

    def store(suite: str, figures: Any) -> None:
        results[suite] = figures
        results["measured"][suite] = {
            "repeats": repeats,
            "speed": speed,
            "date": datetime.now(UTC).date().isoformat(),
        }

    with tempfile.TemporaryDirectory(prefix="puffle-bench-csv-") as folder:
        csv_path = Path(folder) / "leads.csv"
        csv_path.write_text(LEADS_CSV, encoding="utf-8")
        cases = journey_cases(str(csv_path))
        if "calls" in only:
            store("calls", await call_efficiency(cases, repeats))
        if "polling" in only:
            store("polling", await polling_efficiency([30.0, 300.0, 1200.0], repeats))
        if "model" in only:
            store("model", await model_use(model_cases(str(csv_path)), repeats))
        if "overhead" in only:
            overhead = await agent_overhead(cases, repeats)
            # The sandbox runs in this process; its share of the profile is not the agent's.
            sandbox_share = overhead["profile_groups"].get("sandbox", 0.0) / 100
            for row in overhead["journeys"]:
                row["agent_ms_per_call"] = row["cpu_ms_per_call"]["median"] * (1 - sandbox_share)
            store("overhead", overhead)
    database_url = database_url_from_env()
    if "budget" in only:
        store(
            "budget",
            await key_budget(BUDGET_WORKERS, BUDGET_GOALS_PER_WORKER, speed, repeats, database_url),
        )
    if "scale" in only:
        store(
            "scale",
            await workspace_scale(
                SCALE_WORKSPACES, SCALE_GOALS_PER_WORKSPACE, speed, repeats, database_url
            ),
        )


def _saved_results() -> dict[str, Any]:
    """The figures saved by earlier runs; a suite's are replaced only once it is measured again.

    So a partial or interrupted run never loses what it did not measure, and each table says
    when and how it was measured.
    """
    try:
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict):
        return {}
    kept: dict[str, Any] = {s: saved[s] for s in SUITES if s in saved}
    kept["measured"] = {s: meta for s, meta in (saved.get("measured") or {}).items() if s in kept}
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SUITES,
        default=SUITES,
        help="run only these benchmarks; the saved figures of the others are kept",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=5.0,
        help="sandbox clock speed for the headless benchmarks (default 5: a sandbox minute "
        "lasts 12 s)",
    )
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if not 0.1 <= args.speed <= 60:
        parser.error("--speed must be between 0.1 and 60")
    # The CLI's default level: the per-request info lines would swamp the table.
    configure_logging("WARNING")

    only = set(args.only)
    results: dict[str, Any] = {"measured": {}, **_saved_results()}
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    began = time.perf_counter()
    try:
        asyncio.run(run(args.repeats, only, args.speed, results))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted: the benchmarks that finished are printed and saved", file=sys.stderr)
    results["last_run_wall_seconds"] = round(time.perf_counter() - began, 1)

    print(render(results))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
