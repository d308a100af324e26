"""LinkedIn profile URLs, brought to the one form Puffle keys research by.

Puffle normalises a profile URL to `https://www.linkedin.com/in/<slug>` and uses that as the
de-duplication key, so the agent does the same before it prices or starts anything: two
spellings of one profile must never be researched (and paid for) twice. People paste URLs from
browsers, apps and old profiles, so the variants below all read as the same profile:

- `http://`, no scheme, no `www`, upper case, trailing slash, query string and fragment;
- country subdomains (`uk.linkedin.com`, `de.linkedin.com`) and the mobile `m.linkedin.com`;
- old public profiles `/pub/<name>/<a>/<b>/<c>`, whose slug is `<name>-<c><b><a>`;
- percent-encoded names (`j%C3%BCrgen` is `jürgen`).

Company pages, posts, Sales Navigator links and anything off linkedin.com are refused with an
`InvalidProfileUrl` that says what the URL is instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

CANONICAL_PREFIX = "https://www.linkedin.com/in/"

_HOST = re.compile(r"^(?:(?:www|m|[a-z]{2})\.)?linkedin\.com$")
_SLUG = re.compile(r"^[\w.\-]+$")
# The first path segment of LinkedIn pages that are not a person's profile, named for the error.
_NOT_PROFILES = {
    "company": "a company page",
    "school": "a school page",
    "showcase": "a showcase page",
    "posts": "a post",
    "feed": "a feed post",
    "pulse": "an article",
    "sales": "a Sales Navigator link",
    "jobs": "a job posting",
    "groups": "a group",
    "events": "an event",
    "search": "a search page",
}


class InvalidProfileUrl(ValueError):
    """The text is not a LinkedIn person's profile URL."""


def normalise_profile_url(url: str) -> str:
    """The canonical `https://www.linkedin.com/in/<slug>` form of a profile URL."""
    text = url.strip()
    if not text:
        raise InvalidProfileUrl("the LinkedIn URL is empty")
    if "://" not in text:
        text = "https://" + text

    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in {"http", "https"} or not _HOST.match(host):
        raise InvalidProfileUrl(f"{url!r} is not a linkedin.com URL")
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if not segments:
        raise InvalidProfileUrl(f"{url!r} is LinkedIn's home page, not a profile")

    kind = segments[0].lower()
    if kind == "in" and len(segments) >= 2:
        slug = segments[1]
    elif kind == "pub" and len(segments) >= 5:
        name, *numbers = segments[1:5]
        slug = f"{name}-{''.join(reversed(numbers))}"
    elif kind in _NOT_PROFILES:
        raise InvalidProfileUrl(f"{url!r} is {_NOT_PROFILES[kind]}, not a person's profile")
    else:
        raise InvalidProfileUrl(f"{url!r} is not a profile URL (expected linkedin.com/in/<name>)")

    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidProfileUrl(f"{url!r} has a profile name LinkedIn cannot have: {slug!r}")
    return CANONICAL_PREFIX + slug


def slug_of(canonical_url: str) -> str:
    return canonical_url.removeprefix(CANONICAL_PREFIX)


def name_from_slug(slug: str) -> tuple[str, str]:
    """A best guess at (first, last) name from a slug such as `jane-doe-12ab34`.

    The partner API needs both names; when a person is given only by URL, the slug is the only
    source. Trailing id-like parts (digits, hex) are dropped.
    """
    words = [word for word in re.split(r"[-_.]+", slug) if word]
    while len(words) > 1 and re.search(r"\d", words[-1]):
        words.pop()
    if not words:
        return slug, "-"
    first = words[0].capitalize()
    last = " ".join(word.capitalize() for word in words[1:]) or "-"
    return first, last
