"""Journey 3: a deep research report on one or more people, through Puffle's partner v1 API.

    resolve_people → price_and_approve ─(human)─▶ start_research (one person per step)
      → wait_for_research ⇄ retry_failed → summarise

Nothing is written before the approval: resolving people only normalises their profile URLs, and
the credit preview is side-effect free. Each research is started once: its id lands in the state
the moment Puffle answers, and re-posting a profile Puffle already has is its documented safe
retry (it answers with the existing person, no second launch). A `200` with a complete report is
Puffle's cache and costs nothing; a research that fails is re-sent once, as the docs prescribe,
then escalated. Research reports are shown to the person as quoted data; nothing in them is ever
read as an instruction.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import operations as ops
from agent.client import ApiResult, PuffleClient
from agent.linkedin_urls import InvalidProfileUrl, name_from_slug, normalise_profile_url, slug_of
from agent.plans import DeepResearchPlan, PlannerOutput, ResearchTarget
from agent.schemas import ResearchEnvelope, ResearchRequest
from graphs._steps import step
from graphs.context import RunContext
from graphs.credits import describe_quote, quote_per_lead
from graphs.escalation import STOP, ask_human, pause_command, stop
from graphs.polling import poll_until
from graphs.state import RunState

ACTION = "DEEP_RESEARCH"
FINISHED = {"complete", "failed"}
# The docs' retry for a failed research is one re-send of the same payload; after that, a human.
AUTOMATIC_RESENDS = 1


class ResearchState(RunState, total=False):
    people: list[dict[str, Any]]
    quote: dict[str, Any] | None
    # One entry per started person, in the order of `people`; written as soon as Puffle answers.
    research: list[dict[str, Any]]
    polls: int
    waited_seconds: float


def _plan(state: ResearchState) -> DeepResearchPlan:
    output = PlannerOutput.model_validate(state.get("plan") or {})
    if not isinstance(output.plan, DeepResearchPlan):
        raise TypeError("the deep-research journey runs only a deep-research plan")
    return output.plan


def _client(runtime: Runtime[RunContext]) -> PuffleClient:
    return runtime.context.require_client()


def _chosen(state: ResearchState) -> list[dict[str, Any]]:
    """The people this run researches: all of them, or the first N of a smaller batch."""
    people = state.get("people", [])
    batch = state.get("batch_size")
    return people[:batch] if batch else people


@step("resolve_people")
async def resolve_people(state: ResearchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)

    people: list[dict[str, Any]] = []
    problems: list[str] = []
    for target in plan.people:
        resolved = _resolve(target)
        if isinstance(resolved, str):
            problems.append(resolved)
        elif all(p["linkedin_url"] != resolved["linkedin_url"] for p in people):
            people.append(resolved)

    if problems:
        return pause_command(
            "not_found",
            "Some people cannot be researched as given: " + " ".join(problems) + " Answer edit "
            "with `people` (each with a linkedin_url), or deny.",
            {"edit": "resolve_people"},
            details={"problems": problems},
        )
    return Command(update={"people": people}, goto="price_and_approve")


def _resolve(target: ResearchTarget) -> dict[str, Any] | str:
    """The person as the partner API needs them, or why they cannot be researched."""
    if target.linkedin_url is None:
        # The partner endpoint keys research by profile URL and has no name-only mode.
        return (
            f"{target.label}: Puffle's research API needs their LinkedIn profile URL "
            "(linkedin.com/in/...)."
        )
    try:
        url = normalise_profile_url(target.linkedin_url)
    except InvalidProfileUrl as error:
        return f"{error}."

    guessed_first, guessed_last = name_from_slug(slug_of(url))
    return {
        "first_name": target.first_name or guessed_first,
        "last_name": target.last_name or guessed_last,
        "company": target.company,
        "linkedin_url": url,
    }


@step("price_and_approve")
async def price_and_approve(state: ResearchState, runtime: Runtime[RunContext]) -> Command[str]:
    people = _chosen(state)

    quote = await quote_per_lead(_client(runtime), [ACTION], len(people))

    names = [_name(person) for person in people]
    if not quote["sufficient"]:
        fits = min(quote["batch_that_fits"] or 0, len(people))
        offer = (
            f" A batch of the first {fits} ({', '.join(names[:fits])}) fits the balance."
            if fits
            else ""
        )
        return pause_command(
            "insufficient_credits",
            f"Researching {len(people)} people needs {quote['total']} credits and the workspace "
            f"has {quote['balance']}: {quote['shortfall']} short.{offer} Nothing has been spent.",
            {"smaller_batch": "price_and_approve"} if fits else {},
            details={**quote, "people": names, "people_that_fit": names[:fits]},
            update={"quote": dict(quote)},
        )

    return pause_command(
        "approval_required",
        f"Run deep research on {len(people)} "
        f"{'person' if len(people) == 1 else 'people'}: {', '.join(names)}. "
        f"Cost: {describe_quote(quote)}; a report Puffle already has costs nothing. Research "
        "usually takes 10-20 minutes. Approve to start.",
        {"approve": "start_research", "smaller_batch": "price_and_approve"},
        details={"people": names, "quote": dict(quote), "chain": remaining_chain()},
        update={"quote": dict(quote), "credits_quoted": quote["total"]},
    )


def remaining_chain() -> list[str]:
    """The documented operations the journey calls after approval, in order."""
    return [f"{op.method} {op.path}" for op in (ops.START_RESEARCH, ops.GET_RESEARCH)]


def _name(person: dict[str, Any]) -> str:
    name = f"{person['first_name']} {person['last_name']}".replace(" -", "")
    return f"{name} ({person['company']})" if person.get("company") else name


@step("start_research")
async def start_research(state: ResearchState, runtime: Runtime[RunContext]) -> Command[str]:
    started = state.get("research", [])
    people = _chosen(state)
    if len(started) >= len(people):
        return Command(goto="wait_for_research")
    person = people[len(started)]

    answer = await _send(_client(runtime), person)

    entry = _entry(person, answer)
    spent = _unit_cost(state) if answer.status == 202 else 0
    return Command(
        update={
            "research": [*started, entry],
            "credits_spent": state.get("credits_spent", 0) + spent,
        },
        goto="start_research",
    )


async def _send(client: PuffleClient, person: dict[str, Any]) -> ApiResult[ResearchEnvelope]:
    request = ResearchRequest(
        first_name=person["first_name"],
        last_name=person["last_name"],
        linkedin_url=person["linkedin_url"],
    )
    return await client.call(ops.START_RESEARCH, body=request)


def _entry(person: dict[str, Any], answer: ApiResult[ResearchEnvelope]) -> dict[str, Any]:
    envelope = answer.data
    # Puffle's own record names a person it already knows better than a guess from the URL.
    known = envelope.person
    named = {
        **person,
        "first_name": known.first_name or person["first_name"],
        "last_name": known.last_name or person["last_name"],
        "company": person.get("company") or known.company,
    }
    return {
        "id": envelope.person.id,
        "person": named,
        "status": envelope.status,
        "report": envelope.report,
        # 200 with a complete report on the first answer: Puffle's cache, nothing ran or was paid.
        "cached": answer.status == 200 and envelope.status == "complete",
        "correlation_id": answer.correlation_id,
        "resends": 0,
    }


def _unit_cost(state: ResearchState) -> int:
    lines = (state.get("quote") or {}).get("lines", [])
    return next((line["cost_per_unit"] for line in lines if line["action"] == ACTION), 0)


@step("wait_for_research")
async def wait_for_research(state: ResearchState, runtime: Runtime[RunContext]) -> Command[str]:
    client = _client(runtime)
    entries = {entry["id"]: dict(entry) for entry in state.get("research", [])}
    progress = runtime.context.progress

    async def fetch_pending() -> dict[str, ResearchEnvelope]:
        latest: dict[str, ResearchEnvelope] = {}
        for research_id, entry in entries.items():
            if entry["status"] in FINISHED:
                continue
            answer = await client.call(ops.GET_RESEARCH, path_params={"research_id": research_id})
            latest[research_id] = answer.data
            entry.update(status=answer.data.status, report=answer.data.report)
        return latest

    def all_finished(_latest: dict[str, ResearchEnvelope]) -> bool:
        return all(entry["status"] in FINISHED for entry in entries.values())

    outcome = None
    if not all_finished({}):
        outcome = await poll_until(
            fetch_pending,
            all_finished,
            clock=runtime.context.clock,
            ceiling_seconds=runtime.context.research_poll_ceiling,
            on_poll=lambda _latest, waited: progress(
                f"research: {_count(entries, 'complete')} of {len(entries)} complete "
                f"after {waited:.0f} s"
            ),
        )

    polls = state.get("polls", 0) + (outcome.polls if outcome else 0)
    waited = state.get("waited_seconds", 0.0) + (outcome.waited_seconds if outcome else 0.0)
    update: dict[str, Any] = {
        "research": list(entries.values()),
        "polls": polls,
        "waited_seconds": waited,
    }
    if outcome is not None and not outcome.finished:
        pending = [e for e in entries.values() if e["status"] not in FINISHED]
        correlation_id = pending[0]["correlation_id"]
        return pause_command(
            "async_timeout",
            f"Research on {', '.join(_name(e['person']) for e in pending)} was still running "
            f"after {outcome.waited_seconds:.0f} s of waiting. Retry to keep waiting. "
            f"Correlation id {correlation_id}.",
            {"retry": "wait_for_research"},
            correlation_id=correlation_id,
            details={"pending": [e["id"] for e in pending]},
            update=update,
        )

    failed = [e for e in entries.values() if e["status"] == "failed"]
    if any(e["resends"] < AUTOMATIC_RESENDS for e in failed):
        return Command(update=update, goto="retry_failed")
    if failed:
        return pause_command(
            "server_error",
            f"Puffle's research failed again after a re-send for "
            f"{', '.join(_name(e['person']) for e in failed)}. Retry sends it once more (and is "
            f"paid again); deny keeps the rest. Correlation id {failed[0]['correlation_id']}.",
            {"retry": "retry_failed", "deny": "summarise"},
            correlation_id=failed[0]["correlation_id"],
            details={"failed": [e["id"] for e in failed]},
            update=update,
        )
    return Command(update=update, goto="summarise")


def _count(entries: dict[str, dict[str, Any]], status: str) -> int:
    return sum(1 for entry in entries.values() if entry["status"] == status)


@step("retry_failed")
async def retry_failed(state: ResearchState, runtime: Runtime[RunContext]) -> Command[str]:
    client = _client(runtime)
    entries = [dict(entry) for entry in state.get("research", [])]
    spent = state.get("credits_spent", 0)

    for entry in entries:
        if entry["status"] != "failed":
            continue
        # The same payload again: Puffle flips a failed person back to running (202).
        answer = await _send(client, entry["person"])
        entry.update(
            status=answer.data.status,
            report=answer.data.report,
            correlation_id=answer.correlation_id,
            resends=entry["resends"] + 1,
        )
        spent += _unit_cost(state) if answer.status == 202 else 0

    return Command(update={"research": entries, "credits_spent": spent}, goto="wait_for_research")


async def summarise(state: ResearchState) -> dict[str, Any]:
    entries = state.get("research", [])
    people = [_finding(entry) for entry in entries]

    complete = [p for p in people if p["status"] == "complete"]
    cached = sum(1 for p in people if p["cached"])
    lines = [f"{p['name']}: \u201c{p['summary']}\u201d" for p in complete if p["summary"]]
    failed = [p["name"] for p in people if p["status"] != "complete"]
    paragraph = (
        f"Deep research finished for {len(complete)} of {len(people)} "
        f"{'person' if len(people) == 1 else 'people'}"
        f"{f' ({cached} from the cache)' if cached else ''}. "
        + " ".join(lines)
        + (f" Not finished: {', '.join(failed)}." if failed else "")
        + " Report text is quoted as Puffle returned it."
    )
    return {
        "outcome": "completed",
        "result": {
            "people": people,
            "polls": state.get("polls", 0),
            "waited_seconds": state.get("waited_seconds", 0.0),
            "summary": paragraph,
        },
    }


def _finding(entry: dict[str, Any]) -> dict[str, Any]:
    person = entry["person"]
    report: dict[str, Any] = entry.get("report") or {}
    findings = {key: _as_text(value) for key, value in report.items() if key != "summary"}
    return {
        "name": _name(person),
        "linkedin_url": person["linkedin_url"],
        "research_id": entry["id"],
        "status": entry["status"],
        "cached": entry["cached"],
        "summary": _as_text(report.get("summary")) if report.get("summary") else None,
        "findings": findings,
    }


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    return str(value)


def build_deep_research_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ResearchState, context_schema=RunContext)
    for node in (
        resolve_people,
        price_and_approve,
        start_research,
        wait_for_research,
        retry_failed,
    ):
        graph.add_node(node.__name__, node)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("summarise", summarise)

    graph.add_edge(START, "resolve_people")
    graph.add_edge("summarise", END)
    graph.add_edge(STOP, END)
    return graph.compile(name="deep_research")
