"""The `puffle-agent` command line.

Exit codes: 0 done, 1 failed or stopped by the human, 2 usage error, 3 paused for a human.
Human-readable output by default; `--json` prints one report object on stdout. Progress and
logs go to stderr, so stdout stays parseable.

Headless mode (PostgreSQL in `PUFFLE_AGENT_DATABASE_URL`): `enqueue` queues a goal, `worker`
runs queued goals, `runs` and `show` read their records, `approve` and `deny` answer a pause
from any machine and queue the resume.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from agent.errors import PuffleAgentError, UsageError
from agent.logging import configure_logging, redact
from agent.pauses import AnswerKind, HumanAnswer
from agent.runs_store import RUN_STATUSES, RunRecord
from agent.settings import Settings
from evals.cli import eval_command

app = typer.Typer(
    help="Carry out sales-automation goals through the Puffle API.",
    no_args_is_help=True,
    add_completion=False,
)
sandbox_app = typer.Typer(help="The local Puffle sandbox.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")

EXIT_DONE, EXIT_FAILED, EXIT_USAGE, EXIT_PAUSED = 0, 1, 2, 3
ANSWER_SYNTAX: dict[str, str] = {
    "smaller_batch": "smaller_batch N",
    "edit": "edit key=value[;key=value]",
}
EXIT_CODES = {
    "completed": EXIT_DONE,
    "paused": EXIT_PAUSED,
    "stopped": EXIT_FAILED,
    "failed": EXIT_FAILED,
}

# markup=False: goals, list names and Puffle's messages are printed literally, never parsed
# as Rich markup; styles are passed explicitly.
out = Console(highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

WorkspaceOption = Annotated[
    str,
    typer.Option("--workspace", "-w", help="Workspace to act on (sandbox seed name by default)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON report on stdout.")]


@app.command()
def run(
    goal: Annotated[str, typer.Argument(help="What to do, in plain language.")],
    workspace: WorkspaceOption = "demo",
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Approve approval pauses without asking.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Carry out GOAL, asking a human at each pause when on a terminal."""
    interactive = sys.stdin.isatty() and not json_output
    code = _run_async(_run(goal, workspace, yes=yes, interactive=interactive, as_json=json_output))
    raise typer.Exit(code)


@app.command()
def plan(
    goal: Annotated[str, typer.Argument(help="What to do, in plain language.")],
    workspace: WorkspaceOption = "demo",
    json_output: JsonOption = False,
) -> None:
    """Show the endpoint chain and estimated credits for GOAL; writes nothing."""
    code = _run_async(_plan(goal, workspace, as_json=json_output))
    raise typer.Exit(code)


@app.command()
def chat(workspace: WorkspaceOption = "demo") -> None:
    """Talk to the agent: one thread per conversation, resumed across pauses."""
    code = _run_async(_chat(workspace))
    raise typer.Exit(code)


RunIdArgument = Annotated[str, typer.Argument(help="The run id `enqueue` printed.")]


@app.command()
def enqueue(
    goal: Annotated[str, typer.Argument(help="What to do, in plain language.")],
    workspace: WorkspaceOption = "demo",
    json_output: JsonOption = False,
) -> None:
    """Queue GOAL for a headless worker; prints the run id."""
    code = _run_async(_enqueue(goal, workspace, as_json=json_output))
    raise typer.Exit(code)


# A run spends nearly all its time waiting on Puffle (latency, a launch, a research report), so
# one process can advance many: in the benchmarks ten at once cost about 10 MB more than one.
DEFAULT_WORKER_CONCURRENCY = 10


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Runs this worker advances at once.")
    ] = DEFAULT_WORKER_CONCURRENCY,
) -> None:
    """Run queued goals until stopped; pauses are recorded for `approve` / `deny`."""
    code = _run_async(_worker(concurrency))
    raise typer.Exit(code)


@app.command()
def runs(
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only runs in this state: {', '.join(RUN_STATUSES)}."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List headless runs with their state and pause kind."""
    code = _run_async(_runs(status, as_json=json_output))
    raise typer.Exit(code)


@app.command()
def show(run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Show one headless run: its calls, credits and the pause waiting for an answer."""
    code = _run_async(_show_run(run_id, as_json=json_output))
    raise typer.Exit(code)


@app.command()
def approve(
    run_id: RunIdArgument,
    answer: Annotated[
        str,
        typer.Option(
            "--answer",
            help="approve, retry, 'smaller_batch N' or 'edit key=value;key=value'.",
        ),
    ] = "approve",
    json_output: JsonOption = False,
) -> None:
    """Answer a paused headless run and queue its resume."""
    code = _run_async(_answer(run_id, answer, as_json=json_output))
    raise typer.Exit(code)


@app.command()
def deny(run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Decline a paused headless run; a worker winds it up."""
    code = _run_async(_answer(run_id, "deny", as_json=json_output))
    raise typer.Exit(code)


app.command("eval")(eval_command)


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind; loopback by default.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    speed: Annotated[
        float, typer.Option(help="How much faster than real time its clock runs.")
    ] = 1.0,
    fault: Annotated[
        list[str] | None,
        typer.Option(help="Fault rule, e.g. 'POST /api/campaigns/{campaign_id}/launch#1=500'."),
    ] = None,
    latency: Annotated[
        str | None,
        typer.Option(help="Seconds each request takes, drawn uniformly, e.g. '0.05-0.2'."),
    ] = None,
) -> None:
    """Serve the Puffle sandbox over HTTP and print each workspace's key."""
    from sandbox import FaultRule, serve
    from sandbox.server import check_port, check_speed, parse_latency

    try:
        check_port(port)
        check_speed(speed)
        rules = [FaultRule.parse(text) for text in fault or []]
        latency_range = parse_latency(latency) if latency is not None else None
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    serve(host=host, port=port, speed=speed, faults=rules, latency=latency_range)


def _run_async(coroutine: Any) -> int:
    try:
        return int(asyncio.run(coroutine))
    except UsageError as exc:
        err.print(f"error: {redact(str(exc))}")
        return EXIT_USAGE
    except PuffleAgentError as exc:
        err.print(f"failed: {redact(str(exc))}")
        return EXIT_FAILED


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        setting = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"invalid setting {setting}: {first['msg']}") from None
    # The runner pulls in LangGraph and the sandbox (seconds); `--help` and usage errors of
    # commands that never run a goal should not wait for them.
    from agent.runner import check_settings

    check_settings(settings)
    configure_logging(settings.log_level)
    return settings


def _progress(message: str) -> None:
    err.print(f"… {message}", style="dim")


async def _run(goal: str, workspace: str, *, yes: bool, interactive: bool, as_json: bool) -> int:
    settings = _settings()
    from agent.runner import AgentRunner

    async with AgentRunner(settings, progress=_progress) as runner:
        report = await runner.start(goal, workspace)
        while report["status"] == "paused":
            answer = _decide(report, yes=yes, interactive=interactive)
            if answer is None:
                break
            report = await runner.resume(report["run_id"], answer)
    _show(report, as_json=as_json)
    if report["status"] == "paused" and not interactive and not as_json:
        # Piped answers are not read: a run that asks questions needs a terminal or a chat.
        kind = report["pause"]["kind"]
        if kind == "approval_required":
            advice = "pass --yes to approve it, or run in a terminal to answer it"
        elif yes:
            advice = f"--yes answers approvals only, not {kind}; run in a terminal to answer it"
        else:
            advice = "run in a terminal to answer it"
        err.print(
            f"No terminal to ask on: {advice}, or use `puffle-agent chat` (or headless mode, "
            "`puffle-agent enqueue`) to answer pauses later."
        )
    return EXIT_CODES[report["status"]]


async def _plan(goal: str, workspace: str, *, as_json: bool) -> int:
    settings = _settings()
    from agent.runner import AgentRunner

    async with AgentRunner(settings, progress=_progress) as runner:
        report = await runner.start(goal, workspace)

    pause = report.get("pause") or {}
    if pause.get("kind") != "approval_required":
        _show(report, as_json=as_json)
        return EXIT_CODES[report["status"]]
    details = pause.get("details", {})
    dry_run: dict[str, Any] = {
        "journey": report["journey"],
        "summary": pause.get("message"),
        "calls_made": [f"{call['method']} {call['path']}" for call in report["calls"]],
        "chain": details.get("chain", []),
        "estimated_credits": (details.get("quote") or {}).get("total", 0),
        "quote": details.get("quote"),
        "sequence": details.get("sequence", []),
    }
    if as_json:
        print(json.dumps(dry_run, indent=2))
        return EXIT_DONE
    out.print(f"{dry_run['summary']}\n", style="bold")
    out.print("Read so far (no writes):")
    for call in dry_run["calls_made"]:
        out.print(f"  {call}")
    out.print("Then, once approved:")
    for call in dry_run["chain"]:
        out.print(f"  {call}")
    out.print(f"Estimated credits: {dry_run['estimated_credits']}")
    return EXIT_DONE


async def _chat(workspace: str) -> int:
    settings = _settings()
    thread_id = uuid.uuid4().hex
    out.print("Tell me what to do in Puffle (empty line or Ctrl-D to leave).")
    from agent.runner import AgentRunner

    async with AgentRunner(settings, progress=_progress) as runner:
        report: dict[str, Any] | None = None
        while True:
            line = _read_line("you> ")
            if not line:
                return EXIT_DONE
            if report is not None and report["status"] == "paused":
                answer = _parse_answer(line, report["pause"])
                if answer is None:
                    out.print(f"Please answer one of: {', '.join(report['pause']['answers'])}.")
                    continue
                report = await runner.resume(thread_id, answer)
            else:
                report = await runner.start(line, workspace, thread_id=thread_id)
            _show(report, as_json=False)


# The headless commands import `agent.headless` when they run: procrastinate, psycopg and the
# PostgreSQL checkpointer add about a second to every other command's start.


async def _enqueue(goal: str, workspace: str, *, as_json: bool) -> int:
    from agent import headless

    run_id = await headless.enqueue_goal(_settings(), goal, workspace)
    if as_json:
        print(json.dumps({"run_id": run_id, "status": "queued"}))
    else:
        out.print(f"queued run {run_id}")
    return EXIT_DONE


async def _worker(concurrency: int) -> int:
    from agent import headless

    await headless.run_worker(_settings(), concurrency)
    return EXIT_DONE


async def _runs(status: str | None, *, as_json: bool) -> int:
    if status is not None and status not in RUN_STATUSES:
        raise UsageError(f"unknown status '{status}'; choose one of {', '.join(RUN_STATUSES)}")
    from agent import headless

    records = await headless.list_runs(_settings(), status)
    if as_json:
        print(json.dumps([record.as_json() for record in records], indent=2))
        return EXIT_DONE
    if not records:
        out.print("no runs")
    for record in records:
        pause = (record.pause or {}).get("kind", "") if record.status == "paused" else ""
        # One run a line, never wrapped, so the listing stays greppable.
        print(
            f"{record.id}  {record.status:<9} {pause:<22} {record.workspace:<14} "
            f"{record.journey or '-':<16} {record.goal}"
        )
    return EXIT_DONE


async def _show_run(run_id: str, *, as_json: bool) -> int:
    from agent import headless

    record = await headless.get_run(_settings(), run_id)
    if as_json:
        print(json.dumps(record.as_json(), indent=2))
        return EXIT_DONE
    _show_record(record)
    return EXIT_DONE


async def _answer(run_id: str, text: str, *, as_json: bool) -> int:
    from agent import headless

    settings = _settings()
    record = await headless.get_run(settings, run_id)
    if record.status != "paused" or record.pause is None:
        raise UsageError(f"run {run_id} is {record.status}, not waiting for an answer")
    answer = _parse_answer(text, record.pause)
    if answer is None:
        raise UsageError(
            f"'{text}' does not answer the {record.pause.get('kind')} pause; it accepts "
            f"{', '.join(record.pause.get('answers', []))} (smaller_batch takes a number, "
            "edit takes key=value pairs)"
        )
    await headless.answer_run(settings, run_id, answer)
    if as_json:
        print(json.dumps({"run_id": run_id, "answer": answer.model_dump(), "status": "queued"}))
    else:
        out.print(f"answered run {run_id} with {answer.spelled()}; its resume is queued")
    return EXIT_DONE


def _show_record(record: RunRecord) -> None:
    colour = {"completed": "green", "paused": "yellow"}.get(record.status, "red")
    out.print(Text.assemble((record.status, f"bold {colour}"), f" run {record.id}"))
    out.print(f"Workspace: {record.workspace}   Journey: {record.journey or '-'}")
    out.print(f"Goal: {record.goal}")
    # A paused run's summary only restates its pause, shown in full below.
    if record.summary and record.status != "paused":
        out.print(record.summary)
    if record.error:
        out.print(f"Error: {record.error}")
    out.print(f"Credits spent: {record.credits}")
    out.print(f"Calls ({len(record.calls)}):")
    for call in record.calls:
        correlation = f"  {call['correlation_id']}" if call.get("correlation_id") else ""
        out.print(f"  {call['status']} {call['method']} {call['path']}{correlation}")
    if record.status == "paused" and record.pause is not None:
        _show_pause(record.pause)
    _show_unfinished({"left_behind": record.left_behind, "not_done": record.not_done})


def _decide(report: dict[str, Any], *, yes: bool, interactive: bool) -> HumanAnswer | None:
    pause: dict[str, Any] = report["pause"]
    if yes and pause["kind"] == "approval_required":
        return HumanAnswer(answer="approve")
    if not interactive:
        return None
    _show_pause(pause)
    _show_unfinished(report)
    while True:
        line = _read_line(f"answer ({'/'.join(pause['answers'])})> ")
        if not line:
            return None
        if (answer := _parse_answer(line, pause)) is not None:
            return answer
        err.print("That is not one of the answers this pause accepts.")


def _parse_answer(line: str, pause: dict[str, Any]) -> HumanAnswer | None:
    """Read `approve`, `yes`, `deny`, `no`, `retry`, `smaller_batch 5`, `edit key=value …`."""
    words = line.strip().split()
    if not words:
        return None
    synonyms: dict[str, AnswerKind] = {
        "y": "approve",
        "yes": "approve",
        "n": "deny",
        "no": "deny",
        "smaller": "smaller_batch",
        "batch": "smaller_batch",
    }
    kind = synonyms.get(words[0].lower(), words[0].lower())
    if kind not in pause.get("answers", []):
        return None
    try:
        if kind == "smaller_batch":
            return HumanAnswer(answer="smaller_batch", batch_size=int(words[1]))
        if kind == "edit":
            pairs = (word.split("=", 1) for word in " ".join(words[1:]).split(";") if "=" in word)
            return HumanAnswer(answer="edit", parameters={k.strip(): v.strip() for k, v in pairs})
        return HumanAnswer(answer=kind)  # type: ignore[arg-type]
    except (IndexError, ValueError, ValidationError):
        return None


def _read_line(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        return ""


def _show_pause(pause: dict[str, Any]) -> None:
    out.print(f"\nPaused — {pause['kind']}", style="bold yellow")
    out.print(pause["message"])
    if pause.get("correlation_id"):
        out.print(f"Correlation id: {pause['correlation_id']}")
    answers: list[str] = pause.get("answers", [])
    out.print("Answers: " + ", ".join(ANSWER_SYNTAX.get(answer, answer) for answer in answers))
    sequence = pause.get("details", {}).get("sequence")
    if sequence:
        out.print("Sequence:")
        for node in sequence:
            if node.get("body"):
                out.print(f"  [{node['type']}] {node['body']}")


def _show_unfinished(report: dict[str, Any]) -> None:
    """What a run that did not complete leaves in Puffle, and the approved steps it never ran."""
    left: list[dict[str, Any]] = report.get("left_behind") or []
    if left:
        out.print("Left in Puffle:")
        for item in left:
            # Never wrapped by Rich: an id split across lines cannot be copied or grepped.
            out.print(f"  {item['message']}", soft_wrap=True)
    not_done: list[str] = report.get("not_done") or []
    if not_done:
        out.print("Not done (approved, never ran):")
        for step in not_done:
            out.print(f"  {step}")


def _show(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return
    colour = {"completed": "green", "paused": "yellow"}.get(report["status"], "red")
    if report["status"] == "paused":
        out.print(report["status"], style=f"bold {colour}")
    else:
        out.print(Text.assemble((report["status"], f"bold {colour}"), f" {report['summary']}"))
    if report["status"] == "paused":
        _show_pause(report["pause"])
    _show_unfinished(report)
    if report["status"] == "paused":
        out.print(f"Run id: {report['run_id']}")
    for note in report.get("notes", []):
        out.print(f"note: {note}", style="dim")


if __name__ == "__main__":
    app()
