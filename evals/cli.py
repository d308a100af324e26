"""`puffle-agent eval`: run the scenario suite and print the table (or JSON, or JUnit XML).

The lead registers `eval_app` on the main CLI; it has a single command, so `puffle-agent eval
[PATH] --k N` runs it directly.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from agent.logging import configure_logging
from agent.settings import Settings

if TYPE_CHECKING:
    from evals.runner import PlannerMode, RunMode

DEFAULT_SCENARIOS = Path(__file__).parent / "scenarios"
DEFAULT_CASSETTES = Path(__file__).parent / "cassettes"

eval_app = typer.Typer(help="Run the evaluation scenarios and score them.")


@eval_app.command()
def eval_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files or directories (default: the shipped scenarios)"),
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Runs per scenario, for pass^k")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write JUnit XML to this file")
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Run against PUFFLE_BASE_URL and save each scenario's exchanges as a cassette",
        ),
    ] = False,
    replay: Annotated[
        bool, typer.Option("--replay", help="Run from the scenarios' cassettes, with no network")
    ] = False,
    live: Annotated[
        bool,
        typer.Option("--live", help="Plan with the configured model instead of the scenario's"),
    ] = False,
) -> None:
    """Run each scenario k times on a fresh sandbox and print pass^1 and pass^k."""
    if record and replay:
        raise typer.BadParameter("choose one of --record and --replay")
    # Loaded here, not at import: `puffle-agent`'s other commands should not pay for the agent.
    from evals.reports import print_suite, suite_json, write_junit
    from evals.runner import run_suite

    mode: RunMode = "record" if record else "replay" if replay else "sandbox"
    planner: PlannerMode = "live" if live else "scenario"
    default = DEFAULT_CASSETTES if mode != "sandbox" else DEFAULT_SCENARIOS
    console = Console(stderr=as_json)
    if not console.is_terminal:
        # Piped output (CI logs) would otherwise be cut to 80 columns and wrap the table.
        console = Console(stderr=as_json, width=200)
    configure_logging(Settings().log_level)

    suite = asyncio.run(
        run_suite(
            paths or [default],
            k,
            mode=mode,
            planner=planner,
            on_run=lambda run: console.print(
                f"{'pass' if run.passed else 'FAIL'} {run.scenario} [{run.attempt}]",
                markup=False,
                style="dim",
            ),
        )
    )

    if junit is not None:
        write_junit(suite, junit)
    if as_json:
        typer.echo(json.dumps(suite_json(suite), indent=2))
    else:
        print_suite(suite, console)
    raise typer.Exit(0 if not suite.failed else 1)


if __name__ == "__main__":
    eval_app()
