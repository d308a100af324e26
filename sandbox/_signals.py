"""Partner v1 signals: signal types (built-ins and custom) and the classified-signal feed.

The built-in types are seeded on a workspace's first signals call, as Puffle does; the seed's
tuning and feed come with them, their timestamps counted back from that moment on the sandbox
clock. Limits follow the v1 pages: at most 20 types, 1-50 keywords, names 1-100 characters and
unique per workspace (409), built-ins not renamed and their sources not changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from sandbox._core import (
    ApiError,
    CurrentWorkspace,
    CurrentWorld,
    World,
    bad_request,
    iso_time,
    json_object_body,
    not_found,
    string_list,
)
from sandbox.seeds import seed_id, social_seed

router = APIRouter()

MAX_SIGNAL_TYPES = 20
MAX_KEYWORDS = 50
MAX_NAME_LENGTH = 100
DEFAULT_FEED_LIMIT = 25
MAX_FEED_LIMIT = 100
SOURCES = (
    "news",
    "reddit",
    "hacker_news",
    "x_twitter",
    "linkedin_posts",
    "linkedin_jobs",
    "g2_capterra",
)
# label, description, default sources
BUILT_INS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hiring", "Companies hiring for the roles you sell to", ("linkedin_jobs",)),
    ("funding", "Companies that raised money", ("news",)),
    ("management_change", "New leaders in the roles you sell to", ("news", "linkedin_posts")),
    ("competitor_mentions", "People talking about your competitors", ("x_twitter", "reddit")),
)
_TYPE = "signal_type"
_SIGNAL = "signal"
_SEEDED = "signals_seeded"


def ensure_signals(world: World, workspace: str) -> None:
    """Seed the built-in types (and the seed's tuning and feed) on the first signals call."""
    store = world.store
    if store.get(_SEEDED, workspace, workspace) is not None:
        return
    seed = social_seed(workspace)
    now = world.now()

    for index, (label, description, sources) in enumerate(BUILT_INS):
        enabled, keywords = seed.type_overrides.get(label, (False, ()))
        type_id = seed_id(workspace, "signal_type", index)
        store.put(
            _TYPE,
            type_id,
            workspace,
            _type_body(
                type_id,
                label,
                description,
                "structured",
                enabled,
                list(keywords),
                list(sources),
                True,
            ),
        )
    for offset, (label, keywords, sources) in enumerate(seed.custom_types):
        type_id = seed_id(workspace, "signal_type", len(BUILT_INS) + offset)
        store.put(
            _TYPE,
            type_id,
            workspace,
            _type_body(type_id, label, None, "keyword", True, list(keywords), list(sources), False),
        )
    for index, signal in enumerate(seed.signals):
        signal_id = seed_id(workspace, "signal", index)
        store.put(
            _SIGNAL,
            signal_id,
            workspace,
            {
                "id": signal_id,
                "signal_type": signal.signal_type,
                "title": signal.title,
                "text": signal.title,
                "reasoning": None,
                "source": signal.source,
                "source_url": f"https://{signal.domain}/signal/{index}",
                "score": signal.score,
                "confidence": round(signal.score / 100, 2),
                "entity": {
                    "id": seed_id(workspace, "entity", index),
                    "name": signal.company,
                    "type": "company",
                    "domain": signal.domain,
                },
                "person_entity": None,
                "classification": {},
                "created_at": iso_time(now - signal.hours_ago * 3600),
                "dismissed": signal.dismissed,
            },
        )
    store.put(_SEEDED, workspace, workspace, {"at": now})


def _type_body(
    type_id: str,
    label: str,
    description: str | None,
    kind: str,
    enabled: bool,
    keywords: list[str],
    sources: list[str],
    built_in: bool,
) -> dict[str, Any]:
    return {
        "id": type_id,
        "label": label,
        "name": label,
        "description": description,
        "kind": kind,
        "enabled": enabled,
        "keywords": keywords,
        "disqualifiers": [],
        "config": {},
        "config_schema": {},
        "built_in": built_in,
        "search_instructions": "",
        "scoring_criteria": "",
        "sources": sources,
    }


def signal_types(world: World, workspace: str) -> list[dict[str, Any]]:
    ensure_signals(world, workspace)
    return world.store.find(_TYPE, workspace)


@router.get("/api/v1/signals/types")
async def list_signal_types(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    return {"signal_types": signal_types(world, workspace)}


@router.post("/api/v1/signals/types")
async def create_signal_type(
    request: Request, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    body = await json_object_body(request)
    existing = signal_types(world, workspace)

    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME_LENGTH:
        raise bad_request(f"name must be a string of 1-{MAX_NAME_LENGTH} characters")
    keywords = _keywords(body.get("keywords"), required=True)
    for field in ("search_instructions", "scoring_criteria"):
        if not isinstance(body.get(field), str):
            raise bad_request(f"{field} is required (a string)")
    sources = _sources(body.get("sources"))
    if any(item["label"] == name for item in existing):
        raise ApiError(409, "conflict", f"A signal type named '{name}' already exists")
    if len(existing) >= MAX_SIGNAL_TYPES:
        raise bad_request(f"Maximum of {MAX_SIGNAL_TYPES} signal types per user")

    type_id = world.new_id()
    created = _type_body(
        type_id,
        name,
        body.get("description"),
        "keyword",
        bool(body.get("enabled", True)),
        keywords,
        sources,
        False,
    )
    created["search_instructions"] = body["search_instructions"]
    created["scoring_criteria"] = body["scoring_criteria"]
    world.store.put(_TYPE, type_id, workspace, created)
    return created


@router.get("/api/v1/signals/types/{type_id}")
async def get_signal_type(
    type_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    ensure_signals(world, workspace)
    found = world.store.get(_TYPE, type_id, workspace)
    if found is None:
        raise not_found("Signal type")
    return found


@router.patch("/api/v1/signals/types/{type_id}")
async def update_signal_type(
    type_id: str, request: Request, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    ensure_signals(world, workspace)
    found = world.store.get(_TYPE, type_id, workspace)
    if found is None:
        raise not_found("Signal type")
    body = await json_object_body(request)

    # Validate everything first: a PATCH is applied whole or not at all.
    updated = dict(found)
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise bad_request("enabled must be a boolean")
        updated["enabled"] = body["enabled"]
    if "keywords" in body:
        updated["keywords"] = _keywords(body["keywords"], required=False)
    if "name" in body:
        if found["built_in"]:
            raise bad_request("Built-in signal types cannot be renamed")
        name = body["name"]
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME_LENGTH:
            raise bad_request(f"name must be a string of 1-{MAX_NAME_LENGTH} characters")
        others = [t for t in signal_types(world, workspace) if t["id"] != type_id]
        if any(t["label"] == name for t in others):
            raise ApiError(409, "conflict", f"A signal type named '{name}' already exists")
        updated["label"] = updated["name"] = name
    if "sources" in body:
        if found["built_in"]:
            raise bad_request("The sources of a built-in signal type cannot be changed")
        updated["sources"] = _sources(body["sources"])
    for field in ("description", "search_instructions", "scoring_criteria"):
        if field in body:
            updated[field] = body[field]
    if updated["kind"] == "keyword" and updated["enabled"] and not updated["keywords"]:
        raise bad_request("An enabled keyword signal type needs at least one keyword")

    world.store.put(_TYPE, type_id, workspace, updated)
    return updated


@router.delete("/api/v1/signals/types/{type_id}")
async def delete_signal_type(
    type_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> Response:
    ensure_signals(world, workspace)
    found = world.store.get(_TYPE, type_id, workspace)
    if found is None:
        raise not_found("Signal type")
    if found["built_in"]:
        raise bad_request("Built-in signal types cannot be deleted")
    world.store.delete(_TYPE, type_id)
    return Response(status_code=204)


@router.get("/api/v1/signals")
async def list_signals(
    world: CurrentWorld,
    workspace: CurrentWorkspace,
    since: str | None = None,
    until: str | None = None,
    signal_type: str | None = None,
    source: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_FEED_LIMIT,
) -> dict[str, Any]:
    ensure_signals(world, workspace)
    if not 1 <= limit <= MAX_FEED_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_FEED_LIMIT}")
    if sort not in {None, "score", "created_at"}:
        raise bad_request("sort must be score or created_at")
    since_at, until_at = _moment(since, "since"), _moment(until, "until")
    offset = _offset(cursor)

    signals = world.store.find(_SIGNAL, workspace)
    # The feed page says dismissed rows are excluded; the dismiss page hints that explicit
    # windows might still show them. The feed page is the contract for this endpoint.
    signals = [s for s in signals if not s["dismissed"]]
    if since_at is not None:
        signals = [s for s in signals if _created(s) >= since_at]
    if until_at is not None:
        signals = [s for s in signals if _created(s) <= until_at]
    if signal_type:
        wanted = {label.strip() for label in signal_type.split(",")}
        signals = [s for s in signals if s["signal_type"] in wanted]
    if source:
        sources = {item.strip() for item in source.split(",")}
        signals = [s for s in signals if s["source"] in sources]
    signals.sort(key=lambda s: (s["created_at"], s["id"]), reverse=True)
    if sort == "score":
        signals.sort(key=lambda s: s["score"], reverse=True)

    page = signals[offset : offset + limit]
    has_more = offset + limit < len(signals)
    return {
        "signals": [{k: v for k, v in s.items() if k != "dismissed"} for s in page],
        "pagination": {
            "cursor": f"c{offset + limit}" if has_more else None,
            "has_more": has_more,
            "count": len(page),
        },
    }


def _keywords(value: Any, *, required: bool) -> list[str]:
    keywords = [keyword.strip() for keyword in string_list(value, "keywords")]
    if not all(keywords):
        raise bad_request("keywords must be a list of non-empty strings")
    if required and not keywords:
        raise bad_request("keywords needs at least 1 item")
    if len(keywords) > MAX_KEYWORDS:
        raise bad_request(f"keywords may hold at most {MAX_KEYWORDS} items")
    return keywords


def _sources(value: Any) -> list[str]:
    sources = string_list(value, "sources")
    if not sources:
        raise bad_request(f"sources must list at least one of: {', '.join(SOURCES)}")
    unknown = [source for source in sources if source not in SOURCES]
    if unknown:
        raise bad_request(f"unknown sources {unknown}; valid sources: {', '.join(SOURCES)}")
    return sources


def _moment(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise bad_request(f"{name} must be an ISO 8601 date-time") from None


def _created(signal: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(signal["created_at"]).replace("Z", "+00:00")).timestamp()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.startswith("c") or not cursor[1:].isdigit():
        raise bad_request("cursor is not one this feed returned")
    return int(cursor[1:])
