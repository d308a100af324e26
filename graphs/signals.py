"""Journey 4: tune signal types and read the strongest signals, through the partner v1 API.

    read_types ─(writes planned)─▶ approval ─(human)─▶ apply_changes ─▶ read_feed ─▶ summarise
               └─(read only)───────────────────────────────────────────▶ read_feed

`read_types` reads the types and computes every write the goal needs, checked against the
documented limits (20 types per workspace, 50 keywords per type) before anything is sent: a goal
that would break one pauses with `limit_exceeded` and writes nothing. Writes wait for approval;
a pure read of the feed needs none. Creating a type whose name exists answers 409, and the
existing type is used instead. The feed is paged with its cursor until it ends, the score drops
below the goal's minimum (the feed is read sorted by score), or a page cap is reached.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import operations as ops
from agent.errors import ConflictError
from agent.plans import PlannerOutput, SignalsPlan
from agent.schemas import (
    CreateSignalTypeRequest,
    Signal,
    SignalType,
    UpdateSignalTypeRequest,
)
from graphs._steps import step
from graphs.context import RunContext
from graphs.escalation import STOP, ask_human, pause_command, stop
from graphs.state import RunState

MAX_SIGNAL_TYPES = 20
MAX_KEYWORDS_PER_TYPE = 50
# Small pages: read sorted by score, a minimum score usually ends the reading on the first page.
FEED_PAGE_SIZE = 10
# Enough for a person's summary; a busier feed is better read through the webhook.
MAX_FEED_PAGES = 10
COST_NOTE = (
    "The docs state no credit cost for changing signal types; signal scans are listed as "
    "billable, but no price per scan is documented."
)
# Words people use for the built-in types, mapped to their v1 labels.
TYPE_ALIASES = {
    "hiring": "hiring",
    "hire": "hiring",
    "jobs": "hiring",
    "funding": "funding",
    "fundraising": "funding",
    "raise": "funding",
    "management change": "management_change",
    "management_change": "management_change",
    "leadership change": "management_change",
    "leadership": "management_change",
    "job change": "management_change",
    "job changes": "management_change",
    "competitor": "competitor_mentions",
    "competitors": "competitor_mentions",
    "competitor mentions": "competitor_mentions",
    "competitor_mentions": "competitor_mentions",
}


class SignalsState(RunState, total=False):
    signal_types: list[dict[str, Any]]
    planned_writes: list[dict[str, Any]]
    existing_types_named: list[str]
    applied_writes: list[dict[str, Any]]
    feed: dict[str, Any]


def _plan(state: SignalsState) -> SignalsPlan:
    output = PlannerOutput.model_validate(state.get("plan") or {})
    if not isinstance(output.plan, SignalsPlan):
        raise TypeError("the signals journey runs only a signals plan")
    return output.plan


def _find_type(types: list[SignalType], name: str) -> SignalType | None:
    wanted = " ".join(name.lower().replace("_", " ").split())
    label = TYPE_ALIASES.get(wanted, wanted)
    for item in types:
        if item.label.lower() in {label, wanted} or item.label.lower().replace("_", " ") == wanted:
            return item
    return None


def _merge_keywords(current: list[str], added: list[str]) -> list[str]:
    merged = list(current)
    seen = {keyword.lower() for keyword in current}
    for keyword in added:
        if keyword.strip() and keyword.lower() not in seen:
            merged.append(keyword.strip())
            seen.add(keyword.lower())
    return merged


@step("read_types")
async def read_types(state: SignalsState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)

    listed = await runtime.context.require_client().call(ops.LIST_SIGNAL_TYPES)

    types = listed.data.signal_types
    snapshot = [
        t.model_dump(include={"id", "label", "enabled", "keywords", "built_in"}) for t in types
    ]
    writes: list[dict[str, Any]] = []
    problems: list[str] = []
    for change in plan.changes:
        found = _find_type(types, change.signal_type)
        if found is None:
            labels = ", ".join(t.label for t in types)
            return pause_command(
                "not_found",
                f"There is no signal type '{change.signal_type}'. Types in this workspace: "
                f"{labels}. Edit the plan with an existing type, or deny.",
                {"edit": "read_types"},
                correlation_id=listed.correlation_id,
                details={"existing_types": [t.label for t in types]},
            )
        patch: dict[str, Any] = {}
        if change.enable is not None and change.enable != found.enabled:
            patch["enabled"] = change.enable
        if change.add_keywords:
            keywords = _merge_keywords(found.keywords, change.add_keywords)
            if len(keywords) > MAX_KEYWORDS_PER_TYPE:
                problems.append(
                    f"'{found.label}' would have {len(keywords)} keywords; a type holds at most "
                    f"{MAX_KEYWORDS_PER_TYPE}"
                )
            elif keywords != found.keywords:
                patch["keywords"] = keywords
        if change.sources is not None:
            if found.built_in:
                problems.append(f"the sources of the built-in type '{found.label}' are fixed")
            elif sorted(change.sources) != sorted(found.sources):
                patch["sources"] = list(change.sources)
        if patch:
            before = {key: getattr(found, key) for key in patch}
            writes.append(
                {"op": "update", "id": found.id, "label": found.label, "set": patch, "was": before}
            )

    creating = [new for new in plan.create if _find_type(types, new.name) is None]
    # A type the goal asks to create that already exists is used as it is, and said so.
    already = [new.name for new in plan.create if _find_type(types, new.name) is not None]
    for new in creating:
        if len(new.keywords) > MAX_KEYWORDS_PER_TYPE:
            problems.append(
                f"'{new.name}' has {len(new.keywords)} keywords; at most {MAX_KEYWORDS_PER_TYPE}"
            )
        writes.append(
            {
                "op": "create",
                "label": new.name,
                "set": {"keywords": new.keywords, "sources": list(new.sources)},
            }
        )
    if len(types) + len(creating) > MAX_SIGNAL_TYPES:
        problems.append(
            f"the workspace has {len(types)} signal types and {len(creating)} more would make "
            f"{len(types) + len(creating)}; Puffle allows {MAX_SIGNAL_TYPES}"
        )
    if problems:
        return pause_command(
            "limit_exceeded",
            "Nothing was changed: " + "; ".join(problems) + ". Edit the plan, or deny.",
            {"edit": "read_types"},
            correlation_id=listed.correlation_id,
            details={"problems": problems},
            update={"signal_types": snapshot},
        )

    update: dict[str, Any] = {
        "signal_types": snapshot,
        "planned_writes": writes,
        "existing_types_named": already,
    }
    if not writes:
        return Command(update=update, goto="read_feed")
    return pause_command(
        "approval_required",
        _describe_writes(writes) + f" {COST_NOTE} Approve to apply these changes.",
        {"approve": "apply_changes", "edit": "read_types"},
        details={
            "changes": writes,
            "quote": None,
            "cost": COST_NOTE,
            "chain": _chain(writes, plan),
        },
        update=update,
    )


def _describe_writes(writes: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for write in writes:
        settings = write["set"]
        if write["op"] == "create":
            parts.append(
                f"create the keyword type '{write['label']}' watching "
                f"{', '.join(settings['keywords'])} on {', '.join(settings['sources'])}"
            )
            continue
        changes: list[str] = []
        if "enabled" in settings:
            changes.append("enable it" if settings["enabled"] else "disable it")
        if "keywords" in settings:
            added = [k for k in settings["keywords"] if k not in write["was"]["keywords"]]
            changes.append(f"add the keywords {', '.join(added)}")
        if "sources" in settings:
            changes.append(f"set its sources to {', '.join(settings['sources'])}")
        parts.append(f"'{write['label']}': {' and '.join(changes)}")
    return "Signal type changes: " + "; ".join(parts) + "."


def _chain(writes: list[dict[str, Any]], plan: SignalsPlan) -> list[str]:
    chain: list[ops.Operation[Any, Any]] = [
        ops.UPDATE_SIGNAL_TYPE if write["op"] == "update" else ops.CREATE_SIGNAL_TYPE
        for write in writes
    ]
    if plan.read_feed:
        chain.append(ops.LIST_SIGNALS)
    return [f"{op.method} {op.path}" for op in chain]


@step("apply_changes")
async def apply_changes(state: SignalsState, runtime: Runtime[RunContext]) -> Command[str]:
    client = runtime.context.require_client()
    applied = list(state.get("applied_writes", []))
    done = {(write["op"], write["label"]) for write in applied}

    for write in state.get("planned_writes", []):
        if (write["op"], write["label"]) in done:
            continue
        if write["op"] == "update":
            # Setting the same values twice leaves the type as it was, so a retry is safe.
            result = await client.call(
                ops.UPDATE_SIGNAL_TYPE,
                path_params={"type_id": write["id"]},
                body=UpdateSignalTypeRequest.model_validate(write["set"]),
            )
            applied.append({**write, "result": _type_view(result.data), "existed": True})
            continue
        applied.append({**write, **await _create(runtime, write)})

    return Command(update={"applied_writes": applied}, goto="read_feed")


async def _create(runtime: Runtime[RunContext], write: dict[str, Any]) -> dict[str, Any]:
    client = runtime.context.require_client()
    label = write["label"]
    request = CreateSignalTypeRequest(
        name=label,
        keywords=write["set"]["keywords"],
        sources=write["set"]["sources"],
        search_instructions=f"Find posts and news that show {label.lower()}.",
        scoring_criteria=f"Score higher when the evidence of {label.lower()} is recent and clear.",
        enabled=True,
    )
    try:
        created = await client.call(ops.CREATE_SIGNAL_TYPE, body=request)
    except ConflictError:
        # The name exists (created by an earlier attempt or by a person): use that type.
        listed = await client.call(ops.LIST_SIGNAL_TYPES)
        existing = next((t for t in listed.data.signal_types if t.label == label), None)
        if existing is None:
            raise
        return {"result": _type_view(existing), "existed": True}
    return {"result": _type_view(created.data), "existed": False}


def _type_view(signal_type: SignalType) -> dict[str, Any]:
    return signal_type.model_dump(include={"id", "label", "enabled", "keywords", "sources"})


@step("read_feed")
async def read_feed(state: SignalsState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    if not plan.read_feed:
        return Command(goto="summarise")
    client = runtime.context.require_client()
    now = datetime.fromtimestamp(runtime.context.clock.time(), UTC)

    query: dict[str, str | int] = {"limit": FEED_PAGE_SIZE}
    if plan.since_days is not None:
        since = now - timedelta(days=plan.since_days)
        query["since"] = since.isoformat(timespec="seconds").replace("+00:00", "Z")
    labels = _feed_labels(state, plan)
    if labels:
        query["signal_type"] = ",".join(labels)
    # Sorted by score, the pages can stop as soon as the scores fall under the minimum.
    query["sort"] = "score"

    signals: list[Signal] = []
    cursor: str | None = None
    pages = 0
    complete = True
    while True:
        page = await client.call(
            ops.LIST_SIGNALS, query={**query, **({"cursor": cursor} if cursor else {})}
        )
        pages += 1
        signals += page.data.signals
        below_minimum = (
            plan.min_score is not None
            and bool(page.data.signals)
            and page.data.signals[-1].score < plan.min_score
        )
        cursor = page.data.pagination.cursor
        if not page.data.pagination.has_more or cursor is None or below_minimum:
            break
        if pages >= MAX_FEED_PAGES:
            complete = False
            break

    kept = [s for s in signals if plan.min_score is None or s.score >= plan.min_score]
    return Command(
        update={
            "feed": {
                "filters": {
                    "since": query.get("since"),
                    "signal_types": labels,
                    "min_score": plan.min_score,
                },
                "pages": pages,
                "complete": complete,
                "matched": len(kept),
                "signals": [_signal_view(s) for s in kept],
            }
        },
        goto="summarise",
    )


def _feed_labels(state: SignalsState, plan: SignalsPlan) -> list[str]:
    types = [SignalType.model_validate(t) for t in state.get("signal_types", [])]
    labels: list[str] = []
    for name in plan.feed_types:
        found = _find_type(types, name)
        labels.append(found.label if found else name)
    return labels


def _signal_view(signal: Signal) -> dict[str, Any]:
    return {
        "id": signal.id,
        "signal_type": signal.signal_type,
        "score": signal.score,
        "title": signal.title,
        "company": signal.entity.name if signal.entity else None,
        "source": signal.source,
        "created_at": signal.created_at,
    }


async def summarise(state: SignalsState) -> dict[str, Any]:
    plan = _plan(state)
    applied = state.get("applied_writes", [])
    feed = state.get("feed")

    sentences: list[str] = []
    if applied:
        described = [
            f"{'reused the existing' if w['op'] == 'create' and w['existed'] else w['op'] + 'd'} "
            f"'{w['label']}'"
            for w in applied
        ]
        sentences.append("Signal types: " + ", ".join(described) + ".")
    if already := state.get("existing_types_named"):
        sentences.append(f"Already existed, left as they are: {', '.join(already)}.")
    strongest: list[dict[str, Any]] = []
    if feed is not None:
        strongest = sorted(feed["signals"], key=lambda s: -s["score"])[: plan.top]
        window = f" from the last {plan.since_days} days" if plan.since_days else ""
        floor = f" scoring at least {plan.min_score}" if plan.min_score is not None else ""
        if strongest:
            listed = "; ".join(
                f"{s['company'] or s['title']} ({s['signal_type']}, {s['score']:g}): {s['title']}"
                for s in strongest[:5]
            )
            sentences.append(f"{feed['matched']} signals{window}{floor}; the strongest: {listed}.")
        else:
            sentences.append(f"No signals{window}{floor} in the feed.")
        if not feed["complete"]:
            sentences.append(f"Only the first {feed['pages']} pages of the feed were read.")
    return {
        "outcome": "completed",
        "result": {
            "changes": applied,
            "feed": {k: v for k, v in (feed or {}).items() if k != "signals"} or None,
            "signals": strongest,
            "summary": " ".join(sentences) or "Nothing to change and no feed requested.",
        },
    }


def build_signals_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(SignalsState, context_schema=RunContext)
    for node in (read_types, apply_changes, read_feed):
        graph.add_node(node.__name__, node)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("summarise", summarise)

    graph.add_edge(START, "read_types")
    graph.add_edge("summarise", END)
    graph.add_edge(STOP, END)
    return graph.compile(name="signals")
