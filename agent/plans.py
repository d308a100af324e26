"""What a planner turns a goal into: a journey and its typed parameters.

A plan is data. The model planner fills these models through structured output and the rule
planner through patterns; the graph validates them again before acting, so no planner can send
the agent anywhere these models do not allow. New journeys add a member to `JourneyPlan`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.csv_files import ImportField
from agent.schemas import Channel

MessageSource = Literal["goal", "template", "model", "puffle_ai"]
IcpVerdict = Literal["fits", "mismatch", "unknown"]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LaunchCampaignPlan(PlanModel):
    """Journey 1: launch an outreach campaign to a saved list or to the results of a search."""

    journey: Literal["launch_campaign"] = "launch_campaign"
    channel: Channel = Field(description="linkedin or email")
    list_name: str | None = Field(
        default=None, description="Name of an existing lead list to send to, as the goal says it"
    )
    search_query: str | None = Field(
        default=None,
        description="Who to find with a lead search when the goal names no list, in plain words",
    )
    find_new_leads: bool = Field(
        default=False,
        description=(
            "true when the goal asks to find new people (find, search for, source); false when "
            "it addresses a group it already has, which may be a saved list named without 'list'"
        ),
    )
    lead_count: int | None = Field(
        default=None, ge=1, le=2500, description="How many leads to find or send to, if stated"
    )
    campaign_name: str | None = Field(default=None, description="Campaign name, if stated")
    daily_limit: int | None = Field(
        default=None, ge=1, le=500, description="Maximum sends per day, if stated"
    )
    tone: str | None = Field(default=None, description="Tone of the messages, e.g. friendly")
    message_source: MessageSource = Field(
        default="template",
        description=(
            "goal: the goal spells out the message text; model: the agent writes the messages; "
            "puffle_ai: Puffle writes one AI message per lead (paid); template: a standard "
            "personalised sequence"
        ),
    )
    messages: list[str] = Field(
        default_factory=list, description="Message texts quoted in the goal, in order"
    )

    @field_validator("list_name", "search_query", "campaign_name", "tone")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @property
    def audience(self) -> str:
        return self.search_query or self.list_name or ""


class ResearchTarget(PlanModel):
    """One person to research: a LinkedIn profile URL, or a name and a company."""

    linkedin_url: str | None = Field(default=None, description="Profile URL, as the goal gives it")
    first_name: str | None = Field(default=None, description="First name, if the goal gives it")
    last_name: str | None = Field(default=None, description="Last name, if the goal gives it")
    company: str | None = Field(default=None, description="Company, if the goal gives it")

    @field_validator("linkedin_url", "first_name", "last_name", "company")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @property
    def label(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        at = f" at {self.company}" if self.company else ""
        return f"{name}{at}" if name else (self.linkedin_url or "someone")


class DeepResearchPlan(PlanModel):
    """Journey 3: a deep research report on one or more people."""

    journey: Literal["deep_research"] = "deep_research"
    people: list[ResearchTarget] = Field(
        min_length=1, max_length=50, description="The people to research, in the goal's order"
    )


class ReplyInboxPlan(PlanModel):
    """Journey 6: read the reply inbox and summarise who replied and what they want."""

    journey: Literal["reply_inbox"] = "reply_inbox"
    campaign_name: str | None = Field(
        default=None, description="Only replies to this campaign, when the goal names one"
    )

    @field_validator("campaign_name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None


class ImportLeadsPlan(PlanModel):
    """Journey 2: import leads into a list, from a CSV file or a Sales Navigator people search."""

    journey: Literal["import_leads"] = "import_leads"
    source: Literal["csv", "sales_nav"] = Field(
        description="csv: a file on this computer; sales_nav: a Sales Navigator search URL"
    )
    file_path: str | None = Field(
        default=None, description="Path of the CSV file exactly as the goal writes it"
    )
    sales_nav_url: str | None = Field(
        default=None, description="The Sales Navigator search URL exactly as the goal gives it"
    )
    list_name: str | None = Field(
        default=None, description="Name of the list to import into, without quotes or 'list'"
    )
    new_list: bool | None = Field(
        default=None,
        description=(
            "true when the goal asks for a new list, false when it names an existing one, "
            "null when it does not say"
        ),
    )
    max_results: int | None = Field(
        default=None, ge=1, le=2500, description="Most leads to import, if the goal says"
    )
    column_mapping: dict[str, ImportField] = Field(
        default_factory=dict[str, ImportField],
        description="Columns the goal assigns to a lead field: header as written → field",
    )
    skip_existing: bool = Field(
        default=True,
        description="false only when the goal wants leads that are already in other lists too",
    )

    @field_validator("file_path", "sales_nav_url", "list_name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @property
    def audience(self) -> str:
        return self.list_name or ""


class UnsupportedGoal(PlanModel):
    """A goal no documented endpoint can carry out (delete the workspace, call an admin tool…)."""

    journey: Literal["unsupported"] = "unsupported"
    reason: str = Field(description="Why no documented operation fits the goal")
    understood: bool = Field(
        default=True,
        description="False when the goal could not be read at all (so nothing is known to be "
        "impossible); true when it was read and no documented operation fits it",
    )


SignalSourceName = Literal[
    "news", "reddit", "hacker_news", "x_twitter", "linkedin_posts", "linkedin_jobs", "g2_capterra"
]


class SignalTypeChange(PlanModel):
    """A change to one existing signal type, named by its label (e.g. hiring, funding)."""

    signal_type: str = Field(description="Label of the type, e.g. hiring, funding")
    enable: bool | None = Field(default=None, description="true to enable, false to disable")
    add_keywords: list[str] = Field(default_factory=list, description="Keywords to add")
    sources: list[SignalSourceName] | None = Field(
        default=None, description="Replace the type's sources (custom types only)"
    )


class NewSignalType(PlanModel):
    """A custom keyword signal type to create."""

    name: str = Field(min_length=1, max_length=100)
    keywords: list[str] = Field(min_length=1, description="What the scanner looks for")
    sources: list[SignalSourceName] = Field(
        default_factory=lambda: ["news", "linkedin_posts"],
        description="Where to look",
    )


class SignalsPlan(PlanModel):
    """Journey 4: tune signal types and/or read the strongest signals in the feed."""

    journey: Literal["signals"] = "signals"
    changes: list[SignalTypeChange] = Field(default_factory=list[SignalTypeChange])
    create: list[NewSignalType] = Field(default_factory=list[NewSignalType])
    read_feed: bool = Field(default=True, description="Read and summarise the feed")
    since_days: int | None = Field(default=None, ge=1, le=365, description="Look back N days")
    feed_types: list[str] = Field(
        default_factory=list, description="Only signals of these type labels"
    )
    min_score: int | None = Field(default=None, ge=0, le=100, description="Minimum score")
    top: int = Field(default=10, ge=1, le=100, description="How many signals to list")


class SocialPostPlan(PlanModel):
    """Journey 5: schedule one social post on a connected account."""

    journey: Literal["social_post"] = "social_post"
    platform: Literal["linkedin", "twitter"] = "linkedin"
    when: str = Field(description="When to publish, in the goal's words, e.g. tomorrow at 9")
    content: str | None = Field(default=None, description="The post text quoted in the goal")
    topic: str | None = Field(
        default=None, description="What the agent should write about when no text is quoted"
    )


JourneyPlan = Annotated[
    LaunchCampaignPlan
    | ImportLeadsPlan
    | DeepResearchPlan
    | ReplyInboxPlan
    | SignalsPlan
    | SocialPostPlan
    | UnsupportedGoal,
    Field(discriminator="journey"),
]


class PlannerOutput(PlanModel):
    """A planner's answer: the plan, and whether the goal's audience fits the workspace's ICP."""

    plan: JourneyPlan
    icp_verdict: IcpVerdict = Field(
        default="unknown",
        description="fits / mismatch: does the audience the goal targets match the ICP?",
    )
    icp_reason: str = Field(default="", description="One sentence on the ICP verdict")


JOURNEY_TITLES: dict[str, str] = {
    "launch_campaign": "Launch a campaign",
    "deep_research": "Deep research report",
    "reply_inbox": "Reply inbox summary",
    "signals": "Signals",
    "social_post": "Schedule a social post",
    "import_leads": "Import leads into a list",
    "unsupported": "No documented endpoint",
}
