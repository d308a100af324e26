"""Campaign endpoints: drafts, sequences, leads, message drafts, validation, launch and control.

Launching is asynchronous in Puffle (a background task flips `launching` to `active`); here the
flip is computed from the sandbox clock whenever the campaign is read, so no task runs and tests
only advance a fake clock.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox._core import (
    ApiError,
    CurrentWorkspace,
    CurrentWorld,
    World,
    bad_request,
    conflict,
    not_found,
)
from sandbox._leads import owned_list

router = APIRouter()

Channel = Literal["linkedin", "email"]
NodeType = Literal["connection_request", "message", "email", "delay", "ai", "end"]

NODE_TYPES_BY_CHANNEL: dict[str, frozenset[str]] = {
    "linkedin": frozenset({"connection_request", "message", "delay", "ai", "end"}),
    "email": frozenset({"email", "delay", "ai", "end"}),
}
SENDABLE_TYPES = frozenset({"connection_request", "message", "email", "ai"})
# The fields that apply to each node type; a node update ignores the others.
FIELDS_BY_NODE_TYPE: dict[str, frozenset[str]] = {
    "connection_request": frozenset({"body", "include_message"}),
    "message": frozenset({"body"}),
    "email": frozenset({"subject", "body", "is_reply"}),
    "delay": frozenset({"delay_days", "delay_hours", "delay_minutes"}),
    "ai": frozenset({"ai_node"}),
    "end": frozenset(),
}
MIN_DELAY_MINUTES = 1
MAX_DELAY_MINUTES = 30 * 24 * 60
_STATUS_ORDER = {"active": 0, "launching": 0, "paused": 0, "draft": 1, "completed": 1}
_MESSAGE_IDS = uuid.UUID("0b7d2f0e-1c55-4a8e-b1e3-8f4f5c2d9a61")
_VARIABLE = re.compile(r"%([a-z_]+(?:\.[A-Za-z0-9_]+)?)%|\{\{\s*([a-z_]+)\s*\}\}")


class _CreateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Channel
    name: str = Field(min_length=1)
    sender_account_ids: list[str] = Field(min_length=1)
    daily_limit: int | None = Field(default=None, ge=1, le=500)
    skip_other_campaigns: bool | None = None
    operating_hours: dict[str, Any] | None = None
    stop_on_reply: bool | None = None
    open_tracking: bool | None = None
    signature: str | None = None


class _NodeBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    position: int | None = None
    type: NodeType | None = None
    subject: str | None = None
    body: str | None = None
    signature: str | None = None
    include_message: bool | None = None
    is_reply: bool | None = None
    delay_days: int | None = Field(default=None, ge=0)
    delay_hours: int | None = Field(default=None, ge=0)
    delay_minutes: int | None = Field(default=None, ge=0)
    ai_node: dict[str, Any] | None = None


class _AiNodeBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    purpose: str | None = None
    output_type: str | None = None


class _NodeUpdateBody(BaseModel):
    # `type`, `position` and `campaign_id` are immutable: sent anyway, they are ignored.
    model_config = ConfigDict(extra="ignore")

    subject: str | None = None
    body: str | None = None
    include_message: bool | None = None
    is_reply: bool | None = None
    delay_days: int | None = Field(default=None, ge=0)
    delay_hours: int | None = Field(default=None, ge=0)
    delay_minutes: int | None = Field(default=None, ge=0)
    ai_node: _AiNodeBody | None = None


class _UpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, min_length=1)
    daily_limit: int | None = Field(default=None, ge=1, le=500)
    operating_hours: dict[str, Any] | None = None
    skip_other_campaigns: bool | None = None
    stop_on_reply: bool | None = None
    open_tracking: bool | None = None
    signature: str | None = None
    sender_account_ids: list[str] | None = None
    sequence_nodes: list[_NodeBody] | None = None
    account_limits: list[dict[str, Any]] | None = None


class _ProspectBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str | None = None
    linkedin_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    position: str | None = None
    headline: str | None = None
    custom_fields: dict[str, Any] | None = None


class _AddLeadsBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prospects: list[_ProspectBody] = Field(min_length=1, max_length=1000)


class _ImportBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    listId: str = Field(min_length=1)


class _GenerateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: Literal["resolve", "generate_ai"]
    node_id: str | None = None
    prospect_ids: list[str] | None = None


# Reading campaigns


def _owned(world: World, workspace: str, campaign_id: str) -> dict[str, Any]:
    campaign = world.store.get("campaign", campaign_id, workspace)
    if campaign is None:
        raise not_found("Campaign")
    return refresh_campaign(world, workspace, campaign)


def refresh_campaign(world: World, workspace: str, campaign: dict[str, Any]) -> dict[str, Any]:
    """Finish a launch whose time has come: `launching` becomes `active`, or `completed`."""
    if campaign["status"] != "launching":
        return campaign
    if world.now() < campaign["_launched_at"] + world.timings.launch_seconds:
        return campaign

    pending = _prospects(world, workspace, campaign["id"])
    campaign["status"] = "active" if pending else "completed"
    campaign["updated_at"] = world.now_iso()
    world.store.put("campaign", campaign["id"], workspace, campaign)
    return campaign


def _prospects(world: World, workspace: str, campaign_id: str) -> list[dict[str, Any]]:
    return world.store.find("prospect", workspace, campaign_id)


def _senders_of(world: World, workspace: str, campaign: dict[str, Any]) -> list[dict[str, Any]]:
    senders: list[dict[str, Any]] = []
    for sender_id in campaign["_sender_ids"]:
        sender = world.store.get("sender", sender_id, workspace)
        if sender is not None:
            senders.append(sender)
    return senders


def _flat_sender(sender: dict[str, Any]) -> dict[str, Any]:
    fields = (
        "id", "type", "email_address", "provider_account_id", "display_name", "first_name",
        "last_name", "status", "daily_limit", "weekly_connection_limit", "weekly_message_limit",
        "is_premium",
    )  # fmt: skip
    return {field: sender.get(field) for field in fields}


def public_campaign(
    world: World, workspace: str, campaign: dict[str, Any], *, with_nodes: bool = False
) -> dict[str, Any]:
    public = {key: value for key, value in campaign.items() if not key.startswith("_")}
    public["sender_accounts"] = [_flat_sender(s) for s in _senders_of(world, workspace, campaign)]
    public["node_count"] = len(campaign["_nodes"])
    if with_nodes:
        public["sequence_nodes"] = campaign["_nodes"]
    return public


def _name_taken(world: World, workspace: str, name: str, except_id: str | None = None) -> bool:
    return any(
        other["name"] == name and other["id"] != except_id
        for other in world.store.find("campaign", workspace)
    )


def _check_senders(world: World, workspace: str, channel: str, sender_ids: list[str]) -> list[str]:
    if not sender_ids:
        raise bad_request("sender_account_ids must name at least one sender")
    for sender_id in sender_ids:
        sender = world.store.get("sender", sender_id, workspace)
        if sender is None:
            raise bad_request(f"Sender account {sender_id} does not exist")
        if sender["type"] != channel:
            raise bad_request(
                f"Sender account {sender_id} is a {sender['type']} account; "
                f"this is a {channel} campaign"
            )
    return list(dict.fromkeys(sender_ids))


# Sequences


def _node(campaign_id: str, position: int, values: dict[str, Any]) -> dict[str, Any]:
    node_type = values["type"]
    return {
        "id": values.get("id") or str(uuid.uuid4()),
        "campaign_id": campaign_id,
        "position": position,
        "type": node_type,
        "subject": values.get("subject") if node_type == "email" else None,
        "body": values.get("body")
        if node_type in {"connection_request", "message", "email"}
        else None,
        "include_message": values.get("include_message")
        if node_type == "connection_request"
        else None,
        "is_reply": values.get("is_reply") if node_type == "email" else None,
        "delay_days": values.get("delay_days") if node_type == "delay" else None,
        "delay_hours": values.get("delay_hours") if node_type == "delay" else None,
        "delay_minutes": values.get("delay_minutes") if node_type == "delay" else None,
        "ai_node": values.get("ai_node") if node_type == "ai" else None,
    }


def _default_nodes(campaign_id: str, channel: str) -> list[dict[str, Any]]:
    first: dict[str, Any] = (
        {"type": "connection_request", "body": "", "include_message": True}
        if channel == "linkedin"
        else {"type": "email", "subject": "", "body": "", "is_reply": False}
    )
    return [_node(campaign_id, 0, first), _node(campaign_id, 1, {"type": "end"})]


def _delay_minutes(node: dict[str, Any]) -> int:
    days = node.get("delay_days") or 0
    hours = node.get("delay_hours") or 0
    minutes = node.get("delay_minutes") or 0
    return days * 24 * 60 + hours * 60 + minutes


def _delay_problem(node: dict[str, Any]) -> str | None:
    total = _delay_minutes(node)
    if MIN_DELAY_MINUTES <= total <= MAX_DELAY_MINUTES:
        return None
    return (
        f"Delay at position {node['position']} is {total} minutes; "
        "it must be between 1 minute and 30 days"
    )


def _new_sequence(campaign: dict[str, Any], nodes: list[_NodeBody]) -> list[dict[str, Any]]:
    """The whole replacement sequence, or 400 before anything is written."""
    if not nodes:
        raise bad_request("sequence_nodes must not be empty")

    existing = {node["id"]: node for node in campaign["_nodes"]}
    allowed = NODE_TYPES_BY_CHANNEL[campaign["type"]]
    sequence: list[dict[str, Any]] = []
    for position, node_body in enumerate(nodes):
        values = node_body.model_dump(exclude_none=True)
        known = existing.get(node_body.id or "")
        if "type" not in values:
            if known is None:
                raise bad_request(f"sequence_nodes[{position}] needs a type")
            values["type"] = known["type"]
        if values["type"] not in allowed:
            raise bad_request(
                f"sequence_nodes[{position}]: a {campaign['type']} campaign cannot have a "
                f"{values['type']} node"
            )
        if node_body.id is not None and known is None:
            values.pop("id")
        node = _node(campaign["id"], position, values)
        if node["type"] == "delay" and (problem := _delay_problem(node)):
            raise bad_request(problem)
        if known is not None and known["type"] == node["type"] == "ai" and not node["ai_node"]:
            # A kept AI step keeps its brief: the node endpoint sets it, not this PATCH.
            node["ai_node"] = known["ai_node"]
        sequence.append(node)

    end_positions = [node["position"] for node in sequence if node["type"] == "end"]
    if end_positions != [len(sequence) - 1]:
        raise bad_request("The sequence must finish with exactly one end node")
    return sequence


# Campaign CRUD


@router.get("/api/campaigns")
async def list_campaigns(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    campaigns = [
        refresh_campaign(world, workspace, campaign)
        for campaign in world.store.find("campaign", workspace)
    ]
    campaigns.sort(key=lambda campaign: _STATUS_ORDER.get(campaign["status"], 2))
    return {"campaigns": [public_campaign(world, workspace, c) for c in campaigns]}


@router.post("/api/campaigns", status_code=201)
async def create_campaign(
    body: _CreateBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    if _name_taken(world, workspace, body.name):
        raise conflict(f"A campaign named {body.name!r} already exists")
    sender_ids = _check_senders(world, workspace, body.type, body.sender_account_ids)

    campaign_id = world.new_id()
    now = world.now_iso()
    is_email = body.type == "email"
    campaign: dict[str, Any] = {
        "id": campaign_id,
        "user_id": world.store.workspace(workspace)["user_id"],
        "type": body.type,
        "name": body.name,
        "status": "draft",
        # Fields that belong to the other channel come back null, as the docs show.
        "daily_limit": body.daily_limit if is_email else None,
        "stop_on_reply": body.stop_on_reply if is_email else None,
        "open_tracking": body.open_tracking if is_email else None,
        "signature": body.signature if is_email else None,
        "skip_other_campaigns": None if is_email else bool(body.skip_other_campaigns),
        "operating_hours": body.operating_hours,
        "stats": None,
        "created_at": now,
        "updated_at": now,
        "_sender_ids": sender_ids,
        "_nodes": _default_nodes(campaign_id, body.type),
        "_launched_at": None,
        "_ai_nodes": [],
    }
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {"campaign": public_campaign(world, workspace, campaign, with_nodes=True)}


@router.get("/api/campaigns/{campaign_id}")
async def get_campaign(
    campaign_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    prospects = _prospects(world, workspace, campaign_id)

    by_status: dict[str, int] = {}
    by_node: dict[str, dict[str, int]] = {}
    for prospect in prospects:
        by_status[prospect["status"]] = by_status.get(prospect["status"], 0) + 1
        node_key = prospect.get("current_node_id") or "__none__"
        counts = by_node.setdefault(node_key, {})
        counts[prospect["status"]] = counts.get(prospect["status"], 0) + 1
    return {
        "campaign": public_campaign(world, workspace, campaign),
        "sequence_nodes": campaign["_nodes"],
        "prospects_by_status": by_status,
        "prospects_by_node": by_node,
    }


@router.patch("/api/campaigns/{campaign_id}")
async def update_campaign(
    campaign_id: str, body: _UpdateBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    is_draft = campaign["status"] == "draft"
    is_email = campaign["type"] == "email"

    # Everything is checked before anything is written: a 400 leaves the campaign untouched.
    if body.name is not None and _name_taken(world, workspace, body.name, campaign_id):
        raise conflict(f"A campaign named {body.name!r} already exists")
    sequence = None
    if is_draft and body.sequence_nodes is not None:
        sequence = _new_sequence(campaign, body.sequence_nodes)
    sender_ids = None
    if is_draft and body.sender_account_ids is not None:
        sender_ids = _check_senders(world, workspace, campaign["type"], body.sender_account_ids)

    if body.name is not None:
        campaign["name"] = body.name
    if body.operating_hours is not None:
        campaign["operating_hours"] = body.operating_hours
    if is_email and body.daily_limit is not None:
        campaign["daily_limit"] = body.daily_limit
    if is_email and body.account_limits is not None:
        campaign["account_limits"] = body.account_limits
    if is_draft:
        if not is_email and body.skip_other_campaigns is not None:
            campaign["skip_other_campaigns"] = body.skip_other_campaigns
        if is_email:
            for field in ("stop_on_reply", "open_tracking", "signature"):
                if (value := getattr(body, field)) is not None:
                    campaign[field] = value
        if sender_ids is not None:
            campaign["_sender_ids"] = sender_ids
        if sequence is not None:
            campaign["_nodes"] = sequence
    campaign["updated_at"] = world.now_iso()
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {"campaign": public_campaign(world, workspace, campaign, with_nodes=True)}


@router.put("/api/campaigns/{campaign_id}/sequence/nodes/{node_id}")
async def update_sequence_node(
    campaign_id: str,
    node_id: str,
    body: _NodeUpdateBody,
    world: CurrentWorld,
    workspace: CurrentWorkspace,
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    _require_draft(campaign, "updating a sequence node")
    node = next((n for n in campaign["_nodes"] if n["id"] == node_id), None)
    if node is None:
        raise not_found("Sequence node")

    # Partial: only the keys sent change, and only those that apply to the node's type. Delay
    # bounds are not checked here; the PATCH and the launch check them.
    applicable = FIELDS_BY_NODE_TYPE[node["type"]]
    for field, value in body.model_dump(exclude_unset=True).items():
        if field not in applicable:
            continue
        if field == "ai_node":
            if value is None:
                continue
            # The AI extension is created by its first write.
            current = node.get("ai_node") or {"purpose": None, "output_type": None}
            node["ai_node"] = {**current, **value}
        else:
            node[field] = value
    campaign["updated_at"] = world.now_iso()
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {"node": node}


# Leads


def normalise_linkedin_url(url: str | None) -> str | None:
    if not url:
        return None
    bare = url.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return bare or None


def normalise_email(email: str | None) -> str | None:
    if not email:
        return None
    cleaned = email.strip().lower()
    return cleaned if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", cleaned) else None


def _identity(channel: str, prospect: dict[str, Any]) -> str | None:
    return prospect["linkedin_url"] if channel == "linkedin" else prospect["email"]


def _require_draft(campaign: dict[str, Any], doing: str) -> None:
    if campaign["status"] != "draft":
        raise bad_request(f"Campaign is {campaign['status']}; {doing} needs a draft campaign")


def _prospect_record(
    world: World,
    workspace: str,
    campaign_id: str,
    fields: dict[str, Any],
    *,
    source: str,
    source_ref: str | None = None,
) -> dict[str, Any]:
    now = world.now_iso()
    first, last = fields.get("first_name"), fields.get("last_name")
    return {
        "id": world.new_id(),
        "campaign_id": campaign_id,
        "user_id": world.store.workspace(workspace)["user_id"],
        "status": "pending",
        "email": normalise_email(fields.get("email")),
        "linkedin_url": normalise_linkedin_url(fields.get("linkedin_url")),
        "first_name": first,
        "last_name": last,
        "name": " ".join(part for part in (first, last) if part) or None,
        "company": fields.get("company"),
        "position": fields.get("position"),
        "headline": fields.get("headline"),
        "custom_fields": fields.get("custom_fields") or {},
        "source": source,
        "source_ref": source_ref,
        "current_node_id": None,
        "created_at": now,
        "updated_at": now,
    }


@router.post("/api/campaigns/{campaign_id}/leads")
async def add_campaign_leads(
    campaign_id: str, body: _AddLeadsBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    _require_draft(campaign, "adding leads")
    channel = campaign["type"]

    records = [
        _prospect_record(world, workspace, campaign_id, row.model_dump(), source="api")
        for row in body.prospects
    ]
    identity_field = "linkedin_url" if channel == "linkedin" else "email"
    for index, record in enumerate(records):
        if _identity(channel, record) is None:
            raise bad_request(f"prospects[{index}] has no valid {identity_field}")

    seen = {_identity(channel, p) for p in _prospects(world, workspace, campaign_id)}
    fresh: list[dict[str, Any]] = []
    for record in records:
        identity = _identity(channel, record)
        if identity not in seen:
            seen.add(identity)
            fresh.append(record)
    world.store.put_many("prospect", workspace, campaign_id, fresh)
    return {"imported": len(fresh), "duplicates": len(records) - len(fresh)}


@router.post("/api/campaigns/{campaign_id}/leads/import-from-list")
async def import_leads_from_list(
    campaign_id: str, body: _ImportBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> Any:
    campaign = _owned(world, workspace, campaign_id)
    _require_draft(campaign, "importing leads")
    owned_list(world, workspace, body.listId)
    channel = campaign["type"]

    rows = world.store.find("row", workspace, body.listId)
    seen = {_identity(channel, p) for p in _prospects(world, workspace, campaign_id)}
    fresh: list[dict[str, Any]] = []
    invalid = duplicates = 0
    for row in rows:
        profile: dict[str, Any] = row.get("profileData") or {}
        enrichment: dict[str, Any] = profile.get("enrichment") or {}
        url = row.get("linkedinUrl") or ""
        fields = {
            "linkedin_url": None if "/in/imported-" in url else url,
            "email": profile.get("email") or enrichment.get("work_email"),
            "first_name": profile.get("firstName"),
            "last_name": profile.get("lastName"),
            "company": profile.get("currentCompany"),
            "position": profile.get("currentRole"),
            "headline": profile.get("headline"),
        }
        record = _prospect_record(
            world, workspace, campaign_id, fields, source="list", source_ref=body.listId
        )
        identity = _identity(channel, record)
        if identity is None:
            invalid += 1
        elif identity in seen:
            duplicates += 1
        else:
            seen.add(identity)
            fresh.append(record)
    world.store.put_many("prospect", workspace, campaign_id, fresh)

    counts = {
        "imported": len(fresh),
        "duplicates": duplicates,
        "invalid": invalid,
        "errors": 0,
        "total": len(rows),
    }
    if not fresh:
        raise ApiError(
            422, "unprocessable", "No leads could be imported from the list", extra=counts
        )
    return counts


# Message drafts


def _render(template: str | None, prospect: dict[str, Any], sender_first: str) -> str:
    if not template:
        return ""
    values: dict[str, str] = {
        "first_name": prospect.get("first_name") or "",
        "last_name": prospect.get("last_name") or "",
        "company": prospect.get("company") or "",
        "position": prospect.get("position") or "",
        "sender_first": sender_first,
    }

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name.startswith("custom_fields."):
            return str(prospect.get("custom_fields", {}).get(name.split(".", 1)[1], ""))
        return values.get(name, match.group(0))

    return _VARIABLE.sub(substitute, template)


def _targets(
    world: World, workspace: str, campaign: dict[str, Any], prospect_ids: list[str] | None
) -> list[dict[str, Any]]:
    prospects = _prospects(world, workspace, campaign["id"])
    if prospect_ids is None:
        return prospects
    wanted = set(prospect_ids)
    return [prospect for prospect in prospects if prospect["id"] in wanted]


def _message_id(campaign_id: str, prospect_id: str, node_id: str) -> str:
    # One draft per (campaign, lead, node): resolve upserts on that key.
    return str(uuid.uuid5(_MESSAGE_IDS, f"{campaign_id}/{prospect_id}/{node_id}"))


def _resolve_messages(
    world: World, workspace: str, campaign: dict[str, Any], body: _GenerateBody
) -> list[dict[str, Any]]:
    nodes = [n for n in campaign["_nodes"] if n["type"] in SENDABLE_TYPES - {"ai"}]
    if body.node_id is not None:
        nodes = [n for n in nodes if n["id"] == body.node_id]
        if not nodes:
            raise bad_request(f"Node {body.node_id} is not a sendable node of this campaign")
    senders = _senders_of(world, workspace, campaign)
    sender_first = (senders[0].get("first_name") or "") if senders else ""

    existing = {m["id"]: m for m in world.store.find("message", workspace, campaign["id"])}
    messages: list[dict[str, Any]] = []
    for prospect in _targets(world, workspace, campaign, body.prospect_ids):
        for node in nodes:
            message_id = _message_id(campaign["id"], prospect["id"], node["id"])
            kept = existing.get(message_id)
            if kept is not None and kept["manually_edited"]:
                messages.append(kept)
                continue
            messages.append(
                {
                    "id": message_id,
                    "campaign_id": campaign["id"],
                    "prospect_id": prospect["id"],
                    "node_id": node["id"],
                    "subject": _render(node.get("subject"), prospect, sender_first) or None,
                    "body_text": _render(node.get("body"), prospect, sender_first),
                    "status": "draft",
                    "manually_edited": False,
                    "created_at": kept["created_at"] if kept else world.now_iso(),
                }
            )
    world.store.put_many("message", workspace, campaign["id"], messages)
    return messages


@router.post("/api/campaigns/{campaign_id}/generate-messages")
async def generate_messages(
    campaign_id: str, body: _GenerateBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    _require_draft(campaign, "generating messages")
    if body.action == "resolve":
        return {"messages": _resolve_messages(world, workspace, campaign, body)}

    node = next((n for n in campaign["_nodes"] if n["id"] == body.node_id), None)
    if node is None or node["type"] != "ai":
        raise bad_request("generate_ai needs node_id naming an ai node of this campaign")
    targets = _targets(world, workspace, campaign, body.prospect_ids)
    if not targets:
        raise bad_request("No leads to generate messages for")

    # The charge is all or nothing, and it happens before any draft is touched.
    world.charge(workspace, "AI_MESSAGE_GENERATION", len(targets))
    # Puffle queues the writing; here it is done at once, so the drafts exist when this answers.
    world.store.put_many(
        "message", workspace, campaign_id, _ai_messages(world, workspace, campaign, node, targets)
    )
    campaign["_ai_nodes"] = sorted({*campaign["_ai_nodes"], node["id"]})
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {"messages": [], "queued": len(targets), "runId": "run_" + secrets.token_hex(6)}


def _ai_messages(
    world: World,
    workspace: str,
    campaign: dict[str, Any],
    node: dict[str, Any],
    prospects: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A stand-in for Puffle's AI writer: one fresh draft per lead, replacing any earlier one.

    The text varies with the lead, so that tests can tell the drafts apart.
    """
    senders = _senders_of(world, workspace, campaign)
    sender_first = (senders[0].get("first_name") or "") if senders else ""
    writes_email = (node.get("ai_node") or {}).get("output_type") == "email"

    messages: list[dict[str, Any]] = []
    for prospect in prospects:
        first = prospect.get("first_name") or "there"
        company = prospect.get("company") or "your team"
        role = f" as {prospect['position']}" if prospect.get("position") else ""
        sign_off = f"\n\n{sender_first}" if sender_first else ""
        messages.append(
            {
                "id": _message_id(campaign["id"], prospect["id"], node["id"]),
                "campaign_id": campaign["id"],
                "prospect_id": prospect["id"],
                "node_id": node["id"],
                "subject": f"A thought for {company}" if writes_email else None,
                "body_text": f"Hi {first}, your work{role} at {company} caught my eye. Would a "
                f"short call to compare notes be useful?{sign_off}",
                "status": "draft",
                "manually_edited": False,
                "created_at": world.now_iso(),
            }
        )
    return messages


# Validation and launch


def _node_has_content(node: dict[str, Any]) -> bool:
    if node["type"] == "email":
        return bool(node.get("subject")) and bool(node.get("body"))
    if node["type"] == "message":
        return bool(node.get("body"))
    if node["type"] == "connection_request":
        # A connection request may go out without a note when the note is switched off.
        return node.get("include_message") is False or bool(node.get("body"))
    return True


def _sender_ready(sender: dict[str, Any]) -> bool:
    if sender["type"] == "linkedin":
        return sender["status"] == "connected"
    return sender["status"] in {"active", "warming"}


def readiness(world: World, workspace: str, campaign: dict[str, Any]) -> dict[str, Any]:
    """The validate report: checks, blocking errors and warnings."""
    if campaign["status"] != "draft":
        return {
            "ready": False,
            "checks": {"is_draft": False},
            "errors": [f"Campaign is {campaign['status']} — must be draft to launch"],
            "warnings": [],
        }

    errors: list[str] = []
    warnings: list[str] = []
    senders = _senders_of(world, workspace, campaign)
    unready = [s for s in senders if not _sender_ready(s)]
    pending = [p for p in _prospects(world, workspace, campaign["id"]) if p["status"] == "pending"]
    nodes: list[dict[str, Any]] = campaign["_nodes"]
    sendable = [n for n in nodes if n["type"] in SENDABLE_TYPES]
    empty = [n for n in sendable if not _node_has_content(n)]
    messages = world.store.find("message", workspace, campaign["id"])
    ai_nodes = [n for n in sendable if n["type"] == "ai"]
    # Inferred, not documented: launch refuses nodes with missing content, and an AI step with no
    # purpose has nothing to write from. Missing generated drafts are only a warning (documented).
    ai_without_brief = [n for n in ai_nodes if not (n.get("ai_node") or {}).get("purpose")]
    ai_without_examples = [n for n in ai_nodes if n["id"] not in campaign["_ai_nodes"]]

    if not senders:
        errors.append("Campaign has no sender accounts")
    for sender in unready:
        errors.append(f"Sender {sender.get('display_name') or sender['id']} is {sender['status']}")
    if not pending:
        errors.append("Campaign has no pending leads")
    if not sendable:
        errors.append("Sequence has no sendable nodes")
    if empty:
        positions = ", ".join(str(n["position"]) for n in empty)
        errors.append(f"Nodes missing content at positions {positions}")
    for node in ai_without_brief:
        errors.append(f"AI node at position {node['position']} has no ai_node purpose")
    if not nodes or nodes[-1]["type"] != "end":
        errors.append("Sequence has no end node")
    errors.extend(p for n in nodes if n["type"] == "delay" and (p := _delay_problem(n)))
    if not messages:
        warnings.append("No messages generated yet; they will be generated at launch")
    for node in ai_without_examples:
        warnings.append(f"AI node at position {node['position']} has no generated examples")

    checks = {
        "is_draft": True,
        "has_sender_accounts": bool(senders),
        "sender_accounts_ready": bool(senders) and not unready,
        "has_prospects": bool(pending),
        "prospect_count": len(pending),
        "has_sendable_nodes": bool(sendable),
        "all_nodes_have_content": not empty,
        "messages_generated": bool(messages),
        "message_count": len(messages),
    }
    return {"ready": not errors, "checks": checks, "errors": errors, "warnings": warnings}


@router.get("/api/campaigns/{campaign_id}/validate")
async def validate_campaign(
    campaign_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    return readiness(world, workspace, _owned(world, workspace, campaign_id))


@router.post("/api/campaigns/{campaign_id}/launch")
async def launch_campaign(
    campaign_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    if (
        campaign["status"] == "launching"
        and world.now() - campaign["_launched_at"] < world.timings.launch_conflict_window
    ):
        raise conflict("A launch of this campaign is already in progress")

    report = readiness(world, workspace, campaign)
    errors: list[str] = list(report["errors"])
    # Launch is stricter than validate about email senders: warmup must be over, inbox set.
    for sender in _senders_of(world, workspace, campaign):
        if sender["type"] == "email" and sender["status"] != "active":
            errors.append(
                f"Email sender {sender['email_address']} is not active (warmup incomplete)"
            )
        elif sender["type"] == "email" and not sender.get("agentmail_inbox_id"):
            errors.append(f"Email sender {sender['email_address']} is missing AgentMail inbox")
    if errors:
        raise ApiError(400, "invalid_request", "; ".join(errors), extra={"errors": errors})

    pending = report["checks"]["prospect_count"]
    campaign.update(
        status="launching",
        updated_at=world.now_iso(),
        stats={
            "total": pending,
            "sent": 0,
            "replied": 0,
            "bounced": 0,
            "completed": 0,
            "timed_out": 0,
            "connection_sent": 0,
            "connected": 0,
            "message_sent": 0,
        },
        _launched_at=world.now(),
    )
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {
        "success": True,
        "message": "Campaign launch started",
        "runId": "run_" + secrets.token_hex(6),
        "prospectsToProcess": pending,
    }


def _set_status(
    world: World, workspace: str, campaign_id: str, *, expected: str, new: str, refusal: str
) -> dict[str, Any]:
    campaign = _owned(world, workspace, campaign_id)
    if campaign["status"] != expected:
        raise bad_request(refusal)

    campaign["status"] = new
    campaign["updated_at"] = world.now_iso()
    world.store.put("campaign", campaign_id, workspace, campaign)
    return {"campaign": public_campaign(world, workspace, campaign)}


@router.post("/api/campaigns/{campaign_id}/pause")
async def pause_campaign(
    campaign_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    return _set_status(
        world,
        workspace,
        campaign_id,
        expected="active",
        new="paused",
        refusal="Only active campaigns can be paused",
    )


@router.post("/api/campaigns/{campaign_id}/resume")
async def resume_campaign(
    campaign_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    return _set_status(
        world,
        workspace,
        campaign_id,
        expected="paused",
        new="active",
        refusal="Only paused campaigns can be resumed",
    )


def campaign_snapshot(world: World, workspace: str) -> list[dict[str, Any]]:
    """Every campaign with its sequence, leads and lead count, for tests and evals."""
    snapshot: list[dict[str, Any]] = []
    for campaign in world.store.find("campaign", workspace):
        campaign = refresh_campaign(world, workspace, campaign)
        prospects = _prospects(world, workspace, campaign["id"])
        snapshot.append(
            {
                **public_campaign(world, workspace, campaign, with_nodes=True),
                "leads_count": len(prospects),
                "leads": prospects,
                "messages_count": len(world.store.find("message", workspace, campaign["id"])),
            }
        )
    return snapshot
