"""Deep research, partner v1: `POST /api/v1/research` and `GET /api/v1/research/{id}`.

A research person is one document per normalised profile URL (Puffle's de-duplication key).
Starting one debits one `DEEP_RESEARCH` unit and answers 202; posting a URL whose research is
complete answers 200 with the cached report, one still queued or running answers 200 with its
status and no second launch, and one that failed is flipped back to running (202, debited again).

Progress is computed from the sandbox clock when the person is read: queued (`idle`) for the
first seconds, then `running`, then `complete` once `research_complete_after` has passed, or
`failed` for a run the seed says fails (see `sandbox.seeds.RESEARCH_FAILING_RUNS`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from agent.linkedin_urls import InvalidProfileUrl, normalise_profile_url, slug_of
from sandbox._core import CurrentWorkspace, CurrentWorld, World, bad_request, not_found
from sandbox._store import Store
from sandbox.seeds import RESEARCH_FAILING_RUNS, research_seed, seed_id

router = APIRouter()


class _ResearchBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    linkedin_url: str


def seed_research(store: Store, workspace: str, user_id: str) -> None:
    """Finished research the seed says the workspace already has (served from the cache)."""
    del user_id  # partner rows carry no user
    for index, seeded in enumerate(research_seed(workspace)):
        person_id = seed_id(workspace, "research", index)
        person: dict[str, Any] = {
            "id": person_id,
            "user_id": None,
            "first_name": seeded["first_name"],
            "last_name": seeded["last_name"],
            "linkedin_url": seeded["linkedin_url"],
            "role": seeded.get("role"),
            "company": seeded.get("company"),
            "company_domain": None,
            "photo_url": None,
            "status": "complete",
            "last_enriched_at": "2026-11-01T08:00:00.000Z",
            "created_at": "2026-11-01T07:45:00.000Z",
            "updated_at": "2026-11-01T08:00:00.000Z",
            "_runs": 1,
            "_started_at": 0.0,
            "_report": seeded["report"],
        }
        store.put("research", person_id, workspace, person)


def _find_by_url(world: World, workspace: str, url: str) -> dict[str, Any] | None:
    people = world.store.find("research", workspace)
    return next((person for person in people if person["linkedin_url"] == url), None)


def _refresh(world: World, workspace: str, person: dict[str, Any]) -> dict[str, Any]:
    """Move a queued or running research along the sandbox clock."""
    if person["status"] not in {"idle", "running"} or person["_started_at"] is None:
        return person
    elapsed = world.now() - person["_started_at"]
    timings = world.timings
    if elapsed < timings.research_running_after:
        return person

    status = "running"
    if elapsed >= timings.research_complete_after:
        failing_runs = RESEARCH_FAILING_RUNS.get(slug_of(person["linkedin_url"]), 0)
        status = "failed" if person["_runs"] <= failing_runs else "complete"
    if status != person["status"]:
        person["status"] = status
        person["updated_at"] = world.now_iso()
        if status == "complete":
            person["last_enriched_at"] = person["updated_at"]
            person["_report"] = _written_report(person)
        world.store.put("research", person["id"], workspace, person)
    return person


def _written_report(person: dict[str, Any]) -> dict[str, Any]:
    name = f"{person['first_name']} {person['last_name']}"
    company = person.get("company") or "their company"
    return {
        "summary": f"{name} leads engineering work at {company} and writes about payments.",
        "icp_score": 72,
        "background": f"Ten years in software; joined {company} three years ago.",
        "company_intel": f"{company} is hiring engineers and expanding into new markets.",
        "outreach_angles": [
            "Recent growth in the engineering team",
            "Public talk on payment reconciliation pain",
        ],
    }


def _envelope(person: dict[str, Any]) -> dict[str, Any]:
    public = {key: value for key, value in person.items() if not key.startswith("_")}
    complete = person["status"] == "complete"
    return {
        "person": public,
        "status": person["status"],
        "report": person["_report"] if complete else None,
        "change_summary": None,
    }


@router.post("/api/v1/research")
async def create_research(
    body: _ResearchBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> JSONResponse:
    try:
        url = normalise_profile_url(body.linkedin_url)
    except InvalidProfileUrl as error:
        raise bad_request(f"linkedin_url: {error}") from None

    existing = _find_by_url(world, workspace, url)
    if existing is not None:
        existing = _refresh(world, workspace, existing)
        if existing["status"] != "failed":
            return JSONResponse(_envelope(existing), status_code=200)

    # A new run is paid before it is queued: 402 leaves nothing behind.
    world.charge(workspace, "DEEP_RESEARCH", 1)
    now_iso = world.now_iso()
    person = existing or {
        "id": world.new_id(),
        "user_id": None,
        "first_name": body.first_name,
        "last_name": body.last_name,
        "linkedin_url": url,
        "role": None,
        "company": None,
        "company_domain": None,
        "photo_url": None,
        "last_enriched_at": None,
        "created_at": now_iso,
        "_runs": 0,
        "_report": None,
    }
    person.update(
        status="idle", updated_at=now_iso, _runs=person["_runs"] + 1, _started_at=world.now()
    )
    world.store.put("research", person["id"], workspace, person)
    return JSONResponse(_envelope(person), status_code=202)


@router.get("/api/v1/research/{research_id}")
async def get_research(
    research_id: str, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    person = world.store.get("research", research_id, workspace)
    if person is None:
        raise not_found("Research person")
    return _envelope(_refresh(world, workspace, person))
