"""The chat model factory, the usage tally, and the fake OpenAI-compatible endpoint tests share.

`FakeModelEndpoint` answers chat completions from a script through `httpx2.MockTransport`, so
no request leaves the process; it records every request body for assertions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

import httpx2
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from agent.errors import ConfigurationError
from agent.model import ModelUsage, make_chat_model
from agent.settings import Settings

FAKE_BASE_URL = "http://model.invalid/v1"
FAKE_MODEL = "planner-test-model"


def model_settings(**values: str | None) -> Settings:
    """Settings from the given environment names only (the real environment is not read)."""
    defaults: dict[str, str | None] = {
        "PUFFLE_AGENT_MODEL": FAKE_MODEL,
        "OPENAI_API_KEY": "sk-test-0123456789",
        "OPENAI_BASE_URL": FAKE_BASE_URL,
    }
    return Settings.model_validate(defaults | values)


@dataclass
class ScriptedAnswer:
    """One completion: a call of `tool` with raw `arguments`, or plain `content`."""

    tool: str | None = None
    arguments: str = "{}"
    content: str | None = None
    prompt_tokens: int = 100
    completion_tokens: int = 20


def tool_answer(tool: str, arguments: dict[str, Any]) -> ScriptedAnswer:
    return ScriptedAnswer(tool=tool, arguments=json.dumps(arguments))


@dataclass
class FakeModelEndpoint:
    """An OpenAI-compatible `/chat/completions` that replays `script` in order."""

    script: list[ScriptedAnswer]
    requests: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    headers: list[httpx2.Headers] = field(default_factory=list[httpx2.Headers])

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/chat/completions")
        self.requests.append(cast(dict[str, Any], json.loads(request.content)))
        self.headers.append(request.headers)
        if not self.script:
            return httpx2.Response(500, json={"error": {"message": "script exhausted"}})
        return httpx2.Response(200, json=self._completion(self.script.pop(0)))

    async def handle_async(self, request: httpx2.Request) -> httpx2.Response:
        return self.handle(request)

    def chat_model(
        self, settings: Settings | None = None, usage: ModelUsage | None = None
    ) -> BaseChatModel:
        model = make_chat_model(
            settings or model_settings(),
            http_client=httpx2.Client(transport=httpx2.MockTransport(self.handle)),
            http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle_async)),
            usage=usage,
        )
        assert model is not None
        return model

    def _completion(self, answer: ScriptedAnswer) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": answer.content}
        if answer.tool is not None:
            message["tool_calls"] = [
                {
                    "id": f"call_{len(self.requests)}",
                    "type": "function",
                    "function": {"name": answer.tool, "arguments": answer.arguments},
                }
            ]
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": self.requests[-1].get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls" if answer.tool else "stop",
                    "message": message,
                }
            ],
            "usage": {
                "prompt_tokens": answer.prompt_tokens,
                "completion_tokens": answer.completion_tokens,
                "total_tokens": answer.prompt_tokens + answer.completion_tokens,
            },
        }


def test_no_model_configured_gives_none() -> None:
    """With PUFFLE_AGENT_MODEL unset there is no chat model; the rule planner stands in."""
    assert make_chat_model(model_settings(PUFFLE_AGENT_MODEL=None)) is None


def test_model_without_key_or_base_url_is_a_configuration_error() -> None:
    """A model name alone cannot reach OpenAI; the error names the settings to set."""
    settings = model_settings(OPENAI_API_KEY=None, OPENAI_BASE_URL=None)

    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        make_chat_model(settings)


async def test_local_endpoint_needs_no_key() -> None:
    """An OpenAI-compatible server on a base URL works without OPENAI_API_KEY."""
    endpoint = FakeModelEndpoint([ScriptedAnswer(content="pong")])
    model = endpoint.chat_model(model_settings(OPENAI_API_KEY=None))

    answer = await model.ainvoke([HumanMessage("ping")])

    assert answer.content == "pong"
    assert endpoint.headers[0]["authorization"].startswith("Bearer ")


async def test_requests_carry_the_configured_model_at_temperature_zero() -> None:
    """The request names the configured model, sends the key as a Bearer token, temperature 0."""
    endpoint = FakeModelEndpoint([ScriptedAnswer(content="pong")])

    await endpoint.chat_model().ainvoke([HumanMessage("ping")])

    assert endpoint.requests[0]["model"] == FAKE_MODEL
    assert endpoint.requests[0]["temperature"] == 0
    assert endpoint.headers[0]["authorization"] == "Bearer sk-test-0123456789"


async def test_usage_counts_calls_and_tokens() -> None:
    """ModelUsage adds up calls and the prompt/completion tokens each answer reports."""
    usage = ModelUsage()
    endpoint = FakeModelEndpoint(
        [
            ScriptedAnswer(content="one", prompt_tokens=120, completion_tokens=30),
            ScriptedAnswer(content="two", prompt_tokens=80, completion_tokens=10),
        ]
    )
    model = endpoint.chat_model(usage=usage)

    await model.ainvoke([HumanMessage("first")])
    await model.ainvoke([HumanMessage("second")])

    snapshot = usage.snapshot()
    assert (snapshot.calls, snapshot.prompt_tokens, snapshot.completion_tokens) == (2, 200, 40)
    assert snapshot.total_tokens == 240


async def test_usage_attached_per_call_and_reset() -> None:
    """A tally passed in the call's config counts that call only, and reset starts over."""
    usage = ModelUsage()
    model = FakeModelEndpoint([ScriptedAnswer(content="one")]).chat_model()

    await model.ainvoke([HumanMessage("first")], config={"callbacks": [usage]})
    counted = (usage.calls, usage.prompt_tokens, usage.completion_tokens)
    usage.reset()

    assert counted == (1, 100, 20)
    assert usage.calls == 0
