"""The reply inbox, OLD generation: `GET /api/conversations` and its messages.

In Puffle a conversation is created by an inbound webhook when a lead answers a campaign, so a
workspace whose campaigns never launched has none; the sandbox has only what its seed put there.
The list is newest activity first and filters by `status`, `channel` and `campaign_id`; the
messages endpoint reads without side effects (it does not reset `unread_count`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sandbox._core import CurrentWorkspace, CurrentWorld, bad_request, not_found
from sandbox._store import Store
from sandbox.seeds import conversation_seed, seed_id

router = APIRouter()

MAX_CONVERSATIONS_PAGE = 100
MAX_MESSAGES_PAGE = 200


def seed_conversations(store: Store, workspace: str, user_id: str) -> None:
    """The launched campaign and the conversations a seed starts with, if any."""
    seeded = conversation_seed(workspace)
    if seeded is None:
        return
    campaign = seeded["campaign"]
    store.put("campaign", campaign["id"], workspace, campaign)

    for index, thread in enumerate(seeded["conversations"]):
        conversation_id = seed_id(workspace, "conversation", index)
        messages = [
            {
                "id": seed_id(workspace, f"message{index}", position),
                "user_id": user_id,
                "conversation_id": conversation_id,
                "campaign_id": campaign["id"],
                "direction": direction,
                "message_type": thread["channel"],
                "subject": None,
                "body_text": text,
                "body_html": None,
                "sender_name": thread["name"] if direction == "inbound" else "Maya Okafor",
                "sender_identifier": None,
                "external_id": None,
                "sent_at": sent_at,
                "created_at": sent_at,
            }
            for position, (direction, text, sent_at) in enumerate(thread["messages"])
        ]
        last = messages[-1]
        conversation = {
            "id": conversation_id,
            "user_id": user_id,
            "account_id": campaign["_sender_ids"][0],
            "channel": thread["channel"],
            "status": "active",
            "external_id": None,
            "participant_name": thread["name"],
            "participant_email": thread.get("email"),
            "participant_linkedin_url": thread.get("linkedin_url"),
            "participant_company": thread["company"],
            "last_message_at": last["sent_at"],
            "unread_count": sum(1 for m in messages if m["direction"] == "inbound"),
            "created_at": messages[0]["sent_at"],
            "updated_at": last["sent_at"],
            "last_message_snippet": (last["body_text"] or "")[:100],
            "last_message_direction": last["direction"],
            "_campaign_id": campaign["id"],
            "_messages": messages,
        }
        store.put("conversation", conversation_id, workspace, conversation, parent=campaign["id"])


def _public(conversation: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in conversation.items() if not key.startswith("_")}


def _page_bounds(page: int, limit: int, most: int) -> tuple[int, int]:
    if page < 1:
        raise bad_request("page must be 1 or more")
    if not 1 <= limit <= most:
        raise bad_request(f"limit must be between 1 and {most}")
    start = (page - 1) * limit
    return start, start + limit


@router.get("/api/conversations")
async def list_conversations(
    world: CurrentWorld,
    workspace: CurrentWorkspace,
    status: str | None = None,
    channel: str | None = None,
    campaign_id: str | None = None,
    page: int = 1,
    limit: int = 50,
) -> dict[str, Any]:
    start, end = _page_bounds(page, limit, MAX_CONVERSATIONS_PAGE)

    found = world.store.find("conversation", workspace)
    if status in {"active", "archived"}:
        found = [c for c in found if c["status"] == status]
    # The docs say other channel values are ignored rather than refused.
    if channel in {"linkedin", "email"}:
        found = [c for c in found if c["channel"] == channel]
    if campaign_id is not None:
        found = [c for c in found if c["_campaign_id"] == campaign_id]
    found.sort(key=lambda c: c["last_message_at"] or "", reverse=True)

    return {
        "conversations": [_public(c) for c in found[start:end]],
        "total": len(found),
        "page": page,
        "limit": limit,
    }


@router.get("/api/conversations/{conversation_id}/messages")
async def list_conversation_messages(
    conversation_id: str,
    world: CurrentWorld,
    workspace: CurrentWorkspace,
    page: int = 1,
    limit: int = 50,
) -> dict[str, Any]:
    start, end = _page_bounds(page, limit, MAX_MESSAGES_PAGE)
    conversation = world.store.get("conversation", conversation_id, workspace)
    if conversation is None:
        raise not_found("Conversation")

    messages = sorted(conversation["_messages"], key=lambda m: m["sent_at"] or "")
    return {"messages": messages[start:end], "total": len(messages), "page": page, "limit": limit}
