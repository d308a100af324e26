"""Boot, credits and sender endpoints: what the agent reads before it does anything."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from sandbox._core import (
    CREDIT_COSTS,
    DOLLARS_PER_CREDIT,
    CurrentWorkspace,
    CurrentWorld,
    bad_request,
    not_found,
)

router = APIRouter()


class _PreviewBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: str
    count: int


@router.get("/api/onboarding/status")
async def get_onboarding_status(
    world: CurrentWorld, workspace: CurrentWorkspace, sessionId: str | None = None
) -> dict[str, Any]:
    session = world.store.workspace(workspace)["onboarding"]
    if sessionId is not None and (session is None or session["id"] != sessionId):
        raise not_found("Onboarding session")
    return {"session": session}


@router.get("/api/context")
async def get_context(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    state = world.store.workspace(workspace)
    return {"context": state["context"], "profile": state["profile"]}


@router.get("/api/credits/config")
async def get_credits_config() -> dict[str, Any]:
    return {"costs": dict(CREDIT_COSTS)}


@router.post("/api/credits/preview")
async def preview_credits(
    body: _PreviewBody, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    if body.action not in CREDIT_COSTS:
        raise bad_request(f"Unknown credit action {body.action!r}")
    if body.count < 1:
        raise bad_request("count must be a positive integer")

    cost_per_unit = CREDIT_COSTS[body.action]
    total = cost_per_unit * body.count
    balance = world.store.balance(workspace)
    return {
        "action": body.action,
        "count": body.count,
        "costPerUnit": cost_per_unit,
        "totalCredits": total,
        "totalDollars": round(total * DOLLARS_PER_CREDIT, 2),
        "sufficient": total <= balance,
        "balance": balance,
    }


@router.get("/api/accounts")
async def list_accounts(
    world: CurrentWorld, workspace: CurrentWorkspace, type: str | None = None
) -> dict[str, Any]:
    if type is not None and type not in {"email", "linkedin"}:
        raise bad_request("type must be email or linkedin")
    accounts = world.store.find("sender", workspace)
    return {"accounts": [a for a in accounts if type is None or a["type"] == type]}
