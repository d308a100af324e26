"""The rule planner's reader for reply-inbox goals (journey 6, read-only).

A goal is about the inbox when it asks who replied, answered or responded, asks a question about
answers to outreach ("did any prospects answer my LinkedIn outreach?", "any response to the Q4
campaign?"), or asks to read, check or summarise replies, conversations or the inbox. A goal that
orders outreach ("reach out to…", "email the … list", "launch a campaign…") is a campaign even
when it mentions replies. Asking the agent to send a reply is refused: the journey only reads. A
campaign the goal names ("my Fintech campaign", "the campaign 'Q4 CTOs'") is copied into the
plan's `campaign_name`.
"""

from __future__ import annotations

import re

from agent.plans import PlannerOutput, ReplyInboxPlan, UnsupportedGoal
from agent.schemas import WorkspaceContext

# What a workspace sends and people answer.
_OUTREACH = (
    r"(?:outreach|campaigns?|sequences?|messages?|e-?mails?|invit(?:es?|ations?)|"
    r"connection\s+requests?|inmails?|dms?|notes?)"
)
_INBOX_INTENT = re.compile(
    r"\b(?:replies|responses|inbox|conversations?|threads|unibox|unread)\b|"
    r"\bwhat\s+(?:did|have)\s+(?:the\s+|my\s+)?(?:leads|prospects|people|they)\s+"
    r"(?:say|said|written|write)\b|"
    # The verbs only in a question about who did it: "stop when they reply" is a campaign rule.
    r"\b(?:who|anyone|anybody|which\s+\w+|people\s+who|leads\s+who|those\s+who)\b"
    r"[^.!?]{0,40}?\b(?:repl(?:y|ied)|answered|responded|got\s+back|wrote\s+back|"
    r"written\s+back)\b|"
    # A reply, a response or answers to something the workspace sent: "answers to my outreach".
    r"\b(?:answers|repl(?:y|ies)|responses?)\s+(?:to|from|on)\s+(?:my|our|the|this|that|these|"
    rf"those|last|latest|recent)\b[^.!?]{{0,40}}?\b{_OUTREACH}\b",
    re.IGNORECASE,
)
# A question about whether anyone answered, in any tense: "did any prospects answer…?", "has my
# outreach gotten any answers?", "could you check whether the CTOs responded?". The opener must
# start a sentence, so "email them and ask for a response" is not a question.
_ANSWER_QUESTION = re.compile(
    r"(?:^|[.!?;]\s*)\s*(?:(?:so|and|hey|hi|ok(?:ay)?)[,\s]+)?"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)?"
    r"(?:did|has|have|had|is|are|was|were|any|anyone|anybody|how\s+many|who|which|"
    r"(?:tell\s+me|check|see|find\s+out|let\s+me\s+know|i\s+(?:want|need)\s+to\s+know)\s+"
    r"(?:if|whether|who|how\s+many))\b"
    r"[^.!?]{0,80}?\b(?:answer(?:s|ed|ing)?|respon(?:d|ds|ded|ding|se|ses)|"
    r"repl(?:y|ies|ied|ying)|(?:get|gets|got|gotten|getting|write|wrote|written|hear|heard)\s+"
    r"back|hear(?:d)?\s+from)\b",
    re.IGNORECASE,
)
# An order to reach people, at the start of a sentence: the goal is a campaign whatever it says
# about replies ("reach out to fintech CTOs who responded to our webinar invite").
_ORDERS_OUTREACH = re.compile(
    r"(?:^|[.!?;]\s*)\s*(?:(?:please|now|then|also)\s+|(?:can|could|would|will)\s+you\s+"
    r"(?:please\s+)?)?(?:(?:launch|create|start|set\s+up|build|run|kick\s+off)\b[^.!?]{0,40}\b"
    r"(?:campaigns?|outreach|sequences?)\b|reach\s+out\s+to\b|connect\s+with\b|"
    r"(?:e-?mail|message|contact|invite|dm|ping)\s+(?:the|my|our|all|every|each|those|these|\d))",
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
    r"\b(?:launch|create|start|set\s+up|build)\b[^.!?]{0,40}\b(?:campaigns?|outreach|sequences?)\b",
    re.IGNORECASE,
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
    if _ORDERS_OUTREACH.search(masked):
        return None
    # A question about answers stands on its own; other inbox words lose to any launch wording
    # ("launch a campaign and summarise the replies each week" is a launch).
    asks_about_answers = _ANSWER_QUESTION.search(masked) is not None
    if not asks_about_answers and (
        not _INBOX_INTENT.search(masked) or _LAUNCH_WORDS.search(masked)
    ):
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
