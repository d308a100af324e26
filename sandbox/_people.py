"""Deterministic stand-ins for the two pieces of Puffle that need outside services.

`parse_filters` replaces the LLM behind `POST /api/leads/parse-filters` with a keyword matcher;
`fake_people` replaces the lead-finder actor behind a lead search with a generator seeded by the
search, so the same search always finds the same people.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

_TITLES: dict[str, str] = {
    "chief technology officer": "CTO",
    "cto": "CTO",
    "ceo": "CEO",
    "chief executive": "CEO",
    "cfo": "CFO",
    "coo": "COO",
    "founder": "Founder",
    "co-founder": "Co-founder",
    "vp engineering": "VP Engineering",
    "vp of engineering": "VP Engineering",
    "vps of engineering": "VP Engineering",
    "head of engineering": "Head of Engineering",
    "head of platform": "Head of Platform",
    "engineering manager": "Engineering Manager",
    "director of engineering": "Director of Engineering",
    "head of sales": "Head of Sales",
    "vp sales": "VP Sales",
    "head of growth": "Head of Growth",
    "head of gtm": "Head of GTM",
    "product manager": "Product Manager",
}
_INDUSTRIES: dict[str, str] = {
    "fintech": "Financial Services",
    "financial services": "Financial Services",
    "banking": "Banking",
    "payments": "Financial Services",
    "saas": "Computer Software",
    "software": "Computer Software",
    "insurance": "Insurance",
    "healthcare": "Hospital & Health Care",
    "e-commerce": "Internet",
    "ecommerce": "Internet",
    "logistics": "Logistics & Supply Chain",
}
_LOCATIONS: dict[str, str] = {
    "united states": "United States",
    "usa": "United States",
    "us": "United States",
    "uk": "United Kingdom",
    "united kingdom": "United Kingdom",
    "germany": "Germany",
    "france": "France",
    "spain": "Spain",
    "netherlands": "Netherlands",
    "europe": "Europe",
    "canada": "Canada",
    "nordics": "Nordics",
}
_CITIES: dict[str, str] = {
    "london": "London",
    "berlin": "Berlin",
    "paris": "Paris",
    "new york": "New York",
    "san francisco": "San Francisco",
    "amsterdam": "Amsterdam",
    "toronto": "Toronto",
}
_SENIORITY: dict[str, str] = {
    "founder": "founder",
    "c-level": "c_suite",
    "c-suite": "c_suite",
    "vp": "vp",
    "head of": "head",
    "director": "director",
}
_FUNDING: dict[str, str] = {
    "seed": "seed",
    "series a": "series_a",
    "series b": "series_b",
    "series c": "series_c",
}
# Intent that the structured vocabulary cannot express.
_UNSUPPORTED: tuple[str, ...] = (
    "actively hiring",
    "hiring",
    "recently raised",
    "just raised",
    "using stripe",
    "visited our website",
)
_SIZE = re.compile(r"(\d[\d,]*)\s*(?:-|to|\u2013)\s*(\d[\d,]*)\s*(?:employees|people|staff)")
_SIZE_BANDS: tuple[tuple[int, int, str], ...] = (
    (1, 10, "1-10"),
    (11, 20, "11-20"),
    (21, 50, "21-50"),
    (51, 100, "51-100"),
    (101, 200, "101-200"),
    (201, 500, "201-500"),
    (501, 1000, "501-1000"),
    (1001, 5000, "1001-5000"),
    (5001, 10000, "5001-10000"),
)


def _found(text: str, vocabulary: dict[str, str]) -> list[str]:
    values: list[str] = []
    for phrase, value in vocabulary.items():
        if re.search(rf"(?<![a-z]){re.escape(phrase)}s?(?![a-z])", text) and value not in values:
            values.append(value)
    return values


def parse_filters(query: str) -> dict[str, Any]:
    """Structured search filters for a plain-language query, plus what they cannot express."""
    text = query.lower()
    filters: dict[str, Any] = {}
    for key, vocabulary in (
        ("contact_job_title", _TITLES),
        ("company_industry", _INDUSTRIES),
        ("contact_location", _LOCATIONS),
        ("contact_city", _CITIES),
        ("seniority_level", _SENIORITY),
        ("funding", _FUNDING),
    ):
        if values := _found(text, vocabulary):
            filters[key] = values

    if size := _SIZE.search(text):
        low, high = (int(part.replace(",", "")) for part in size.groups())
        bands = [band for start, end, band in _SIZE_BANDS if end >= low and start <= high]
        if bands:
            filters["size"] = bands
    if "fintech" in text or "payments" in text:
        filters["company_keywords"] = [k for k in ("fintech", "payments") if k in text]

    result: dict[str, Any] = {"filters": filters}
    unsupported = [phrase for phrase in _UNSUPPORTED if phrase in text]
    if unsupported:
        result["unsupported"] = f"Cannot filter on: {unsupported[0]}"
    return result


_FIRST_NAMES = (
    "Alex", "Bianca", "Chidi", "Dana", "Erik", "Farah", "Gabriel", "Helena", "Ivan", "Julia",
    "Kofi", "Leila", "Mikael", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Stefan", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zara",
)  # fmt: skip
_LAST_NAMES = (
    "Andersen", "Baptiste", "Costa", "Dvorak", "Eriksen", "Fontaine", "Gupta", "Horvat", "Ibrahim",
    "Jensen", "Kowalski", "Laurent", "Mwangi", "Nakamura", "Olsen", "Pereira", "Quinn", "Rahman",
    "Silva", "Takahashi", "Ueda", "Varga", "Weber", "Yilmaz", "Zimmermann",
)  # fmt: skip
_COMPANY_STEMS = (
    "Ledger", "Pay", "Coin", "Vault", "Clear", "Mint", "Fin", "Bank", "Settle", "Tally", "Rail",
    "Fund", "Cash", "Treasury", "Remit",
)  # fmt: skip
_COMPANY_TAILS = ("ly", "works", "stack", "base", "flow", "point", "grid", "hub", "wise", "line")
_DEFAULT_TITLES = ("CTO", "VP Engineering", "Head of Engineering", "Chief Technology Officer")


def fake_people(seed: str, count: int, titles: list[str] | None = None) -> list[dict[str, Any]]:
    """`count` distinct people for a search; the same seed always gives the same people."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    rng = random.Random(digest)  # noqa: S311 - fake data, not security
    pool = titles or list(_DEFAULT_TITLES)
    people: list[dict[str, Any]] = []
    for index in range(count):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        company = rng.choice(_COMPANY_STEMS) + rng.choice(_COMPANY_TAILS)
        domain = f"{company.lower()}.example"
        # The seed's digest and the index keep slugs unique across searches and shared names.
        slug = f"{first}-{last}-{digest[:6]}{index + 1}".lower()
        people.append(
            {
                "firstName": first,
                "lastName": last,
                "fullName": f"{first} {last}",
                "currentRole": rng.choice(pool),
                "currentCompany": company,
                "email": f"{first}.{last}@{domain}".lower(),
                "headline": None,
                "linkedinUrl": f"https://www.linkedin.com/in/{slug}",
                "companyDomain": domain,
            }
        )
    for person in people:
        person["headline"] = f"{person['currentRole']} at {person['currentCompany']}"
    return people
