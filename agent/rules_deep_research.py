"""The rule planner's reader for deep research goals (journey 3).

A goal is about research when it asks for research, a dossier, a background check or a briefing
on someone, and names who: LinkedIn profile URLs, or people written as "First Last at Company".
The URLs are kept as written (the journey normalises them and explains a bad one); names and
companies are copied only into the plan's person fields.
"""

from __future__ import annotations

import re

from agent.plans import DeepResearchPlan, PlannerOutput, ResearchTarget, UnsupportedGoal
from agent.schemas import WorkspaceContext

_RESEARCH_INTENT = re.compile(
    r"\b(?:deep[-\s]?research|research(?:ing)?|dossiers?|background\s+(?:check|report)s?|"
    r"brief(?:ing)?\s+(?:me\s+)?on|look\s+(?:into|up)|find\s+out\s+(?:about|everything))\b",
    re.IGNORECASE,
)
# A campaign goal that mentions research ("a campaign to research directors") is not this one.
_CAMPAIGN_WORDS = re.compile(r"\b(?:campaigns?|sequences?|outreach)\b", re.IGNORECASE)
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)?linkedin\.com/[^\s,;<>\"')\]]+", re.IGNORECASE
)

# Words that start a sentence or an instruction and so look like a capitalised name.
_NOT_NAMES = (
    r"Deep|Research|Dossier|Do|Please|Can|Could|Run|Get|Make|Build|Find|Look|Brief|On|About|"
    r"And|For|Me|I|We|The|A|An|Background|Check|Report|Who|Into|Up|Also|Then|Plus|Prepare"
)
_NAME_WORD = rf"(?!(?:{_NOT_NAMES})\b)[A-ZÀ-Ý][\w'\u2019\-]+"
_COMPANY_WORD = r"[A-Z0-9À-Ý][\w&.'\u2019\-]*"
_PERSON_AT_COMPANY = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})\s*(?:\bat\b|\bfrom\b|@|,\s*(?:\w+\s+)?at\b)"
    rf"\s+(?P<company>{_COMPANY_WORD}(?:\s+{_COMPANY_WORD}){{0,3}})"
)


def read_deep_research_goal(
    goal: str, masked: str, context: WorkspaceContext | None
) -> PlannerOutput | None:
    """A deep-research plan when the goal asks for research on people; else None."""
    del context  # research goals are not judged against the ICP
    urls = [match.group(0).rstrip(".") for match in _PROFILE_URL.finditer(goal)]
    if not _RESEARCH_INTENT.search(masked) and not (urls and _looks_like_a_request(masked)):
        return None
    if not urls and _CAMPAIGN_WORDS.search(masked):
        return None

    people = [ResearchTarget(linkedin_url=url) for url in urls]
    without_urls = _PROFILE_URL.sub(" ", goal)
    for match in _PERSON_AT_COMPANY.finditer(without_urls):
        first, *rest = match.group("name").split()
        company = match.group("company").rstrip(".")
        people.append(ResearchTarget(first_name=first, last_name=" ".join(rest), company=company))

    if not people:
        return PlannerOutput(
            plan=UnsupportedGoal(
                reason="Deep research is about people, and the goal names none: give each "
                "person's LinkedIn profile URL, or their name and company (Puffle documents no "
                "company-only research)."
            ),
            icp_verdict="unknown",
            icp_reason="No campaign audience to judge.",
        )
    return PlannerOutput(
        plan=DeepResearchPlan(people=people),
        icp_verdict="unknown",
        icp_reason="Research on named people is not judged against the ICP.",
    )


def _looks_like_a_request(masked: str) -> bool:
    """A bare profile URL with words like "who is" or "tell me about" is a research request."""
    return bool(
        re.search(r"\b(?:who\s+is|tell\s+me\s+about|what\s+about|profile\s+of)\b", masked, re.I)
    )
