"""Building a scenario's sandbox, and reading the objects its expectations talk about.

The sandbox's public API covers faults, timings and inspection. A scenario's extra lists and its
credit balance have no public setter yet, so `_apply_overrides` writes them through the sandbox's
store; that single seam goes once `Sandbox` grows a public way to seed them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from agent.clock import Clock
from evals.scenario import ObjectKind, Scenario
from sandbox import ALL_SEEDS, Sandbox, SandboxTimings
from sandbox.seeds import list_row, seed_id

# The ledger action that records a scenario's balance change, so it is never mistaken for spend.
BALANCE_OVERRIDE_ACTION = "EVAL_BALANCE_OVERRIDE"
_SEEDED_AT = "2026-11-20T10:00:00.000Z"


def build_sandbox(scenario: Scenario, clock: Clock) -> Sandbox:
    """A fresh in-memory sandbox in the scenario's starting state."""
    start = scenario.sandbox
    timings = SandboxTimings(
        **{
            **asdict(SandboxTimings()),
            **start.timings.model_dump(exclude_none=True),
        }
    )
    sandbox = Sandbox(
        clock=clock,
        seeds=start.seeds or ALL_SEEDS,
        faults=scenario.faults,
        timings=timings,
    )
    _apply_overrides(sandbox, scenario)
    return sandbox


def _apply_overrides(sandbox: Sandbox, scenario: Scenario) -> None:
    start = scenario.sandbox
    workspace = scenario.workspace
    if start.credits is None and not start.lists:
        return
    # No public seeding hook exists for balances and lists (see the module docstring).
    store = sandbox._world.store  # pyright: ignore[reportPrivateUsage]

    if start.credits is not None:
        change = sandbox.credits_balance(workspace) - start.credits
        # A negative debit raises the balance; both directions leave one ledger line.
        store.debit(workspace, BALANCE_OVERRIDE_ACTION, 0, change, sandbox.clock.time())

    user_id = seed_id(workspace, "user")
    for index, extra in enumerate(start.lists):
        list_id = seed_id(workspace, "eval-list", index)
        store.put(
            "list",
            list_id,
            workspace,
            {
                "id": list_id,
                "userId": user_id,
                "name": extra.name,
                "enrichmentStatus": "idle",
                "createdAt": _SEEDED_AT,
                "updatedAt": _SEEDED_AT,
                "activeSearchId": None,
                "searchFilters": None,
            },
        )
        rows = [
            list_row(
                seed_id(workspace, f"eval-row{index}", row_index),
                list_id,
                (person.first_name, person.last_name, person.role, person.company, person.domain),
                source="csv_import",
                added_at=_SEEDED_AT,
            )
            for row_index, person in enumerate(extra.people)
        ]
        store.put_many("row", workspace, list_id, rows)


def objects_of(sandbox: Sandbox, workspace: str, kind: ObjectKind) -> list[dict[str, Any]]:
    """The workspace's objects of one kind, as the sandbox's inspection API shows them."""
    if kind == "campaign":
        return sandbox.campaigns(workspace)
    if kind == "list":
        return sandbox.lists(workspace)
    if kind == "signal_type":
        return sandbox.signal_types(workspace)
    return sandbox.social_posts(workspace)


def spent_credits(ledger: list[dict[str, Any]]) -> int:
    """Credits the agent spent: ledger lines other than the scenario's own balance change."""
    return sum(int(line["credits"]) for line in ledger if line["action"] != BALANCE_OVERRIDE_ACTION)
