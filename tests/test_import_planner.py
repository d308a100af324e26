"""Import goals, read by the rule planner into `ImportLeadsPlan`, and `plan` on one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent.planners import ModelPlanner, plan_by_rules
from agent.plans import ImportLeadsPlan, LaunchCampaignPlan, UnsupportedGoal
from prompts import load_prompt
from tests.test_model_endpoint import FakeModelEndpoint, tool_answer

SN = "https://www.linkedin.com/sales/search/people?query=(keywords%3ACTO)&page=2"

PHRASINGS: list[Any] = [
    pytest.param(
        'Import ./leads.csv into a new list called "Berlin CTOs"',
        {"source": "csv", "file_path": "./leads.csv", "list_name": "Berlin CTOs", "new_list": True},
        id="new-list-quoted",
    ),
    pytest.param(
        "Upload ~/Downloads/webinar.csv to my Fintech CTOs list",
        {"file_path": "~/Downloads/webinar.csv", "list_name": "Fintech CTOs", "new_list": False},
        id="existing-list-bare",
    ),
    pytest.param(
        'Import "/data/my leads.csv" into the existing list "Webinar attendees - October"',
        {
            "file_path": "/data/my leads.csv",
            "list_name": "Webinar attendees - October",
            "new_list": False,
        },
        id="quoted-path-with-space",
    ),
    pytest.param(
        "Please import leads.csv",
        {"source": "csv", "file_path": "leads.csv", "list_name": None, "new_list": None},
        id="file-only",
    ),
    pytest.param(
        "Add the contacts in exports/q1_export.csv to a new list named Q1 Prospects",
        {"file_path": "exports/q1_export.csv", "list_name": "Q1 Prospects", "new_list": True},
        id="new-list-bare-name",
    ),
    pytest.param(
        'Import leads.csv, max 30, into the "Berlin CTOs" list',
        {"file_path": "leads.csv", "list_name": "Berlin CTOs", "max_results": 30},
        id="csv-with-maximum",
    ),
    pytest.param(
        'Upload leads.csv into "Berlin CTOs": the "Org" column is the company, use "Mail" as email',
        {"list_name": "Berlin CTOs", "column_mapping": {"Org": "company", "Mail": "email"}},
        id="columns-named-by-the-goal",
    ),
    pytest.param(
        "Import leads.csv into a new list, including people already in other lists",
        {"file_path": "leads.csv", "new_list": True, "list_name": None, "skip_existing": False},
        id="keep-people-from-other-lists",
    ),
    pytest.param(
        f'Import this Sales Navigator search into a list called "SN Berlin": {SN}',
        {"source": "sales_nav", "sales_nav_url": SN, "list_name": "SN Berlin"},
        id="sales-nav-named-list",
    ),
    pytest.param(
        f"Import up to 200 leads from {SN} into my Fintech CTOs list",
        {"sales_nav_url": SN, "list_name": "Fintech CTOs", "new_list": False, "max_results": 200},
        id="sales-nav-existing-list-with-maximum",
    ),
    pytest.param(
        f"Pull in 50 people from Sales Nav ({SN})",
        {"source": "sales_nav", "sales_nav_url": SN, "max_results": 50, "list_name": None},
        id="sales-nav-parenthesised-url",
    ),
    pytest.param(
        "Import https://www.linkedin.com/sales/search/company?query=x into a new list",
        {"source": "sales_nav", "new_list": True, "list_name": None},
        id="account-search-is-checked-by-the-journey",
    ),
    pytest.param(
        "Import leads from Sales Navigator",
        {"source": "sales_nav", "sales_nav_url": None},
        id="sales-nav-without-url",
    ),
    pytest.param(
        "Import the CSV of conference leads into a new list",
        {"source": "csv", "file_path": None, "new_list": True},
        id="csv-without-path",
    ),
    pytest.param(
        "Import “./Berlin CTOs.csv” into the “Berlin CTOs” list",
        {"file_path": "./Berlin CTOs.csv", "list_name": "Berlin CTOs"},
        id="curly-quotes",
    ),
]


@pytest.mark.parametrize(("goal", "expected"), PHRASINGS)
def test_import_goals_become_typed_plans(goal: str, expected: dict[str, Any]) -> None:
    """Each phrasing yields an import plan with the path, list, maximum and options it states."""
    output = plan_by_rules(goal, None)

    assert isinstance(output.plan, ImportLeadsPlan)
    assert output.plan.journey == "import_leads"
    assert {key: getattr(output.plan, key) for key in expected} == expected
    assert output.icp_verdict == "unknown"


@pytest.mark.parametrize(
    ("goal", "reason_part"),
    [
        ("Import my leads from HubSpot", "not from HubSpot"),
        ("Upload our Salesforce contacts into a list", "Export the leads from Salesforce"),
        (f"Import 5000 leads from {SN}", "between 1 and 2,500"),
    ],
)
def test_imports_without_a_documented_endpoint_are_refused(goal: str, reason_part: str) -> None:
    """A CRM as the source, or an out-of-range maximum, is refused with what to do instead."""
    plan = plan_by_rules(goal, None).plan

    assert isinstance(plan, UnsupportedGoal)
    assert reason_part in plan.reason


@pytest.mark.parametrize(
    "goal",
    [
        "Launch a LinkedIn campaign to the Fintech CTOs list",
        "Email the Webinar attendees - October list",
        "Find 40 fintech CTOs and launch a LinkedIn campaign",
    ],
)
def test_campaign_goals_are_not_imports(goal: str) -> None:
    """Goals about campaigns keep planning as campaigns."""
    assert isinstance(plan_by_rules(goal, None).plan, LaunchCampaignPlan)


def test_plan_prints_the_import_chain_and_cost(tmp_path: Path) -> None:
    """`puffle-agent plan` on an import goal lists the uploads to come and their price."""
    (tmp_path / "leads.csv").write_text(
        "First Name,Last Name,Email,Company\n"
        "Ada,Lovelace,ada@engines.example,Engines\n"
        "Alan,Turing,alan@bletchley.example,Bletchley\n"
    )
    goal = 'Import ./leads.csv into a new list called "Berlin CTOs"'
    environment = {**os.environ, "PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED": "2000"}

    result = subprocess.run(
        [sys.executable, "-m", "agent.cli", "plan", goal],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    printed = result.stdout
    assert "Import 2 leads from ./leads.csv into a new list 'Berlin CTOs'" in " ".join(
        printed.split()
    )
    then = printed.split("Then, once approved:")[1].split("Estimated credits")[0].split()
    assert then == [
        "GET", "/api/lists",
        "POST", "/api/lists/create-with-import",
        "PUT", "/api/lists/create-with-import",
        "GET", "/api/lists/{list_id}/rows",
    ]  # fmt: skip
    assert "Estimated credits: 2" in printed
    read_so_far = printed.split("Read so far (no writes):")[1].split("Then")[0]
    assert "PUT" not in read_so_far


async def test_the_model_planner_returns_an_import_plan_and_sees_its_schema() -> None:
    """The model is offered the import journey and its answer validates as an import plan."""
    arguments = {
        "plan": {
            "journey": "import_leads",
            "source": "csv",
            "file_path": "./leads.csv",
            "list_name": "Berlin CTOs",
            "new_list": True,
            "column_mapping": {"Org": "company"},
        },
        "icp_verdict": "unknown",
        "icp_reason": "An import is not judged.",
    }
    endpoint = FakeModelEndpoint([tool_answer("PlannerOutput", arguments)])

    output = await ModelPlanner(endpoint.chat_model()).plan(
        'Import ./leads.csv into a new list called "Berlin CTOs"; the Org column is the company',
        None,
    )

    assert output.plan == ImportLeadsPlan(
        source="csv",
        file_path="./leads.csv",
        list_name="Berlin CTOs",
        new_list=True,
        column_mapping={"Org": "company"},
    )
    parameters = endpoint.requests[0]["tools"][0]["function"]["parameters"]
    assert "import_leads" in parameters["properties"]["plan"]["discriminator"]["mapping"]
    assert "# Filling an import_leads plan" in load_prompt("plan_goal")
