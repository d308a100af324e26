"""Building a scenario's sandbox, and reading the objects its expectations talk about.

Everything goes through the sandbox's public API: seeds, faults and timings when it is built,
then `set_credits` and `add_list` for the scenario's balance and extra lists. A balance set that
way is one ledger line of its own action, which `spent_credits` leaves out.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from agent.clock import Clock
from evals.scenario import ObjectKind, Scenario
from sandbox import ALL_SEEDS, Sandbox, SandboxTimings


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
    if start.credits is not None:
        sandbox.set_credits(workspace, start.credits)
    for extra in start.lists:
        people = [
            (person.first_name, person.last_name, person.role, person.company, person.domain)
            for person in extra.people
        ]
        sandbox.add_list(workspace, extra.name, people)


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
    return sum(
        int(line["credits"]) for line in ledger if line["action"] != Sandbox.BALANCE_SET_ACTION
    )
