"""The catalog: every Puffle operation the agent may call, declared once.

An `Operation` names its method, path template, request and response models, the credit action
it spends (if any) and whether it starts asynchronous work. The HTTP client refuses any request
that does not match a declared operation, and any path under a forbidden prefix, before a byte
is sent; the rules live here and in the client, not in prompts.

Paths follow the older documentation generation where the two differ (its boot sequence and
error envelope are the ones the agent is specified against): `GET /api/accounts` rather than
`/api/senders`, and the `validate` pre-flight, which only that generation documents. Where both
generations document a path with different bodies (the sequence-node update), the request model
follows the older one too and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from agent import schemas as s

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

RequestT = TypeVar("RequestT", bound=BaseModel)
ResponseT = TypeVar("ResponseT", bound=BaseModel)

# Admin tools, inbound webhook receivers and OAuth connect flows: a human or Puffle itself uses
# these, never an agent.
FORBIDDEN_PREFIXES: tuple[str, ...] = (
    "/api/admin",
    "/api/apify",
    "/api/autumn",
    "/api/agentmail",
    "/api/unipile/connect",
    "/api/unipile/reconnect",
    "/api/late/connect",
    "/api/gmail",
    "/api/oauth",
    "/api/auth",
)
_FORBIDDEN_SEGMENTS = re.compile(r"/(webhooks?|oauth|callback)(/|$)")


def forbidden_reason(path: str) -> str | None:
    """Why `path` may never be called, or None when no rule forbids it."""
    lowered = path.lower()
    for prefix in FORBIDDEN_PREFIXES:
        if (
            lowered == prefix
            or lowered.startswith(prefix + "/")
            or lowered.startswith(prefix + "?")
        ):
            return f"paths under {prefix} are never called by an agent"
    if _FORBIDDEN_SEGMENTS.search(lowered.split("?", 1)[0]):
        return "webhook receivers and OAuth flows are never called by an agent"
    return None


@dataclass(frozen=True)
class Operation(Generic[RequestT, ResponseT]):
    name: str
    method: HttpMethod
    path: str
    request_model: type[RequestT]
    response_model: type[ResponseT]
    credit_action: str | None = None
    asynchronous: bool = False
    # Takes a `multipart/form-data` file upload instead of a JSON body.
    accepts_file: bool = False
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if reason := forbidden_reason(self.path):
            raise ValueError(f"operation {self.name} declares a forbidden path: {reason}")
        regex = re.sub(r"\\\{[a-z_]+\\\}", r"[^/]+", re.escape(self.path))
        object.__setattr__(self, "_pattern", re.compile(f"^{regex}$"))

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    @property
    def spends_credits(self) -> bool:
        return self.credit_action is not None

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method and bool(self._pattern.match(path))


GET_ONBOARDING_STATUS = Operation(
    "get_onboarding_status", "GET", "/api/onboarding/status", s.NoBody, s.OnboardingStatus
)
GET_CONTEXT = Operation("get_context", "GET", "/api/context", s.NoBody, s.ContextResponse)
GET_CREDITS_CONFIG = Operation(
    "get_credits_config", "GET", "/api/credits/config", s.NoBody, s.CreditsConfig
)
PREVIEW_CREDITS = Operation(
    "preview_credits", "POST", "/api/credits/preview", s.CreditPreviewRequest, s.CreditPreview
)
LIST_SENDERS = Operation("list_senders", "GET", "/api/accounts", s.NoBody, s.AccountsResponse)
LIST_LISTS = Operation("list_lists", "GET", "/api/lists", s.NoBody, s.ListsResponse)
LIST_ROWS = Operation("list_rows", "GET", "/api/lists/{list_id}/rows", s.NoBody, s.ListRowsResponse)
PARSE_LEAD_FILTERS = Operation(
    "parse_lead_filters",
    "POST",
    "/api/leads/parse-filters",
    s.ParseFiltersRequest,
    s.ParseFiltersResponse,
)
START_LEAD_SEARCH = Operation(
    "start_lead_search",
    "POST",
    "/api/leads/search",
    s.LeadSearchRequest,
    s.LeadSearchEnvelope,
    credit_action="FIND_PERSON",
    asynchronous=True,
)
GET_LEAD_SEARCH = Operation(
    "get_lead_search", "GET", "/api/leads/search/{search_id}", s.NoBody, s.LeadSearchEnvelope
)
ADD_SEARCH_TO_LIST = Operation(
    "add_search_to_list",
    "POST",
    "/api/leads/search/{search_id}/add-to-list",
    s.AddSearchToListRequest,
    s.AddSearchToListResponse,
)
LIST_CAMPAIGNS = Operation("list_campaigns", "GET", "/api/campaigns", s.NoBody, s.CampaignsResponse)
CREATE_CAMPAIGN = Operation(
    "create_campaign", "POST", "/api/campaigns", s.CreateCampaignRequest, s.CampaignEnvelope
)
GET_CAMPAIGN = Operation(
    "get_campaign", "GET", "/api/campaigns/{campaign_id}", s.NoBody, s.CampaignDetail
)
UPDATE_CAMPAIGN = Operation(
    "update_campaign",
    "PATCH",
    "/api/campaigns/{campaign_id}",
    s.UpdateCampaignRequest,
    s.CampaignEnvelope,
)
# The only way to give an `ai` node its brief: the sequence PATCH has no field for it. Both
# generations document the path; the body follows the older one (see the request model).
UPDATE_SEQUENCE_NODE = Operation(
    "update_sequence_node",
    "PUT",
    "/api/campaigns/{campaign_id}/sequence/nodes/{node_id}",
    s.UpdateSequenceNodeRequest,
    s.SequenceNodeEnvelope,
)
ADD_CAMPAIGN_LEADS = Operation(
    "add_campaign_leads",
    "POST",
    "/api/campaigns/{campaign_id}/leads",
    s.AddLeadsRequest,
    s.AddLeadsResponse,
)
IMPORT_CAMPAIGN_LEADS_FROM_LIST = Operation(
    "import_campaign_leads_from_list",
    "POST",
    "/api/campaigns/{campaign_id}/leads/import-from-list",
    s.ImportFromListRequest,
    s.ImportFromListResponse,
)
GENERATE_MESSAGES = Operation(
    "generate_messages",
    "POST",
    "/api/campaigns/{campaign_id}/generate-messages",
    s.GenerateMessagesRequest,
    s.GenerateMessagesResponse,
    # Only the `generate_ai` action is billed; `resolve` is free. Callers price per action.
    credit_action="AI_MESSAGE_GENERATION",
)
VALIDATE_CAMPAIGN = Operation(
    "validate_campaign",
    "GET",
    "/api/campaigns/{campaign_id}/validate",
    s.NoBody,
    s.ValidationReport,
)
LAUNCH_CAMPAIGN = Operation(
    "launch_campaign",
    "POST",
    "/api/campaigns/{campaign_id}/launch",
    s.NoBody,
    s.LaunchResponse,
    asynchronous=True,
)
START_RESEARCH = Operation(
    "start_research",
    "POST",
    "/api/v1/research",
    s.ResearchRequest,
    s.ResearchEnvelope,
    credit_action="DEEP_RESEARCH",
    asynchronous=True,
)
GET_RESEARCH = Operation(
    "get_research", "GET", "/api/v1/research/{research_id}", s.NoBody, s.ResearchEnvelope
)
LIST_CONVERSATIONS = Operation(
    "list_conversations", "GET", "/api/conversations", s.NoBody, s.ConversationsResponse
)
# The messages endpoint, not the conversation itself: reading a conversation marks it read.
LIST_CONVERSATION_MESSAGES = Operation(
    "list_conversation_messages",
    "GET",
    "/api/conversations/{conversation_id}/messages",
    s.NoBody,
    s.ConversationMessagesResponse,
)

LIST_SIGNAL_TYPES = Operation(
    "list_signal_types", "GET", "/api/v1/signals/types", s.NoBody, s.SignalTypesResponse
)
CREATE_SIGNAL_TYPE = Operation(
    "create_signal_type", "POST", "/api/v1/signals/types", s.CreateSignalTypeRequest, s.SignalType
)
UPDATE_SIGNAL_TYPE = Operation(
    "update_signal_type",
    "PATCH",
    "/api/v1/signals/types/{type_id}",
    s.UpdateSignalTypeRequest,
    s.SignalType,
)
LIST_SIGNALS = Operation("list_signals", "GET", "/api/v1/signals", s.NoBody, s.SignalFeed)
GET_CALENDAR = Operation("get_calendar", "GET", "/api/calendar", s.NoBody, s.CalendarResponse)
LIST_SOCIAL_ACCOUNTS = Operation(
    "list_social_accounts", "GET", "/api/calendar/accounts", s.NoBody, s.SocialAccountsResponse
)
CREATE_SOCIAL_POST = Operation(
    "create_social_post",
    "POST",
    "/api/calendar/posts",
    s.CreateSocialPostRequest,
    s.SocialPostEnvelope,
)
LIST_SOCIAL_POSTS = Operation(
    "list_social_posts", "GET", "/api/calendar/posts", s.NoBody, s.SocialPostsResponse
)
GET_SETTINGS = Operation("get_settings", "GET", "/api/settings", s.NoBody, s.SettingsResponse)

# Importing leads into a list (the legacy sheet/rows generation, the only one with CSV and Sales
# Navigator imports). The previews write nothing; the confirms write rows.
PREVIEW_NEW_LIST_IMPORT = Operation(
    "preview_new_list_import",
    "POST",
    "/api/lists/create-with-import",
    s.NoBody,
    s.NewListImportPreview,
    accepts_file=True,
)
CONFIRM_NEW_LIST_IMPORT = Operation(
    "confirm_new_list_import",
    "PUT",
    "/api/lists/create-with-import",
    s.ConfirmNewListImportRequest,
    s.NewListImportResult,
    credit_action="IMPORT_LEAD",
)
PREVIEW_LIST_IMPORT = Operation(
    "preview_list_import",
    "POST",
    "/api/lists/{list_id}/import",
    s.NoBody,
    s.ListImportPreview,
    accepts_file=True,
)
# Documented as free: this route neither checks nor deducts credits.
CONFIRM_LIST_IMPORT = Operation(
    "confirm_list_import",
    "PUT",
    "/api/lists/{list_id}/import",
    s.ConfirmListImportRequest,
    s.ListImportResult,
)
GET_SALES_NAV_ACCESS = Operation(
    "get_sales_nav_access", "GET", "/api/lists/sales-nav-access", s.NoBody, s.SalesNavAccess
)
START_SALES_NAV_IMPORT = Operation(
    "start_sales_nav_import",
    "POST",
    "/api/lists/import-sales-nav",
    s.SalesNavImportRequest,
    s.SalesNavImportStarted,
    credit_action="IMPORT_LEAD",
    asynchronous=True,
)

CATALOG: tuple[Operation[Any, Any], ...] = (
    GET_ONBOARDING_STATUS,
    GET_CONTEXT,
    GET_CREDITS_CONFIG,
    PREVIEW_CREDITS,
    LIST_SENDERS,
    LIST_LISTS,
    LIST_ROWS,
    PARSE_LEAD_FILTERS,
    START_LEAD_SEARCH,
    GET_LEAD_SEARCH,
    ADD_SEARCH_TO_LIST,
    LIST_CAMPAIGNS,
    CREATE_CAMPAIGN,
    GET_CAMPAIGN,
    UPDATE_CAMPAIGN,
    UPDATE_SEQUENCE_NODE,
    ADD_CAMPAIGN_LEADS,
    IMPORT_CAMPAIGN_LEADS_FROM_LIST,
    GENERATE_MESSAGES,
    VALIDATE_CAMPAIGN,
    LAUNCH_CAMPAIGN,
    START_RESEARCH,
    GET_RESEARCH,
    LIST_CONVERSATIONS,
    LIST_CONVERSATION_MESSAGES,
    LIST_SIGNAL_TYPES,
    CREATE_SIGNAL_TYPE,
    UPDATE_SIGNAL_TYPE,
    LIST_SIGNALS,
    GET_CALENDAR,
    LIST_SOCIAL_ACCOUNTS,
    CREATE_SOCIAL_POST,
    LIST_SOCIAL_POSTS,
    GET_SETTINGS,
    PREVIEW_NEW_LIST_IMPORT,
    CONFIRM_NEW_LIST_IMPORT,
    PREVIEW_LIST_IMPORT,
    CONFIRM_LIST_IMPORT,
    GET_SALES_NAV_ACCESS,
    START_SALES_NAV_IMPORT,
)


def find_operation(method: str, path: str) -> Operation[Any, Any] | None:
    """The declared operation a concrete request belongs to, if any."""
    bare_path = path.split("?", 1)[0]
    return next((op for op in CATALOG if op.matches(method, bare_path)), None)
