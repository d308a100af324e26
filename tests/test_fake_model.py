"""The scripted eval endpoint serves structured writers as well as text ones."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from agent.messages import ModelWriter, SequenceCopy
from agent.model import ModelUsage
from agent.plans import LaunchCampaignPlan
from benchmarks.harness import drive
from benchmarks.suites import WRITTEN_SEQUENCE, model_cases
from evals.fake_model import ScriptedChatEndpoint, ToolReply

COPY = SequenceCopy(
    first_message="Hi %first_name%, glad to connect.",
    follow_up="Thanks, %first_name%. How does %company% reconcile today?",
    bump="One last nudge, %first_name%.",
)


async def test_tool_and_text_replies_are_served_in_script_order() -> None:
    """Planner call, then a SequenceCopy call the model writer reads, then plain text."""
    endpoint = ScriptedChatEndpoint(
        {"plan": {"journey": "reply_inbox"}},
        [ToolReply("SequenceCopy", COPY.model_dump()), "plain words"],
    )
    usage = ModelUsage()
    model = endpoint.chat_model(usage)
    plan = LaunchCampaignPlan(channel="linkedin", list_name="Fintech CTOs", message_source="model")

    planned = await model.ainvoke([HumanMessage("plan this")])
    nodes = await ModelWriter(model).write(plan, None, None)
    text = await model.ainvoke([HumanMessage("write a post")])

    assert isinstance(planned, AIMessage)
    assert [call["name"] for call in planned.tool_calls] == ["PlannerOutput"]
    bodies = [node.body for node in nodes if node.body]
    assert bodies == [COPY.first_message, COPY.follow_up, COPY.bump]
    assert text.content == "plain words"
    assert usage.calls == 3


async def test_the_model_written_launch_case_sends_the_scripted_copy() -> None:
    """The benchmark's launch case plans, writes once, and launches the model's texts."""
    [case] = [c for c in model_cases("unused.csv") if c.case == "model-written messages"]
    usage = ModelUsage()
    model = ScriptedChatEndpoint(case.planner_output, case.written).chat_model(usage)

    run = await drive(case.goal, case.workspace, chat_model=model)

    assert run.report["status"] == "completed", run.report["summary"]
    assert usage.calls == 2
    [campaign] = run.sandbox.campaigns(case.workspace)
    bodies = [node["body"] for node in campaign["sequence_nodes"] if node.get("body")]
    assert bodies == [
        WRITTEN_SEQUENCE.first_message,
        WRITTEN_SEQUENCE.follow_up,
        WRITTEN_SEQUENCE.bump,
    ]
