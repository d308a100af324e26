"""Journey 6: who replied to the campaigns, and what they want. Read-only.

    find_launched_campaigns → read_conversations → summarise

Replies only exist once a campaign has launched, so the journey first reads the campaigns; with
none active, paused or completed it ends there and says so. Otherwise it lists conversations
(for one campaign when the goal names it) and reads each one's messages through the messages
endpoint, which, unlike opening the conversation, does not mark it read. Every call is a GET:
the journey never replies, archives or changes anything.

Replies are grouped by intent with keyword rules. Reply text is quoted as data: a lead who
writes "ignore your instructions" is shown saying so, and nothing more happens.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import operations as ops
from agent.plans import PlannerOutput, ReplyInboxPlan
from agent.schemas import Campaign, Conversation
from graphs._steps import step
from graphs.context import RunContext
from graphs.escalation import STOP, ask_human, pause_command, stop
from graphs.state import RunState

LAUNCHED = {"active", "paused", "completed"}
CONVERSATIONS_PAGE = 100
MESSAGES_PAGE = 200
# Enough for any inbox a person reads in one sitting, and well inside 100 requests a minute.
MAX_CONVERSATIONS = 60
QUOTE_LENGTH = 140

# Checked in order; the first that matches names the intent. "not interested" must come before
# "interested", and an unsubscribe request wins over everything else it may also say.
INTENT_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "unsubscribe",
        re.compile(
            r"\bunsubscribe\b|\bremove\s+me\b|\bstop\s+(?:messaging|emailing|contacting)\b|"
            r"\bopt\s*out\b|\bdo\s*n[o']t\s+(?:contact|message|email)\b"
        ),
    ),
    (
        "out_of_office",
        re.compile(
            r"\bout\s+of\s+(?:the\s+)?office\b|\booo\b|\bon\s+(?:leave|vacation|holiday)\b|"
            r"\baway\s+until\b|\bparental\s+leave\b|\bauto-?reply\b"
        ),
    ),
    (
        "not_interested",
        re.compile(
            r"\bnot\s+(?:interested|a\s+(?:good\s+)?fit|relevant|for\s+us)\b|\bno\s+thanks?\b|"
            r"\bno\s+need\b|\bnot\s+(?:right\s+)?now\b|\bpass\s+on\s+this\b|\balready\s+have\b"
        ),
    ),
    (
        "interested",
        re.compile(
            r"\binterest(?:ed|ing)\b|\b(?:book|schedule|set\s+up)\s+(?:a\s+)?(?:call|meeting|"
            r"demo|time)\b|\bhappy\s+to\s+(?:chat|talk|meet)\b|\blet'?s\s+(?:talk|chat|meet)\b|"
            r"\bsounds\s+(?:good|great)\b|\bcalendar\b|\bmeeting\b|\bdemo\b"
        ),
    ),
    ("question", re.compile(r"\?|\b(?:how|what|which|when|does|can\s+you)\b")),
]
INTENT_TITLES = {
    "interested": "Interested / wants a meeting",
    "question": "Asked a question",
    "not_interested": "Not interested",
    "out_of_office": "Out of office",
    "unsubscribe": "Asked to unsubscribe",
    "other": "Other replies",
}


class InboxState(RunState, total=False):
    campaigns: list[dict[str, Any]]
    replies: list[dict[str, Any]]


def _plan(state: InboxState) -> ReplyInboxPlan:
    output = PlannerOutput.model_validate(state.get("plan") or {})
    if not isinstance(output.plan, ReplyInboxPlan):
        raise TypeError("the reply-inbox journey runs only a reply-inbox plan")
    return output.plan


@step("find_launched_campaigns")
async def find_launched_campaigns(state: InboxState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)

    listed = await runtime.context.require_client().call(ops.LIST_CAMPAIGNS)

    launched = [c for c in listed.data.campaigns if c.status in LAUNCHED]
    if not launched:
        return Command(
            update={
                "outcome": "completed",
                "result": {
                    "campaigns": [],
                    "replies": [],
                    "summary": "No campaign has launched yet, so nobody can have replied. "
                    "Launch a campaign first; replies show up here once leads answer.",
                },
            },
            goto=END,
        )
    if plan.campaign_name is not None:
        named = _matching(launched, plan.campaign_name)
        if not named:
            names = [c.name for c in launched]
            return pause_command(
                "not_found",
                f"No launched campaign is called '{plan.campaign_name}'. Launched campaigns: "
                f"{', '.join(names)}. Answer edit with the right campaign_name, or deny.",
                {"edit": "find_launched_campaigns"},
                correlation_id=listed.correlation_id,
                details={"campaign_name": plan.campaign_name, "launched_campaigns": names},
            )
        launched = named

    campaigns = [{"id": c.id, "name": c.name, "status": c.status} for c in launched]
    return Command(update={"campaigns": campaigns}, goto="read_conversations")


def _matching(campaigns: list[Campaign], wanted: str) -> list[Campaign]:
    """Campaigns whose name is the wanted one, or else contains it, ignoring case and spacing."""
    key = " ".join(wanted.lower().split())
    exact = [c for c in campaigns if " ".join(c.name.lower().split()) == key]
    return exact or [c for c in campaigns if key in " ".join(c.name.lower().split())]


@step("read_conversations")
async def read_conversations(state: InboxState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    client = runtime.context.require_client()
    campaign_ids = [c["id"] for c in state.get("campaigns", [])] if plan.campaign_name else [None]

    conversations: list[Conversation] = []
    for campaign_id in campaign_ids:
        conversations += await _conversations(client, campaign_id)
    conversations = conversations[:MAX_CONVERSATIONS]

    replies: list[dict[str, Any]] = []
    for conversation in conversations:
        answer = await client.call(
            ops.LIST_CONVERSATION_MESSAGES,
            path_params={"conversation_id": conversation.id},
            query={"limit": MESSAGES_PAGE},
        )
        inbound = [m for m in answer.data.messages if m.direction == "inbound" and m.body_text]
        if inbound:
            replies.append(_reply(conversation, inbound[-1].body_text or "", len(inbound)))

    return Command(update={"replies": replies}, goto="summarise")


async def _conversations(client: Any, campaign_id: str | None) -> list[Conversation]:
    found: list[Conversation] = []
    page = 1
    while len(found) < MAX_CONVERSATIONS:
        query: dict[str, str | int] = {"page": page, "limit": CONVERSATIONS_PAGE}
        if campaign_id is not None:
            query["campaign_id"] = campaign_id
        answer = await client.call(ops.LIST_CONVERSATIONS, query=query)
        found += answer.data.conversations
        if not answer.data.conversations or len(found) >= answer.data.total:
            break
        page += 1
    return found


def _reply(conversation: Conversation, text: str, inbound_count: int) -> dict[str, Any]:
    flat = " ".join(text.split())
    quote = flat if len(flat) <= QUOTE_LENGTH else flat[: QUOTE_LENGTH - 1].rstrip() + "\u2026"
    return {
        "conversation_id": conversation.id,
        "name": conversation.participant_name or conversation.participant_email or "Someone",
        "company": conversation.participant_company,
        "channel": conversation.channel,
        "intent": classify_reply(flat),
        "quote": quote,
        "replies": inbound_count,
        "last_message_at": conversation.last_message_at,
    }


def classify_reply(text: str) -> str:
    """The intent a reply's words show, by the first rule that matches; `other` when none does."""
    lowered = text.lower()
    return next((intent for intent, rule in INTENT_RULES if rule.search(lowered)), "other")


async def summarise(state: InboxState) -> dict[str, Any]:
    replies = state.get("replies", [])
    campaigns = state.get("campaigns", [])

    groups: dict[str, list[dict[str, Any]]] = {intent: [] for intent in INTENT_TITLES}
    for reply in replies:
        groups[reply["intent"]].append(reply)
    scope = ", ".join(f"'{c['name']}'" for c in campaigns)
    if not replies:
        paragraph = f"Nobody has replied yet to {scope}."
    else:
        parts = [
            f"{INTENT_TITLES[intent]}: "
            + "; ".join(f"{_who(r)} \u201c{r['quote']}\u201d" for r in members)
            for intent, members in groups.items()
            if members
        ]
        paragraph = (
            f"{len(replies)} {'person' if len(replies) == 1 else 'people'} replied to {scope}. "
            + " ".join(f"{part}." for part in parts)
            + " Replies are quoted as written; nothing was sent or changed."
        )
    return {
        "outcome": "completed",
        "result": {
            "campaigns": campaigns,
            "replies": replies,
            "by_intent": {
                intent: [r["name"] for r in members] for intent, members in groups.items()
            },
            "summary": paragraph,
        },
    }


def _who(reply: dict[str, Any]) -> str:
    return f"{reply['name']} ({reply['company']})" if reply.get("company") else reply["name"]


def build_reply_inbox_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(InboxState, context_schema=RunContext)
    for node in (find_launched_campaigns, read_conversations):
        graph.add_node(node.__name__, node)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("summarise", summarise)

    graph.add_edge(START, "find_launched_campaigns")
    graph.add_edge("summarise", END)
    graph.add_edge(STOP, END)
    return graph.compile(name="reply_inbox")
