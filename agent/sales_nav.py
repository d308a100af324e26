"""Which Sales Navigator URLs Puffle can import, decided before any request.

Puffle's import takes a Sales Navigator *people* search (`linkedin.com/sales/search/people…`) and
answers 400 for anything else. The agent tells the person why, in their terms, before it calls.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PEOPLE_SEARCH_PATH = "/sales/search/people"


def sales_nav_url_problem(url: str) -> str | None:
    """Why `url` cannot be imported, or None when it is a Sales Navigator people search."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower()
    path = parts.path.lower().rstrip("/")

    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return (
            f"'{text}' is not a LinkedIn Sales Navigator URL. Run a people search in Sales "
            "Navigator and copy the address of its results page (linkedin.com/sales/search/"
            "people…)."
        )
    if path.startswith(PEOPLE_SEARCH_PATH):
        return None
    if path.startswith(("/sales/search/company", "/sales/search/account")):
        return (
            "That is a Sales Navigator account (company) search; Puffle imports people searches "
            "only. Switch the search to Leads in Sales Navigator and use that URL."
        )
    if path.startswith("/sales/lists"):
        return (
            "That is a saved Sales Navigator list; Puffle imports people searches only. Open the "
            "list's people as a search (linkedin.com/sales/search/people…) and use that URL."
        )
    if path.startswith("/sales/"):
        return (
            "That Sales Navigator page is not a people search; Puffle imports people searches "
            "only (linkedin.com/sales/search/people…)."
        )
    return (
        "That is a LinkedIn page, not a Sales Navigator people search; Puffle imports people "
        "searches only (linkedin.com/sales/search/people…)."
    )
