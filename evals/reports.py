"""What a suite run shows: the table, the failures with their call logs, JSON and JUnit XML.

The table has one row per scenario (pass^1 is the share of its runs that passed, pass^k whether
all k did) and a totals row; numbers are per-run means except pass counts. Nothing here prints an
API key: reports hold calls by method and path, never headers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from statistics import fmean
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.runner import RunResult, ScenarioResult, SuiteResult

_COLUMNS = (
    "scenario",
    "journey",
    "pass^1",
    "pass^k",
    "calls",
    "polls",
    "model calls",
    "tokens",
    "credits",
    "pauses",
    "wall s",
)


def _mean(values: list[int] | list[float]) -> str:
    return f"{fmean(values):.1f}" if values else "-"


def _row(result: ScenarioResult) -> list[str]:
    runs = result.runs
    credits = [run.credits for run in runs if run.credits is not None]
    return [
        result.scenario,
        result.journey,
        f"{result.passes}/{len(runs)}",
        "pass" if result.passed_all else "FAIL",
        _mean([len(run.calls) for run in runs]),
        _mean([run.polls for run in runs]),
        _mean([run.model_calls for run in runs]),
        _mean([run.tokens for run in runs]),
        _mean(credits),
        _mean([len(run.pauses) for run in runs]),
        f"{fmean(run.wall_seconds for run in runs):.2f}",
    ]


def suite_table(suite: SuiteResult) -> Table:
    """One row per scenario, then the totals."""
    table = Table(title=f"puffle-agent evals (k={suite.k})", show_footer=False)
    for column in _COLUMNS:
        table.add_column(column, justify="left" if column in {"scenario", "journey"} else "right")
    for result in suite.scenarios:
        table.add_row(*_row(result))

    runs = [run for result in suite.scenarios for run in result.runs]
    table.add_section()
    table.add_row(
        f"total: {len(suite.scenarios)} scenarios",
        f"{len({result.journey for result in suite.scenarios})} journeys",
        f"{suite.pass_1:.0%}",
        f"{suite.pass_k:.0%}",
        str(sum(len(run.calls) for run in runs)),
        str(sum(run.polls for run in runs)),
        str(sum(run.model_calls for run in runs)),
        str(sum(run.tokens for run in runs)),
        str(sum(run.credits or 0 for run in runs)),
        str(sum(len(run.pauses) for run in runs)),
        f"{sum(run.wall_seconds for run in runs):.2f}",
    )
    return table


def print_suite(suite: SuiteResult, console: Console) -> None:
    """The table, then each failed run with the expectations it broke and its call log."""
    console.print(suite_table(suite))
    for result in suite.failed:
        for run in result.runs:
            if run.passed:
                continue
            console.print(
                f"\n[bold red]FAIL[/] {result.scenario} (run {run.attempt}, {result.source})"
            )
            for failure in run.failures:
                console.print(f"  - {failure}", markup=False)
            console.print(f"  status {run.status}; pauses {run.pauses or 'none'}", markup=False)
            console.print("  call log:", markup=False)
            for call in run.calls:
                console.print(f"    {call.line()}", markup=False)
    console.print(
        f"\npass^1 {suite.pass_1:.0%}   pass^{suite.k} {suite.pass_k:.0%}   "
        f"({len(suite.scenarios) - len(suite.failed)}/{len(suite.scenarios)} scenarios)",
        markup=False,
    )


def _run_json(run: RunResult) -> dict[str, Any]:
    return {
        "attempt": run.attempt,
        "passed": run.passed,
        "failures": run.failures,
        "status": run.status,
        "pauses": run.pauses,
        "calls": [call.line() for call in run.calls],
        "polls": run.polls,
        "model_calls": run.model_calls,
        "tokens": run.tokens,
        "credits": run.credits,
        "wall_seconds": round(run.wall_seconds, 3),
        "notes": run.notes,
    }


def suite_json(suite: SuiteResult) -> dict[str, Any]:
    """The whole result as plain data, for scripts."""
    return {
        "k": suite.k,
        "pass_1": suite.pass_1,
        "pass_k": suite.pass_k,
        "scenarios": [
            {
                "scenario": result.scenario,
                "journey": result.journey,
                "source": result.source,
                "pass_1": result.pass_1,
                "pass_k": result.passed_all,
                "runs": [_run_json(run) for run in result.runs],
            }
            for result in suite.scenarios
        ],
    }


def write_junit(suite: SuiteResult, path: Path) -> None:
    """JUnit XML: one test case per run, a failure element listing what broke and the calls."""
    runs = [run for result in suite.scenarios for run in result.runs]
    failures = sum(1 for run in runs if not run.passed)
    root = ET.Element(
        "testsuite",
        name="puffle-agent-evals",
        tests=str(len(runs)),
        failures=str(failures),
        errors="0",
        time=f"{sum(run.wall_seconds for run in runs):.3f}",
    )
    for result in suite.scenarios:
        for run in result.runs:
            case = ET.SubElement(
                root,
                "testcase",
                classname=f"evals.{result.journey}",
                name=f"{result.scenario}[{run.attempt}]",
                time=f"{run.wall_seconds:.3f}",
            )
            if not run.passed:
                failure = ET.SubElement(case, "failure", message=run.failures[0])
                failure.text = "\n".join(
                    [*run.failures, "call log:", *(call.line() for call in run.calls)]
                )
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
