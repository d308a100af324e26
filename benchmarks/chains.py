"""The documented endpoint chain of one representative goal per journey, to compare calls with.

Sources: the README ("Boot first: onboarding status, then workspace context"; "Cost check before
any spend: credit prices, a preview"; the journey table and the pause list) and the chain each
journey's approval pause names in `details["chain"]`. Status polls are left out on both sides:
the polling benchmark measures them against the backoff schedule instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every journey starts with the two boot reads the README puts first.
BOOT = ["GET /api/onboarding/status", "GET /api/context"]
# The routes a journey polls while Puffle works in the background.
POLL_ROUTES = frozenset(
    {
        "GET /api/campaigns/{campaign_id}",
        "GET /api/v1/research/{research_id}",
    }
)


@dataclass(frozen=True)
class JourneyCase:
    """One goal, the workspace it runs in, and the calls the docs say it needs (polls aside)."""

    journey: str
    workspace: str
    goal: str
    expected: list[str] = field(default_factory=list[str])


def journey_cases(csv_path: str) -> list[JourneyCase]:
    """The six journeys; `csv_path` is a lead file the import goal names."""
    return [
        JourneyCase(
            "launch_campaign",
            "demo",
            "Launch a LinkedIn campaign to the Fintech CTOs list",
            # Senders (a connected LinkedIn account), the list by name, existing campaigns (the
            # README's "already active" warning), then the create → launch chain the pause shows.
            [
                *BOOT,
                "GET /api/accounts",
                "GET /api/lists",
                "GET /api/campaigns",
                "POST /api/campaigns",
                "PATCH /api/campaigns/{campaign_id}",
                "POST /api/campaigns/{campaign_id}/leads/import-from-list",
                "POST /api/campaigns/{campaign_id}/generate-messages",
                "GET /api/campaigns/{campaign_id}/validate",
                "POST /api/campaigns/{campaign_id}/launch",
            ],
        ),
        JourneyCase(
            "import_leads",
            "demo",
            f'Import {csv_path} into a new list called "Bench CTOs"',
            # The list names (new or existing), the IMPORT_LEAD price and a preview, then the
            # two-step create-with-import and one read of the rows that arrived.
            # The second `GET /api/lists` is kept on purpose. It comes after the approval pause,
            # which can last hours, and right before `PUT /api/lists/create-with-import`, which
            # makes a new list on every call: leads-lists.md §4.2 documents no name check and no
            # idempotency, and a charge of IMPORT_LEAD per imported row. Without the read, a
            # resumed run whose earlier confirm succeeded unseen (or a list of that name made
            # during the pause) would get a second list of the same name. Looking the list up by
            # name is the documented way to find it (leads-lists.md §8 A, step 1); the pause's
            # chain names this read too.
            [
                *BOOT,
                "GET /api/lists",
                "GET /api/credits/config",
                "POST /api/credits/preview",
                "GET /api/lists",
                "POST /api/lists/create-with-import",
                "PUT /api/lists/create-with-import",
                "GET /api/lists/{list_id}/rows",
            ],
        ),
        JourneyCase(
            "deep_research",
            "demo",
            "Deep research on https://www.linkedin.com/in/jane-doe-42",
            # DEEP_RESEARCH price and a preview, then one start; completion is polled.
            [
                *BOOT,
                "GET /api/credits/config",
                "POST /api/credits/preview",
                "POST /api/v1/research",
            ],
        ),
        JourneyCase(
            "signals",
            "demo",
            "enable the funding signal",
            # The signal types to find the one named, then one PATCH of it.
            [*BOOT, "GET /api/v1/signals/types", "PATCH /api/v1/signals/types/{type_id}"],
        ),
        JourneyCase(
            "social_post",
            "demo",
            'Schedule a LinkedIn post for tomorrow at 9: "We just shipped instant reconciliation."',
            # The calendar, the connected accounts, the workspace timezone, then one create
            # between two reads of the scheduled posts, as the pause's chain lists them. Both
            # reads are kept:
            # - after the create, the docs prescribe it: research-signals-social.md §7 "Journey
            #   5", step 5 (and §4.4 createSocialPost: a post Late refused is still saved, with
            #   `late_post_id` null), so only this read tells a queued post from a stuck one;
            # - before the create, it follows the approval pause and guards a write that
            #   research-signals-social.md §4.4 documents without any idempotency: a resumed run
            #   whose earlier create succeeded unseen would publish the same post twice.
            [
                *BOOT,
                "GET /api/calendar",
                "GET /api/calendar/accounts",
                "GET /api/settings",
                "GET /api/calendar/posts",
                "POST /api/calendar/posts",
                "GET /api/calendar/posts",
            ],
        ),
        JourneyCase(
            "reply_inbox",
            "with_replies",
            "Summarise my replies",
            # Launched campaigns, the conversations, then each conversation's messages: the seed
            # has six replies, and the API has no endpoint that returns them in one call.
            [
                *BOOT,
                "GET /api/campaigns",
                "GET /api/conversations",
                *["GET /api/conversations/{conversation_id}/messages"] * 6,
            ],
        ),
    ]
