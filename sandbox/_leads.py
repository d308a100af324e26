"""Lists (the legacy sheet/rows generation), filter parsing and the asynchronous lead search.

A search's progress is not driven by a background task: its status is computed from the sandbox
clock whenever it is read (pending, then running, then completed), and the completion (finding
the people, billing them, folding them into a bound list) happens on the first read after its
time has come. Tests move a fake clock instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sandbox._core import (
    CurrentWorkspace,
    CurrentWorld,
    World,
    bad_request,
    conflict,
    iso_time,
    not_found,
)
from sandbox._people import fake_people, parse_filters

router = APIRouter()

MAX_FETCH_COUNT = 2500
_BUILT_IN_COLUMNS = (
    "name", "role", "company", "location", "domain", "linkedin", "headline", "seniority",
    "departments", "functions", "experience",
)  # fmt: skip
_SEARCH_OWN_FIELDS = {"fetch_count", "nl_query", "listId", "search_id", "filters"}


class _ParseFiltersBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    query: str


class _SearchBody(BaseModel):
    # Filter fields beyond the declared ones are kept: they are echoed back in `filters`.
    model_config = ConfigDict(extra="allow")

    fetch_count: int = Field(ge=1)
    nl_query: str | None = None
    listId: str | None = None
    search_id: str | None = None
    filters: dict[str, Any] | None = None
    contact_job_title: list[str] | None = None
    company_industry: list[str] | None = None
    contact_location: list[str] | None = None


class _AddToListBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)


# Lists

# Work that fills lists in the background (a Sales Navigator import, a list's enrichment) brings
# itself up to the sandbox clock through these, before any read of a workspace's lists.
LIST_CATCH_UP: list[Callable[[World, str], None]] = []


def catch_up_lists(world: World, workspace: str) -> None:
    for catch_up in LIST_CATCH_UP:
        catch_up(world, workspace)


def list_summary(world: World, workspace: str, sheet: dict[str, Any]) -> dict[str, Any]:
    rows = world.store.find("row", workspace, sheet["id"])
    domains = {row.get("companyDomain") for row in rows if row.get("companyDomain")}
    return {**sheet, "rowCount": len(rows), "companyCount": len(domains)}


def owned_list(world: World, workspace: str, list_id: str) -> dict[str, Any]:
    sheet = world.store.get("list", list_id, workspace)
    if sheet is None:
        raise not_found("List")
    return sheet


def create_list(
    world: World, workspace: str, name: str, rows: list[dict[str, Any]], *, source: str
) -> dict[str, Any]:
    """A new list holding `rows` (profile fields plus `linkedinUrl` and `companyDomain`)."""
    list_id = world.new_id()
    now = world.now_iso()
    sheet: dict[str, Any] = {
        "id": list_id,
        "userId": world.store.workspace(workspace)["user_id"],
        "name": name,
        "enrichmentStatus": "idle",
        "createdAt": now,
        "updatedAt": now,
        "activeSearchId": None,
        "searchFilters": None,
    }
    world.store.put("list", list_id, workspace, sheet)
    add_rows(world, workspace, list_id, rows, source=source)
    return sheet


def add_rows(
    world: World, workspace: str, list_id: str, people: list[dict[str, Any]], *, source: str
) -> list[dict[str, Any]]:
    """Append one row per person to the list; the rows written."""
    now = world.now_iso()
    rows: list[dict[str, Any]] = []
    for person in people:
        profile = {
            key: person.get(key)
            for key in (
                "firstName", "lastName", "fullName", "currentRole", "currentCompany", "email",
                "headline",
            )
        }  # fmt: skip
        rows.append(
            {
                "id": world.new_id(),
                "listId": list_id,
                "linkedinUrl": person.get("linkedinUrl"),
                "profileData": profile,
                "source": source,
                "addedAt": now,
                "companyRowId": None,
                "companyDomain": person.get("companyDomain"),
                "cells": [],
            }
        )
    world.store.put_many("row", workspace, list_id, rows)
    return rows


@router.get("/api/lists")
async def list_lists(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    catch_up_lists(world, workspace)
    sheets = world.store.find("list", workspace, newest_first=True)
    return {"lists": [list_summary(world, workspace, sheet) for sheet in sheets]}


@router.get("/api/lists/{list_id}")
async def get_list(list_id: str, world: CurrentWorld, workspace: CurrentWorkspace) -> Any:
    catch_up_lists(world, workspace)
    sheet = owned_list(world, workspace, list_id)
    rows = world.store.find("row", workspace, list_id)
    columns = [
        {"id": f"{list_id}:{name}", "listId": list_id, "name": name, "position": position}
        for position, name in enumerate(_BUILT_IN_COLUMNS)
    ]
    return {
        "sheet": list_summary(world, workspace, sheet),
        "rows": rows,
        "columns": columns,
        "cells": [],
    }


@router.get("/api/lists/{list_id}/rows")
async def list_rows(
    list_id: str,
    world: CurrentWorld,
    workspace: CurrentWorkspace,
    limit: Annotated[int, Query(ge=1)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    owned_list(world, workspace, list_id)
    catch_up_lists(world, workspace)

    # The docs cap a page at 500 rows; a larger ask gets the cap rather than an error.
    limit = min(limit, 500)
    rows = world.store.find("row", workspace, list_id)
    page = rows[offset : offset + limit]
    return {
        "rows": page,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "hasMore": offset + len(page) < len(rows),
    }


# Filters and search


@router.post("/api/leads/parse-filters")
async def parse_lead_filters(body: _ParseFiltersBody) -> dict[str, Any]:
    query = body.query.strip()
    if not query:
        raise bad_request("Query is required")
    if len(query) > 500:
        raise bad_request("Query must be 500 characters or less")
    return parse_filters(query)


def public_search(search: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in search.items() if not key.startswith("_")}


def refresh_search(world: World, workspace: str, search: dict[str, Any]) -> dict[str, Any]:
    """Bring a search's status up to the sandbox clock, completing it when its time has come."""
    if search["status"] in {"completed", "failed"}:
        return search

    elapsed = world.now() - search["_started_at"]
    if elapsed >= world.timings.search_completed_after:
        _complete_search(world, workspace, search)
    elif elapsed >= world.timings.search_running_after and search["status"] == "pending":
        search["status"] = "running"
    else:
        return search

    world.store.put("search", search["id"], workspace, search)
    return search


def _complete_search(world: World, workspace: str, search: dict[str, Any]) -> None:
    # Billing is per record saved; the balance may have shrunk since the start was checked.
    affordable = world.store.balance(workspace)
    saved = min(search["_fetch_count"], affordable)
    finished = search["_started_at"] + world.timings.search_completed_after
    finished_at = iso_time(finished)
    if saved == 0:
        search.update(
            status="failed", error_message="Insufficient credits", completed_at=finished_at
        )
        return

    titles = search["filters"].get("contact_job_title")
    people = fake_people(search["id"] + search["_run"], saved, titles or None)
    world.charge(workspace, "FIND_PERSON", saved, at=finished)
    search["_people"] = people
    search.update(status="completed", result_count=saved, completed_at=finished_at)

    list_id = search.get("list_id")
    sheet = world.store.get("list", list_id, workspace) if list_id else None
    if sheet is not None:
        known = {row["linkedinUrl"] for row in world.store.find("row", workspace, sheet["id"])}
        fresh = [person for person in people if person["linkedinUrl"] not in known]
        add_rows(world, workspace, sheet["id"], fresh, source="leads_search")
        sheet["activeSearchId"] = None
        world.store.put("list", sheet["id"], workspace, sheet)


def _owned_search(world: World, workspace: str, search_id: str) -> dict[str, Any]:
    search = world.store.get("search", search_id, workspace)
    if search is None:
        raise not_found("Search")
    return refresh_search(world, workspace, search)


@router.post("/api/leads/search")
async def start_lead_search(
    body: _SearchBody, request: Request, world: CurrentWorld, workspace: CurrentWorkspace
) -> JSONResponse:
    fetch_count = min(body.fetch_count, MAX_FETCH_COUNT)
    filters = {
        key: value
        for key, value in body.model_dump(exclude_none=True).items()
        if key not in _SEARCH_OWN_FIELDS
    }
    filters.update(body.filters or {})
    if body.listId is not None:
        owned_list(world, workspace, body.listId)
        for other in world.store.find("search", workspace):
            other = refresh_search(world, workspace, other)
            if other.get("list_id") == body.listId and other["status"] in {"pending", "running"}:
                raise conflict("Another search is already running for this list")
    if body.search_id is not None:
        previous = _owned_search(world, workspace, body.search_id)
        run = str(int(previous["_run"]) + 1)
    else:
        run = "0"
    world.require_credits(workspace, "FIND_PERSON", fetch_count)

    search_id = body.search_id or world.new_id()
    search: dict[str, Any] = {
        "id": search_id,
        "user_id": world.store.workspace(workspace)["user_id"],
        "list_id": body.listId,
        "title": body.nl_query or "Lead search",
        "title_edited": False,
        "status": "pending",
        "filters": filters,
        "apify_run_id": None,
        "result_count": None,
        "error_message": None,
        "created_at": world.now_iso(),
        "completed_at": None,
        "_started_at": world.now(),
        "_fetch_count": fetch_count,
        "_run": run,
    }
    world.store.put("search", search_id, workspace, search)

    correlation_id = str(request.state.correlation_id)
    return JSONResponse(
        {"search": public_search(search), "correlationId": correlation_id},
        status_code=202,
        headers={"Location": f"/api/leads/search/{search_id}"},
    )


@router.get("/api/leads/search/{search_id}")
async def get_lead_search(
    search_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    return {"search": public_search(_owned_search(world, workspace, search_id))}


@router.post("/api/leads/search/{search_id}/add-to-list")
async def add_search_to_list(
    search_id: str, body: _AddToListBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    search = _owned_search(world, workspace, search_id)
    if search["status"] != "completed":
        raise bad_request("Search is not completed")
    people: list[dict[str, Any]] = search.get("_people", [])
    if not people:
        raise bad_request("Search has no results")

    # Cross-list dedup: a person already in any of the workspace's lists is not added again.
    known_urls: set[str] = set()
    known_names: set[tuple[str, str]] = set()
    for sheet in world.store.find("list", workspace):
        for row in world.store.find("row", workspace, sheet["id"]):
            known_urls.add(row.get("linkedinUrl") or "")
            profile = row["profileData"]
            known_names.add((profile.get("fullName") or "", profile.get("currentCompany") or ""))
    fresh = [
        person
        for person in people
        if person["linkedinUrl"] not in known_urls
        and (person["fullName"], person["currentCompany"]) not in known_names
    ]
    if not fresh:
        raise conflict("All leads already exist in your lists")

    sheet = create_list(world, workspace, body.name, fresh, source="leads_search")
    return {
        "list": {"id": sheet["id"], "name": sheet["name"]},
        "insertedCount": len(fresh),
        "duplicateCount": len(people) - len(fresh),
        "companyCount": len({person["companyDomain"] for person in fresh}),
    }
