"""Scoring a run by its outcome: the sandbox's final state, the calls made, the pauses reached.

`Observation` is what one run left behind; `score` compares it with a scenario's expectations and
returns one sentence per broken expectation (an empty list is a pass). When the run went to a
cassette instead of a sandbox there is no state to read, and state expectations are reported as
not checked rather than passed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from evals.scenario import Expectations, ObjectExpectation, ObjectKind


@dataclass(frozen=True)
class Call:
    """One request the agent made, as the server saw it."""

    method: str
    path: str
    status: int
    # "METHOD /template" of the route the server matched, when it knows it.
    route: str | None = None
    operation: str | None = None

    def line(self) -> str:
        named = f" [{self.operation}]" if self.operation else ""
        return f"{self.method} {self.path} -> {self.status}{named}"


@dataclass
class Observation:
    """What one run left behind."""

    report: dict[str, Any]
    pauses: list[dict[str, Any]]
    calls: list[Call]
    # None when the run had no sandbox to inspect (a cassette replay).
    objects: dict[ObjectKind, list[dict[str, Any]]] | None = None
    credits_spent: int | None = None
    notes: list[str] = field(default_factory=list[str])


def score(expect: Expectations, seen: Observation) -> list[str]:
    """Every expectation the observation breaks, in words; empty when the run passed."""
    failures: list[str] = []
    report = seen.report
    if "answer_error" in report:
        failures.append(f"answers: {report['answer_error']}")

    if expect.status is not None and report.get("status") != expect.status:
        got = f"{report.get('status')} ({report.get('summary')})"
        failures.append(f"status: expected {expect.status}, got {got}")
    if expect.journey is not None and report.get("journey") != expect.journey:
        failures.append(f"journey: expected {expect.journey}, got {report.get('journey')}")

    if expect.pauses is not None:
        failures.extend(_pause_failures(expect, seen.pauses))

    failures.extend(_state_failures(expect, seen))

    for spec in expect.required_calls:
        if not any(call_matches(spec, call) for call in seen.calls):
            failures.append(f"required call never made: {spec}")
    for spec in expect.forbidden_calls:
        hits = [call.line() for call in seen.calls if call_matches(spec, call)]
        if hits:
            failures.append(f"forbidden call made: {spec} ({'; '.join(hits)})")
    for spec, wanted in expect.call_counts.items():
        made = sum(1 for call in seen.calls if call_matches(spec, call))
        if made != wanted:
            failures.append(f"call count: expected {wanted} x {spec}, got {made}")

    text = report_text(report, seen.pauses).lower()
    for phrase in expect.report_contains:
        if phrase.lower() not in text:
            failures.append(f"report does not contain {phrase!r}")
    for phrase in expect.report_excludes:
        if phrase.lower() in text:
            failures.append(f"report contains {phrase!r}, which it must not")
    return failures


def _pause_failures(expect: Expectations, pauses: list[dict[str, Any]]) -> list[str]:
    assert expect.pauses is not None
    wanted = [pause.kind for pause in expect.pauses]
    got = [str(pause.get("kind")) for pause in pauses]
    if wanted != got:
        return [f"pauses: expected {wanted or 'none'}, got {got or 'none'}"]
    failures: list[str] = []
    for index, (expected, pause) in enumerate(zip(expect.pauses, pauses, strict=True), start=1):
        has_id = bool(pause.get("correlation_id"))
        if expected.correlation_id is not None and has_id != expected.correlation_id:
            state = "has none" if expected.correlation_id else f"has {pause.get('correlation_id')}"
            failures.append(f"pause {index} ({expected.kind}): correlation id expected, {state}")
    return failures


def _state_failures(expect: Expectations, seen: Observation) -> list[str]:
    wants_state = expect.exists or expect.absent or expect.credits is not None
    if not wants_state:
        return []
    if seen.objects is None or seen.credits_spent is None:
        seen.notes.append("state expectations not checked: this run had no sandbox to inspect")
        return []

    failures: list[str] = []
    for wanted in expect.exists:
        matching = _matching(wanted, seen.objects.get(wanted.kind, []))
        if wanted.count is None and not matching:
            failures.append(f"state: no {wanted.describe()} exists")
        elif wanted.count is not None and len(matching) != wanted.count:
            failures.append(
                f"state: expected {wanted.count} x {wanted.describe()}, found {len(matching)}"
            )
    for unwanted in expect.absent:
        if matching := _matching(unwanted, seen.objects.get(unwanted.kind, [])):
            names = ", ".join(str(item.get("name", item.get("id"))) for item in matching)
            failures.append(f"state: {unwanted.describe()} must not exist, found {names}")

    credits = expect.credits
    if credits is not None:
        spent = seen.credits_spent
        if credits.exact is not None and spent != credits.exact:
            failures.append(f"credits: expected exactly {credits.exact} spent, got {spent}")
        if credits.at_most is not None and spent > credits.at_most:
            failures.append(f"credits: expected at most {credits.at_most} spent, got {spent}")
    return failures


def _matching(wanted: ObjectExpectation, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in objects if all(_field(item, k) == v for k, v in wanted.where.items())]


def _field(item: dict[str, Any], dotted: str) -> Any:
    value: Any = item
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def call_matches(spec: str, call: Call) -> bool:
    """Whether a call is the one a spec names: "METHOD /path/{template}" or an operation name."""
    method, _, template = spec.partition(" ")
    if not template:
        return call.operation == spec
    if method not in {"*", call.method}:
        return False
    if call.route == spec:
        return True
    return _template_pattern(template).fullmatch(call.path) is not None


def _template_pattern(template: str) -> re.Pattern[str]:
    rest = template.endswith("*")
    parts = re.split(r"\{[^}/]+\}", template.removesuffix("*"))
    body = "[^/]+".join(re.escape(part) for part in parts)
    return re.compile(body + (".*" if rest else ""))


def report_text(report: dict[str, Any], pauses: list[dict[str, Any]]) -> str:
    """The words a person read: every pause's message, the summary, the notes and the result."""
    parts = [
        *(str(pause.get("message", "")) for pause in pauses),
        str(report.get("summary", "")),
        *(str(note) for note in report.get("notes", [])),
        json.dumps(report.get("result", {}), default=str),
    ]
    return "\n".join(parts)
