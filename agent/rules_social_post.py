"""The rule planner's reader for social-post goals (journey 5).

A goal is about a social post when it asks to schedule, publish, post or tweet a post (or to
write one and schedule it). The post text is the goal's first quoted text; with none, a topic
("write a post about …") lets a configured model write it. The time is the first run of
time-like words in the unquoted goal ("tomorrow at 9", "next Monday 14:00", "in two hours",
"on 2027-03-28 at 09:30 Europe/Berlin", "Dec 12 at 5pm PST"), copied as written: `agent.when`
turns it into an instant once the workspace's timezone is known.
"""

from __future__ import annotations

import re

from agent.plans import PlannerOutput, SocialPostPlan, UnsupportedGoal
from agent.schemas import WorkspaceContext

_POST_INTENT = re.compile(
    r"\b(?:schedule|publish|post|queue|share|tweet)\b[^.!?]{0,60}?"
    r"(?:\bposts?\b|\btweets?\b|\bthis\b|\bit\b|\x00|\bon\s+(?:linked\s?in|twitter|x)\b)|"
    r"\b(?:linked\s?in|social(?:\s+media)?|twitter|x)\s+posts?\b|\btweet\b|"
    r"\b(?:write|draft|compose)\s+(?:me\s+)?(?:a\s+|an\s+)?(?:\w+\s+)?posts?\b",
    re.IGNORECASE,
)
_TWITTER = re.compile(r"\b(?:twitter|tweet|x/twitter)\b|\bon\s+x\b|\bx\s+post\b", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
_TOPIC = re.compile(
    r"\b(?:write|draft|compose)\s+(?:me\s+)?(?:a\s+|an\s+)?(?:\w+\s+)?post\s+(?:about|on)\s+"
    r"(?P<topic>.+?)(?=\s+and\s+(?:schedule|post|publish|queue)|\s+(?:for|on|at)\s+(?:today|"
    r"tomorrow|next|this|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|[,;.]|$)",
    re.IGNORECASE,
)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|fri"
_NUMBER_WORDS = "a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|half"
_UNITS = "minutes?|mins?|hours?|hrs?|days?|weeks?"
_ANCHOR = re.compile(
    rf"^(?:today|tonight|tomorrow|tmrw|noon|midday|midnight|{_DAYS}|{_MONTHS}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?|\d{1,2}[:.h]\d{2})$",
    re.IGNORECASE,
)
_CONNECTOR = re.compile(
    r"^(?:at|on|in|the|of|this|next|coming|after|morning|afternoon|evening|day|am|pm|"
    rf"{_NUMBER_WORDS}|{_UNITS}|\d{{1,2}}(?:st|nd|rd|th)?|\d+)$",
    re.IGNORECASE,
)
_ZONE = re.compile(
    r"^(?:[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+|PST|PDT|PT|MST|MDT|CST|CDT|EST|EDT|ET|GMT|BST|CET|"
    r"CEST|UTC)$"
)
_DURATION = re.compile(rf"\bin\s+(?:\d+|{_NUMBER_WORDS})\s+(?:an\s+)?(?:{_UNITS})\b", re.IGNORECASE)
_EDGE_WORDS = {"at", "on", "the", "of", "this", "coming", "after", "a", "an", "in", "next"}


def read_social_post_goal(
    goal: str, masked: str, context: WorkspaceContext | None
) -> PlannerOutput | None:
    """A social-post plan when the goal asks to schedule or publish a post; else None."""
    del context  # a post has no audience to judge against the ICP
    if not _POST_INTENT.search(masked) or re.search(r"\bcampaigns?\b", masked, re.IGNORECASE):
        return None

    quoted = next((m.group(1) or m.group(2) for m in _QUOTED.finditer(goal)), None)
    topic_match = _TOPIC.search(masked)
    topic = topic_match.group("topic").strip() if topic_match and not quoted else None
    when = time_phrase(masked.replace("\x00", " | "))
    if when is None and re.search(r"\bsignals?\b", masked, re.IGNORECASE):
        return None  # "companies that post about X" in a signals goal
    if when is None:
        return PlannerOutput(
            plan=UnsupportedGoal(
                reason="The goal asks for a social post but says not when to publish it; add a "
                "time such as 'tomorrow at 9' or 'on 2027-03-28 at 09:30 Europe/Berlin'."
            ),
            icp_verdict="unknown",
            icp_reason="A social post has no audience to judge.",
        )
    return PlannerOutput(
        plan=SocialPostPlan(
            platform="twitter" if _TWITTER.search(masked) else "linkedin",
            when=when,
            content=quoted.strip() if quoted else None,
            topic=topic,
        ),
        icp_verdict="unknown",
        icp_reason="A social post has no audience to judge.",
    )


def time_phrase(text: str) -> str | None:
    """The first run of time-like words in `text` that names a day, a time or a duration."""
    if duration := _DURATION.search(text):
        before = text[: duration.start()]
        # A duration stands alone unless a day or time comes right before it.
        if not any(_ANCHOR.match(_bare(word)) for word in before.split()[-3:]):
            return " ".join(duration.group(0).split())

    runs: list[list[str]] = [[]]
    for word in text.split():
        bare = _bare(word)
        if bare and (_ANCHOR.match(bare) or _CONNECTOR.match(bare) or _ZONE.match(bare)):
            runs[-1].append(bare)
            if word.endswith((",", ";", ":")) and not _ZONE.match(bare):
                runs.append([])
        else:
            runs.append([])
    for run in runs:
        if any(_ANCHOR.match(word) for word in run):
            return _trim(run)
    return None


def _bare(word: str) -> str:
    return word.strip(",;:!?()\"'").rstrip(".")


def _trim(run: list[str]) -> str:
    words = list(run)
    while words and words[-1].lower() in _EDGE_WORDS:
        words.pop()
    while len(words) > 1 and words[0].lower() in _EDGE_WORDS - {"next", "this"}:
        words.pop(0)
    if len(words) > 1 and words[0].lower() == "this" and words[1].lower() in {"next", "coming"}:
        words.pop(0)
    return " ".join(words)
