"""The workspaces a sandbox starts with, one per seed name.

Seed data is deterministic: ids are derived from the seed and the object's place in it, and
timestamps are fixed, so evals can name a list or a sender by id. Only the API keys differ from
one sandbox to the next.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

DEMO = "demo"
NOT_ONBOARDED = "not_onboarded"
LOW_CREDITS = "low_credits"
NO_SENDERS = "no_senders"
ALL_SEEDS: tuple[str, ...] = (DEMO, NOT_ONBOARDED, LOW_CREDITS, NO_SENDERS)

_NAMESPACE = uuid.UUID("6f1c9a52-3a7e-4b8e-9d0c-5e2f7a4b1c83")
_SEEDED_AT = "2026-11-02T09:00:00.000Z"


def seed_id(workspace: str, kind: str, index: int = 0) -> str:
    """A stable uuid for the `index`th object of `kind` in a seeded workspace."""
    return str(uuid.uuid5(_NAMESPACE, f"{workspace}/{kind}/{index}"))


@dataclass(frozen=True)
class ListSeed:
    name: str
    created_at: str
    # (first, last, role, company, company domain)
    people: tuple[tuple[str, str, str, str, str], ...]


@dataclass(frozen=True)
class WorkspaceSeed:
    name: str
    credits: int
    onboarding: dict[str, Any] | None
    context: dict[str, Any] | None
    profile: dict[str, Any] | None
    senders: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    lists: tuple[ListSeed, ...] = ()


FINTECH_CTOS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Priya", "Raman", "CTO", "Clearvault Payments", "clearvault.example"),
    ("Jonas", "Lindqvist", "CTO", "Northgate Ledger", "northgate.example"),
    ("Amara", "Nwosu", "Chief Technology Officer", "Tallyrise", "tallyrise.example"),
    ("Daniel", "Ferreira", "CTO & Co-founder", "Settlepoint", "settlepoint.example"),
    ("Hannah", "Becker", "VP Engineering", "Quillpay", "quillpay.example"),
    ("Marcus", "Oyelaran", "CTO", "Brightfold Finance", "brightfold.example"),
    ("Sofia", "Marchetti", "Chief Technology Officer", "Coinrail", "coinrail.example"),
    ("Kenji", "Watanabe", "CTO", "Ledgerwise", "ledgerwise.example"),
    ("Elena", "Petrova", "Head of Engineering", "Fernbank", "fernbank.example"),
    ("Tomas", "Novak", "CTO", "Paylantic", "paylantic.example"),
    ("Grace", "Adeyemi", "CTO", "Vaultline Capital", "vaultline.example"),
    ("Lucas", "Moreau", "Chief Technology Officer", "Remitly Labs", "remitlylabs.example"),
    ("Isabel", "Cruz", "CTO", "Kestrel Banking API", "kestrelbank.example"),
    ("Ahmed", "Haddad", "VP Engineering", "Openmint", "openmint.example"),
    ("Chloe", "Dubois", "CTO", "Sterling Rails", "sterlingrails.example"),
    ("Rafael", "Santos", "CTO & Co-founder", "Pixpay", "pixpay.example"),
    ("Nora", "Lindgren", "Head of Platform", "Cashloop", "cashloop.example"),
    ("Victor", "Almeida", "CTO", "Fintrail", "fintrail.example"),
    ("Mei", "Chen", "Chief Technology Officer", "Tidepool Treasury", "tidepool.example"),
    ("Oliver", "Grant", "CTO", "Ironclad Payouts", "ironcladpay.example"),
    ("Fatima", "Zahra", "CTO", "Mintbridge", "mintbridge.example"),
    ("Samuel", "Okoye", "VP Engineering", "Ledgerlight", "ledgerlight.example"),
    ("Laura", "Schmidt", "CTO", "Bankwave", "bankwave.example"),
    ("Arjun", "Mehta", "CTO", "Accrual Systems", "accrualsystems.example"),
    ("Ines", "Carvalho", "Chief Technology Officer", "Payverse", "payverse.example"),
)

WEBINAR_ATTENDEES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Ben", "Hartley", "Engineering Manager", "Quantix", "quantix.example"),
    ("Olivia", "Reyes", "Head of Finance Operations", "Stackmint", "stackmint.example"),
    ("Dmitri", "Volkov", "Staff Engineer", "Payfield", "payfield.example"),
    ("Zoe", "Whitaker", "VP Engineering", "Cloudtab", "cloudtab.example"),
    ("Kwame", "Asante", "Founder", "Ledgerkite", "ledgerkite.example"),
    ("Lena", "Fischer", "Product Manager", "Orbitpay", "orbitpay.example"),
    ("Mateo", "Rossi", "CTO", "Finlytic", "finlytic.example"),
    ("Aisha", "Bello", "Head of Platform", "Rivetbank", "rivetbank.example"),
    ("Patrick", "Doyle", "Director of Engineering", "Tillhouse", "tillhouse.example"),
    ("Yuki", "Tanaka", "Controller", "Bluefin Billing", "bluefin.example"),
    ("Carlos", "Mendes", "Software Architect", "Swiftclear", "swiftclear.example"),
    ("Emma", "Lawson", "COO", "Payroute", "payroute.example"),
)

_DEMO_CONTEXT: dict[str, Any] = {
    "user": {"professionalBackground": "Former payments engineer, now founder and CEO."},
    "company": {
        "overview": (
            "Ledgerline builds an API-first payment reconciliation platform for fintech and "
            "B2B SaaS companies."
        ),
        "product": "Real-time reconciliation API",
        "problemSolved": (
            "Engineering teams lose weeks building and maintaining reconciliation pipelines."
        ),
        "differentiators": ["Sub-second matching", "Ledger-grade audit trail"],
        "linkedInPresence": "Founder-led posts about payments infrastructure.",
    },
    "content": {
        "linkedInVoice": "Practical, engineer to engineer.",
        "recommendedTopics": ["reconciliation", "payments infrastructure"],
        "preferredTone": "friendly and direct",
        "contentFormats": ["short posts", "case studies"],
        "topicsToAvoid": ["crypto speculation"],
        "postingCadence": "3x/week",
    },
    "market": {
        "targetAudience": (
            "CTOs, VPs of Engineering and heads of platform at fintech and B2B SaaS companies "
            "with 50-1,000 employees"
        ),
        "industryContext": "Payments volumes keep growing while finance teams stay small.",
        "icpJobTitles": [
            "CTO",
            "VP Engineering",
            "Head of Engineering",
            "Head of Platform",
            "Founder",
        ],
        "icpIndustries": ["Fintech", "Financial Services", "B2B SaaS", "Payments"],
        "icpCompanySizes": ["51-200", "201-500", "501-1000"],
        "icpPainPoints": ["manual reconciliation", "ledger drift", "payment ops overhead"],
        "icpKeywords": ["payments", "reconciliation", "ledger", "banking API", "fintech"],
    },
    "extra": None,
}

_DEMO_PROFILE: dict[str, Any] = {
    "firstName": "Maya",
    "lastName": "Okafor",
    "companyName": "Ledgerline",
    "website": "https://ledgerline.example",
}


def _senders(workspace: str) -> list[dict[str, Any]]:
    user_id = seed_id(workspace, "user")
    common: dict[str, Any] = {
        "user_id": user_id,
        "created_at": _SEEDED_AT,
        "updated_at": _SEEDED_AT,
        "first_name": "Maya",
        "last_name": "Okafor",
        "signature": None,
        "daily_limit": 30,
        "instantly_tag_id": None,
        "instantly_warmup_tag_id": None,
    }
    linkedin: dict[str, Any] = {
        **common,
        "id": seed_id(workspace, "sender", 0),
        "type": "linkedin",
        "display_name": "Maya Okafor",
        "status": "connected",
        "provider_account_id": "unipile_acc_ledgerline01",
        "profile_url": "https://www.linkedin.com/in/maya-okafor",
        "is_premium": True,
        "has_sales_navigator": False,
        "weekly_connection_limit": 100,
        "weekly_message_limit": 150,
        "email_address": None,
        "domain_id": None,
        "agentmail_inbox_id": None,
        "instantly_account_id": None,
        "warmup_status": None,
        "email_domains": None,
    }
    domain_id = seed_id(workspace, "domain")
    email: dict[str, Any] = {
        **common,
        "id": seed_id(workspace, "sender", 1),
        "type": "email",
        "display_name": "Maya Okafor",
        "status": "active",
        "provider_account_id": None,
        "profile_url": None,
        "is_premium": None,
        "has_sales_navigator": None,
        "weekly_connection_limit": None,
        "weekly_message_limit": None,
        "email_address": "maya@ledgerline.example",
        "domain_id": domain_id,
        "agentmail_inbox_id": "inbox_maya_ledgerline",
        "instantly_account_id": "inst_maya_ledgerline",
        "warmup_status": "active",
        "signature": "Maya Okafor, Ledgerline",
        "daily_limit": 50,
        "email_domains": {"id": domain_id, "domain": "ledgerline.example", "status": "verified"},
    }
    return [linkedin, email]


def _demo_like(name: str, *, credits: int, with_senders: bool) -> WorkspaceSeed:
    return WorkspaceSeed(
        name=name,
        credits=credits,
        onboarding={
            "id": seed_id(name, "onboarding"),
            "status": "completed",
            "companyName": "Ledgerline",
            "errorMessage": None,
            "errorStep": None,
        },
        context=_DEMO_CONTEXT,
        profile=_DEMO_PROFILE,
        senders=_senders(name) if with_senders else [],
        lists=(
            ListSeed("Fintech CTOs", "2026-10-20T14:00:00.000Z", FINTECH_CTOS),
            ListSeed("Webinar attendees - October", "2026-10-28T16:30:00.000Z", WEBINAR_ATTENDEES),
        ),
    )


def workspace_seed(name: str) -> WorkspaceSeed:
    """The starting state of the named seed; `KeyError` for an unknown name."""
    if name == DEMO:
        return _demo_like(DEMO, credits=1000, with_senders=True)
    if name == LOW_CREDITS:
        return _demo_like(LOW_CREDITS, credits=5, with_senders=True)
    if name == NO_SENDERS:
        return _demo_like(NO_SENDERS, credits=1000, with_senders=False)
    if name == NOT_ONBOARDED:
        return WorkspaceSeed(
            name=NOT_ONBOARDED, credits=1000, onboarding=None, context=None, profile=None
        )
    raise KeyError(f"unknown seed {name!r}; known seeds: {', '.join(ALL_SEEDS)}")


def list_row(
    row_id: str,
    list_id: str,
    person: tuple[str, str, str, str, str],
    *,
    source: str,
    added_at: str,
) -> dict[str, Any]:
    """One person row of a list, in the legacy sheet/rows shape."""
    first, last, role, company, domain = person
    slug = f"{first}-{last}".lower().replace(" ", "-")
    return {
        "id": row_id,
        "listId": list_id,
        "linkedinUrl": f"https://www.linkedin.com/in/{slug}",
        "profileData": {
            "firstName": first,
            "lastName": last,
            "fullName": f"{first} {last}",
            "currentRole": role,
            "currentCompany": company,
            "email": f"{first}.{last}@{domain}".lower(),
            "headline": f"{role} at {company}",
        },
        "source": source,
        "addedAt": added_at,
        "companyRowId": None,
        "companyDomain": domain,
        "cells": [],
    }
