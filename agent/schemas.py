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


class AiNode(ApiModel):
    """An `ai` node's extension, as a node object carries it (null on every other type)."""

    purpose: str | None = None
    output_type: str | None = None


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
    ai_node: AiNode | None = None


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
    # Set only to keep an existing node (and whatever Puffle hangs off it, such as an `ai` node's
    # brief and its generated messages) when the whole sequence is replaced; new nodes have none.
    id: str | None = None
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


class AiNodeSettings(RequestModel):
    """The brief of an `ai` node: what Puffle's AI writes for each lead, and as what.

    `purpose` is the instruction; `output_type` is shown only with the value `"email"`, so the
    agent sends it for email campaigns and leaves it out elsewhere rather than guess a value.
    The docs give no length limit for either.
    """

    purpose: str = Field(min_length=1)
    output_type: str | None = None


class UpdateSequenceNodeRequest(RequestModel):
    """`PUT /api/campaigns/{id}/sequence/nodes/{nodeId}`: only the keys sent are applied.

    The two documentation generations disagree on this body. The older one, which the agent
    follows, takes `subject`, `body`, `include_message`, `is_reply`, `delay_days`, `delay_hours`
    and `ai_node {purpose, output_type}`; the newer one adds `body_html`, `signature`,
    `from_name`, `reply_to`, `cc`, `bcc`, `attachments` and `delay_minutes`, and shows `ai_node`
    with `purpose` alone. A node's `type`, `position` and `campaign_id` cannot be changed here,
    so they are not fields. `ai_node` is ignored unless the node is an `ai` node.
    """

    subject: str | None = None
    body: str | None = None
    include_message: bool | None = None
    is_reply: bool | None = None
    delay_days: int | None = None
    delay_hours: int | None = None
    ai_node: AiNodeSettings | None = None


class SequenceNodeEnvelope(ApiModel):
    node: SequenceNode


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


# Deep research (partner v1)


class ResearchRequest(RequestModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    linkedin_url: str = Field(pattern=r"linkedin\.com/in/")


class ResearchPerson(ApiModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    linkedin_url: str | None = None
    role: str | None = None
    company: str | None = None
    status: Literal["idle", "running", "complete", "failed"]


class ResearchEnvelope(ApiModel):
    person: ResearchPerson
    status: Literal["idle", "running", "complete", "failed"]
    # Free-form JSON whose shape evolves: read it defensively.
    report: dict[str, Any] | None = None
    change_summary: str | None = None


# Reply inbox (OLD conversations)


class Conversation(ApiModel):
    id: str
    channel: str | None = None
    status: str | None = None
    participant_name: str | None = None
    participant_email: str | None = None
    participant_linkedin_url: str | None = None
    participant_company: str | None = None
    last_message_at: str | None = None
    last_message_snippet: str | None = None
    last_message_direction: str | None = None
    unread_count: int = 0


class ConversationsResponse(ApiModel):
    conversations: list[Conversation]
    total: int = 0
    page: int = 1
    limit: int = 50


class ConversationMessage(ApiModel):
    id: str
    conversation_id: str | None = None
    campaign_id: str | None = None
    direction: Literal["inbound", "outbound"]
    subject: str | None = None
    body_text: str | None = None
    sender_name: str | None = None
    sent_at: str | None = None


class ConversationMessagesResponse(ApiModel):
    messages: list[ConversationMessage]


# Signals (partner v1)

SignalSource = Literal[
    "news", "reddit", "hacker_news", "x_twitter", "linkedin_posts", "linkedin_jobs", "g2_capterra"
]


class SignalType(ApiModel):
    id: str
    label: str
    name: str | None = None
    description: str | None = None
    kind: str | None = None
    enabled: bool = False
    keywords: list[str] = Field(default_factory=list)
    built_in: bool = False
    sources: list[str] = Field(default_factory=list)


class SignalTypesResponse(ApiModel):
    signal_types: list[SignalType]


class CreateSignalTypeRequest(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    keywords: list[str] = Field(min_length=1, max_length=50)
    search_instructions: str
    scoring_criteria: str
    sources: list[SignalSource] = Field(min_length=1)
    description: str | None = None
    enabled: bool | None = None


class UpdateSignalTypeRequest(RequestModel):
    enabled: bool | None = None
    keywords: list[str] | None = Field(default=None, max_length=50)
    sources: list[SignalSource] | None = None


class SignalEntity(ApiModel):
    id: str | None = None
    name: str | None = None
    domain: str | None = None


class Signal(ApiModel):
    id: str
    signal_type: str
    title: str | None = None
    source: str | None = None
    source_url: str | None = None
    score: float = 0
    entity: SignalEntity | None = None
    created_at: str


class SignalPagination(ApiModel):
    cursor: str | None = None
    has_more: bool = False
    count: int = 0


class SignalFeed(ApiModel):
    signals: list[Signal]
    pagination: SignalPagination = Field(default_factory=SignalPagination)


# Social posts (calendar) and settings


class Calendar(ApiModel):
    id: str
    name: str | None = None


class CalendarResponse(ApiModel):
    calendar: Calendar


class SocialAccount(ApiModel):
    id: str
    platform: str
    username: str | None = None
    displayName: str | None = None
    accountType: str | None = None


class SocialAccountsResponse(ApiModel):
    accounts: list[SocialAccount]


class CreateSocialPostRequest(RequestModel):
    content: str = Field(min_length=1)
    account_ids: list[str] = Field(min_length=1)
    status: Literal["draft", "scheduled"]
    scheduled_at: str | None = None
    title: str | None = None


class SocialPost(ApiModel):
    id: str
    content: str
    scheduled_at: str | None = None
    account_ids: list[str] = Field(default_factory=list)
    status: str
    late_post_id: str | None = None


class SocialPostEnvelope(ApiModel):
    post: SocialPost


class SocialPostsResponse(ApiModel):
    posts: list[SocialPost]


class TimezoneSetting(ApiModel):
    timezone: str
    isDefault: bool = False


class SettingsResponse(ApiModel):
    timezone: TimezoneSetting


# Importing leads into a list (legacy generation: CSV preview and confirm, Sales Navigator)

# A CSV header → an import target: a built-in field (`first_name`, `email`…), `column:<Name>` for
# an existing custom column, `new:<Name>` for a proposed one; null when the server left it out.
ImportMapping = dict[str, str | None]


class ListImportPreview(ApiModel):
    """`POST /api/lists/{id}/import`: the suggested mapping of a file; nothing written yet."""

    columns: list[str] = Field(default_factory=list)
    auto_mapping: ImportMapping = Field(default_factory=dict)
    preview_rows: list[Any] = Field(default_factory=list)
    total_rows: int
    csv_text: str
    existing_columns: list[Any] = Field(default_factory=list)


class ConfirmListImportRequest(RequestModel):
    csv_text: str
    mapping: dict[str, str]
    skipExistingCustomers: bool = True


class ListImportResult(ApiModel):
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    crossListSkipped: int = 0
    blockedSkipped: int = 0
    total: int | None = None
    rowIds: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class NewListImportPreview(ApiModel):
    """`POST /api/lists/create-with-import`: what the file holds; no list exists yet."""

    columns: list[str] = Field(default_factory=list)
    dataType: str = "people"
    confidence: str | None = None
    reasoning: str | None = None
    personMapping: ImportMapping = Field(default_factory=dict)
    companyMapping: ImportMapping = Field(default_factory=dict)
    autoMapping: ImportMapping = Field(default_factory=dict)
    previewRows: list[Any] = Field(default_factory=list)
    totalRows: int
    csvText: str
    fileName: str | None = None


class ConfirmNewListImportRequest(RequestModel):
    name: str = Field(min_length=1)
    dataType: Literal["people", "companies"] = "people"
    csvText: str
    personMapping: dict[str, str]
    skipExistingCustomers: bool = True


class NewListImportResult(ApiModel):
    listId: str
    imported: int = 0
    blocked: int = 0
    crossListSkipped: int = 0
    total: int | None = None
    dataType: str | None = None
    companiesCreated: int = 0


class SalesNavAccount(ApiModel):
    id: str
    name: str | None = None
    providerAccountId: str | None = None


class SalesNavAccess(ApiModel):
    hasSalesNavigator: bool
    account: SalesNavAccount | None = None


class SalesNavImportRequest(RequestModel):
    url: str = Field(min_length=1)
    listId: str | None = None
    listName: str | None = None
    maxResults: int | None = Field(default=None, ge=1)
    skipExistingCustomers: bool = True


class SalesNavImportStarted(ApiModel):
    success: bool = True
    listId: str
    runId: str | None = None
    maxResults: int | None = None
    wasCapped: bool = False
