"""The sandbox's AI steps: the node endpoint's brief, paid generation, and what validate flags."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from agent import operations as ops
from agent.clock import FakeClock
from sandbox import Sandbox

BRIEF = {"purpose": "Write a short first message about the lead's payments stack."}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=FakeClock())


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {sandbox.api_key_for('demo')}"},
    ) as client:
        yield client


def _accepted(operation: ops.Operation[Any, Any], response: httpx.Response) -> Any:
    """The body, after checking the agent's response model for the operation accepts it."""
    assert response.is_success, response.text
    model: type[BaseModel] = operation.response_model
    model.model_validate(response.json())
    return response.json()


async def _ai_draft(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A LinkedIn draft of the Fintech CTOs list: invitation, delay, AI step, end; node ids."""
    accounts = (await client.get("/api/accounts", params={"type": "linkedin"})).json()["accounts"]
    created = await client.post(
        "/api/campaigns",
        json={"type": "linkedin", "name": "AI draft", "sender_account_ids": [accounts[0]["id"]]},
    )
    campaign_id = created.json()["campaign"]["id"]
    patched = await client.patch(
        f"/api/campaigns/{campaign_id}",
        json={
            "sequence_nodes": [
                {"type": "connection_request", "body": "Hi %first_name%", "include_message": True},
                {"type": "delay", "delay_days": 2},
                {"type": "ai"},
                {"type": "end"},
            ]
        },
    )
    lists = (await client.get("/api/lists")).json()["lists"]
    list_id = next(item["id"] for item in lists if item["name"] == "Fintech CTOs")
    await client.post(
        f"/api/campaigns/{campaign_id}/leads/import-from-list", json={"listId": list_id}
    )
    nodes = patched.json()["campaign"]["sequence_nodes"]
    return campaign_id, {node["type"]: node["id"] for node in nodes}


def _node_path(campaign_id: str, node_id: str) -> str:
    return f"/api/campaigns/{campaign_id}/sequence/nodes/{node_id}"


async def test_put_sets_an_ai_brief_and_updates_only_the_keys_sent(
    demo: httpx.AsyncClient,
) -> None:
    """The AI extension is created by the first PUT; a later one changes only what it sends."""
    campaign_id, ids = await _ai_draft(demo)

    first = _accepted(
        ops.UPDATE_SEQUENCE_NODE,
        await demo.put(
            _node_path(campaign_id, ids["ai"]), json={"ai_node": {**BRIEF, "output_type": "x"}}
        ),
    )
    second = _accepted(
        ops.UPDATE_SEQUENCE_NODE,
        await demo.put(_node_path(campaign_id, ids["ai"]), json={"ai_node": {"output_type": "y"}}),
    )

    assert first["node"]["ai_node"] == {**BRIEF, "output_type": "x"}
    assert second["node"]["ai_node"] == {**BRIEF, "output_type": "y"}
    detail = (await demo.get(f"/api/campaigns/{campaign_id}")).json()
    [stored] = [node for node in detail["sequence_nodes"] if node["type"] == "ai"]
    assert stored["ai_node"] == second["node"]["ai_node"]


async def test_put_ignores_fields_that_do_not_apply_and_immutable_ones(
    demo: httpx.AsyncClient,
) -> None:
    """`ai_node` on a message-type node, and `type`/`position`, change nothing."""
    campaign_id, ids = await _ai_draft(demo)

    answer = _accepted(
        ops.UPDATE_SEQUENCE_NODE,
        await demo.put(
            _node_path(campaign_id, ids["connection_request"]),
            json={"body": "Hello %first_name%", "ai_node": BRIEF, "type": "ai", "position": 3},
        ),
    )

    node = answer["node"]
    assert (node["type"], node["position"], node["body"]) == (
        "connection_request",
        0,
        "Hello %first_name%",
    )
    assert node["ai_node"] is None


@pytest.mark.parametrize(
    ("which", "body", "status"),
    [
        pytest.param("unknown-node", {"ai_node": BRIEF}, 404, id="node-not-in-campaign"),
        pytest.param("unknown-campaign", {"ai_node": BRIEF}, 404, id="campaign-not-owned"),
        pytest.param("ai", {"ai_node": {"purpose": 12}}, 400, id="purpose-not-a-string"),
        pytest.param("ai", {"ai_node": "write nicely"}, 400, id="ai-node-not-an-object"),
    ],
)
async def test_put_refuses_unknown_targets_and_malformed_bodies(
    demo: httpx.AsyncClient, which: str, body: dict[str, Any], status: int
) -> None:
    """404 for a node or campaign the caller does not have, 400 for a body of the wrong shape."""
    campaign_id, ids = await _ai_draft(demo)
    path = {
        "unknown-node": _node_path(campaign_id, "00000000-0000-4000-8000-000000000000"),
        "unknown-campaign": _node_path("00000000-0000-4000-8000-000000000000", ids["ai"]),
        "ai": _node_path(campaign_id, ids["ai"]),
    }[which]

    response = await demo.put(path, json=body)

    assert response.status_code == status
    assert response.json()["error"]["correlationId"].startswith("corr_")
    detail = (await demo.get(f"/api/campaigns/{campaign_id}")).json()
    assert all(node["ai_node"] is None for node in detail["sequence_nodes"])


async def test_put_on_a_launched_campaign_is_400_and_writes_nothing(
    demo: httpx.AsyncClient,
) -> None:
    """Only drafts take node updates; a launched campaign's brief stays as it was."""
    campaign_id, ids = await _ai_draft(demo)
    await demo.put(_node_path(campaign_id, ids["ai"]), json={"ai_node": BRIEF})
    await demo.post(
        f"/api/campaigns/{campaign_id}/generate-messages",
        json={"action": "generate_ai", "node_id": ids["ai"]},
    )
    assert (await demo.post(f"/api/campaigns/{campaign_id}/launch")).status_code == 200

    response = await demo.put(
        _node_path(campaign_id, ids["ai"]), json={"ai_node": {"purpose": "Something else"}}
    )

    assert response.status_code == 400
    detail = (await demo.get(f"/api/campaigns/{campaign_id}")).json()
    [stored] = [node for node in detail["sequence_nodes"] if node["type"] == "ai"]
    assert stored["ai_node"]["purpose"] == BRIEF["purpose"]


async def test_validate_flags_an_ai_step_without_a_brief_or_generated_messages(
    demo: httpx.AsyncClient,
) -> None:
    """No brief blocks the launch; a brief without generated messages is only a warning."""
    campaign_id, ids = await _ai_draft(demo)
    validate_path = f"/api/campaigns/{campaign_id}/validate"

    unbriefed = _accepted(ops.VALIDATE_CAMPAIGN, await demo.get(validate_path))
    await demo.put(_node_path(campaign_id, ids["ai"]), json={"ai_node": BRIEF})
    briefed = _accepted(ops.VALIDATE_CAMPAIGN, await demo.get(validate_path))
    await demo.post(
        f"/api/campaigns/{campaign_id}/generate-messages",
        json={"action": "generate_ai", "node_id": ids["ai"]},
    )
    generated = _accepted(ops.VALIDATE_CAMPAIGN, await demo.get(validate_path))

    assert unbriefed["ready"] is False
    assert "AI node at position 2 has no ai_node purpose" in unbriefed["errors"]
    assert (briefed["ready"], briefed["errors"]) == (True, [])
    assert "AI node at position 2 has no generated examples" in briefed["warnings"]
    assert not any("AI node" in warning for warning in generated["warnings"])


async def test_generate_ai_writes_a_message_per_lead_and_debits_two_credits_each(
    demo: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """25 leads: 25 drafts for the AI node, 50 credits; a second call replaces, not adds."""
    campaign_id, ids = await _ai_draft(demo)
    await demo.put(_node_path(campaign_id, ids["ai"]), json={"ai_node": BRIEF})
    path = f"/api/campaigns/{campaign_id}/generate-messages"

    first = _accepted(
        ops.GENERATE_MESSAGES,
        await demo.post(path, json={"action": "generate_ai", "node_id": ids["ai"]}),
    )
    await demo.post(path, json={"action": "generate_ai", "node_id": ids["ai"]})

    assert first["queued"] == 25
    assert [(e["action"], e["count"], e["credits"]) for e in sandbox.ledger("demo")] == [
        ("AI_MESSAGE_GENERATION", 25, 50),
        ("AI_MESSAGE_GENERATION", 25, 50),
    ]
    [campaign] = sandbox.campaigns("demo")
    assert campaign["messages_count"] == 25


async def test_a_sequence_patch_that_keeps_the_ai_node_id_keeps_its_brief(
    demo: httpx.AsyncClient,
) -> None:
    """Rewriting the sequence with the AI node's id keeps the brief; without the id it is new."""
    campaign_id, ids = await _ai_draft(demo)
    await demo.put(_node_path(campaign_id, ids["ai"]), json={"ai_node": BRIEF})

    def sequence(ai_node: dict[str, Any]) -> dict[str, Any]:
        return {
            "sequence_nodes": [
                {"type": "connection_request", "body": "Hey %first_name%", "include_message": True},
                {"type": "delay", "delay_days": 3},
                ai_node,
                {"type": "end"},
            ]
        }

    kept = await demo.patch(
        f"/api/campaigns/{campaign_id}", json=sequence({"id": ids["ai"], "type": "ai"})
    )
    replaced = await demo.patch(f"/api/campaigns/{campaign_id}", json=sequence({"type": "ai"}))

    [kept_ai] = [n for n in kept.json()["campaign"]["sequence_nodes"] if n["type"] == "ai"]
    [new_ai] = [n for n in replaced.json()["campaign"]["sequence_nodes"] if n["type"] == "ai"]
    assert (kept_ai["id"], kept_ai["ai_node"]) == (ids["ai"], BRIEF | {"output_type": None})
    assert new_ai["id"] != ids["ai"]
    assert new_ai["ai_node"] is None
