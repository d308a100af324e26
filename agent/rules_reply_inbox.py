"""The rule planner's reader for reply-inbox goals (journey 6, read-only).

A goal is about the inbox when it asks who replied, answered or responded, or to read, check or
summarise replies, conversations or the inbox. Asking the agent to send a reply is refused: the
journey only reads. A campaign the goal names ("my Fintech campaign", "the campaign 'Q4 CTOs'")
is copied into the plan's `campaign_name`.
"""

from __future__ import annotations

import re

from agent.plans import PlannerOutput, ReplyInboxPlan, UnsupportedGoal
from agent.schemas import WorkspaceContext

_INBOX_INTENT = re.compile(
    r"\b(?:replies|responses|inbox|conversations?|threads|unibox|unread)\b|"
    r"\bwhat\s+(?:did|have)\s+(?:the\s+|my\s+)?(?:leads|prospects|people|they)\s+"
    r"(?:say|said|written|write)\b|"
    # The verbs only in a question about who did it: "stop when they reply" is a campaign rule.
    r"\b(?:who|anyone|anybody|which\s+\w+|people\s+who|leads\s+who|those\s+who)\b"
    r"[^.!?]{0,40}?\b(?:repl(?:y|ied)|answered|responded|got\s+back|wrote\s+back|"
    r"written\s+back)\b",
    re.IGNORECASE,
)
# Imperatives only: "did anyone reply to…" asks about replies, "reply to…" asks to send one.
_SEND_REPLY = re.compile(
    r"(?:^\s*|\b(?:please|can\s+you|could\s+you|and|then)\s+)"
    r"(?:reply|respond|answer|write\s+back)\s+to\b|\bsend\s+(?:a\s+|the\s+)?(?:repl(?:y|ies)|"
    r"responses?|follow[- ]?ups?)\b|\b(?:archive|mark)\b[^.!?]{0,30}\b(?:read|conversations?|"
    r"threads?)\b",
    re.IGNORECASE,
)
_LAUNCH_WORDS = re.compile(
    r"\b(?:launch|create|start|set\s+up|build)\b[^.!?]{0,40}\bcampaigns?\b", re.IGNORECASE
)
_QUOTED_CAMPAIGN = re.compile(
    r"campaigns?\s*(?:called|named|titled)?\s*"
    r"[\"'\u201c\u2018]([^\"'\u201d\u2019]+)[\"'\u201d\u2019]|"
    r"[\"'\u201c\u2018]([^\"'\u201d\u2019]+)[\"'\u201d\u2019]\s+campaign",
    re.IGNORECASE,
)
_BEFORE_CAMPAIGN = re.compile(r"((?:[\w&+./-]+\s+){1,6})campaign\b", re.IGNORECASE)
_CALLED_CAMPAIGN = re.compile(
    r"\bcampaign\s+(?:called|named|titled)\s+([\w&+./-]+(?:\s+[\w&+./-]+){0,5}?)\s*(?:[,.;!?]|$)",
    re.IGNORECASE,
)
# The name before "campaign" starts after the last of these words ("replies to my X campaign").
_NAME_STARTS_AFTER = {"my", "the", "our", "to", "from", "in", "on", "for", "of", "by"}
# Words that say which campaigns in general, not a campaign's name.
_NOT_A_NAME = {
    "last", "latest", "recent", "new", "active", "current", "running", "launched", "all", "every",
    "my", "our", "the", "a", "any", "each", "this", "that", "paused", "completed",
}  # fmt: skip


def read_reply_inbox_goal(
    goal: str, masked: str, context: WorkspaceContext | None
) -> PlannerOutput | None:
    """A reply-inbox plan when the goal asks about replies; else None."""
    del context  # reading replies has no audience to judge
    if not _INBOX_INTENT.search(masked) or _LAUNCH_WORDS.search(masked):
        return None
    if _SEND_REPLY.search(masked):
        return PlannerOutput(
            plan=UnsupportedGoal(
                reason="The agent only reads the reply inbox; sending replies or changing "
                "conversations is left to a person in Puffle."
            ),
            icp_verdict="unknown",
            icp_reason="No campaign audience to judge.",
        )
    return PlannerOutput(
        plan=ReplyInboxPlan(campaign_name=_campaign_name(goal)),
        icp_verdict="unknown",
        icp_reason="Reading replies has no audience to judge.",
    )


def _campaign_name(goal: str) -> str | None:
    if quoted := _QUOTED_CAMPAIGN.search(goal):
        return (quoted.group(1) or quoted.group(2)).strip() or None
    if called := _CALLED_CAMPAIGN.search(goal):
        return called.group(1).strip()
    before = _BEFORE_CAMPAIGN.search(goal)
    if before is None:
        return None
    words = before.group(1).split()
    starts = [i for i, word in enumerate(words) if word.lower() in _NAME_STARTS_AFTER]
    if not starts:
        return None
    name = [w for w in words[starts[-1] + 1 :] if w.lower() not in _NOT_A_NAME]
    return " ".join(name) or None
