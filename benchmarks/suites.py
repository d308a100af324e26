"""The four measurements: calls per journey, polling, model use and the agent's CPU overhead.

Each suite runs its goals `repeats` times and returns plain dicts (JSON-ready) holding `Spread`
summaries; `__main__` prints and saves them.
"""

from __future__ import annotations

import cProfile
import pstats
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

from agent.messages import SequenceCopy
from agent.model import ModelUsage
from agent.pauses import HumanAnswer, PauseKind
from agent.plans import IcpVerdict
from benchmarks.chains import POLL_ROUTES, JourneyCase
from benchmarks.harness import Answer, Drive, Spread, drive, routes
from evals.fake_model import ScriptedChatEndpoint, ToolReply
from graphs.polling import FIRST_INTERVAL, MAX_INTERVAL
from sandbox import SandboxTimings

# 1. Call efficiency


async def call_efficiency(cases: list[JourneyCase], repeats: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in cases:
        made: list[float] = []
        polls: list[float] = []
        extra: Counter[str] = Counter()
        missing: Counter[str] = Counter()
        chain: list[str] = []
        status = ""
        for _ in range(repeats):
            run = await drive(case.goal, case.workspace)
            status = run.report["status"]
            actual = [r for r in routes(run.requests) if r not in POLL_ROUTES]
            made.append(len(actual))
            polls.append(sum(1 for r in routes(run.requests) if r in POLL_ROUTES))
            extra = Counter(actual) - Counter(case.expected)
            missing = Counter(case.expected) - Counter(actual)
            chain = [str(c) for p in run.pauses for c in p.get("details", {}).get("chain", [])]
        made_spread = Spread.of(made)
        rows.append(
            {
                "journey": case.journey,
                "goal": case.goal,
                "status": status,
                "documented": len(case.expected),
                "calls": made_spread.as_json(),
                "ratio": made_spread.median / len(case.expected),
                "polls": Spread.of(polls).as_json(),
                "extra": sorted(extra.elements()),
                "missing": sorted(missing.elements()),
                "pause_chain": chain,
            }
        )
    return rows


# 2. Polling efficiency


def ideal_polls(job_seconds: float) -> tuple[int, float]:
    """Polls the 2 s-doubling-to-30 s rule needs to see a job of this length finish.

    Built from the rule itself (first interval, doubling, cap), not from the agent's generator:
    the first poll whose cumulative wait reaches the job's length is the one that sees it done.
    """

    def intervals() -> Iterator[float]:
        step = FIRST_INTERVAL
        while True:
            yield step
            step = min(step * 2, MAX_INTERVAL)

    for count, waited in enumerate(accumulate(intervals()), start=1):
        if waited >= job_seconds:
            return count, waited
    raise AssertionError("unreachable")  # pragma: no cover


# Which asynchronous job, its goal, the route that starts it and the route that polls it.
POLLED_JOBS: dict[str, tuple[str, str, str]] = {
    "campaign launch": (
        "Launch a LinkedIn campaign to the Fintech CTOs list",
        "POST /api/campaigns/{campaign_id}/launch",
        "GET /api/campaigns/{campaign_id}",
    ),
    "deep research": (
        "Deep research on https://www.linkedin.com/in/jane-doe-42",
        "POST /api/v1/research",
        "GET /api/v1/research/{research_id}",
    ),
}


def _timings(job: str, seconds: float) -> SandboxTimings:
    if job == "campaign launch":
        return SandboxTimings(launch_seconds=seconds)
    return SandboxTimings(research_complete_after=seconds)


async def polling_efficiency(durations: list[float], repeats: int) -> list[dict[str, Any]]:
    # Ceilings raised well past the longest job so every job finishes inside them.
    ceilings = {
        "launch_poll_ceiling_seconds": 2 * max(durations) + 60,
        "research_poll_ceiling_seconds": 2 * max(durations) + 60,
    }
    rows: list[dict[str, Any]] = []
    for job, (goal, start_route, poll_route) in POLLED_JOBS.items():
        for seconds in durations:
            counts: list[float] = []
            gaps: list[float] = []
            lateness: list[float] = []
            status = ""
            for _ in range(repeats):
                run = await drive(goal, "demo", timings=_timings(job, seconds), ceilings=ceilings)
                status = run.report["status"]
                started = next(r.at for r in run.requests if r.route == start_route)
                times = [r.at for r in run.requests if r.route == poll_route and r.at >= started]
                counts.append(len(times))
                between = [b - a for a, b in pairwise(times)]
                gaps.append(min(between) if between else float("nan"))
                # How long after the job finished the agent saw it: the cost of backing off.
                lateness.append(times[-1] - started - seconds if times else float("nan"))
            ideal, ideal_wait = ideal_polls(seconds)
            count = Spread.of(counts)
            rows.append(
                {
                    "job": job,
                    "seconds": seconds,
                    "status": status,
                    "polls": count.as_json(),
                    "ideal_polls": ideal,
                    "ratio": count.median / ideal,
                    "ideal_seen_after": ideal_wait,
                    "min_gap": Spread.of(gaps).as_json(),
                    "seen_late_by": Spread.of(lateness).as_json(),
                }
            )
    return rows


# 3. Model calls and tokens

JANE_DOE = "https://www.linkedin.com/in/jane-doe-42"
POST_TOPIC = "our new instant reconciliation for payment teams"
# What the scripted model writes when a journey asks it for text (the social post).
WRITTEN_POST = (
    "Closing the books used to take our customers days. With instant reconciliation, payment "
    "teams see every transaction matched the moment it settles. #fintech #payments"
)
# What the scripted model writes when the sequence writer asks it for a LinkedIn sequence's texts.
WRITTEN_SEQUENCE = SequenceCopy(
    first_message="Hi %first_name%, I work on instant reconciliation for payment teams and would "
    "like to connect with people building at %company%.",
    follow_up="Thanks for connecting, %first_name%! How does %company% match settlements to "
    "transactions today? Open to a short call?",
    bump="Hi %first_name%, bringing this back up in case it got buried. Happy to show a demo.",
)
# A faithful model's ICP reason where the goal names no audience; its verdict is then `unknown`,
# as prompts/plan_goal.md asks.
NO_AUDIENCE = "The goal names no audience to compare with the ICP."


@dataclass(frozen=True)
class ModelCase:
    """One goal for the scripted model: the plan it returns, what it writes, how pauses go.

    Approvals are always approved; `answers` holds the answer to each other pause kind, and a
    pause it does not name ends the run where it stands (the row then shows it paused).
    """

    journey: str
    case: str
    goal: str
    plan: dict[str, Any]
    icp_verdict: IcpVerdict = "unknown"
    icp_reason: str = NO_AUDIENCE
    # One reply per call a journey makes to write, in order: text, or a structured tool call.
    written: list[str | ToolReply] = field(default_factory=list[str | ToolReply])
    answers: dict[PauseKind, HumanAnswer] = field(default_factory=dict[PauseKind, HumanAnswer])
    workspace: str = "demo"

    @property
    def planner_output(self) -> dict[str, Any]:
        return {"plan": self.plan, "icp_verdict": self.icp_verdict, "icp_reason": self.icp_reason}


def _edit(**parameters: Any) -> HumanAnswer:
    return HumanAnswer(answer="edit", parameters=parameters)


def model_cases(csv_path: str) -> list[ModelCase]:
    """Each journey twice: its happy path, and the same goal with one pause a human answers.

    The campaign has a third case, where the model writes its messages through `SequenceCopy`.
    """
    launch = {"journey": "launch_campaign", "channel": "linkedin", "list_name": "Fintech CTOs"}
    fits = "CTOs at fintech companies are the workspace's buyers."
    leads = {
        "journey": "import_leads",
        "source": "csv",
        "file_path": csv_path,
        "list_name": "Bench CTOs",
        "new_list": True,
    }
    research = {"journey": "deep_research", "people": [{"linkedin_url": JANE_DOE}]}
    named_only = {"first_name": "Jane", "last_name": "Doe", "company": "Clearvault"}
    funding = {"journey": "signals", "changes": [{"signal_type": "funding", "enable": True}]}
    post = {"journey": "social_post", "platform": "linkedin", "topic": POST_TOPIC}
    return [
        ModelCase(
            "launch_campaign",
            "happy path",
            "Please get the Fintech CTOs list going on LinkedIn",
            launch,
            icp_verdict="fits",
            icp_reason=fits,
        ),
        ModelCase(
            "launch_campaign",
            "unknown list, edited",
            "Please get the Fintech CEOs list going on LinkedIn",
            {**launch, "list_name": "Fintech CEOs"},
            icp_verdict="fits",
            icp_reason=fits,
            answers={"not_found": _edit(list_name="Fintech CTOs")},
        ),
        ModelCase(
            "launch_campaign",
            "model-written messages",
            "Please get the Fintech CTOs list going on LinkedIn, and write the messages yourself",
            {**launch, "message_source": "model"},
            icp_verdict="fits",
            icp_reason=fits,
            written=[ToolReply("SequenceCopy", WRITTEN_SEQUENCE.model_dump())],
        ),
        ModelCase(
            "import_leads",
            "happy path",
            f'Import {csv_path} into a new list called "Bench CTOs"',
            leads,
        ),
        ModelCase(
            "import_leads",
            "missing list, created",
            f"Import {csv_path} into my Bench CTOs list",
            {**leads, "new_list": False},
            # The pause offers both: pick another list, or create this one.
            answers={"not_found": _edit(new_list=True)},
        ),
        ModelCase(
            "deep_research",
            "happy path",
            f"Deep research on {JANE_DOE}",
            research,
        ),
        ModelCase(
            "deep_research",
            "name without URL, edited",
            "Deep research on Jane Doe at Clearvault",
            {**research, "people": [named_only]},
            answers={"not_found": _edit(people=[{**named_only, "linkedin_url": JANE_DOE}])},
        ),
        ModelCase(
            "signals",
            "happy path",
            "enable the funding signal",
            {**funding, "read_feed": False},
        ),
        ModelCase(
            "signals",
            "unknown type, edited",
            "enable the investor news signal",
            {
                **funding,
                "changes": [{"signal_type": "investor news", "enable": True}],
                "read_feed": False,
            },
            answers={"not_found": _edit(changes=funding["changes"])},
        ),
        ModelCase(
            "social_post",
            "happy path",
            f"Write a LinkedIn post about {POST_TOPIC} and schedule it for tomorrow at 9",
            {**post, "when": "tomorrow at 9"},
            written=[WRITTEN_POST],
        ),
        ModelCase(
            "social_post",
            "past time, edited",
            f"Write a LinkedIn post about {POST_TOPIC} and schedule it for 2020-01-01 at 09:00",
            {**post, "when": "2020-01-01 at 09:00"},
            # The edit changes only the time: the post already written is kept, not written again.
            written=[WRITTEN_POST],
            answers={"invalid_time": _edit(when="tomorrow at 9")},
        ),
        ModelCase(
            "reply_inbox",
            "happy path",
            "Summarise my replies",
            {"journey": "reply_inbox"},
            workspace="with_replies",
        ),
        ModelCase(
            "reply_inbox",
            "unknown campaign, edited",
            "Summarise the replies to my Q4 webinar campaign",
            {"journey": "reply_inbox", "campaign_name": "Q4 webinar"},
            answers={"not_found": _edit(campaign_name="Fintech CTOs - LinkedIn")},
            workspace="with_replies",
        ),
    ]


def _answering(answers: dict[PauseKind, HumanAnswer]) -> Answer:
    def answer(pause: dict[str, Any]) -> HumanAnswer | None:
        # Every pause carries its kind: `agent.pauses.Pause` requires one.
        if pause["kind"] == "approval_required":
            return HumanAnswer(answer="approve")
        return answers.get(pause["kind"])

    return answer


async def model_use(cases: list[ModelCase], repeats: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in cases:
        calls: list[float] = []
        tokens: list[float] = []
        bounds: list[float] = []
        pauses: list[str] = []
        status = ""
        for _ in range(repeats):
            usage = ModelUsage()
            model = ScriptedChatEndpoint(case.planner_output, case.written).chat_model(usage)

            run = await drive(
                case.goal, case.workspace, chat_model=model, answer=_answering(case.answers)
            )

            # Planning and writing calls alike: everything the model was asked, as it counted.
            snapshot = usage.snapshot()
            status = run.report["status"]
            pauses = [str(p.get("kind")) for p in run.pauses]
            calls.append(snapshot.calls)
            tokens.append(snapshot.total_tokens)
            # A tool-calling ReAct loop spends one model turn per API call it makes (polls
            # included: each is a tool call) and one more to answer the human.
            bounds.append(len(run.requests) + 1)
        call_spread = Spread.of(calls)
        bound = Spread.of(bounds)
        rows.append(
            {
                "journey": case.journey,
                "case": case.case,
                "status": status,
                "pauses": pauses,
                "model_calls": call_spread.as_json(),
                "tokens": Spread.of(tokens).as_json(),
                "react_lower_bound": bound.as_json(),
                "ratio": call_spread.median / bound.median,
            }
        )
    return rows


# 4. Agent overhead

GROUPS = [
    # Order matters: the first matching marker names the group (checkpointers live inside
    # langgraph's package, and the sandbox's routes run inside starlette).
    ("checkpointing", ("checkpoint", "aiosqlite", "sqlite3")),
    ("sandbox", ("/sandbox/", "fastapi", "starlette")),
    ("logging", ("structlog", "/logging/", "agent/logging.py")),
    ("validation", ("pydantic", "agent/schemas.py", "agent/plans.py")),
    ("graph", ("langgraph", "langchain_core", "/graphs/")),
    ("http client", ("httpx", "h11", "agent/client.py")),
    ("agent other", ("/agent/",)),
]


def group_of(filename: str) -> str:
    for group, markers in GROUPS:
        if any(marker in filename for marker in markers):
            return group
    return "other (asyncio, stdlib)"


async def agent_overhead(cases: list[JourneyCase], repeats: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    profiler = cProfile.Profile()

    def toggle(on: bool) -> None:
        if on:
            profiler.enable()
        else:
            profiler.disable()

    for case in cases:
        # An unmeasured run first: imports and first-use caches would otherwise land on run 1.
        await drive(case.goal, case.workspace)
        cpu: list[float] = []
        per_call: list[float] = []
        for _ in range(repeats):
            run: Drive = await drive(case.goal, case.workspace)
            cpu.append(run.cpu_seconds * 1000)
            per_call.append(run.cpu_seconds * 1000 / max(1, len(run.requests)))
        await drive(case.goal, case.workspace, profile=toggle)
        rows.append(
            {
                "journey": case.journey,
                "cpu_ms": Spread.of(cpu).as_json(),
                "cpu_ms_per_call": Spread.of(per_call).as_json(),
            }
        )
    by_group, functions, waiting = _breakdown(pstats.Stats(profiler))
    total = sum(by_group.values()) or 1.0
    return {
        "journeys": rows,
        "profile_cpu_ms": round(1000 * total, 1),
        "profile_waiting_ms": round(1000 * waiting, 1),
        "profile_groups": {
            g: round(100 * s / total, 1)
            for g, s in sorted(by_group.items(), key=lambda item: -item[1])
        },
        "top_functions": [
            {"function": f, "group": g, "own_ms": round(1000 * s, 1)} for s, g, f in functions[:10]
        ],
    }


# The event loop blocking in epoll is the main thread idle while a worker thread runs (aiosqlite
# writes checkpoints on its own thread); it is waiting, not CPU, so it is kept apart.
_WAITS = ("<method 'poll' of 'select.epoll' objects>", "select")


def _breakdown(
    stats: pstats.Stats,
) -> tuple[dict[str, float], list[tuple[float, str, str]], float]:
    """Own time by group; a built-in's time goes to the groups of the functions that called it."""
    by_group: defaultdict[str, float] = defaultdict(float)
    functions: list[tuple[float, str, str]] = []
    waiting = 0.0
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, name), entry in raw.items():
        own = float(entry[2])
        if name in _WAITS and (filename == "~" or filename.endswith("selectors.py")):
            waiting += own
            continue
        if filename == "~" or group_of(filename).startswith("other"):
            # Built-ins and the stdlib belong to whoever called them; cProfile records each
            # caller's share of their time (one level up, which is enough to name the group).
            callers: dict[tuple[str, int, str], tuple[Any, ...]] = entry[4]
            for (caller_file, _, _), share in callers.items():
                by_group[group_of(caller_file)] += float(share[2])
            group = max(callers, key=lambda c: float(callers[c][2]), default=("~", 0, ""))[0]
            label = name if filename == "~" else f"{_short(filename)}:{line}({name})"
            functions.append((own, group_of(group), label))
            continue
        by_group[group_of(filename)] += own
        functions.append((own, group_of(filename), f"{_short(filename)}:{line}({name})"))
    functions.sort(reverse=True)
    return by_group, functions, waiting


_PROJECT = str(Path(__file__).resolve().parents[1]) + "/"


def _short(filename: str) -> str:
    for marker in ("site-packages/", _PROJECT):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
