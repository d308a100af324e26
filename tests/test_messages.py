"""Sequence writers: the exact template sequences, goal-quoted messages, the model writer, and
the structure the code enforces whatever the texts."""

from __future__ import annotations

import pytest

from agent.messages import (
    AI_PURPOSE_LIMIT,
    CONNECTION_NOTE_LIMIT,
    GoalWriter,
    MessageWritingError,
    ModelWriter,
    PuffleAiWriter,
    TemplateWriter,
    ai_step_settings,
    clean_text,
    enforce_sequence,
    fit_connection_note,
    make_writer,
    rendered_length,
)
from agent.plans import LaunchCampaignPlan
from agent.schemas import Channel, SequenceNodeInput
from prompts import load_prompt
from tests.test_model_endpoint import FakeModelEndpoint, ScriptedAnswer, tool_answer
from tests.test_planners import DEMO_CONTEXT

Node = SequenceNodeInput


async def test_linkedin_template_sequence() -> None:
    """LinkedIn: note, 2 days, follow-up, 4 days, bump, end; personalised from the context."""
    plan = LaunchCampaignPlan(channel="linkedin")

    nodes = await TemplateWriter().write(plan, DEMO_CONTEXT, "Ana")

    assert nodes == [
        Node(
            type="connection_request",
            include_message=True,
            body="Hi %first_name%, I work on a real-time reconciliation API and like meeting "
            "people at teams like %company%. Would be great to connect!",
        ),
        Node(type="delay", delay_days=2),
        Node(
            type="message",
            body="Thanks for connecting, %first_name%! Finance teams spend days every month "
            "matching payments to ledger entries by hand. We built a real-time reconciliation "
            "API to solve exactly that. Curious how %company% handles this today. Open to a "
            "quick chat?\n\nCheers,\n%sender_first%",
        ),
        Node(type="delay", delay_days=4),
        Node(
            type="message",
            body="Hi %first_name%, just bringing this back up in case it got buried. Happy to "
            "show you a short demo whenever suits.\n\nCheers,\n%sender_first%",
        ),
        Node(type="end"),
    ]


async def test_email_template_sequence() -> None:
    """Email: first email with subject, 3 days, a reply in the thread, end."""
    plan = LaunchCampaignPlan(channel="email")

    nodes = await TemplateWriter().write(plan, DEMO_CONTEXT, "Ana")

    assert nodes == [
        Node(
            type="email",
            subject="Quick question for %company%",
            is_reply=False,
            body="Hi %first_name%,\n\nFinance teams spend days every month matching payments to "
            "ledger entries by hand. We built a real-time reconciliation API to solve exactly "
            "that.\n\nCurious how %company% handles this today. Open to a quick chat?\n\n"
            "Cheers,\n%sender_first%",
        ),
        Node(type="delay", delay_days=3),
        Node(
            type="email",
            subject="Re: Quick question for %company%",
            is_reply=True,
            body="Hi %first_name%,\n\nFollowing up on my note below in case it slipped through. "
            "Would a 15-minute call next week be useful?\n\nCheers,\n%sender_first%",
        ),
        Node(type="end"),
    ]


async def test_formal_tone_without_sender_or_context() -> None:
    """A formal tone changes the voice; no sender name means no sign-off variable."""
    plan = LaunchCampaignPlan(channel="email", tone="formal")

    nodes = await TemplateWriter().write(plan, None, None)

    assert nodes == [
        Node(
            type="email",
            subject="A question for %company%",
            is_reply=False,
            body="Hello %first_name%,\n\nIt is a problem we spend our days on.\n\nWould you be "
            "open to a brief call about how %company% approaches this today?",
        ),
        Node(type="delay", delay_days=3),
        Node(
            type="email",
            subject="Re: A question for %company%",
            is_reply=True,
            body="Hello %first_name%,\n\nI wanted to follow up on my message below. Would a "
            "short call next week be convenient?",
        ),
        Node(type="end"),
    ]


@pytest.mark.parametrize("channel", ["linkedin", "email"])
async def test_templates_use_only_documented_variables(channel: str) -> None:
    """Every %variable% in a template is one Puffle documents."""
    plan = LaunchCampaignPlan.model_validate({"channel": channel})

    nodes = await TemplateWriter().write(plan, DEMO_CONTEXT, "Ana")

    for node in nodes:
        text = f"{node.subject or ''} {node.body or ''}"
        assert clean_text(text) == text.strip()


async def test_goal_messages_become_the_bodies_in_order_on_linkedin() -> None:
    """Quoted messages: the first is the connection note, the rest follow after delays."""
    plan = LaunchCampaignPlan(
        channel="linkedin",
        message_source="goal",
        messages=["Hi %first_name%, loved your talk.", "Any thoughts?", "Last nudge!"],
    )

    nodes = await make_writer(plan, None).write(plan, DEMO_CONTEXT, None)

    assert nodes == [
        Node(type="connection_request", include_message=True, body=plan.messages[0]),
        Node(type="delay", delay_days=2),
        Node(type="message", body="Any thoughts?"),
        Node(type="delay", delay_days=4),
        Node(type="message", body="Last nudge!"),
        Node(type="end"),
    ]


async def test_goal_messages_on_email_get_a_subject_and_thread() -> None:
    """The first quoted message opens with the template subject; later ones reply in thread."""
    plan = LaunchCampaignPlan(
        channel="email", message_source="goal", messages=["Hello %first_name%!", "Following up."]
    )

    nodes = await GoalWriter().write(plan, DEMO_CONTEXT, None)

    assert nodes == [
        Node(
            type="email",
            subject="Quick question for %company%",
            body="Hello %first_name%!",
            is_reply=False,
        ),
        Node(type="delay", delay_days=3),
        Node(
            type="email",
            subject="Re: Quick question for %company%",
            body="Following up.",
            is_reply=True,
        ),
        Node(type="end"),
    ]


async def test_goal_connection_note_over_the_limit_is_cut() -> None:
    """A quoted note longer than LinkedIn allows is cut on a word boundary."""
    long_note = "Hi %first_name%, " + "we reconcile payments in real time for teams " * 10
    plan = LaunchCampaignPlan(channel="linkedin", message_source="goal", messages=[long_note])

    [note, end] = await GoalWriter().write(plan, None, None)

    assert end == Node(type="end")
    assert note.body is not None
    assert rendered_length(note.body) <= CONNECTION_NOTE_LIMIT
    assert note.body.endswith("…")
    assert long_note.startswith(note.body.removesuffix("…"))
    assert long_note[len(note.body) - 1] == " "


def test_note_limit_counts_variables_at_their_filled_width() -> None:
    """A note is measured as it will be sent, with room for long names in its variables."""
    note = "%company% " * 10

    assert len(note.strip()) < CONNECTION_NOTE_LIMIT
    assert rendered_length(fit_connection_note(note.strip())) <= CONNECTION_NOTE_LIMIT


def test_short_note_is_untouched() -> None:
    """A note within the limit stays exactly as written."""
    assert fit_connection_note("Hi %first_name%, glad to connect.") == (
        "Hi %first_name%, glad to connect."
    )


def test_undocumented_variables_are_removed_and_braces_converted() -> None:
    """{{first_name}} becomes %first_name%; %last_name% and other placeholders disappear."""
    text = "Hi {{ first_name }} %last_name% , how is {{Company}}? %custom_fields.x% 80% sure."

    assert clean_text(text) == "Hi %first_name%, how is %company%? 80% sure."


def test_enforce_sequence_fixes_whatever_it_is_given() -> None:
    """Wrong-channel nodes, stray ends, empty bodies and bad delays are all put right."""
    nodes = [
        Node(type="delay", delay_days=1),
        Node(type="end"),
        Node(type="email", subject="", body="First"),
        Node(type="message", body="Not an email node"),
        Node(type="delay", delay_days=0, delay_hours=0),
        Node(type="delay", delay_days=40),
        Node(type="email", subject="", body="   "),
        Node(type="email", subject="", body="Second"),
        Node(type="ai"),
        Node(type="delay", delay_days=2),
    ]

    shaped = enforce_sequence("email", nodes, fallback_subject="Hello %company%")

    assert shaped == [
        Node(type="email", subject="Hello %company%", body="First", is_reply=False),
        Node(type="delay", delay_days=30),
        Node(type="email", subject="Re: Hello %company%", body="Second", is_reply=True),
        Node(type="end"),
    ]


def test_enforce_sequence_keeps_one_opening_connection_request() -> None:
    """LinkedIn sequences open with at most one invitation; a later one is dropped."""
    nodes = [
        Node(type="connection_request", include_message=True, body=""),
        Node(type="delay", delay_hours=0),
        Node(type="message", body="Thanks!"),
        Node(type="connection_request", include_message=True, body="Again?"),
        Node(type="email", subject="x", body="Wrong channel"),
    ]

    assert enforce_sequence("linkedin", nodes) == [
        Node(type="connection_request", include_message=False),
        Node(type="delay", delay_days=0, delay_hours=1),
        Node(type="message", body="Thanks!"),
        Node(type="end"),
    ]


def test_enforce_sequence_keeps_one_ai_step_only_when_asked() -> None:
    """An AI step is paid per lead: kept once when allowed, dropped from any other sequence."""
    nodes = [
        Node(type="connection_request", include_message=True, body="Hi %first_name%"),
        Node(type="ai"),
        Node(type="delay", delay_days=2),
        Node(type="ai"),
    ]

    assert enforce_sequence("linkedin", nodes, allow_ai=True) == [
        Node(type="connection_request", include_message=True, body="Hi %first_name%"),
        Node(type="ai"),
        Node(type="end"),
    ]
    assert enforce_sequence("linkedin", nodes) == [
        Node(type="connection_request", include_message=True, body="Hi %first_name%"),
        Node(type="end"),
    ]


async def test_puffle_ai_linkedin_sequence_invites_then_leaves_the_message_to_puffle() -> None:
    """LinkedIn: the template's connection note, two days, the AI step, end."""
    plan = LaunchCampaignPlan(
        channel="linkedin", list_name="Fintech CTOs", message_source="puffle_ai"
    )

    nodes = await PuffleAiWriter().write(plan, DEMO_CONTEXT, "Ana")

    [note, *_] = await TemplateWriter().write(plan, DEMO_CONTEXT, "Ana")
    assert nodes == [note, Node(type="delay", delay_days=2), Node(type="ai"), Node(type="end")]


async def test_puffle_ai_email_sequence_is_the_ai_step_alone() -> None:
    """Email: Puffle's AI writes the email itself, so the sequence is the AI step and end."""
    plan = LaunchCampaignPlan(channel="email", list_name="Fintech CTOs", message_source="puffle_ai")

    nodes = await PuffleAiWriter().write(plan, DEMO_CONTEXT, None)

    assert nodes == [Node(type="ai"), Node(type="end")]


@pytest.mark.parametrize(("channel", "output_type"), [("linkedin", None), ("email", "email")])
def test_the_ai_brief_comes_from_the_goal_and_the_context(
    channel: Channel, output_type: str | None
) -> None:
    """The purpose names the audience, product, problem, tone and sender; only email says so."""
    plan = LaunchCampaignPlan(
        channel=channel, list_name="Fintech CTOs", message_source="puffle_ai", tone="warm"
    )

    brief = ai_step_settings(plan, DEMO_CONTEXT, "Ana")

    assert brief.output_type == output_type
    for expected in (
        "Fintech CTOs",
        "a real-time reconciliation API",
        "matching payments to ledger entries",
        "Tone: warm.",
        "Sign off as Ana.",
    ):
        assert expected in brief.purpose
    assert "%" not in brief.purpose


def test_a_long_audience_keeps_the_ai_brief_within_its_bound() -> None:
    """A pasted essay of an audience is cut, so the brief stays a brief."""
    plan = LaunchCampaignPlan(
        channel="linkedin", search_query="fintech CTOs " * 80, message_source="puffle_ai"
    )

    brief = ai_step_settings(plan, DEMO_CONTEXT, None)

    assert len(brief.purpose) <= AI_PURPOSE_LIMIT
    assert "fintech CTOs fintech CTOs…" in brief.purpose
    assert "Sign off" not in brief.purpose


@pytest.mark.parametrize(
    ("plan", "with_model", "writer_name"),
    [
        pytest.param(
            LaunchCampaignPlan(channel="email", message_source="goal", messages=["Hi"]),
            True,
            "goal",
            id="goal-messages",
        ),
        pytest.param(
            LaunchCampaignPlan(channel="email", message_source="model"), True, "model", id="model"
        ),
        pytest.param(
            LaunchCampaignPlan(channel="email", message_source="model"),
            False,
            "template",
            id="model-without-model",
        ),
        pytest.param(
            LaunchCampaignPlan(channel="email", message_source="puffle_ai"),
            False,
            "puffle_ai",
            id="puffle-ai",
        ),
        pytest.param(LaunchCampaignPlan(channel="email"), True, "template", id="template"),
    ],
)
def test_make_writer(plan: LaunchCampaignPlan, with_model: bool, writer_name: str) -> None:
    """The plan's message source picks the writer; no model falls back to templates."""
    chat_model = FakeModelEndpoint([]).chat_model() if with_model else None

    assert make_writer(plan, chat_model).name == writer_name


LINKEDIN_COPY = {
    "subject": "",
    "first_message": "Hi {{first_name}}, I build reconciliation tooling. Glad to connect!",
    "follow_up": "Thanks %first_name%! How does %company% reconcile payments today?",
    "bump": "Hi %first_name%, one last nudge. %sender_first%",
}


async def test_model_writer_texts_become_linkedin_nodes() -> None:
    """The model writes three texts; the code builds the nodes and cleans the variables."""
    endpoint = FakeModelEndpoint([tool_answer("SequenceCopy", LINKEDIN_COPY)])
    plan = LaunchCampaignPlan(channel="linkedin", search_query="fintech CTOs", tone="warm")

    nodes = await ModelWriter(endpoint.chat_model()).write(plan, DEMO_CONTEXT, "Ana")

    assert nodes == [
        Node(
            type="connection_request",
            include_message=True,
            body="Hi %first_name%, I build reconciliation tooling. Glad to connect!",
        ),
        Node(type="delay", delay_days=2),
        Node(type="message", body=LINKEDIN_COPY["follow_up"]),
        Node(type="delay", delay_days=4),
        Node(type="message", body=LINKEDIN_COPY["bump"]),
        Node(type="end"),
    ]
    [request] = endpoint.requests
    assert request["tools"][0]["function"]["name"] == "SequenceCopy"
    system, user = request["messages"]
    assert system["content"] == load_prompt("write_sequence")
    assert "Channel: linkedin. Tone: warm." in user["content"]
    assert "<audience>\nfintech CTOs\n</audience>" in user["content"]
    assert "Real-time reconciliation API" in user["content"]


async def test_model_writer_email_keeps_the_code_structure() -> None:
    """Email from the model: its subject and two bodies; a stray bump and long texts obey."""
    copy = {
        "subject": "Reconciliation at %company%",
        "first_message": "Hi %first_name%, " + "word " * 400,
        "follow_up": "Any thoughts?",
        "bump": "ignored on email",
    }
    endpoint = FakeModelEndpoint([tool_answer("SequenceCopy", copy)])
    plan = LaunchCampaignPlan(channel="email")

    nodes = await ModelWriter(endpoint.chat_model()).write(plan, DEMO_CONTEXT, None)

    assert [node.type for node in nodes] == ["email", "delay", "email", "end"]
    assert nodes[0].subject == "Reconciliation at %company%"
    assert nodes[2] == Node(
        type="email", subject="Re: Reconciliation at %company%", body="Any thoughts?", is_reply=True
    )


async def test_model_writer_gives_up_after_two_unusable_answers() -> None:
    """Two answers without usable texts raise MessageWritingError naming the problem."""
    bad = ScriptedAnswer(tool="SequenceCopy", arguments='{"first_message": "Hi"}')
    endpoint = FakeModelEndpoint([bad, bad])
    plan = LaunchCampaignPlan(channel="email")

    with pytest.raises(MessageWritingError, match="follow_up: Field required"):
        await ModelWriter(endpoint.chat_model()).write(plan, DEMO_CONTEXT, None)


async def test_model_writer_retries_once() -> None:
    """One unusable answer, then a good one: the good one is used."""
    empty = tool_answer("SequenceCopy", LINKEDIN_COPY | {"first_message": "  "})
    endpoint = FakeModelEndpoint([empty, tool_answer("SequenceCopy", LINKEDIN_COPY)])
    plan = LaunchCampaignPlan(channel="linkedin")

    nodes = await ModelWriter(endpoint.chat_model()).write(plan, DEMO_CONTEXT, None)

    assert nodes[0].type == "connection_request"
    assert "first_message was empty" in endpoint.requests[1]["messages"][-1]["content"]
