"""LinkedIn profile URLs: every real-world variant normalises to one canonical form."""

from __future__ import annotations

import pytest

from agent.linkedin_urls import InvalidProfileUrl, name_from_slug, normalise_profile_url

CANONICAL_TABLE = [
    ("https://www.linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("https://www.linkedin.com/in/janedoe/", "https://www.linkedin.com/in/janedoe"),
    ("https://www.linkedin.com/in/janedoe?trk=public_profile", "https://www.linkedin.com/in/janedoe"),
    ("https://www.linkedin.com/in/janedoe/#experience", "https://www.linkedin.com/in/janedoe"),
    ("http://www.linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("https://linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("https://uk.linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("https://de.linkedin.com/in/janedoe/?locale=de_DE", "https://www.linkedin.com/in/janedoe"),
    ("https://m.linkedin.com/in/janedoe", "https://www.linkedin.com/in/janedoe"),
    ("HTTPS://WWW.LINKEDIN.COM/IN/JaneDoe", "https://www.linkedin.com/in/janedoe"),
    ("https://www.linkedin.com/pub/jane-doe/12/345/678", "https://www.linkedin.com/in/jane-doe-67834512"),
    ("https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller", "https://www.linkedin.com/in/jürgen-müller"),
    ("  https://www.linkedin.com/in/jane-doe-1a2b3c/overlay/contact-info/  ", "https://www.linkedin.com/in/jane-doe-1a2b3c"),
]  # fmt: skip

REFUSED_TABLE = [
    ("https://www.linkedin.com/company/acme", "a company page"),
    ("https://www.linkedin.com/posts/janedoe_activity-123", "a post"),
    ("https://www.linkedin.com/feed/update/urn:li:activity:123", "a feed post"),
    ("https://www.linkedin.com/sales/lead/ACwAAA,NAME_SEARCH", "a Sales Navigator link"),
    ("https://www.linkedin.com/", "home page"),
    ("https://www.example.com/in/janedoe", "not a linkedin.com URL"),
    ("", "empty"),
]


@pytest.mark.parametrize(("url", "canonical"), CANONICAL_TABLE)
def test_variants_normalise_to_the_canonical_profile_url(url: str, canonical: str) -> None:
    """Each variant of a profile URL reads as the one canonical form Puffle keys research by."""
    assert normalise_profile_url(url) == canonical


@pytest.mark.parametrize(("url", "what"), REFUSED_TABLE)
def test_non_profile_urls_are_refused_with_what_they_are(url: str, what: str) -> None:
    """Company pages, posts, Sales Navigator and other hosts are refused, naming what they are."""
    with pytest.raises(InvalidProfileUrl, match=what):
        normalise_profile_url(url)


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("jane-doe-12ab34", ("Jane", "Doe")),
        ("janesmith", ("Janesmith", "-")),
        ("mary-ann-van-dyke", ("Mary", "Ann Van Dyke")),
    ],
)
def test_a_name_is_guessed_from_the_slug_without_its_id(slug: str, name: tuple[str, str]) -> None:
    """The partner API needs a first and last name; a slug gives them, minus trailing ids."""
    assert name_from_slug(slug) == name
