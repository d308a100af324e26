"""Pricing paid steps before anything is spent.

The documented pre-flight: read the per-action prices once (`GET /api/credits/config`), then
`POST /api/credits/preview` for each paid action of the batch. The quote says whether the
balance covers all of it and, when it does not, the exact shortfall and the largest batch that
fits, so the human can choose a smaller batch instead of the agent running half a job.
"""

from __future__ import annotations

from typing import Any, TypedDict

from agent.client import PuffleClient
from agent.operations import GET_CREDITS_CONFIG, PREVIEW_CREDITS
from agent.schemas import CreditPreviewRequest


class QuoteLine(TypedDict):
    action: str
    count: int
    cost_per_unit: int
    credits: int


class Quote(TypedDict):
    lines: list[QuoteLine]
    total: int
    balance: int | None
    sufficient: bool
    shortfall: int
    batch_that_fits: int | None


async def quote_per_lead(client: PuffleClient, actions: list[str], leads: int) -> Quote:
    """Price `leads` units of each action; every action here is billed per lead."""
    config = (await client.call(GET_CREDITS_CONFIG)).data
    lines: list[QuoteLine] = []
    balance: int | None = None
    every_preview_sufficient = True
    for action in actions:
        preview = (
            await client.call(
                PREVIEW_CREDITS, body=CreditPreviewRequest(action=action, count=leads)
            )
        ).data
        unit = (
            preview.costPerUnit if preview.costPerUnit is not None else config.costs.get(action, 0)
        )
        total = preview.totalCredits if preview.totalCredits is not None else unit * leads
        lines.append(QuoteLine(action=action, count=leads, cost_per_unit=unit, credits=total))
        balance = preview.balance
        every_preview_sufficient = every_preview_sufficient and preview.sufficient

    total = sum(line["credits"] for line in lines)
    # A null balance means Puffle's billing could not be asked and it failed open.
    sufficient = every_preview_sufficient and (balance is None or total <= balance)
    per_lead = sum(line["cost_per_unit"] for line in lines)
    batch_that_fits = None
    if not sufficient and balance is not None and per_lead > 0:
        batch_that_fits = balance // per_lead
    return Quote(
        lines=lines,
        total=total,
        balance=balance,
        sufficient=sufficient,
        shortfall=max(0, total - balance) if balance is not None else 0,
        batch_that_fits=batch_that_fits,
    )


def describe_quote(quote: Quote) -> str:
    parts = [
        f"{line['action']} x {line['count']} = {line['credits']} credits" for line in quote["lines"]
    ]
    balance = "unknown" if quote["balance"] is None else str(quote["balance"])
    return f"{'; '.join(parts)} (total {quote['total']}, balance {balance})"


def as_details(quote: Quote) -> dict[str, Any]:
    return dict(quote)
