"""Social posting through the content calendar, and the workspace settings (timezone).

One calendar per workspace, created on the first `GET /api/calendar`. Connected accounts come
from the seed (an agent never connects one). A post is validated as the docs describe before it
is stored: content required, at least one of the workspace's accounts, a future `scheduled_at`
(one minute of grace) for a scheduled post, and content within the platform's length limit. A
post to a LinkedIn account is mirrored to Late at once (`late_post_id` set); others are not.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from sandbox._core import (
    CurrentWorkspace,
    CurrentWorld,
    World,
    bad_request,
    json_object_body,
    string_list,
)
from sandbox.seeds import seed_id, social_seed

router = APIRouter()

SCHEDULE_GRACE_SECONDS = 60.0
# Characters per post; the platforms' own limits.
LENGTH_LIMITS = {"linkedin": 3000, "twitter": 280}
POST_STATUSES = ("draft", "scheduled", "posted")
_CALENDAR = "calendar"
_POST = "social_post"


def calendar_of(world: World, workspace: str) -> dict[str, Any]:
    found = world.store.get(_CALENDAR, seed_id(workspace, "calendar"), workspace)
    if found is not None:
        return found
    now = world.now_iso()
    calendar = {
        "id": seed_id(workspace, "calendar"),
        "user_id": world.store.workspace(workspace)["user_id"],
        "name": "My Content Calendar",
        "created_at": now,
        "updated_at": now,
    }
    world.store.put(_CALENDAR, calendar["id"], workspace, calendar)
    return calendar


def social_posts(world: World, workspace: str) -> list[dict[str, Any]]:
    return world.store.find(_POST, workspace)


@router.get("/api/calendar")
async def get_calendar(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    return {"calendar": calendar_of(world, workspace)}


@router.get("/api/calendar/accounts")
async def list_social_accounts(workspace: CurrentWorkspace) -> dict[str, Any]:
    return {"accounts": [dict(account) for account in social_seed(workspace).accounts]}


@router.get("/api/calendar/posts")
async def list_social_posts(
    world: CurrentWorld, workspace: CurrentWorkspace, status: str | None = None
) -> dict[str, Any]:
    if status is not None and status not in POST_STATUSES:
        raise bad_request(f"status must be one of: {', '.join(POST_STATUSES)}")
    accounts = {a["id"]: a for a in social_seed(workspace).accounts}

    posts = [
        p
        for p in social_posts(world, workspace)
        if p["archived_at"] is None and (status is None or p["status"] == status)
    ]
    posts.sort(key=lambda p: p["scheduled_at"] or "")
    enriched: list[dict[str, Any]] = []
    for post in posts:
        first = accounts.get(post["account_ids"][0]) if post["account_ids"] else None
        enriched.append(
            {
                **post,
                "account_display_name": first["displayName"] if first else None,
                "account_profile_picture": first["profilePicture"] if first else None,
            }
        )
    return {"posts": enriched}


@router.post("/api/calendar/posts")
async def create_social_post(
    request: Request, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    body = await json_object_body(request)
    accounts = {a["id"]: a for a in social_seed(workspace).accounts}

    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise bad_request("content is required")
    status = body.get("status", "draft")
    if status not in POST_STATUSES:
        raise bad_request(f"status must be one of: {', '.join(POST_STATUSES)}")
    account_ids = string_list(body.get("account_ids") or [], "account_ids")
    if not account_ids:
        raise bad_request("account_ids must name at least one connected account")
    unknown = [i for i in account_ids if i not in accounts]
    if unknown:
        raise bad_request(f"unknown account ids: {unknown}")
    targets = [accounts[i] for i in account_ids]
    for account in targets:
        limit = LENGTH_LIMITS.get(account["platform"])
        if limit is not None and len(content) > limit:
            raise bad_request(
                f"content is {len(content)} characters; {account['platform']} allows {limit}"
            )
    scheduled_at = body.get("scheduled_at")
    if status == "scheduled":
        if not isinstance(scheduled_at, str):
            raise bad_request("scheduled_at is required when status is scheduled")
        moment = _moment(scheduled_at)
        if moment < world.now() - SCHEDULE_GRACE_SECONDS:
            raise bad_request("scheduled_at must be in the future")

    now = world.now_iso()
    mirrored = any(account["platform"] == "linkedin" for account in targets)
    post_id = world.new_id()
    post = {
        "id": post_id,
        "calendar_id": calendar_of(world, workspace)["id"],
        "title": body.get("title"),
        "content": content,
        "hashtags": body.get("hashtags") or [],
        "channels": sorted({account["platform"] for account in targets}),
        "scheduled_at": scheduled_at,
        "account_ids": account_ids,
        "status": status,
        "late_post_id": "late_" + secrets.token_hex(6) if mirrored else None,
        "media_items": body.get("media_items") or [],
        "archived_at": None,
        "created_at": now,
        "updated_at": now,
    }
    world.store.put(_POST, post_id, workspace, post)
    return {"post": post}


@router.get("/api/settings")
async def get_settings(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    zone, is_default = social_seed(workspace).timezone
    senders = world.store.find("sender", workspace)
    return {
        "timezone": {"timezone": zone, "isDefault": is_default},
        "admin": None,
        "campaign_accounts": [
            {"id": s["id"], "type": s["type"], "status": s["status"]} for s in senders
        ],
    }


def _moment(value: str) -> float:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request("scheduled_at must be an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise bad_request("scheduled_at must carry a UTC offset or Z")
    return parsed.timestamp()
