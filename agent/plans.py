"""What a planner turns a goal into: a journey and its typed parameters.

A plan is data. The model planner fills these models through structured output and the rule
planner through patterns; the graph validates them again before acting, so no planner can send
the agent anywhere these models do not allow. New journeys add a member to `JourneyPlan`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class UnsupportedGoal(PlanModel):
    """A goal no documented endpoint can carry out (delete the workspace, call an admin tool…)."""

    journey: Literal["unsupported"] = "unsupported"
    reason: str = Field(description="Why no documented operation fits the goal")


JourneyPlan = Annotated[LaunchCampaignPlan | UnsupportedGoal, Field(discriminator="journey")]


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
    "unsupported": "No documented endpoint",
}
