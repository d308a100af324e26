"""A scripted OpenAI-compatible chat endpoint, so a scenario can fix the model's replies.

The endpoint answers `/chat/completions` from a script through `httpx2.MockTransport`; nothing
leaves the process. The first reply calls the planner's `PlannerOutput` tool with the scenario's
JSON; later replies are plain text for writers that want text (the social post), or a `ToolReply`
for writers that ask for structured output (the sequence writer's `SequenceCopy`). Once the script
runs out the endpoint answers 500, which the run reports as a model failure instead of inventing a
reply.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx2
from langchain_core.language_models import BaseChatModel

from agent.model import ModelUsage, make_chat_model
from agent.settings import Settings

SCRIPTED_BASE_URL = "http://scripted-model.invalid/v1"
SCRIPTED_MODEL = "scripted-eval-model"
# Token counts are fixed so the table's model columns are stable from run to run.
PROMPT_TOKENS = 400
COMPLETION_TOKENS = 60


@dataclass(frozen=True)
class ToolReply:
    """A reply that calls the tool `name` with `arguments`, as structured output expects."""

    name: str
    arguments: dict[str, Any]


class ScriptedChatEndpoint:
    """Serves the planner's structured answer, then the writers' replies, one per request."""

    def __init__(self, planner_output: dict[str, Any], replies: Sequence[str | ToolReply]) -> None:
        self._script: list[tuple[str | None, str]] = [
            ("PlannerOutput", json.dumps(planner_output)),
            *(_scripted(reply) for reply in replies),
        ]
        self.requests = 0

    def chat_model(self, usage: ModelUsage) -> BaseChatModel:
        settings = Settings.model_validate(
            {"PUFFLE_AGENT_MODEL": SCRIPTED_MODEL, "OPENAI_BASE_URL": SCRIPTED_BASE_URL}
        )
        model = make_chat_model(
            settings,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self._answer)),
            http_async_client=httpx2.AsyncClient(
                transport=httpx2.MockTransport(self._answer_async)
            ),
            usage=usage,
        )
        assert model is not None, "a model name is set, so a model is built"
        return model

    async def _answer_async(self, request: httpx2.Request) -> httpx2.Response:
        return self._answer(request)

    def _answer(self, request: httpx2.Request) -> httpx2.Response:
        self.requests += 1
        if not self._script:
            return httpx2.Response(
                500, json={"error": {"message": "the scenario's script ran out"}}
            )
        tool, text = self._script.pop(0)
        message: dict[str, Any] = {"role": "assistant", "content": None if tool else text}
        if tool is not None:
            message["tool_calls"] = [
                {
                    "id": f"call_{self.requests}",
                    "type": "function",
                    "function": {"name": tool, "arguments": text},
                }
            ]
        completion = {
            "id": f"chatcmpl-eval-{self.requests}",
            "object": "chat.completion",
            "created": 0,
            "model": SCRIPTED_MODEL,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls" if tool else "stop",
                    "message": message,
                }
            ],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            },
        }
        return httpx2.Response(200, json=completion)


def _scripted(reply: str | ToolReply) -> tuple[str | None, str]:
    """(tool name, its JSON arguments) for a tool call; (None, the text) for a plain reply."""
    if isinstance(reply, ToolReply):
        return reply.name, json.dumps(reply.arguments)
    return None, reply
