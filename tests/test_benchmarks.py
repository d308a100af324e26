"""The benchmark harness counts what really happened; no figure here is a time."""

from __future__ import annotations

from benchmarks.load import WORKLOAD, goals_for, key_budget, requests_per_minute
from benchmarks.suites import ideal_polls
from tests.headless_support import base_database_url


def test_goals_cycle_through_the_workload_and_interleave_workspaces() -> None:
    goals = goals_for(["demo-1", "demo-2"], 6, "leads.csv")

    assert [workspace for workspace, _ in goals[:4]] == ["demo-1", "demo-2", "demo-1", "demo-2"]
    assert len(goals) == 12
    assert goals[0][1] == WORKLOAD[0].format(n=1, csv="leads.csv")
    # The sixth goal of a workspace starts the workload over, with its own number.
    assert goals[10][1] == WORKLOAD[0].format(n=6, csv="leads.csv")
    assert "Load push 6" in goals[10][1]


def test_a_workspace_pace_runs_from_its_first_request_to_its_last() -> None:
    counters = {"requests": 45, "first_request_at": 100.0, "last_request_at": 130.0}

    assert requests_per_minute(counters) == 90.0
    assert requests_per_minute({**counters, "first_request_at": None}) == 0.0


def test_the_ideal_poll_count_follows_the_doubling_rule() -> None:
    # Waits of 2, 4, 8, 16, 30, 30 s: a 45 s job is seen done on the 5th poll, at 60 s.
    assert ideal_polls(45.0) == (5, 60.0)
    assert ideal_polls(2.0) == (1, 2.0)


async def test_one_worker_drains_a_goal_and_the_figures_come_from_the_sandbox() -> None:
    """A real drain: served sandbox, a worker process, PostgreSQL; one launch goal approved."""
    [row] = await key_budget(
        [1], goals_per_worker=1, speed=20.0, repeats=1, database_url=base_database_url()
    )

    assert row["finished"] == {"completed": 1}
    assert not row["cut_short"]
    assert row["pauses_denied"] == []
    # Journey 1's chain is 11 calls plus its status polls; all of it reached the sandbox.
    assert row["requests"]["median"] >= 11
    assert row["rate_limited"]["median"] == 0
    # The launch's polls stretch the goal past one minute, so no minute holds every request.
    assert 0 < row["busiest_minute"]["median"] < row["requests"]["median"]
    assert row["peak_rss_mb"]["median"] > 0
