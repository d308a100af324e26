"""Journey 1: launch a campaign end to end.

    choose_sender → find_audience → write_sequence → price_and_approve ─(human)─▶
      [start_lead_search → wait_for_search → save_search_results]  (audience from a search)
      create_campaign → fill_sequence → configure_ai_step → add_leads → generate_messages
      → validate → launch → wait_for_launch → summarise

Everything before the approval only reads (the filter parsing and the credit preview are
side-effect free), so a denied or unaffordable plan leaves the workspace as it was. Every write
after it is safe to repeat: ids land in the state as soon as they exist, a campaign of the same
name is looked up before one is created, a 409 on create or launch means "it exists, go on", and
the AI step's brief is read back before it is written.

When Puffle's AI writes the messages (`message_source="puffle_ai"`), the sequence carries one `ai`
node: `configure_ai_step` gives it its brief through the node endpoint once the sequence exists,
and `generate_messages` asks Puffle to write one message per lead for it (paid, priced in the
approval, and asked for at most once per run).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import operations as ops
from agent.client import PuffleClient
from agent.errors import BadRequestError, ConflictError, NotFoundError, UnprocessableError
from agent.messages import ai_step_settings, make_writer
from agent.plans import LaunchCampaignPlan, PlannerOutput
from agent.schemas import (
    AddLeadsRequest,
    AddSearchToListRequest,
    AiNodeSettings,
    Campaign,
    CampaignDetail,
    CreateCampaignRequest,
    GenerateMessagesRequest,
    ImportFromListRequest,
    LeadList,
    LeadSearchRequest,
    ListRow,
    ParseFiltersRequest,
    ProspectInput,
    SequenceNode,
    SequenceNodeInput,
    UpdateCampaignRequest,
    UpdateSequenceNodeRequest,
    WorkspaceContext,
)
from graphs._steps import step
from graphs.context import RunContext
from graphs.credits import describe_quote, quote_per_lead
from graphs.escalation import STOP, ask_human, pause_command, stop
from graphs.polling import poll_until
from graphs.state import RunState

READY_SENDER_STATUS = {"linkedin": "connected", "email": "active"}
DEFAULT_SEARCH_SIZE = 25
LIST_ROWS_PAGE = 500
CHANNEL_TITLES = {"linkedin": "LinkedIn", "email": "Email"}
# List names compare by their letters and digits only: emoji, quotes, dashes and other
# punctuation people paste or leave out do not make a different list.
_NOT_A_WORD = re.compile(r"[\W_]+")


class LaunchState(RunState, total=False):
    sender: dict[str, Any]
    audience_list: dict[str, Any] | None
    search_filters: dict[str, Any] | None
    search_unsupported: str | None
    leads_planned: int
    sequence: list[dict[str, Any]]
    # The brief of the sequence's `ai` node (an `AiNodeSettings`), when Puffle's AI writes.
    ai_step: dict[str, Any] | None
    ai_node_id: str | None
    quote: dict[str, Any] | None
    search: dict[str, Any] | None
    # A draft of the planned name and channel, seen in the campaign list before the approval
    # (left by an earlier run of the goal, or started by a person): taken over, not created again.
    draft_seen: dict[str, Any] | None
    # How many leads on a reused draft the person agreed to launch to, beyond those approved.
    draft_leads_accepted: int | None
    campaign: dict[str, Any] | None
    leads_added: dict[str, Any] | None
    messages_done: bool
    repair_attempts: int
    ai_messages_generated: bool
    launch: dict[str, Any] | None
    launch_attempts: int
    polls: int
    waited_seconds: float
    campaign_name: str


def _plan(state: LaunchState) -> LaunchCampaignPlan:
    output = PlannerOutput.model_validate(state.get("plan") or {})
    if not isinstance(output.plan, LaunchCampaignPlan):
        raise TypeError("the launch-campaign journey runs only a launch-campaign plan")
    return output.plan


def _leads(state: LaunchState) -> int:
    planned = state.get("leads_planned", 0)
    batch = state.get("batch_size")
    return min(planned, batch) if batch else planned


def _client(runtime: Runtime[RunContext]) -> PuffleClient:
    return runtime.context.require_client()


@step("choose_sender")
async def choose_sender(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    channel_title = CHANNEL_TITLES[plan.channel]

    senders = await _client(runtime).call(ops.LIST_SENDERS, query={"type": plan.channel})

    of_channel = [account for account in senders.data.accounts if account.type == plan.channel]
    ready = [a for a in of_channel if a.status == READY_SENDER_STATUS[plan.channel]]
    if not ready and of_channel:
        statuses = ", ".join(sorted({account.status for account in of_channel}))
        return pause_command(
            "launch_blocked",
            f"The workspace's {channel_title} senders are not ready to send ({statuses}). "
            "Email senders finish warming up on their own; a disconnected LinkedIn account "
            "must be reconnected by a person in Puffle. Retry once one is ready.",
            {"retry": "choose_sender"},
            correlation_id=senders.correlation_id,
        )
    if not ready:
        return pause_command(
            "oauth_required",
            f"No {channel_title} sender is connected. A person must connect one in Puffle "
            "(the agent never runs an OAuth flow); then retry.",
            {"retry": "choose_sender"},
            correlation_id=senders.correlation_id,
        )

    sender = ready[0]
    first_name = getattr(sender, "first_name", None) or (sender.display_name or "").split(" ")[0]
    return Command(
        update={
            "sender": {
                "id": sender.id,
                "name": sender.display_name or sender.email_address,
                "first_name": first_name or None,
            }
        },
        goto="find_audience",
    )


@step("find_audience")
async def find_audience(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    client = _client(runtime)

    if plan.list_name is None and not plan.search_query:
        return pause_command(
            "not_found",
            "The goal names neither a lead list nor an audience to search for. Edit it with "
            "list_name or search_query.",
            {"edit": "find_audience"},
        )
    if plan.list_name is None and plan.find_new_leads:
        # Asked to find new people: a saved list of the same name is not what was asked for.
        return await _plan_search(client, plan)

    # Any other audience may name a saved list ("email the Fintech CTOs"), whichever planner
    # read the goal; a paid search runs only for an audience that names none.
    lists = await client.call(ops.LIST_LISTS)
    named = plan.list_name or plan.search_query or ""
    matches = _lists_named(named, lists.data.lists)
    names = [item.name for item in lists.data.lists]
    if not matches and plan.list_name is None and not _says_list(named):
        return await _plan_search(client, plan)
    if len(matches) != 1:
        problem = (
            f"Several lists match '{named}'" if matches else f"There is no list named '{named}'"
        )
        return pause_command(
            "not_found",
            f"{problem}. Lists in this workspace: {', '.join(names) or 'none'}. Answer with the "
            "right list_name, or deny.",
            {"edit": "find_audience"},
            correlation_id=lists.correlation_id,
            details={"list_name": named, "existing_lists": names},
        )

    [found] = matches
    if found.rowCount == 0:
        return pause_command(
            "launch_blocked",
            f"The list '{found.name}' has no leads, so a campaign to it would end at once.",
            {"edit": "find_audience"},
            correlation_id=lists.correlation_id,
        )

    planned = min(found.rowCount, plan.lead_count) if plan.lead_count else found.rowCount
    return Command(
        update={
            "audience_list": {"id": found.id, "name": found.name, "rows": found.rowCount},
            "search_filters": None,
            "search_unsupported": None,
            "leads_planned": planned,
        },
        goto="write_sequence",
    )


async def _plan_search(client: PuffleClient, plan: LaunchCampaignPlan) -> Command[str]:
    query = plan.search_query or ""
    parsed = await client.call(ops.PARSE_LEAD_FILTERS, body=ParseFiltersRequest(query=query))
    return Command(
        update={
            "audience_list": None,
            "search_filters": parsed.data.filters,
            "search_unsupported": parsed.data.unsupported,
            "leads_planned": plan.lead_count or DEFAULT_SEARCH_SIZE,
        },
        goto="write_sequence",
    )


def _lists_named(named: str, lists: list[LeadList]) -> list[LeadList]:
    """The lists `named` refers to: the one spelled exactly so, else every one that matches once
    case, emoji, punctuation, spacing and a trailing "list" are set aside."""
    exact = [item for item in lists if item.name.strip() == named.strip()]
    if exact:
        return exact[:1]
    wanted = _list_keys(named)
    return [item for item in lists if wanted & _list_keys(item.name)]


def _list_keys(name: str) -> set[str]:
    """A name's comparable forms: its words, and its words without a trailing "list"."""
    words = _NOT_A_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    keys = {" ".join(words)}
    if len(words) > 1 and words[-1] in {"list", "lists"}:
        keys.add(" ".join(words[:-1]))
    return {key for key in keys if key}


def _says_list(audience: str) -> bool:
    """An audience that ends with "list" refers to a saved list, never to people to search for."""
    words = _NOT_A_WORD.sub(" ", audience.casefold()).split()
    return bool(words) and words[-1] in {"list", "lists"}


@step("write_sequence")
async def write_sequence(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    context = WorkspaceContext.model_validate(state.get("context") or {})
    chat_model = runtime.context.chat_model
    sender_first_name = state.get("sender", {}).get("first_name")

    writer = make_writer(plan, chat_model)
    nodes = await writer.write(plan, context, sender_first_name)
    ai_step = (
        ai_step_settings(plan, context, sender_first_name)
        if any(node.type == "ai" for node in nodes)
        else None
    )

    notes = list(state.get("notes", []))
    if plan.message_source == "model" and chat_model is None:
        notes.append("No model is configured, so the messages use the standard template.")
    if (unapplied := _unapplied_daily_limit(plan)) is not None:
        notes.append(unapplied)
    return Command(
        update={
            "sequence": [node.model_dump(exclude_none=True) for node in nodes],
            "ai_step": ai_step.model_dump(exclude_none=True) if ai_step else None,
            "notes": notes,
        },
        goto="price_and_approve",
    )


@step("price_and_approve")
async def price_and_approve(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    leads = _leads(state)
    paid_actions = _paid_actions(state, plan)

    quote = await quote_per_lead(_client(runtime), paid_actions, leads) if paid_actions else None

    if quote is not None and not quote["sufficient"]:
        fits = quote["batch_that_fits"] or 0
        offer = f" A batch of {fits} leads fits the balance." if fits else ""
        return pause_command(
            "insufficient_credits",
            f"This needs {quote['total']} credits and the workspace has {quote['balance']}: "
            f"{quote['shortfall']} short.{offer} Nothing has been spent.",
            {"smaller_batch": "price_and_approve"} if fits else {},
            details={**quote, "leads": leads},
            update={"quote": dict(quote)},
        )

    existing = (await _client(runtime).call(ops.LIST_CAMPAIGNS)).data.campaigns
    name, overlapping = _planned_name(_campaign_name(state, plan), existing, plan)
    draft = _reusable_draft(existing, name, plan)
    draft_seen = {"id": draft.id, "name": draft.name} if draft else None
    state = {**state, "campaign_name": name, "draft_seen": draft_seen}

    first_write = (
        "start_lead_search" if state.get("search_filters") is not None else "create_campaign"
    )
    summary = _approval_summary(state, plan, leads, quote)
    if overlapping:
        summary += (
            f" Careful: '{overlapping[0].name}' is already {overlapping[0].status} with the same "
            "audience name, so these leads may be contacted twice."
        )
    return pause_command(
        "approval_required",
        summary,
        {"approve": first_write, "smaller_batch": "price_and_approve", "edit": "find_audience"},
        details={
            "campaign_name": _campaign_name(state, plan),
            "channel": plan.channel,
            "sender": state.get("sender", {}).get("name"),
            "audience": (state.get("audience_list") or {}).get("name") or plan.audience,
            "leads": leads,
            "daily_limit": _applied_daily_limit(plan),
            "sequence": state.get("sequence", []),
            "ai_step": state.get("ai_step"),
            "quote": dict(quote) if quote else None,
            "chain": remaining_chain(state, plan),
        },
        update={
            "quote": dict(quote) if quote else None,
            "credits_quoted": _total(quote),
            "campaign_name": name,
            "draft_seen": draft_seen,
        },
    )


def _applied_daily_limit(plan: LaunchCampaignPlan) -> int | None:
    """The goal's daily cap as Puffle will hold it: it takes one for email campaigns only."""
    return plan.daily_limit if plan.channel == "email" else None


def _unapplied_daily_limit(plan: LaunchCampaignPlan) -> str | None:
    if plan.daily_limit is None or _applied_daily_limit(plan) is not None:
        return None
    return (
        f"Puffle takes a daily limit for email campaigns only; the {plan.daily_limit}-a-day "
        "limit is not applied, and LinkedIn sends follow the sender's weekly limits."
    )


def _planned_name(
    wanted: str, existing: list[Campaign], plan: LaunchCampaignPlan
) -> tuple[str, list[Campaign]]:
    """The name the campaign will get, and live campaigns already going by the wanted name.

    A draft of the wanted name is reused (this journey's own, left by an interrupted run, or one
    the human started); a launched one keeps its name, so the new campaign gets the first free
    " (n)" suffix, as Puffle suggests on a 409.
    """
    if _reusable_draft(existing, wanted, plan) is not None:
        return wanted, []
    overlapping = [
        campaign
        for campaign in existing
        if campaign.status != "draft"
        and (campaign.name == wanted or campaign.name.startswith(f"{wanted} ("))
    ]
    return _free_name(wanted, {campaign.name for campaign in existing}), overlapping


def _paid_actions(state: LaunchState, plan: LaunchCampaignPlan) -> list[str]:
    actions: list[str] = []
    if state.get("search_filters") is not None:
        actions.append("FIND_PERSON")
    if plan.message_source == "puffle_ai":
        actions.append("AI_MESSAGE_GENERATION")
    return actions


def _total(quote: Any) -> int:
    return int(quote["total"]) if quote else 0


def _approval_summary(state: LaunchState, plan: LaunchCampaignPlan, leads: int, quote: Any) -> str:
    channel = CHANNEL_TITLES[plan.channel]
    audience_list = state.get("audience_list")
    source = (
        f"the list '{audience_list['name']}'"
        if audience_list
        else f"a lead search for '{plan.search_query}'"
    )
    steps = sum(1 for node in state.get("sequence", []) if node["type"] not in {"delay", "end"})
    ai = " Puffle's AI writes a personal message for each lead." if state.get("ai_step") else ""
    cost = f" Cost: {describe_quote(quote)}." if quote else " No credits are spent."
    unsupported = state.get("search_unsupported")
    caveat = f" The search cannot express: {unsupported}." if unsupported else ""
    # The cap shapes how fast the campaign goes out, so the person approves it knowingly; a cap
    # Puffle cannot take is said just as plainly.
    applied = _applied_daily_limit(plan)
    pace = f" It sends at most {applied} emails a day." if applied is not None else ""
    if (unapplied := _unapplied_daily_limit(plan)) is not None:
        pace = f" {unapplied}"
    draft = state.get("draft_seen")
    reuse = (
        f" Puffle already holds a draft of that name (id {draft['id']}): it is completed and "
        "launched, and no second campaign is made."
        if draft
        else ""
    )
    act = "complete" if draft else "create"
    return (
        f"Launch the {channel} campaign '{_campaign_name(state, plan)}' from "
        f"{state.get('sender', {}).get('name')} to {leads} leads from {source}, with a "
        f"{steps}-message sequence.{pace}{ai}{cost}{caveat}{reuse} Approve to {act} and launch "
        "it."
    )


def _campaign_name(state: LaunchState, plan: LaunchCampaignPlan) -> str:
    if campaign := state.get("campaign"):
        return str(campaign["name"])
    if planned := state.get("campaign_name"):
        return planned
    if plan.campaign_name:
        return plan.campaign_name
    audience_list = state.get("audience_list")
    audience = audience_list["name"] if audience_list else plan.audience
    return f"{audience[:60].strip()} - {CHANNEL_TITLES[plan.channel]}"


def remaining_chain(state: LaunchState, plan: LaunchCampaignPlan) -> list[str]:
    """The documented operations the journey will call after approval, in order."""
    chain: list[ops.Operation[Any, Any]] = []
    if state.get("search_filters") is not None:
        chain += [ops.START_LEAD_SEARCH, ops.GET_LEAD_SEARCH, ops.ADD_SEARCH_TO_LIST]
    # A draft taken over is read first; the writes after it run only where it lacks their work.
    chain += [ops.GET_CAMPAIGN if state.get("draft_seen") else ops.CREATE_CAMPAIGN]
    chain += [ops.UPDATE_CAMPAIGN]
    if state.get("ai_step"):
        chain += [ops.GET_CAMPAIGN, ops.UPDATE_SEQUENCE_NODE]
    audience_rows = (state.get("audience_list") or {}).get("rows")
    if audience_rows is not None and _leads(state) < audience_rows:
        chain += [ops.LIST_ROWS, ops.ADD_CAMPAIGN_LEADS]
    else:
        chain += [ops.IMPORT_CAMPAIGN_LEADS_FROM_LIST]
    chain += [ops.GENERATE_MESSAGES]
    if state.get("ai_step"):
        chain += [ops.GET_CAMPAIGN, ops.GENERATE_MESSAGES]
    chain += [ops.VALIDATE_CAMPAIGN, ops.LAUNCH_CAMPAIGN, ops.GET_CAMPAIGN]
    return [f"{op.method} {op.path}" for op in chain]


@step("start_lead_search")
async def start_lead_search(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("search"):
        return Command(goto="wait_for_search")
    plan = _plan(state)

    request = LeadSearchRequest.model_validate(
        {
            **(state.get("search_filters") or {}),
            "fetch_count": _leads(state),
            "nl_query": plan.search_query,
        }
    )
    started = await _client(runtime).call(ops.START_LEAD_SEARCH, body=request)

    search = started.data.search
    return Command(
        update={
            "search": {
                "id": search.id,
                "status": search.status,
                "correlation_id": started.correlation_id,
            }
        },
        goto="wait_for_search",
    )


@step("wait_for_search")
async def wait_for_search(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    search = state.get("search") or {}
    client = _client(runtime)
    progress = runtime.context.progress

    async def fetch() -> Any:
        return await client.call(ops.GET_LEAD_SEARCH, path_params={"search_id": search["id"]})

    outcome = await poll_until(
        fetch,
        lambda result: result.data.search.status in {"completed", "failed"},
        clock=runtime.context.clock,
        ceiling_seconds=runtime.context.search_poll_ceiling,
        on_poll=lambda result, waited: progress(
            f"lead search {result.data.search.status} after {waited:.0f} s"
        ),
    )

    polls = state.get("polls", 0) + outcome.polls
    if not outcome.finished or outcome.last is None:
        return pause_command(
            "async_timeout",
            f"The lead search did not finish within {outcome.waited_seconds:.0f} s. Retry to "
            f"keep waiting. Correlation id {search.get('correlation_id')}.",
            {"retry": "wait_for_search"},
            correlation_id=search.get("correlation_id"),
            update={"polls": polls},
        )
    found = outcome.last.data.search
    if found.status == "failed":
        return pause_command(
            "server_error",
            f"The lead search failed: {found.error_message or 'no reason given'}. Retry starts "
            "a new search.",
            {"retry": "start_lead_search"},
            correlation_id=search.get("correlation_id"),
            update={"polls": polls, "search": None},
        )
    if not found.result_count:
        return pause_command(
            "launch_blocked",
            "The lead search found nobody. Edit the search_query, or deny.",
            {"edit": "find_audience"},
            correlation_id=search.get("correlation_id"),
            update={"polls": polls, "search": None},
        )
    # Puffle bills a search for the records it saved, when it completes; counting the credits
    # here keeps the report right even if saving the results to a list then fails.
    spent = _unit_cost(state, "FIND_PERSON") * found.result_count
    return Command(
        update={
            "polls": polls,
            "search": {**search, "status": "completed", "result_count": found.result_count},
            "credits_spent": state.get("credits_spent", 0) + spent,
        },
        goto="save_search_results",
    )


@step("save_search_results")
async def save_search_results(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("audience_list"):
        return Command(goto="create_campaign")
    plan = _plan(state)
    search = state.get("search") or {}

    saved = await _client(runtime).call(
        ops.ADD_SEARCH_TO_LIST,
        path_params={"search_id": search["id"]},
        body=AddSearchToListRequest(name=_campaign_name(state, plan)),
    )

    return Command(
        update={
            "audience_list": {
                "id": saved.data.list.id,
                "name": saved.data.list.name,
                "rows": saved.data.insertedCount,
            }
        },
        goto="create_campaign",
    )


def _unit_cost(state: LaunchState, action: str) -> int:
    quote = state.get("quote") or {}
    return next(
        (line["cost_per_unit"] for line in quote.get("lines", []) if line["action"] == action), 0
    )


@step("create_campaign")
async def create_campaign(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("campaign"):
        return Command(goto="fill_sequence")
    plan = _plan(state)
    client = _client(runtime)
    name = _campaign_name(state, plan)

    def request(campaign_name: str) -> CreateCampaignRequest:
        return CreateCampaignRequest(
            type=plan.channel,
            name=campaign_name,
            sender_account_ids=[state.get("sender", {})["id"]],
            daily_limit=plan.daily_limit if plan.channel == "email" else None,
        )

    if (draft := state.get("draft_seen")) is not None:
        taken_over = await _take_over_draft(client, draft["id"], name, state, plan)
        if taken_over is not None:
            return taken_over

    try:
        created = (await client.call(ops.CREATE_CAMPAIGN, body=request(name))).data.campaign
    except ConflictError:
        # The name is taken: by this journey's own draft (an earlier attempt whose answer was
        # lost, or the draft the approval said it would reuse), or by someone since approval.
        existing = (await client.call(ops.LIST_CAMPAIGNS)).data.campaigns
        created = _reusable_draft(existing, name, plan)
        if created is None:
            name = _free_name(name, {campaign.name for campaign in existing})
            created = (await client.call(ops.CREATE_CAMPAIGN, body=request(name))).data.campaign

    return Command(
        update={"campaign": {"id": created.id, "name": created.name, "status": created.status}},
        goto="fill_sequence",
    )


async def _take_over_draft(
    client: PuffleClient, draft_id: str, name: str, state: LaunchState, plan: LaunchCampaignPlan
) -> Command[str] | None:
    """Carry on with the draft seen before the approval, skipping the work it already holds.

    None when it is gone or no longer a draft of this name and channel: the caller then creates
    the campaign as if no draft had been seen (a 409 there still finds any newer one).
    """
    try:
        read = await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": draft_id})
    except NotFoundError:
        return None
    detail = read.data
    found = detail.campaign
    if found.status != "draft" or found.type != plan.channel or found.name != name:
        return None

    update: dict[str, Any] = {
        "campaign": {"id": found.id, "name": found.name, "status": found.status}
    }
    # The leads an earlier run imported are in already; importing them again only earns a 422.
    on_campaign = sum(detail.prospects_by_status.values())
    approved = _leads(state)
    if on_campaign > approved and state.get("draft_leads_accepted") != on_campaign:
        # A launch reaches every lead on the campaign: reaching more people than the approval
        # said is the person's call, asked before anything is written.
        return pause_command(
            "launch_blocked",
            f"The draft campaign '{found.name}' (id {found.id}) already holds {on_campaign} "
            f"leads, more than the {approved} approved, and a launch reaches every lead on it. "
            f"Approve to launch it to all {on_campaign}, or deny and remove leads from the "
            "draft in Puffle first.",
            {"approve": "create_campaign"},
            correlation_id=read.correlation_id,
            details={"leads_on_campaign": on_campaign, "leads_approved": approved},
            update={"draft_leads_accepted": on_campaign},
        )
    leads_in = on_campaign > 0 and on_campaign >= _leads(state)
    if leads_in:
        update["leads_added"] = {"imported": 0, "duplicates": on_campaign}

    if not _sequence_in_place(detail, state, plan):
        return Command(update=update, goto="fill_sequence")
    if state.get("ai_step"):
        # The AI step's brief is read back and checked there before anything is written or paid.
        return Command(update=update, goto="configure_ai_step")
    # With sequence and leads in place, Puffle's pre-launch check says whether drafted messages
    # are still missing (see `validate`).
    return Command(update=update, goto="validate" if leads_in else "add_leads")


def _sequence_in_place(
    detail: CampaignDetail, state: LaunchState, plan: LaunchCampaignPlan
) -> bool:
    """Does the draft hold the planned sequence (and the planned daily cap) already?"""
    applied = _applied_daily_limit(plan)
    if applied is not None and detail.campaign.daily_limit != applied:
        return False
    planned: list[dict[str, Any]] = state.get("sequence", [])
    current = detail.sequence_nodes
    if len(planned) != len(current):
        return False
    return all(
        getattr(node, field, None) == value
        for wanted, node in zip(planned, current, strict=True)
        for field, value in wanted.items()
        if field != "id"
    )


def _reusable_draft(
    campaigns: list[Campaign], name: str, plan: LaunchCampaignPlan
) -> Campaign | None:
    return next(
        (c for c in campaigns if c.name == name and c.type == plan.channel and c.status == "draft"),
        None,
    )


def _free_name(name: str, taken: set[str]) -> str:
    """The name itself, or with the first free " (n)" suffix, as Puffle suggests on a 409."""
    candidate, suffix = name, 2
    while candidate in taken:
        candidate, suffix = f"{name} ({suffix})", suffix + 1
    return candidate


@step("fill_sequence")
async def fill_sequence(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    campaign = state.get("campaign") or {}
    nodes = [SequenceNodeInput.model_validate(node) for node in state.get("sequence", [])]
    if ai_node_id := state.get("ai_node_id"):
        # Rewriting the sequence (a repair) would otherwise replace the AI step with a new,
        # empty one, dropping its brief and the messages already paid for.
        nodes = [
            node.model_copy(update={"id": ai_node_id}) if node.type == "ai" else node
            for node in nodes
        ]

    await _client(runtime).call(
        ops.UPDATE_CAMPAIGN,
        path_params={"campaign_id": campaign["id"]},
        body=UpdateCampaignRequest(
            sequence_nodes=nodes,
            daily_limit=plan.daily_limit if plan.channel == "email" else None,
        ),
    )

    # Without an AI step there is nothing to configure: one graph step (and checkpoint) fewer.
    return Command(goto="configure_ai_step" if state.get("ai_step") else "add_leads")


@step("configure_ai_step")
async def configure_ai_step(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    # Reached only when the sequence has an AI step (`fill_sequence`, `_take_over_draft`).
    client = _client(runtime)
    campaign = state.get("campaign") or {}
    brief = AiNodeSettings.model_validate(state.get("ai_step"))

    # Read before writing: a run resumed after the PUT went through finds the brief in place.
    detail = await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": campaign["id"]})
    node = next((n for n in detail.data.sequence_nodes if n.type == "ai"), None)
    if node is None or node.id is None:
        return pause_command(
            "launch_blocked",
            f"The draft campaign '{campaign['name']}' has no AI step after its sequence was "
            "written. Retry writes the sequence again.",
            {"retry": "fill_sequence"},
            correlation_id=detail.correlation_id,
        )
    if _has_brief(node, brief):
        return Command(update={"ai_node_id": node.id}, goto="add_leads")

    try:
        await client.call(
            ops.UPDATE_SEQUENCE_NODE,
            path_params={"campaign_id": campaign["id"], "node_id": node.id},
            body=UpdateSequenceNodeRequest(ai_node=brief),
        )
    except BadRequestError as error:
        # Resending the same brief cannot help (400): the person edits the plan or stops here.
        return pause_command(
            "launch_blocked",
            f"Puffle refused the AI step's brief (400: {error.message}). The draft campaign "
            f"'{campaign['name']}' (id {campaign['id']}) stays a draft: nothing was launched "
            "and no AI credits were spent. Edit the plan (e.g. its tone, or message_source "
            "'template'), or deny and finish or delete the draft in Puffle.",
            {"edit": "write_sequence"},
            correlation_id=error.correlation_id,
            details={"campaign": dict(campaign), "ai_step": state.get("ai_step")},
            update={"ai_node_id": node.id},
        )

    return Command(update={"ai_node_id": node.id}, goto="add_leads")


def _has_brief(node: SequenceNode, brief: AiNodeSettings) -> bool:
    current = node.ai_node
    if current is None or current.purpose != brief.purpose:
        return False
    return brief.output_type is None or current.output_type == brief.output_type


@step("add_leads")
async def add_leads(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("leads_added"):
        return Command(goto="generate_messages")
    plan = _plan(state)
    client = _client(runtime)
    campaign_id = (state.get("campaign") or {})["id"]
    audience = state.get("audience_list") or {}
    leads = _leads(state)

    if leads < audience.get("rows", 0):
        rows = await _first_rows(client, audience["id"], leads)
        prospects = [_prospect(row) for row in rows]
        added = await client.call(
            ops.ADD_CAMPAIGN_LEADS,
            path_params={"campaign_id": campaign_id},
            body=AddLeadsRequest(prospects=prospects),
        )
        counts = {"imported": added.data.imported, "duplicates": added.data.duplicates}
        return Command(update={"leads_added": counts}, goto="generate_messages")

    try:
        imported = await client.call(
            ops.IMPORT_CAMPAIGN_LEADS_FROM_LIST,
            path_params={"campaign_id": campaign_id},
            body=ImportFromListRequest(listId=audience["id"]),
        )
    except UnprocessableError as error:
        # 422 here is Puffle's documented "nothing imported": every row was invalid or a
        # duplicate. After an interrupted earlier attempt the leads may already be in.
        detail = await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": campaign_id})
        if sum(detail.data.prospects_by_status.values()) == 0:
            return pause_command(
                "launch_blocked",
                f"None of the leads in '{audience.get('name')}' could be added to a "
                f"{CHANNEL_TITLES[plan.channel]} campaign ({error.message}).",
                {"edit": "find_audience"},
                correlation_id=error.correlation_id,
                details={"counts": error.body},
            )
        counts = {"imported": 0, "duplicates": sum(detail.data.prospects_by_status.values())}
        return Command(update={"leads_added": counts}, goto="generate_messages")

    counts = {
        "imported": imported.data.imported,
        "duplicates": imported.data.duplicates,
        "invalid": imported.data.invalid,
        "partial": imported.data.partial,
    }
    return Command(update={"leads_added": counts}, goto="generate_messages")


async def _first_rows(client: PuffleClient, list_id: str, count: int) -> list[ListRow]:
    rows: list[ListRow] = []
    while len(rows) < count:
        page = await client.call(
            ops.LIST_ROWS,
            path_params={"list_id": list_id},
            query={"limit": min(LIST_ROWS_PAGE, count - len(rows)), "offset": len(rows)},
        )
        rows += page.data.rows
        if not page.data.hasMore or not page.data.rows:
            break
    return rows[:count]


def _prospect(row: ListRow) -> ProspectInput:
    profile = row.profileData
    return ProspectInput(
        linkedin_url=row.linkedinUrl,
        email=profile.email,
        first_name=profile.firstName,
        last_name=profile.lastName,
        company=profile.currentCompany,
        position=profile.currentRole,
        headline=profile.headline,
    )


@step("generate_messages")
async def generate_messages(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("messages_done"):
        return Command(goto="validate")
    plan = _plan(state)
    client = _client(runtime)
    campaign_id = (state.get("campaign") or {})["id"]

    await client.call(
        ops.GENERATE_MESSAGES,
        path_params={"campaign_id": campaign_id},
        body=GenerateMessagesRequest(action="resolve"),
    )
    update: dict[str, Any] = {"messages_done": True}
    ai_node_id = state.get("ai_node_id")
    # Paid, so at most once per run, even when a repair sends the journey back through here.
    if plan.message_source != "puffle_ai" or not ai_node_id or state.get("ai_messages_generated"):
        return Command(update=update, goto="validate")

    # Puffle bills every lead on the campaign, and a reused draft may hold more than the
    # approval priced: count them first, and never spend beyond the quote.
    detail = await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": campaign_id})
    on_campaign = sum(detail.data.prospects_by_status.values())
    approved = _leads(state)
    if on_campaign > approved:
        return pause_command(
            "launch_blocked",
            f"The draft campaign '{(state.get('campaign') or {}).get('name')}' holds "
            f"{on_campaign} leads, but the approval priced AI messages for {approved}. No AI "
            "messages were generated and no credits were spent.",
            {},
            correlation_id=detail.correlation_id,
            details={"leads_on_campaign": on_campaign, "leads_approved": approved},
            update=update,
        )

    await client.call(
        ops.GENERATE_MESSAGES,
        path_params={"campaign_id": campaign_id},
        body=GenerateMessagesRequest(action="generate_ai", node_id=ai_node_id),
    )
    update["ai_messages_generated"] = True
    update["credits_spent"] = (
        state.get("credits_spent", 0) + _unit_cost(state, "AI_MESSAGE_GENERATION") * on_campaign
    )
    return Command(update=update, goto="validate")


@step("validate")
async def validate(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    campaign_id = (state.get("campaign") or {})["id"]

    report = await _client(runtime).call(
        ops.VALIDATE_CAMPAIGN, path_params={"campaign_id": campaign_id}
    )

    if report.data.ready and not state.get("messages_done") and _no_messages(report.data.checks):
        # A draft taken over with its sequence and leads in place skipped the drafting; an
        # earlier run may have stopped before it.
        return Command(goto="generate_messages")
    if report.data.ready:
        return Command(goto="launch")
    if report.data.checks.get("is_draft") is False:
        # Launched already (by an earlier attempt whose answer was lost): watch it go active.
        return Command(goto="wait_for_launch")
    if state.get("repair_attempts", 0) == 0:
        # Content and drafted messages are the agent's to fix: write them again, check again.
        return Command(update={"repair_attempts": 1, "messages_done": False}, goto="fill_sequence")
    return pause_command(
        "launch_blocked",
        "Puffle's pre-launch check still fails: " + "; ".join(report.data.errors),
        {"retry": "validate"},
        correlation_id=report.correlation_id,
        details={"errors": report.data.errors, "warnings": report.data.warnings},
    )


def _no_messages(checks: dict[str, Any]) -> bool:
    return checks.get("messages_generated") is False


@step("launch")
async def launch(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    client = _client(runtime)
    campaign_id = (state.get("campaign") or {})["id"]

    try:
        launched = await client.call(ops.LAUNCH_CAMPAIGN, path_params={"campaign_id": campaign_id})
    except ConflictError as error:
        # A launch is already under way: that is the one to watch, never a second one.
        return Command(
            update={"launch": {"correlation_id": error.correlation_id, "run_id": None}},
            goto="wait_for_launch",
        )
    except BadRequestError:
        detail = await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": campaign_id})
        if detail.data.campaign.status == "draft":
            raise
        return Command(goto="wait_for_launch")

    return Command(
        update={
            "launch": {"correlation_id": launched.correlation_id, "run_id": launched.data.runId}
        },
        goto="wait_for_launch",
    )


@step("wait_for_launch")
async def wait_for_launch(state: LaunchState, runtime: Runtime[RunContext]) -> Command[str]:
    client = _client(runtime)
    campaign_id = (state.get("campaign") or {})["id"]
    correlation_id = (state.get("launch") or {}).get("correlation_id")
    progress = runtime.context.progress

    async def fetch() -> Any:
        return await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": campaign_id})

    outcome = await poll_until(
        fetch,
        lambda result: result.data.campaign.status != "launching",
        clock=runtime.context.clock,
        ceiling_seconds=runtime.context.launch_poll_ceiling,
        on_poll=lambda result, waited: progress(
            f"campaign {result.data.campaign.status} after {waited:.0f} s"
        ),
    )

    polls = state.get("polls", 0) + outcome.polls
    if not outcome.finished or outcome.last is None:
        return pause_command(
            "async_timeout",
            f"The campaign was still launching after {outcome.waited_seconds:.0f} s. Retry to "
            f"keep waiting. Correlation id {correlation_id}.",
            {"retry": "wait_for_launch"},
            correlation_id=correlation_id,
            update={"polls": polls},
        )
    detail = outcome.last.data
    if detail.campaign.status == "draft":
        # Not launching after all (the launch that answered 409 was rolled back): launch once
        # more, then give up rather than loop.
        if state.get("launch_attempts", 0) < 1:
            return Command(update={"polls": polls, "launch_attempts": 1}, goto="launch")
        return pause_command(
            "launch_blocked",
            "Puffle reported a launch in progress, but the campaign is still a draft.",
            {"retry": "launch"},
            correlation_id=correlation_id,
            update={"polls": polls},
        )
    return Command(
        update={
            "polls": polls,
            "campaign": {
                **(state.get("campaign") or {}),
                "status": detail.campaign.status,
                "leads": sum(detail.prospects_by_status.values()),
                "steps": len([n for n in detail.sequence_nodes if n.type not in {"delay", "end"}]),
                "daily_limit": detail.campaign.daily_limit,
            },
            "waited_seconds": outcome.waited_seconds,
        },
        goto="summarise",
    )


async def summarise(state: LaunchState) -> dict[str, Any]:
    plan = _plan(state)
    campaign = state.get("campaign") or {}
    return {
        "outcome": "completed",
        "result": {
            "campaign": {
                "id": campaign.get("id"),
                "name": campaign.get("name"),
                "channel": plan.channel,
                "status": campaign.get("status"),
                "leads": campaign.get("leads"),
                "sequence_steps": campaign.get("steps"),
                # As Puffle holds it after the launch; None on LinkedIn, which takes none.
                "daily_limit": campaign.get("daily_limit"),
            },
            "sender": (state.get("sender") or {}).get("name"),
            "list": (state.get("audience_list") or {}).get("name"),
            "leads_added": state.get("leads_added"),
            "search": state.get("search"),
            "polls": state.get("polls", 0),
        },
    }


def build_launch_campaign_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(LaunchState, context_schema=RunContext)
    for node in (
        choose_sender,
        find_audience,
        write_sequence,
        price_and_approve,
        start_lead_search,
        wait_for_search,
        save_search_results,
        create_campaign,
        fill_sequence,
        configure_ai_step,
        add_leads,
        generate_messages,
        validate,
        launch,
        wait_for_launch,
    ):
        graph.add_node(node.__name__, node)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("summarise", summarise)

    graph.add_edge(START, "choose_sender")
    graph.add_edge("summarise", END)
    graph.add_edge(STOP, END)
    return graph.compile(name="launch_campaign")
