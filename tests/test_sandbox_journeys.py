"""The sandbox's endpoints against the documented contract and the agent's response models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from agent import operations as ops
from agent.clock import FakeClock
from sandbox import CREDIT_COSTS, Sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(sandbox, "demo") as client:
        yield client


def _client(sandbox: Sandbox, workspace: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {sandbox.api_key_for(workspace)}"},
    )


def _accepted(operation: ops.Operation[Any, Any], response: httpx.Response) -> Any:
    """The body, after checking the agent's response model for the operation accepts it."""
    assert response.is_success, response.text
    model: type[BaseModel] = operation.response_model
    model.model_validate(response.json())
    return response.json()


async def _sender_id(client: httpx.AsyncClient, channel: str) -> str:
    accounts = (await client.get("/api/accounts", params={"type": channel})).json()["accounts"]
    return accounts[0]["id"]


async def _list_id(client: httpx.AsyncClient, name: str) -> str:
    lists = (await client.get("/api/lists")).json()["lists"]
    return next(item["id"] for item in lists if item["name"] == name)


async def _ready_linkedin_draft(client: httpx.AsyncClient, name: str = "Fintech CTOs Q1") -> str:
    created = await client.post(
        "/api/campaigns",
        json={
            "type": "linkedin",
            "name": name,
            "sender_account_ids": [await _sender_id(client, "linkedin")],
        },
    )
    campaign_id = created.json()["campaign"]["id"]
    await client.patch(
        f"/api/campaigns/{campaign_id}",
        json={
            "sequence_nodes": [
                {"type": "connection_request", "body": "Hi %first_name%", "include_message": True},
                {"type": "delay", "delay_days": 2},
                {"type": "message", "body": "Thanks %first_name%, %sender_first% here."},
                {"type": "end"},
            ]
        },
    )
    await client.post(
        f"/api/campaigns/{campaign_id}/leads/import-from-list",
        json={"listId": await _list_id(client, "Fintech CTOs")},
    )
    return campaign_id


# Boot


@pytest.mark.parametrize(
    ("workspace", "onboarded", "sender_count", "list_count"),
    [("demo", True, 2, 2), ("low_credits", True, 2, 2), ("no_senders", True, 0, 2),
     ("not_onboarded", False, 0, 0)],
)  # fmt: skip
async def test_boot_reads_each_seed(
    sandbox: Sandbox, workspace: str, onboarded: bool, sender_count: int, list_count: int
) -> None:
    """Onboarding status, context, senders and lists answer per seed, in the agent's models."""
    async with _client(sandbox, workspace) as client:
        status = _accepted(ops.GET_ONBOARDING_STATUS, await client.get("/api/onboarding/status"))
        context = _accepted(ops.GET_CONTEXT, await client.get("/api/context"))
        senders = _accepted(ops.LIST_SENDERS, await client.get("/api/accounts"))
        lists = _accepted(ops.LIST_LISTS, await client.get("/api/lists"))

    if onboarded:
        assert status["session"]["status"] == "completed"
        assert status["session"]["companyName"] == "Ledgerline"
        assert context["context"]["market"]["icpJobTitles"][0] == "CTO"
        assert context["profile"]["firstName"] == "Maya"
    else:
        assert status == {"session": None}
        assert context == {"context": None, "profile": None}
    assert len(senders["accounts"]) == sender_count
    assert len(lists["lists"]) == list_count


async def test_demo_lists_hold_the_seeded_people(demo: httpx.AsyncClient) -> None:
    """ "Fintech CTOs" has 25 distinct people and the webinar list 12, newest list first."""
    lists = (await demo.get("/api/lists")).json()["lists"]
    ctos = await _list_id(demo, "Fintech CTOs")

    page = _accepted(ops.LIST_ROWS, await demo.get(f"/api/lists/{ctos}/rows", params={"limit": 10}))
    rest = (await demo.get(f"/api/lists/{ctos}/rows", params={"offset": 10})).json()

    assert [(item["name"], item["rowCount"]) for item in lists] == [
        ("Webinar attendees - October", 12),
        ("Fintech CTOs", 25),
    ]
    assert (page["total"], len(page["rows"]), page["hasMore"]) == (25, 10, True)
    assert (len(rest["rows"]), rest["hasMore"]) == (15, False)
    names = {row["profileData"]["fullName"] for row in page["rows"] + rest["rows"]}
    assert len(names) == 25
    assert all(
        row["linkedinUrl"].startswith("https://www.linkedin.com/in/") for row in rest["rows"]
    )


def test_seed_ids_are_stable_across_sandboxes() -> None:
    """Two sandboxes seed the same ids, so scenarios can name seeded objects."""
    first, second = Sandbox(), Sandbox()

    assert first.lists("demo") == second.lists("demo")


# Starting states beyond the seeds


@pytest.mark.parametrize(("balance", "line_credits"), [(20, 980), (1500, -500), (1000, 0)])
async def test_set_credits_leaves_one_line_of_its_own_action(
    sandbox: Sandbox, demo: httpx.AsyncClient, balance: int, line_credits: int
) -> None:
    """Lowering, raising or keeping demo's 1,000 credits is one BALANCE_SET line Puffle shows."""
    sandbox.set_credits("demo", balance)

    preview = await demo.post("/api/credits/preview", json={"action": "IMPORT_LEAD", "count": 1})
    assert preview.json()["balance"] == sandbox.credits_balance("demo") == balance
    assert [
        (line["action"], line["count"], line["credits"]) for line in sandbox.ledger("demo")
    ] == [(Sandbox.BALANCE_SET_ACTION, 0, line_credits)]
    assert sandbox.ledger("low_credits") == []


def test_set_credits_refuses_a_negative_balance(sandbox: Sandbox) -> None:
    """A balance below zero is a mistake in the test, not a state Puffle can be in."""
    with pytest.raises(ValueError, match="negative"):
        sandbox.set_credits("demo", -1)

    assert (sandbox.credits_balance("demo"), sandbox.ledger("demo")) == (1000, [])


async def test_an_added_list_answers_like_an_imported_one(
    sandbox: Sandbox, demo: httpx.AsyncClient
) -> None:
    """`add_list` puts a list and its rows where `GET /api/lists` and its rows endpoint read."""
    list_id = sandbox.add_list(
        "demo",
        "Partners",
        [
            ("Rosa", "Lind", "CTO", "Fjordpay", "fjordpay.example"),
            ("Ali", "Kaya", "CFO", "Kit", "kit.example"),
        ],
    )

    lists = _accepted(ops.LIST_LISTS, await demo.get("/api/lists"))["lists"]
    rows = _accepted(ops.LIST_ROWS, await demo.get(f"/api/lists/{list_id}/rows"))["rows"]
    assert (lists[0]["id"], lists[0]["name"], lists[0]["rowCount"]) == (list_id, "Partners", 2)
    assert [row["profileData"]["email"] for row in rows] == [
        "rosa.lind@fjordpay.example",
        "ali.kaya@kit.example",
    ]
    assert [row["linkedinUrl"] for row in rows] == [
        "https://www.linkedin.com/in/rosa-lind",
        "https://www.linkedin.com/in/ali-kaya",
    ]
    assert sandbox.ledger("demo") == []


def test_added_lists_get_distinct_ids_that_repeat_across_sandboxes() -> None:
    """Lists added in the same order get the same ids in another sandbox, and never clash."""
    first, second = Sandbox(), Sandbox()

    first_ids = [first.add_list("demo", name, []) for name in ("A", "B")]
    second_ids = [second.add_list("demo", name, []) for name in ("A", "B")]

    assert first_ids == second_ids
    assert len({*first_ids, *(item["id"] for item in Sandbox().lists("demo"))}) == 4
    assert [item["name"] for item in first.lists("demo")][:2] == ["B", "A"]


async def test_another_workspaces_list_is_404(sandbox: Sandbox) -> None:
    """A list id from another workspace is as good as missing."""
    async with _client(sandbox, "demo") as demo:
        demo_list = await _list_id(demo, "Fintech CTOs")
    async with _client(sandbox, "no_senders") as other:
        response = await other.get(f"/api/lists/{demo_list}/rows")

    assert response.status_code == 404


# Credits


async def test_credits_config_is_the_documented_table(demo: httpx.AsyncClient) -> None:
    """The price table matches the OLD docs, e.g. DEEP_RESEARCH 40 and SEARCH_CONTINUE 5."""
    costs = _accepted(ops.GET_CREDITS_CONFIG, await demo.get("/api/credits/config"))["costs"]

    assert costs == CREDIT_COSTS
    assert (costs["FIND_PERSON"], costs["PHONE_LOOKUP"], costs["DEEP_RESEARCH"]) == (1, 8, 40)


async def test_preview_prices_without_spending(demo: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A preview reports cost, dollars, balance and sufficiency, and debits nothing."""
    response = await demo.post(
        "/api/credits/preview", json={"action": "DEEP_RESEARCH", "count": 30}
    )

    preview = _accepted(ops.PREVIEW_CREDITS, response)
    assert preview == {
        "action": "DEEP_RESEARCH",
        "count": 30,
        "costPerUnit": 40,
        "totalCredits": 1200,
        "totalDollars": 60.0,
        "sufficient": False,
        "balance": 1000,
    }
    assert sandbox.ledger("demo") == []


async def test_preview_of_an_unknown_action_is_400(demo: httpx.AsyncClient) -> None:
    """Only documented credit actions can be priced."""
    response = await demo.post("/api/credits/preview", json={"action": "TELEPATHY", "count": 1})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


async def test_a_search_the_balance_cannot_cover_is_402_and_free(sandbox: Sandbox) -> None:
    """low_credits (5) cannot start a 10-person search: 402, nothing debited, nothing started."""
    async with _client(sandbox, "low_credits") as client:
        response = await client.post("/api/leads/search", json={"fetch_count": 10})

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_credits"
    assert sandbox.credits_balance("low_credits") == 5
    assert sandbox.ledger("low_credits") == []


# Lead search


async def test_parse_filters_is_deterministic_and_flags_unsupported(
    demo: httpx.AsyncClient,
) -> None:
    """Keywords become structured filters; intent the vocabulary lacks comes back unsupported."""
    query = {"query": "CTOs at fintech companies in London that are actively hiring"}

    first = _accepted(
        ops.PARSE_LEAD_FILTERS, await demo.post("/api/leads/parse-filters", json=query)
    )
    second = (await demo.post("/api/leads/parse-filters", json=query)).json()

    assert first == second
    assert first["filters"]["contact_job_title"] == ["CTO"]
    assert first["filters"]["contact_city"] == ["London"]
    assert "hiring" in first["unsupported"]


async def test_parse_filters_refuses_long_queries(demo: httpx.AsyncClient) -> None:
    """Queries over 500 characters are a 400, as documented."""
    response = await demo.post("/api/leads/parse-filters", json={"query": "x" * 501})

    assert response.status_code == 400


async def test_a_search_runs_on_the_clock_and_bills_on_completion(
    demo: httpx.AsyncClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """202 with Location and correlationId; pending, running, completed; FIND_PERSON per result."""
    started = await demo.post(
        "/api/leads/search",
        json={"contact_job_title": ["CTO"], "fetch_count": 20, "nl_query": "fintech CTOs"},
    )
    search = _accepted(ops.START_LEAD_SEARCH, started)["search"]
    statuses: list[str] = []
    for seconds in (0, 5, 35):
        clock.advance(seconds)
        polled = await demo.get(started.headers["location"])
        statuses.append(_accepted(ops.GET_LEAD_SEARCH, polled)["search"]["status"])

    assert started.status_code == 202
    assert started.json()["correlationId"] == started.headers["x-correlation-id"]
    assert started.headers["location"] == f"/api/leads/search/{search['id']}"
    assert statuses == ["pending", "running", "completed"]
    assert sandbox.ledger("demo") == [
        {"action": "FIND_PERSON", "count": 20, "credits": 20, "at": clock.time()}
    ]
    assert sandbox.credits_balance("demo") == 980


async def test_search_results_fold_into_a_new_list(
    demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """add-to-list makes a list of the results; before completion it is a 400."""
    search_id = (await demo.post("/api/leads/search", json={"fetch_count": 15})).json()["search"][
        "id"
    ]
    early = await demo.post(f"/api/leads/search/{search_id}/add-to-list", json={"name": "Found"})
    clock.advance(40)

    added = await demo.post(f"/api/leads/search/{search_id}/add-to-list", json={"name": "Found"})
    again = await demo.post(f"/api/leads/search/{search_id}/add-to-list", json={"name": "Again"})

    assert early.status_code == 400
    body = _accepted(ops.ADD_SEARCH_TO_LIST, added)
    assert (body["insertedCount"], body["duplicateCount"]) == (15, 0)
    rows = (await demo.get(f"/api/lists/{body['list']['id']}/rows")).json()
    assert rows["total"] == 15
    assert again.status_code == 409


async def test_a_second_search_on_the_same_list_is_409(
    demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """One active search per list; once it completes the list is free again."""
    list_id = await _list_id(demo, "Webinar attendees - October")
    first = await demo.post("/api/leads/search", json={"fetch_count": 5, "listId": list_id})

    second = await demo.post("/api/leads/search", json={"fetch_count": 5, "listId": list_id})
    clock.advance(40)
    third = await demo.post("/api/leads/search", json={"fetch_count": 5, "listId": list_id})

    assert (first.status_code, second.status_code, third.status_code) == (202, 409, 202)
    rows = (await demo.get(f"/api/lists/{list_id}/rows")).json()
    assert rows["total"] == 12 + 5


async def test_fetch_count_is_clamped_to_2500(sandbox: Sandbox) -> None:
    """A bigger ask is priced and run as 2500, per the docs' clamp."""
    async with _client(sandbox, "demo") as client:
        response = await client.post("/api/leads/search", json={"fetch_count": 999_999})

    # 2500 credits exceed the demo's 1000: the clamped count, not the raw one, is what is priced.
    assert response.status_code == 402
    assert response.json()["required"] == 2500


# Campaigns


async def test_create_draft_gets_the_default_two_node_sequence(demo: httpx.AsyncClient) -> None:
    """201, draft, stats null, [connection_request, end] for LinkedIn and [email, end] for email."""
    linkedin = await demo.post(
        "/api/campaigns",
        json={
            "type": "linkedin",
            "name": "L",
            "sender_account_ids": [await _sender_id(demo, "linkedin")],
        },
    )
    email = await demo.post(
        "/api/campaigns",
        json={
            "type": "email",
            "name": "E",
            "sender_account_ids": [await _sender_id(demo, "email")],
        },
    )

    for response, first_type in ((linkedin, "connection_request"), (email, "email")):
        assert response.status_code == 201
        campaign = _accepted(ops.CREATE_CAMPAIGN, response)["campaign"]
        assert (campaign["status"], campaign["stats"]) == ("draft", None)
        assert [(n["position"], n["type"]) for n in campaign["sequence_nodes"]] == [
            (0, first_type),
            (1, "end"),
        ]
    listed = _accepted(ops.LIST_CAMPAIGNS, await demo.get("/api/campaigns"))["campaigns"]
    assert {c["name"] for c in listed} == {"L", "E"}
    assert all(c["node_count"] == 2 and c["sender_accounts"] for c in listed)


async def test_a_duplicate_campaign_name_is_409(demo: httpx.AsyncClient) -> None:
    """Names are unique per workspace."""
    body = {
        "type": "linkedin",
        "name": "Same",
        "sender_account_ids": [await _sender_id(demo, "linkedin")],
    }
    await demo.post("/api/campaigns", json=body)

    response = await demo.post("/api/campaigns", json=body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_senders_must_exist_and_match_the_channel(demo: httpx.AsyncClient) -> None:
    """An email sender on a LinkedIn campaign, or an unknown id, is a 400."""
    wrong_channel = await demo.post(
        "/api/campaigns",
        json={
            "type": "linkedin",
            "name": "X",
            "sender_account_ids": [await _sender_id(demo, "email")],
        },
    )
    unknown = await demo.post(
        "/api/campaigns", json={"type": "linkedin", "name": "Y", "sender_account_ids": ["nope"]}
    )

    assert (wrong_channel.status_code, unknown.status_code) == (400, 400)


@pytest.mark.parametrize(
    "nodes",
    [
        [{"type": "connection_request", "body": "Hi"}],
        [{"type": "email", "subject": "s", "body": "b"}, {"type": "end"}],
        [{"type": "delay", "delay_days": 31}, {"type": "end"}],
        [{"type": "delay", "delay_minutes": 0}, {"type": "end"}],
        [{"type": "end"}, {"type": "message", "body": "x"}, {"type": "end"}],
    ],
    ids=["no-end", "wrong-channel", "delay-too-long", "delay-too-short", "two-ends"],
)
async def test_an_invalid_sequence_is_400_and_writes_nothing(
    demo: httpx.AsyncClient, sandbox: Sandbox, nodes: list[dict[str, Any]]
) -> None:
    """The whole replacement is checked before any write."""
    created = await demo.post(
        "/api/campaigns",
        json={
            "type": "linkedin",
            "name": "Seq",
            "sender_account_ids": [await _sender_id(demo, "linkedin")],
        },
    )
    campaign_id = created.json()["campaign"]["id"]

    response = await demo.patch(
        f"/api/campaigns/{campaign_id}", json={"name": "Renamed", "sequence_nodes": nodes}
    )

    assert response.status_code == 400
    campaign = sandbox.campaigns("demo")[0]
    assert campaign["name"] == "Seq"
    assert [n["type"] for n in campaign["sequence_nodes"]] == ["connection_request", "end"]


async def test_leads_need_their_channel_identity_and_dedupe_normalised(
    demo: httpx.AsyncClient,
) -> None:
    """A row without linkedin_url is a 400 naming its index; URLs dedupe after normalising."""
    created = await demo.post(
        "/api/campaigns",
        json={
            "type": "linkedin",
            "name": "Leads",
            "sender_account_ids": [await _sender_id(demo, "linkedin")],
        },
    )
    leads_path = f"/api/campaigns/{created.json()['campaign']['id']}/leads"

    missing = await demo.post(
        leads_path,
        json={
            "prospects": [{"linkedin_url": "https://www.linkedin.com/in/a"}, {"email": "b@x.io"}]
        },
    )
    added = await demo.post(
        leads_path,
        json={
            "prospects": [
                {"linkedin_url": "https://www.linkedin.com/in/a/"},
                {"linkedin_url": "https://www.linkedin.com/in/a?utm=1"},
                {"linkedin_url": "https://www.linkedin.com/in/b"},
            ]
        },
    )

    assert missing.status_code == 400
    assert "prospects[1]" in missing.json()["error"]["message"]
    assert _accepted(ops.ADD_CAMPAIGN_LEADS, added) == {"imported": 2, "duplicates": 1}


async def test_importing_a_list_twice_is_422_with_counts(demo: httpx.AsyncClient) -> None:
    """The second import adds nothing: 422, and the body still carries the counts."""
    campaign_id = await _ready_linkedin_draft(demo)
    list_id = await _list_id(demo, "Fintech CTOs")

    again = await demo.post(
        f"/api/campaigns/{campaign_id}/leads/import-from-list", json={"listId": list_id}
    )

    assert again.status_code == 422
    assert (again.json()["imported"], again.json()["duplicates"], again.json()["total"]) == (
        0,
        25,
        25,
    )


async def test_resolve_fills_variables_for_each_lead_and_node(demo: httpx.AsyncClient) -> None:
    """resolve is free and writes one draft per lead and sendable node, variables filled."""
    campaign_id = await _ready_linkedin_draft(demo)

    response = await demo.post(
        f"/api/campaigns/{campaign_id}/generate-messages", json={"action": "resolve"}
    )

    messages = _accepted(ops.GENERATE_MESSAGES, response)["messages"]
    assert len(messages) == 25 * 2
    bodies = {m["body_text"] for m in messages}
    assert "Hi Priya" in bodies
    assert "Thanks Priya, Maya here." in bodies


async def test_generate_ai_bills_per_lead_or_is_402_untouched(sandbox: Sandbox) -> None:
    """AI generation costs 2 credits per lead; short of that it is a 402 and nothing is spent."""
    async with _client(sandbox, "low_credits") as client:
        campaign_id = await _ready_linkedin_draft(client)
        patched = await client.patch(
            f"/api/campaigns/{campaign_id}",
            json={"sequence_nodes": [{"type": "ai"}, {"type": "end"}]},
        )
        ai_node = patched.json()["campaign"]["sequence_nodes"][0]["id"]

        response = await client.post(
            f"/api/campaigns/{campaign_id}/generate-messages",
            json={"action": "generate_ai", "node_id": ai_node},
        )

    assert response.status_code == 402
    assert sandbox.ledger("low_credits") == []


async def test_launch_goes_launching_then_active_on_the_clock(
    demo: httpx.AsyncClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """Validate passes, launch answers 200, a second launch is 409, active after 45 s."""
    campaign_id = await _ready_linkedin_draft(demo)

    report = _accepted(
        ops.VALIDATE_CAMPAIGN, await demo.get(f"/api/campaigns/{campaign_id}/validate")
    )
    launched = _accepted(
        ops.LAUNCH_CAMPAIGN, await demo.post(f"/api/campaigns/{campaign_id}/launch")
    )
    second = await demo.post(f"/api/campaigns/{campaign_id}/launch")
    during = _accepted(ops.GET_CAMPAIGN, await demo.get(f"/api/campaigns/{campaign_id}"))
    clock.advance(45)
    after = _accepted(ops.GET_CAMPAIGN, await demo.get(f"/api/campaigns/{campaign_id}"))

    assert (report["ready"], report["errors"]) == (True, [])
    assert report["checks"]["prospect_count"] == 25
    assert launched["message"] == "Campaign launch started"
    assert launched["runId"].startswith("run_")
    assert launched["prospectsToProcess"] == 25
    assert second.status_code == 409
    assert during["campaign"]["status"] == "launching"
    assert during["campaign"]["stats"]["total"] == 25
    assert after["campaign"]["status"] == "active"
    assert after["prospects_by_status"] == {"pending": 25}
    assert sandbox.campaigns("demo")[0]["leads_count"] == 25


async def test_validate_lists_every_blocker_and_launch_refuses(demo: httpx.AsyncClient) -> None:
    """A bare draft fails on leads and content; launch answers 400 with the same errors."""
    created = await demo.post(
        "/api/campaigns",
        json={
            "type": "email",
            "name": "Bare",
            "sender_account_ids": [await _sender_id(demo, "email")],
        },
    )
    campaign_id = created.json()["campaign"]["id"]

    report = (await demo.get(f"/api/campaigns/{campaign_id}/validate")).json()
    launch = await demo.post(f"/api/campaigns/{campaign_id}/launch")

    assert report["ready"] is False
    assert report["errors"] == [
        "Campaign has no pending leads",
        "Nodes missing content at positions 0",
    ]
    assert launch.status_code == 400
    assert launch.json()["errors"] == report["errors"]


async def test_validate_after_launch_only_reports_the_status(
    demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Once not a draft, validate returns only the 'must be draft' error."""
    campaign_id = await _ready_linkedin_draft(demo)
    await demo.post(f"/api/campaigns/{campaign_id}/launch")
    clock.advance(60)

    report = (await demo.get(f"/api/campaigns/{campaign_id}/validate")).json()

    assert report["errors"] == ["Campaign is active — must be draft to launch"]
    assert report["warnings"] == []


async def test_pause_and_resume_follow_the_status_rules(
    demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Only active pauses and only paused resumes; repeats are 400s."""
    campaign_id = await _ready_linkedin_draft(demo)
    early_pause = await demo.post(f"/api/campaigns/{campaign_id}/pause")
    await demo.post(f"/api/campaigns/{campaign_id}/launch")
    clock.advance(45)

    paused = await demo.post(f"/api/campaigns/{campaign_id}/pause")
    paused_again = await demo.post(f"/api/campaigns/{campaign_id}/pause")
    resumed = await demo.post(f"/api/campaigns/{campaign_id}/resume")

    assert early_pause.status_code == 400
    assert paused.json()["campaign"]["status"] == "paused"
    assert paused_again.status_code == 400
    assert resumed.json()["campaign"]["status"] == "active"


async def test_leads_are_frozen_after_launch(demo: httpx.AsyncClient) -> None:
    """Adding leads to a launching campaign is a 400."""
    campaign_id = await _ready_linkedin_draft(demo)
    await demo.post(f"/api/campaigns/{campaign_id}/launch")

    response = await demo.post(
        f"/api/campaigns/{campaign_id}/leads",
        json={"prospects": [{"linkedin_url": "https://www.linkedin.com/in/late"}]},
    )

    assert response.status_code == 400


async def test_keys_isolate_workspaces(sandbox: Sandbox) -> None:
    """Another workspace's campaign is a 404, for reads and writes alike."""
    async with _client(sandbox, "demo") as demo:
        campaign_id = await _ready_linkedin_draft(demo)
    async with _client(sandbox, "no_senders") as other:
        read = await other.get(f"/api/campaigns/{campaign_id}")
        launch = await other.post(f"/api/campaigns/{campaign_id}/launch")
        listed = (await other.get("/api/campaigns")).json()

    assert (read.status_code, launch.status_code) == (404, 404)
    assert listed == {"campaigns": []}
