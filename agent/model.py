"""The chat model the agent uses where language is, and a tally of what it cost.

Any OpenAI-compatible endpoint works (OpenAI, vLLM, Ollama, LM Studio): `OPENAI_BASE_URL` points
`ChatOpenAI` at it. With no `PUFFLE_AGENT_MODEL` there is no model, and the rule-based planner and
template writer stand in.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx2
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from pydantic import SecretStr, ValidationError

from agent.errors import ConfigurationError
from agent.logging import register_secret
from agent.settings import Settings

# Local servers (vLLM, Ollama, LM Studio) accept any key, but the OpenAI client insists on one.
_LOCAL_ENDPOINT_KEY = "not-needed"
# Planning and writing answers are short; a model still thinking after this long is stuck.
_MODEL_TIMEOUT_SECONDS = 120.0
_MODEL_MAX_RETRIES = 2

T = TypeVar("T")


def make_chat_model(
    settings: Settings,
    *,
    http_client: httpx2.Client | None = None,
    http_async_client: httpx2.AsyncClient | None = None,
    usage: ModelUsage | None = None,
) -> BaseChatModel | None:
    """Build the configured chat model, or return None when no model is configured.

    `http_client` / `http_async_client` replace the transport (tests pass a MockTransport);
    `usage`, when given, counts every call this model makes.
    """
    if settings.model is None:
        return None

    api_key = settings.openai_api_key
    if api_key is None:
        if settings.openai_base_url is None:
            raise ConfigurationError(
                "PUFFLE_AGENT_MODEL is set but neither OPENAI_API_KEY nor OPENAI_BASE_URL is: "
                "set a key for OpenAI, or a base URL for a local OpenAI-compatible server"
            )
        api_key = SecretStr(_LOCAL_ENDPOINT_KEY)
    register_secret(api_key.get_secret_value())

    # Imported here: the openai SDK takes seconds to import, and runs without a model skip it.
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.model,
        api_key=api_key,
        base_url=settings.openai_base_url,
        temperature=0,
        timeout=_MODEL_TIMEOUT_SECONDS,
        max_retries=_MODEL_MAX_RETRIES,
        http_client=http_client,
        http_async_client=http_async_client,
        callbacks=[usage] if usage is not None else None,
    )


@dataclass(frozen=True)
class UsageSnapshot:
    """Model calls and tokens counted so far."""

    calls: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelUsage(BaseCallbackHandler):
    """Counts chat model calls and the prompt and completion tokens their answers report.

    Attach it to a model (`make_chat_model(..., usage=...)`) or to one invocation
    (`config={"callbacks": [usage]}`). Answers without usage metadata count as a call with no
    tokens, so `calls` stays right for endpoints that do not report usage.
    """

    # Counting is cheap; running inline avoids a thread hop per callback in async runs.
    run_inline = True

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._calls = 0
        self._prompt_tokens = 0
        self._completion_tokens = 0

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            return UsageSnapshot(self._calls, self._prompt_tokens, self._completion_tokens)

    @property
    def calls(self) -> int:
        return self.snapshot().calls

    @property
    def prompt_tokens(self) -> int:
        return self.snapshot().prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.snapshot().completion_tokens

    def reset(self) -> None:
        with self._lock:
            self._calls = self._prompt_tokens = self._completion_tokens = 0

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> Any:
        prompt_tokens, completion_tokens = _tokens_of(response)
        with self._lock:
            self._calls += 1
            self._prompt_tokens += prompt_tokens
            self._completion_tokens += completion_tokens

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> Any:
        # A call that failed still went to the endpoint, and benchmarks count attempts.
        with self._lock:
            self._calls += 1

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> Any:
        # Without this override LangChain falls back to `on_llm_start` with the messages rendered
        # as text; calls are counted when they end, where the usage is known.
        return None


def _tokens_of(response: LLMResult) -> tuple[int, int]:
    prompt_tokens = completion_tokens = 0
    for generations in response.generations:
        for generation in generations:
            if not isinstance(generation, ChatGeneration):
                continue
            message = generation.message
            if isinstance(message, AIMessage) and message.usage_metadata is not None:
                prompt_tokens += message.usage_metadata["input_tokens"]
                completion_tokens += message.usage_metadata["output_tokens"]
    return prompt_tokens, completion_tokens


# Structured answers


def fence(tag: str, text: str) -> str:
    """Wrap `text` in `<tag>` markers it cannot close early by containing the marker itself."""
    neutral = re.sub(rf"<\s*/?\s*{tag}\s*>", f"[{tag}]", text, flags=re.IGNORECASE)
    return f"<{tag}>\n{neutral}\n</{tag}>"


def read_structured_answer(answer: object, schema: type[T]) -> tuple[T | None, str]:
    """Split a `with_structured_output(include_raw=True)` answer into (parsed, problem)."""
    if not isinstance(answer, dict):
        return None, "the model client returned no structured answer"
    fields = cast("dict[str, object]", answer)
    parsed = fields.get("parsed")
    if isinstance(parsed, schema):
        return parsed, ""

    error = fields.get("parsing_error")
    if isinstance(error, ValidationError):
        return None, describe_validation_error(error)
    if error is not None:
        return None, f"the arguments could not be read ({type(error).__name__})"

    raw = fields.get("raw")
    if getattr(raw, "invalid_tool_calls", None):
        return None, f"the {schema.__name__} arguments were not valid JSON"
    return None, f"the answer did not call {schema.__name__}"


def describe_validation_error(error: ValidationError) -> str:
    """Where and why validation failed, without echoing the values the model sent."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'answer'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ]
    return "; ".join(problems[:5])
