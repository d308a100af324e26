"""Record a scenario's HTTP exchanges against a real Puffle, and replay them with no network.

Recording runs the agent against `PUFFLE_BASE_URL` with vcrpy patching httpx (the Puffle
client) and httpx2 (the openai SDK under the chat model), so both sides of a run land in one
cassette. Before anything is written, the key is replaced, and emails, phone numbers and people's
names are scrubbed from JSON bodies by key and from all text by pattern. Replaying points the
agent at a placeholder host with `record_mode="none"`: every request must find its recorded
answer in order, and one that does not fails the run with the request named.

A cassette sits beside its scenario as `<scenario file stem>.cassette.yaml` unless the scenario
names another file in `cassette`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import vcr
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.record_mode import RecordMode

from agent.clock import FakeClock
from agent.runner import AgentRunner, PuffleTarget, remote_target
from agent.settings import Settings
from evals.scenario import Scenario
from evals.scoring import Observation

CASSETTE_SUFFIX = ".cassette.yaml"
REPLAY_BASE_URL = "http://puffle-replay.invalid"
# Stands in for the key on replay; the cassette holds no key to compare it with.
REPLAY_KEY = "pk_replay_not_a_real_key"
SCRUBBED_AUTHORIZATION = "Bearer <scrubbed>"

_PERSON_KEYS = frozenset(
    {
        "firstName",
        "lastName",
        "fullName",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "emails",
        "phone",
        "phoneNumber",
        "phone_number",
        "senderName",
        "sender_name",
        "authorName",
        "author_name",
        "participant_name",
        "participantName",
        "lead_name",
        "leadName",
    }
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ()-]{7,}\d(?![\w-])")
_PROFILE_SLUG = re.compile(r"(linkedin\.com/in/)[A-Za-z0-9_%-]+")
_DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "authorization"})

Drive = Callable[[AgentRunner, Scenario], Awaitable[tuple[dict[str, Any], list[dict[str, Any]]]]]


def cassette_path(scenario: Scenario) -> Path:
    """Where a scenario's cassette lives."""
    if scenario.source is None:
        raise ValueError(f"scenario {scenario.name} was not loaded from a file")
    if scenario.cassette is not None:
        return scenario.source.parent / scenario.cassette
    return scenario.source.with_name(scenario.source.stem + CASSETTE_SUFFIX)


class Scrubber:
    """Scrubs one cassette's exchanges; names learned from person fields are scrubbed everywhere.

    Messages quote people by name in free text ("Hi Priya"), where no key marks them; the names
    seen so far under person keys are therefore also replaced as whole words in every string.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()

    def text(self, text: str) -> str:
        """Emails, phone numbers, profile slugs and known names replaced by placeholders."""
        text = _EMAIL.sub("person@example.invalid", text)
        text = _PROFILE_SLUG.sub(r"\1scrubbed", text)
        text = _PHONE.sub("+00 000 000 0000", text)
        for name in sorted(self.names, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(name)}\b", "Person", text)
        return text

    def value(self, value: Any) -> Any:
        """A JSON value with people's fields replaced and every string scrubbed."""
        if isinstance(value, dict):
            fields: dict[str, Any] = value
            for key, item in fields.items():
                if key in _PERSON_KEYS and isinstance(item, str):
                    self.names.update(word for word in item.split() if len(word) >= 3)
            return {
                key: "<scrubbed>" if key in _PERSON_KEYS and item is not None else self.value(item)
                for key, item in fields.items()
            }
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def body(self, body: bytes | str | None) -> bytes | str | None:
        """A body scrubbed as JSON when it parses, else as text; None stays None."""
        if body is None or body in (b"", ""):
            return body
        raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        try:
            cleaned = json.dumps(self.value(json.loads(raw)), ensure_ascii=False)
        except ValueError:
            cleaned = self.text(raw)
        return cleaned.encode("utf-8") if isinstance(body, bytes) else cleaned

    def request(self, request: Any) -> Any:
        """vcrpy's `before_record_request`: no key, and no person, leaves the process."""
        for header in list(request.headers):
            if header.lower() == "authorization":
                request.headers[header] = SCRUBBED_AUTHORIZATION
        request.body = self.body(request.body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy's `before_record_response`: bodies scrubbed, cookies dropped."""
        headers: dict[str, Any] = response.get("headers", {})
        for name in list(headers):
            if name.lower() in _DROPPED_RESPONSE_HEADERS:
                del headers[name]
        body = response.get("body", {})
        if "string" in body:
            body["string"] = self.body(body["string"])
        return response


def _cassette_recorder(path: Path, record: bool) -> Any:
    scrubber = Scrubber()
    return vcr.VCR(
        record_mode=RecordMode.ALL if record else RecordMode.NONE,
        # Hosts differ between recording (a loopback port) and replay (a placeholder).
        match_on=["method", "path", "query"],
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        decode_compressed_response=True,
    ).use_cassette(str(path), allow_playback_repeats=False)


async def run_on_cassette(
    scenario: Scenario,
    settings: Settings,
    chat_model: BaseChatModel | None,
    *,
    record: bool,
    drive: Drive,
) -> Observation:
    """Run a scenario while recording to, or replaying from, its cassette."""
    path = cassette_path(scenario)
    if record:
        if settings.puffle_base_url is None:
            raise RuntimeError("--record needs PUFFLE_BASE_URL (and the workspace's key)")
        target = remote_target(settings)
        path.unlink(missing_ok=True)
    else:
        if not path.exists():
            raise FileNotFoundError(f"no cassette for {scenario.name} at {path}; record it first")
        target = PuffleTarget(
            base_url=REPLAY_BASE_URL,
            transport=None,
            clock=FakeClock(),
            keys={"default": SecretStr(REPLAY_KEY)},
            embedded=False,
        )
        # A replay must not pick a real key up from the environment.
        settings = settings.model_copy(update={"puffle_api_key": SecretStr(REPLAY_KEY)})

    try:
        with _cassette_recorder(path, record):
            async with AgentRunner(settings, target=target, chat_model=chat_model) as runner:
                report, pauses = await drive(runner, scenario)
    except CannotOverwriteExistingCassetteException as error:
        raise RuntimeError(f"a request is not in the cassette {path.name}: {error}") from error

    # Imported here to keep the module graph acyclic (the runner imports this module lazily).
    from evals.runner import calls_from_report

    return Observation(report=report, pauses=pauses, calls=calls_from_report(report))
