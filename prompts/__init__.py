"""Prompt templates, one Markdown file per use, loaded by name.

Prompts ship inside the package so that an installed agent finds them without a working
directory; `load_prompt("plan_goal")` reads `prompts/plan_goal.md`.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Names are plain identifiers so that a name can never walk out of the package directory.
_PROMPT_NAME = re.compile(r"[a-z][a-z0-9_]*")


class UnknownPromptError(LookupError):
    """No prompt file carries the requested name."""


def available_prompts() -> list[str]:
    """The names `load_prompt` accepts, sorted."""
    files = resources.files(__name__).iterdir()
    return sorted(item.name.removesuffix(".md") for item in files if item.name.endswith(".md"))


@cache
def load_prompt(name: str) -> str:
    """Return the text of `prompts/<name>.md`; an unknown name raises `UnknownPromptError`."""
    if not _PROMPT_NAME.fullmatch(name):
        raise UnknownPromptError(f"{name!r} is not a prompt name (lower-case letters, digits, _)")

    resource = resources.files(__name__).joinpath(f"{name}.md")
    if not resource.is_file():
        known = ", ".join(available_prompts()) or "none"
        raise UnknownPromptError(f"no prompt named {name!r}; known prompts: {known}")
    return resource.read_text(encoding="utf-8")
