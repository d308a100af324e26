"""A scenario is data: the sandbox's start, the goal, the human's answers, and what must hold.

One YAML file holds one scenario. The schema below is the contract a scenario author writes to;
`load_scenario` reads and validates a file, `find_scenarios` expands a path into scenario files.

    name: launch-to-saved-list
    journey: launch_campaign
    goal: Launch a LinkedIn campaign to the Fintech CTOs list
    answers: [approve]
    expect:
      status: completed
      pauses: [approval_required]
      exists:
        - {kind: campaign, where: {status: active, leads_count: 25}, count: 1}

A scenario that needs files (a CSV to import) holds them under `files`, name to content. Each run
writes them to a fresh folder, and `{files}` in the goal, in the answers and in a scripted plan
stands for that folder: `goal: Import {files}/leads.csv into a new list called "Q1"`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.pauses import AnswerKind, HumanAnswer, PauseKind
from agent.plans import PlannerOutput
from sandbox import FaultRule

ObjectKind = Literal["campaign", "list", "signal_type", "social_post"]
RunStatus = Literal["completed", "paused", "stopped", "failed"]
# Cassettes share the directory and the extension of the scenarios they belong to.
_CASSETTE = ".cassette.yaml"
# Where a scenario's files are: replaced by a fresh folder's path in each run.
FILES_PLACEHOLDER = "{files}"
# A plain file name, so a scenario's files can only land in the folder made for them.
_FILE_NAME = r"^[\w-][\w.-]*$"
_FILE_REFERENCE = re.compile(re.escape(FILES_PLACEHOLDER) + r"/([\w.-]+)")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonSeed(StrictModel):
    """One person added to a seeded list."""

    first_name: str
    last_name: str
    role: str = "CTO"
    company: str = "Example Co"
    domain: str = "example.example"


class ListSeed(StrictModel):
    """An extra lead list in the scenario's workspace, created before the run."""

    name: str
    people: list[PersonSeed] = Field(default_factory=list[PersonSeed])


class SandboxTimingsOverride(StrictModel):
    """Replacements for the sandbox's background-work timings, in sandbox seconds."""

    search_running_after: float | None = None
    search_completed_after: float | None = None
    launch_seconds: float | None = None
    launch_conflict_window: float | None = None
    research_running_after: float | None = None
    research_complete_after: float | None = None


class SandboxStart(StrictModel):
    """The sandbox's starting state: the seeded workspaces plus this scenario's changes."""

    seeds: list[str] | None = Field(default=None, description="Seed names; all when unset")
    credits: int | None = Field(default=None, ge=0, description="The workspace's balance")
    lists: list[ListSeed] = Field(default_factory=list[ListSeed])
    timings: SandboxTimingsOverride = Field(default_factory=SandboxTimingsOverride)


class AgentLimits(StrictModel):
    """Agent settings a scenario may tighten (poll ceilings, in seconds)."""

    launch_poll_ceiling: float | None = Field(default=None, gt=0)
    search_poll_ceiling: float | None = Field(default=None, gt=0)
    research_poll_ceiling: float | None = Field(default=None, gt=0)


class PlannerChoice(StrictModel):
    """Who reads the goal: the rule planner, a scripted model reply, or the configured model."""

    kind: Literal["rules", "scripted", "live"] = "rules"
    # For `scripted`: the PlannerOutput the fake chat model answers with.
    output: dict[str, Any] | None = None
    # For `scripted`: plain-text replies for later model calls (a writer), in order.
    replies: list[str] = Field(default_factory=list[str])

    @model_validator(mode="after")
    def _scripted_needs_output(self) -> PlannerChoice:
        if self.kind == "scripted":
            if self.output is None:
                raise ValueError("a scripted planner needs `output` (the PlannerOutput JSON)")
            PlannerOutput.model_validate(self.output)
        elif self.output is not None or self.replies:
            raise ValueError(
                f"`output` and `replies` only go with a scripted planner, not {self.kind}"
            )
        return self


class Answer(StrictModel):
    """The human's reply to one pause; YAML may spell it `approve` or `{smaller_batch: 5}`."""

    answer: AnswerKind
    batch_size: int | None = None
    parameters: dict[str, Any] = Field(default_factory=dict[str, Any])

    @model_validator(mode="before")
    @classmethod
    def _from_short_spelling(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"answer": value}
        if isinstance(value, dict) and len(value) == 1:
            [(key, argument)] = value.items()
            if key == "smaller_batch":
                return {"answer": "smaller_batch", "batch_size": argument}
            if key == "edit":
                return {"answer": "edit", "parameters": argument}
        return value

    def to_human_answer(self) -> HumanAnswer:
        return HumanAnswer(
            answer=self.answer, batch_size=self.batch_size, parameters=self.parameters
        )


class ExpectedPause(StrictModel):
    """A pause the run must reach, in order; `correlation_id` true means it must carry one."""

    kind: PauseKind
    correlation_id: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_kind(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value


class ObjectExpectation(StrictModel):
    """Sandbox objects of `kind` whose fields equal `where`; `count` exact, else at least one."""

    kind: ObjectKind
    where: dict[str, Any] = Field(default_factory=dict[str, Any])
    count: int | None = Field(default=None, ge=0)

    def describe(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self.where.items())
        return f"{self.kind}({fields})" if fields else self.kind


class CreditsExpectation(StrictModel):
    """Credits the run spent, read from the sandbox ledger."""

    exact: int | None = Field(default=None, ge=0)
    at_most: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> CreditsExpectation:
        if (self.exact is None) == (self.at_most is None):
            raise ValueError("give exactly one of `exact` and `at_most`")
        return self


class Expectations(StrictModel):
    """What must hold when the scenario's answers run out or the run ends."""

    status: RunStatus | None = None
    journey: str | None = None
    pauses: list[ExpectedPause] | None = None
    exists: list[ObjectExpectation] = Field(default_factory=list[ObjectExpectation])
    absent: list[ObjectExpectation] = Field(default_factory=list[ObjectExpectation])
    # "METHOD /path/{template}" or an operation name; method `*` is any method, and a
    # trailing `*` on the path matches any rest.
    required_calls: list[str] = Field(default_factory=list[str])
    forbidden_calls: list[str] = Field(default_factory=list[str])
    # Exact numbers of calls, for steps that must happen once (a launch, a create).
    call_counts: dict[str, int] = Field(default_factory=dict[str, int])
    credits: CreditsExpectation | None = None
    report_contains: list[str] = Field(default_factory=list[str])
    report_excludes: list[str] = Field(default_factory=list[str])

    @field_validator("required_calls", "forbidden_calls")
    @classmethod
    def _calls_are_spelled_right(cls, calls: list[str]) -> list[str]:
        for call in calls:
            method, _, path = call.partition(" ")
            if path and not ((method.isupper() or method == "*") and path.startswith("/")):
                raise ValueError(f"call {call!r} is neither an operation nor 'METHOD /path'")
        return calls


class Scenario(StrictModel):
    """One recorded situation the agent must handle."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    journey: str = Field(description="The journey this scenario exercises, for the table")
    workspace: str = "demo"
    goal: str = Field(min_length=1)
    sandbox: SandboxStart = Field(default_factory=SandboxStart)
    faults: list[FaultRule] = Field(default_factory=list[FaultRule])
    limits: AgentLimits = Field(default_factory=AgentLimits)
    planner: PlannerChoice = Field(default_factory=PlannerChoice)
    answers: list[Answer] = Field(default_factory=list[Answer])
    # File name to content (UTF-8 text), written to a fresh folder before each run.
    files: dict[str, str] = Field(default_factory=dict[str, str])
    expect: Expectations
    # The cassette this scenario replays from instead of a sandbox, relative to the file.
    cassette: str | None = None
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("files")
    @classmethod
    def _files_have_plain_names(cls, files: dict[str, str]) -> dict[str, str]:
        for name in files:
            if not re.match(_FILE_NAME, name):
                raise ValueError(f"file name {name!r} must be a plain name, with no folder")
        return files

    @model_validator(mode="after")
    def _named_files_exist(self) -> Scenario:
        named = {
            match.group(1).rstrip(".")
            for text in _strings(self._file_users())
            for match in _FILE_REFERENCE.finditer(text)
        }
        if missing := sorted(named - set(self.files)):
            declared = ", ".join(sorted(self.files)) or "none"
            raise ValueError(
                f"{FILES_PLACEHOLDER}/{missing[0]} is not among the scenario's files ({declared})"
            )
        return self

    def with_files_in(self, folder: Path) -> Scenario:
        """This scenario with its files written to `folder`, and `{files}` pointing there."""
        for name, content in self.files.items():
            (folder / name).write_text(content, encoding="utf-8", newline="")

        def moved(value: Any) -> Any:
            if isinstance(value, str):
                return value.replace(FILES_PLACEHOLDER, str(folder))
            if isinstance(value, dict):
                return {key: moved(item) for key, item in value.items()}
            if isinstance(value, list):
                return [moved(item) for item in value]
            return value

        goal, answers, planner = moved(self._file_users())
        return self.model_copy(
            update={
                "goal": goal,
                "answers": [Answer.model_validate(answer) for answer in answers],
                "planner": PlannerChoice.model_validate(planner),
            }
        )

    def _file_users(self) -> list[Any]:
        """The parts of the scenario that may name its files: goal, answers, planner."""
        return [
            self.goal,
            [answer.model_dump() for answer in self.answers],
            self.planner.model_dump(),
        ]


def _strings(value: Any) -> list[str]:
    """Every string inside nested lists and dicts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file; the error names the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a scenario file holds one mapping")
    try:
        scenario = Scenario.model_validate(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
    return scenario.model_copy(update={"source": path})


def find_scenarios(paths: list[Path]) -> list[Path]:
    """Scenario files under the given files or directories, sorted, without duplicates."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(item for item in path.rglob("*.yaml") if not item.name.endswith(_CASSETTE))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no scenario file or directory at {path}")
    return list(dict.fromkeys(found))
