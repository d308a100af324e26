"""The rule planner on signal and social-post goals: each phrasing becomes exactly its plan."""

from __future__ import annotations

import pytest

from agent.planners import plan_by_rules
from agent.plans import (
    NewSignalType,
    SignalsPlan,
    SignalTypeChange,
    SocialPostPlan,
    UnsupportedGoal,
)

POST = "We just shipped instant reconciliation."


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("show me the strongest signals from the last 7 days", SignalsPlan(since_days=7)),
        ("Show me this week's strongest signals", SignalsPlan(since_days=7)),
        (
            "enable the funding signal",
            SignalsPlan(
                changes=[SignalTypeChange(signal_type="funding", enable=True)], read_feed=False
            ),
        ),
        (
            "track companies hiring a Head of Payments",
            SignalsPlan(
                changes=[
                    SignalTypeChange(
                        signal_type="hiring", enable=True, add_keywords=["Head of Payments"]
                    )
                ],
                read_feed=False,
            ),
        ),
        (
            'add keywords "treasury", "payouts" to the hiring signal',
            SignalsPlan(
                changes=[
                    SignalTypeChange(signal_type="hiring", add_keywords=["treasury", "payouts"])
                ],
                read_feed=False,
            ),
        ),
        ("only signals with score above 80", SignalsPlan(min_score=81)),
        (
            "What are the top 3 hiring signals from the past 2 weeks with a score of at least 90?",
            SignalsPlan(since_days=14, feed_types=["hiring"], min_score=90, top=3),
        ),
        (
            "disable the competitor mentions signal and show me the top 5 signals",
            SignalsPlan(
                changes=[SignalTypeChange(signal_type="competitor_mentions", enable=False)],
                top=5,
            ),
        ),
        (
            "Turn on the leadership change signal",
            SignalsPlan(
                changes=[SignalTypeChange(signal_type="management_change", enable=True)],
                read_feed=False,
            ),
        ),
        (
            'create a signal called "Treasury pain" for "cash forecasting" and "FX exposure" '
            "on reddit and news",
            SignalsPlan(
                create=[
                    NewSignalType(
                        name="Treasury pain",
                        keywords=["cash forecasting", "FX exposure"],
                        sources=["reddit", "news"],
                    )
                ],
                read_feed=False,
            ),
        ),
        ("Any new intent data today?", SignalsPlan(since_days=1)),
        ("Show this week's funding signals", SignalsPlan(since_days=7, feed_types=["funding"])),
    ],
)
def test_signal_goals_become_signals_plans(goal: str, expected: SignalsPlan) -> None:
    """Each signal phrasing is read into exactly the expected SignalsPlan."""
    assert plan_by_rules(goal, None).plan == expected


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        (
            f'schedule a LinkedIn post for tomorrow at 9: "{POST}"',
            SocialPostPlan(when="tomorrow at 9", content=POST),
        ),
        (
            f'post this next Monday 14:00: "{POST}"',
            SocialPostPlan(when="next Monday 14:00", content=POST),
        ),
        (
            f'Publish "{POST}" on LinkedIn in two hours',
            SocialPostPlan(when="in two hours", content=POST),
        ),
        (
            f'Schedule "{POST}" on 2027-03-28 at 09:30 Europe/Berlin',
            SocialPostPlan(when="2027-03-28 at 09:30 Europe/Berlin", content=POST),
        ),
        (
            f'Schedule a post for Dec 12 at 5pm PST saying "{POST}"',
            SocialPostPlan(when="Dec 12 at 5pm PST", content=POST),
        ),
        (
            "write a post about our new reconciliation API and schedule it for Friday 10am",
            SocialPostPlan(when="Friday 10am", topic="our new reconciliation API"),
        ),
        (
            f'tweet "{POST}" tomorrow at noon',
            SocialPostPlan(platform="twitter", when="tomorrow at noon", content=POST),
        ),
        (
            f'Schedule a LinkedIn post: "{POST}" for next Friday at 8:30am',
            SocialPostPlan(when="next Friday at 8:30am", content=POST),
        ),
        (
            f'Post on LinkedIn in 90 minutes: "{POST}"',
            SocialPostPlan(when="in 90 minutes", content=POST),
        ),
        (
            f'Queue a social post for today at 17:00: "{POST}"',
            SocialPostPlan(when="today at 17:00", content=POST),
        ),
        (
            f'Schedule an X post for tomorrow at 7am: "{POST}"',
            SocialPostPlan(platform="twitter", when="tomorrow at 7am", content=POST),
        ),
        (
            "draft a LinkedIn post on payment reconciliation and publish it on Monday at 9",
            SocialPostPlan(when="Monday at 9", topic="payment reconciliation"),
        ),
    ],
)
def test_social_goals_become_social_post_plans(goal: str, expected: SocialPostPlan) -> None:
    """Each post phrasing is read into exactly the expected SocialPostPlan."""
    assert plan_by_rules(goal, None).plan == expected


def test_a_post_without_a_time_is_refused_with_an_example() -> None:
    """No time, no plan: the refusal says how to give one."""
    plan = plan_by_rules(f'schedule a LinkedIn post: "{POST}"', None).plan

    assert isinstance(plan, UnsupportedGoal)
    assert "tomorrow at 9" in plan.reason


def test_quoted_post_text_cannot_turn_a_post_into_a_signals_goal() -> None:
    """A post about signals is still a post: the quoted text is data."""
    plan = plan_by_rules(
        'schedule a LinkedIn post for tomorrow at 9: "Enable the funding signal"', None
    ).plan

    assert plan == SocialPostPlan(when="tomorrow at 9", content="Enable the funding signal")
