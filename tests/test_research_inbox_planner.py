"""The rule planner reads deep-research and reply-inbox goals into their typed plans."""

from __future__ import annotations

import pytest

from agent.planners import plan_by_rules
from agent.plans import DeepResearchPlan, ReplyInboxPlan, UnsupportedGoal

# (goal, [(linkedin_url, first, last, company), ...])
RESEARCH_GOALS: list[tuple[str, list[tuple[str | None, str | None, str | None, str | None]]]] = [
    (
        "research https://linkedin.com/in/jane-doe",
        [("https://linkedin.com/in/jane-doe", None, None, None)],
    ),
    ("Deep research on Jane Doe at Acme", [(None, "Jane", "Doe", "Acme")]),
    (
        "Do deep research on https://www.linkedin.com/in/janesmith/ and "
        "https://uk.linkedin.com/in/omar-steer?trk=abc",
        [
            ("https://www.linkedin.com/in/janesmith/", None, None, None),
            ("https://uk.linkedin.com/in/omar-steer?trk=abc", None, None, None),
        ],
    ),
    ("Put together a dossier on Priya Raman from Clearvault Payments", [
        (None, "Priya", "Raman", "Clearvault Payments"),
    ]),
    ("Research Jane Doe at Acme and John Roe at Globex Corp", [
        (None, "Jane", "Doe", "Acme"),
        (None, "John", "Roe", "Globex Corp"),
    ]),
    ("Can you look into m.linkedin.com/in/kenji-watanabe for me?", [
        ("m.linkedin.com/in/kenji-watanabe", None, None, None),
    ]),
    ("I need a background check on Mary Ann Smith at Initech.", [
        (None, "Mary", "Ann Smith", "Initech"),
    ]),
    ("Brief me on https://de.linkedin.com/in/j%C3%BCrgen-m%C3%BCller", [
        ("https://de.linkedin.com/in/j%C3%BCrgen-m%C3%BCller", None, None, None),
    ]),
    ("Who is https://www.linkedin.com/in/amara-nwosu?", [
        ("https://www.linkedin.com/in/amara-nwosu?", None, None, None),
    ]),
    ("deep-research these people: linkedin.com/in/a-one, linkedin.com/in/b-two", [
        ("linkedin.com/in/a-one", None, None, None),
        ("linkedin.com/in/b-two", None, None, None),
    ]),
    ("Find out everything about Sofia Marchetti at Coinrail", [
        (None, "Sofia", "Marchetti", "Coinrail"),
    ]),
    ("Prepare research reports on Daniel Ferreira @ Settlepoint", [
        (None, "Daniel", "Ferreira", "Settlepoint"),
    ]),
]  # fmt: skip

# (goal, campaign_name)
INBOX_GOALS: list[tuple[str, str | None]] = [
    ("summarise my replies", None),
    ("Summarize the replies", None),
    ("who answered my Fintech campaign?", "Fintech"),
    ("Who replied to the 'Fintech CTOs - LinkedIn' campaign?", "Fintech CTOs - LinkedIn"),
    ("Check my inbox", None),
    ("Any responses from the Webinar attendees campaign?", "Webinar attendees"),
    ("What did the leads say?", None),
    ("Show me unread conversations", None),
    ("Who got back to me?", None),
    ("Go through the replies to my latest campaign", None),
    ("Triage my inbox and tell me who wants a meeting", None),
    ("Did anyone reply to campaign called Q4 CTOs", "Q4 CTOs"),
    # Questions about answers to outreach, in the words people use.
    ("Did any prospects answer my LinkedIn outreach?", None),
    ("Did the Fintech CTOs respond to my outreach", None),
    ("Has my LinkedIn outreach gotten any answers?", None),
    ("Any answers to my LinkedIn outreach?", None),
    ("Any response to the Q4 campaign?", "Q4"),
    ("How many prospects replied to my outreach?", None),
    ("Is anyone replying to my campaign?", None),
    ("Have I heard back from any of the CTOs I emailed?", None),
    ("Could you check whether the webinar attendees answered my emails?", None),
    ("Has anyone replied since I set up the campaign?", None),
    ("Show me the answers to my LinkedIn outreach", None),
]


@pytest.mark.parametrize(("goal", "people"), RESEARCH_GOALS)
def test_research_goals_become_research_plans(
    goal: str, people: list[tuple[str | None, str | None, str | None, str | None]]
) -> None:
    """URLs are kept as written and names split into first, last and company."""
    plan = plan_by_rules(goal, None).plan

    assert isinstance(plan, DeepResearchPlan), plan
    assert [(p.linkedin_url, p.first_name, p.last_name, p.company) for p in plan.people] == people


@pytest.mark.parametrize(("goal", "campaign_name"), INBOX_GOALS)
def test_inbox_goals_become_reply_inbox_plans(goal: str, campaign_name: str | None) -> None:
    """Goals about replies read as the inbox journey, with the campaign they name if any."""
    plan = plan_by_rules(goal, None).plan

    assert isinstance(plan, ReplyInboxPlan), plan
    assert plan.campaign_name == campaign_name


@pytest.mark.parametrize(
    "goal",
    [
        "Reply to everyone who answered my Fintech campaign",
        "Send a follow-up to the people who replied",
        "Archive all conversations",
    ],
)
def test_goals_that_would_write_to_the_inbox_are_refused(goal: str) -> None:
    """The inbox journey only reads: replying or archiving is refused with a reason."""
    plan = plan_by_rules(goal, None).plan

    assert isinstance(plan, UnsupportedGoal)
    assert "only reads" in plan.reason


@pytest.mark.parametrize(
    "goal",
    [
        "Reach out to the Fintech CTOs on LinkedIn",
        "Can you reach out to the Fintech CTOs on LinkedIn?",
        "Email the Fintech CTOs list and ask them to reply with a good time",
        "Launch a LinkedIn campaign to the Fintech CTOs list; stop when they answer",
        "Start LinkedIn outreach to fintech CTOs and follow up with anyone who doesn't reply",
        "Reach out to fintech CTOs who responded to our webinar invite",
        "Message the Fintech CTOs list and answer any questions they have",
        "Email heads of engineering at payments companies and ask for a response by Friday",
    ],
)
def test_outreach_orders_that_mention_answers_stay_campaigns(goal: str) -> None:
    """An order to reach people is a launch, whatever it says about replies."""
    plan = plan_by_rules(goal, None).plan

    assert plan.journey == "launch_campaign", plan


def test_research_naming_nobody_is_refused_with_what_to_give() -> None:
    """A research goal without a URL or a name says what it needs."""
    plan = plan_by_rules("Do some deep research for me", None).plan

    assert isinstance(plan, UnsupportedGoal)
    assert "LinkedIn profile URL" in plan.reason


def test_a_campaign_goal_mentioning_research_stays_a_campaign() -> None:
    """'Launch a campaign to research directors' is a campaign, not a research request."""
    plan = plan_by_rules("Launch a LinkedIn campaign to research directors at banks", None).plan

    assert plan.journey == "launch_campaign"
