"""Pydantic models of the Puffle requests and responses the agent uses.

Responses are validated leniently (`extra="allow"`, optional fields) because Puffle adds fields
over time and the docs show only the start of several objects; requests are strict, so the
agent cannot send a field by mistake. Field names follow the API exactly, camelCase included.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["linkedin", "email"]
NodeType = Literal["connection_request", "message", "email", "delay", "ai", "end"]


class ApiModel(BaseModel):
    """A response object: unknown fields are kept, missing optional ones default."""

    model_config = ConfigDict(extra="allow")


class RequestModel(BaseModel):
    """A request body: only declared fields can be sent."""

    model_config = ConfigDict(extra="forbid")


class NoBody(RequestModel):
    """Marks an operation that sends no body."""


# Boot


class OnboardingSession(ApiModel):
    id: str
    status: Literal[
        "pending", "looking_up", "gathering_info", "generating_context", "completed", "failed"
    ]
    companyName: str | None = None
    errorMessage: str | None = None
    errorStep: str | None = None


class OnboardingStatus(ApiModel):
    session: OnboardingSession | None


class MarketContext(ApiModel):
    targetAudience: str | None = None
    industryContext: str | None = None
    icpJobTitles: list[str] = Field(default_factory=list)
    icpIndustries: list[str] = Field(default_factory=list)
    icpCompanySizes: list[str] = Field(default_factory=list)
    icpPainPoints: list[str] = Field(default_factory=list)
    icpKeywords: list[str] = Field(default_factory=list)


class CompanyContext(ApiModel):
    overview: str | None = None
    product: str | None = None
    problemSolved: str | None = None
    differentiators: str | list[str] | None = None


class ContentContext(ApiModel):
    preferredTone: str | None = None
    linkedInVoice: str | None = None


class WorkspaceContext(ApiModel):
    company: CompanyContext = Field(default_factory=CompanyContext)
    market: MarketContext = Field(default_factory=MarketContext)
    content: ContentContext = Field(default_factory=ContentContext)


class Profile(ApiModel):
    firstName: str | None = None
    lastName: str | None = None
    companyName: str | None = None
    website: str | None = None


class ContextResponse(ApiModel):
    context: WorkspaceContext | None
    profile: Profile | None = None


# Credits


class CreditsConfig(ApiModel):
    costs: dict[str, int]


class CreditPreviewRequest(RequestModel):
    action: str
    count: int = Field(ge=1)


class CreditPreview(ApiModel):
    action: str
    count: int
    costPerUnit: int | None = None
    totalCredits: int | None = None
    sufficient: bool
    # Null when the billing service could not be asked: Puffle then fails open.
    balance: int | None = None


# Senders


class SenderAccount(ApiModel):
    id: str
    type: Channel
    display_name: str | None = None
    status: str
    email_address: str | None = None
    daily_limit: int | None = None


class AccountsResponse(ApiModel):
    accounts: list[SenderAccount]


# Lists and lead search


class LeadList(ApiModel):
    id: str
    name: str
    rowCount: int = 0
    enrichmentStatus: str | None = None


class ListsResponse(ApiModel):
    lists: list[LeadList]


class ProfileData(ApiModel):
    firstName: str | None = None
    lastName: str | None = None
    fullName: str | None = None
    currentRole: str | None = None
    currentCompany: str | None = None
    email: str | None = None
    headline: str | None = None


class ListRow(ApiModel):
    id: str
    linkedinUrl: str | None = None
    profileData: ProfileData = Field(default_factory=ProfileData)


class ListRowsResponse(ApiModel):
    rows: list[ListRow]
    total: int
    hasMore: bool


class ParseFiltersRequest(RequestModel):
    query: str = Field(min_length=1, max_length=500)


class ParseFiltersResponse(ApiModel):
    filters: dict[str, Any]
    unsupported: str | None = None


class LeadSearchRequest(BaseModel):
    """Structured filters (as `parse-filters` returns them) plus the search's own fields."""

    model_config = ConfigDict(extra="allow")

    fetch_count: int = Field(ge=1, le=2500)
    nl_query: str | None = None


class LeadSearch(ApiModel):
    id: str
    status: Literal["pending", "running", "completed", "failed"]
    result_count: int | None = None
    error_message: str | None = None
    list_id: str | None = None


class LeadSearchEnvelope(ApiModel):
    search: LeadSearch


class AddSearchToListRequest(RequestModel):
    name: str = Field(min_length=1)


class ListRef(ApiModel):
    id: str
    name: str


class AddSearchToListResponse(ApiModel):
    list: ListRef
    insertedCount: int
    duplicateCount: int = 0


# Campaigns


class SequenceNode(ApiModel):
    id: str | None = None
    position: int | None = None
    type: NodeType
    subject: str | None = None
    body: str | None = None
    include_message: bool | None = None
    is_reply: bool | None = None
    delay_days: int | None = None
    delay_hours: int | None = None
    delay_minutes: int | None = None


class CampaignStats(ApiModel):
    total: int = 0
    sent: int = 0
    replied: int = 0


class Campaign(ApiModel):
    id: str
    type: Channel
    name: str
    status: Literal["draft", "launching", "active", "paused", "completed"]
    daily_limit: int | None = None
    stats: CampaignStats | None = None
    sequence_nodes: list[SequenceNode] | None = None


class CampaignEnvelope(ApiModel):
    campaign: Campaign


class CampaignsResponse(ApiModel):
    campaigns: list[Campaign]


class CampaignDetail(ApiModel):
    campaign: Campaign
    sequence_nodes: list[SequenceNode] = Field(default_factory=list)
    prospects_by_status: dict[str, int] = Field(default_factory=dict)


class CreateCampaignRequest(RequestModel):
    type: Channel
    name: str = Field(min_length=1)
    sender_account_ids: list[str] = Field(min_length=1)
    daily_limit: int | None = Field(default=None, ge=1, le=500)


class SequenceNodeInput(RequestModel):
    type: NodeType
    subject: str | None = None
    body: str | None = None
    include_message: bool | None = None
    is_reply: bool | None = None
    delay_days: int | None = None
    delay_hours: int | None = None
    delay_minutes: int | None = None


class UpdateCampaignRequest(RequestModel):
    name: str | None = None
    daily_limit: int | None = Field(default=None, ge=1, le=500)
    sequence_nodes: list[SequenceNodeInput] | None = None


class ProspectInput(RequestModel):
    email: str | None = None
    linkedin_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    position: str | None = None
    headline: str | None = None


class AddLeadsRequest(RequestModel):
    prospects: list[ProspectInput] = Field(min_length=1, max_length=1000)


class AddLeadsResponse(ApiModel):
    imported: int
    duplicates: int = 0


class ImportFromListRequest(RequestModel):
    listId: str


class ImportFromListResponse(ApiModel):
    imported: int
    duplicates: int = 0
    invalid: int = 0
    total: int | None = None
    partial: bool = False


class GenerateMessagesRequest(RequestModel):
    action: Literal["resolve", "generate_ai"]
    node_id: str | None = None
    prospect_ids: list[str] | None = None


class GenerateMessagesResponse(ApiModel):
    messages: list[dict[str, Any]] = Field(default_factory=list)


class ValidationReport(ApiModel):
    ready: bool
    checks: dict[str, Any] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class LaunchResponse(ApiModel):
    success: bool
    message: str | None = None
    runId: str | None = None
    prospectsToProcess: int | None = None
