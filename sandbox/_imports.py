"""Importing leads into lists: CSV preview and confirm, and the Sales Navigator import.

The legacy generation documents two synchronous steps for a CSV: a multipart upload answers the
suggested mapping, the first rows, the row count and the normalised `csv_text`, writing nothing;
a JSON confirm with `csv_text` and the (edited) mapping writes the rows. Into a new list the
confirm is priced at `IMPORT_LEAD` per row, truncated to what the balance affords (402 when not
even one row is), and charged for the rows actually imported; into an existing list it is free.
Rows are de-duplicated against the list (LinkedIn URL, then full name and company, then full
name and location, then full name alone: a match merges, filling gaps), and people already in
the workspace's other lists are skipped unless `skipExistingCustomers` is false.

The sandbox reads CSV only (Puffle also reads XLS and XLSX). Its mapping targets are the
documented built-ins plus `email` and `role`, the person-row fields of `POST /api/lists/{id}/rows`.

A Sales Navigator import needs a LinkedIn sender with Sales Navigator, takes only people-search
URLs, caps `maxResults` at what the balance affords (`wasCapped`), then fills its list on the
sandbox clock: nothing for a few seconds, then one row every two seconds, each charged as it
lands. There is no status endpoint; the list's rows are how progress shows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from sandbox._core import (
    CREDIT_COSTS,
    ApiError,
    CurrentWorkspace,
    CurrentWorld,
    World,
    bad_request,
    insufficient,
)
from sandbox._leads import LIST_CATCH_UP, add_rows, create_list, owned_list
from sandbox._people import fake_people

router = APIRouter()

MAX_FILE_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 5
DEFAULT_SALES_NAV_RESULTS = 2500

_PERSON_TARGETS = (
    "first_name", "last_name", "full_name", "email", "role", "company", "linkedin_url",
    "headline", "location", "domain",
)  # fmt: skip
_HEADER_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^first ?name$|^first$|^given name$"), "first_name"),
    (re.compile(r"^last ?name$|^last$|^surname$"), "last_name"),
    (re.compile(r"^full ?name$|^name$"), "full_name"),
    (re.compile(r"^e-?mail(?: address)?$|^work e-?mail$"), "email"),
    (re.compile(r"^(?:job )?title$|^position$|^role$"), "role"),
    (re.compile(r"^company(?: name)?$|^organi[sz]ation$"), "company"),
    (re.compile(r"linked ?in"), "linkedin_url"),
    (re.compile(r"^headline$"), "headline"),
    (re.compile(r"^location$|^city$|^country$"), "location"),
    (re.compile(r"^(?:company )?domain$|^website$"), "domain"),
]
_PERSON_FIELDS = {
    "first_name": "firstName",
    "last_name": "lastName",
    "full_name": "fullName",
    "email": "email",
    "role": "currentRole",
    "company": "currentCompany",
    "linkedin_url": "linkedinUrl",
    "headline": "headline",
    "location": "location",
    "domain": "companyDomain",
}


class _ConfirmListImport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    csv_text: str
    mapping: dict[str, str | None]
    skipExistingCustomers: bool = True


class _ConfirmNewListImport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)
    dataType: str = "people"
    csvText: str
    personMapping: dict[str, str | None] | None = None
    companyMapping: dict[str, str | None] | None = None
    skipExistingCustomers: bool = True


class _SalesNavImport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str = Field(min_length=1)
    listId: str | None = None
    listName: str | None = None
    maxResults: int | None = Field(default=None, ge=1)
    skipExistingCustomers: bool = True


UploadedFile = Annotated[UploadFile, File()]


# Reading an upload


async def _read_upload(file: UploadFile) -> tuple[list[str], list[dict[str, str]], str]:
    """Header, rows as dicts, and the normalised CSV text of an uploaded file."""
    content = await file.read()
    if len(content) > MAX_FILE_BYTES:
        raise bad_request("File too large (max 10 MB)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request("Could not read the file as a UTF-8 CSV") from None
    return _parse_csv(text)


def _parse_csv(text: str) -> tuple[list[str], list[dict[str, str]], str]:
    records = [record for record in csv.reader(io.StringIO(text, newline="")) if any(record)]
    if not records:
        raise bad_request("The file has no rows")
    header = [cell.strip() for cell in records[0]]
    rows = [
        {name: (record[index] if index < len(record) else "") for index, name in enumerate(header)}
        for record in records[1:]
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, *(list(row.values()) for row in rows)])
    return header, rows, buffer.getvalue()


def _suggest(header: list[str]) -> dict[str, str]:
    """Header-pattern mapping; other headers become proposed custom columns (`new:<Name>`)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name in header:
        if not name:
            continue
        lowered = " ".join(name.lower().replace("_", " ").split())
        target = next(
            (t for pattern, t in _HEADER_PATTERNS if pattern.search(lowered) and t not in taken),
            None,
        )
        mapping[name] = target or f"new:{name}"
        if target:
            taken.add(target)
    return mapping


def _person(row: dict[str, str], mapping: dict[str, str | None]) -> dict[str, Any]:
    person: dict[str, Any] = {}
    for header, target in mapping.items():
        if not target or target == "skip" or target.startswith(("new:", "column:")):
            continue
        if target not in _PERSON_TARGETS:
            raise bad_request(f"Unknown mapping target '{target}' for column '{header}'")
        value = (row.get(header) or "").strip()
        if value:
            person.setdefault(_PERSON_FIELDS[target], value)
    if not person.get("fullName"):
        full = " ".join(p for p in (person.get("firstName"), person.get("lastName")) if p)
        person["fullName"] = full or None
    elif not person.get("firstName"):
        first, _, last = str(person["fullName"]).partition(" ")
        person["firstName"], person["lastName"] = first, last or None
    return person


def _names_someone(person: dict[str, Any]) -> bool:
    return bool(person.get("fullName") or person.get("linkedinUrl") or person.get("email"))


# De-duplication


def _url_key(url: str | None) -> str:
    return (url or "").lower().rstrip("/").replace("http://", "https://").replace("://www.", "://")


def _name_key(person: dict[str, Any]) -> str:
    return " ".join(str(person.get("fullName") or "").lower().split())


def _identity_keys(person: dict[str, Any]) -> list[tuple[str, str]]:
    """The documented cascade: LinkedIn URL, full name + company, full name + location, name."""
    name = _name_key(person)
    company = str(person.get("currentCompany") or "").lower().strip()
    location = str(person.get("location") or "").lower().strip()
    keys: list[tuple[str, str]] = []
    if person.get("linkedinUrl"):
        keys.append(("url", _url_key(person["linkedinUrl"])))
    if name and company:
        keys.append(("name_company", f"{name}|{company}"))
    if name and location:
        keys.append(("name_location", f"{name}|{location}"))
    if name:
        keys.append(("name", name))
    return keys


def _row_person(row: dict[str, Any]) -> dict[str, Any]:
    return {**row["profileData"], "linkedinUrl": row.get("linkedinUrl")}


def _in_other_lists(world: World, workspace: str, list_id: str | None) -> set[tuple[str, str]]:
    """Identity keys (LinkedIn URL, name + company) of everyone in the workspace's other lists."""
    known: set[tuple[str, str]] = set()
    for sheet in world.store.find("list", workspace):
        if sheet["id"] == list_id:
            continue
        for row in world.store.find("row", workspace, sheet["id"]):
            keys = _identity_keys(_row_person(row))
            known.update(key for key in keys if key[0] in {"url", "name_company"})
    return known


def _is_known(person: dict[str, Any], known: set[tuple[str, str]]) -> bool:
    return any(key in known for key in _identity_keys(person) if key[0] in {"url", "name_company"})


# CSV into an existing list


@router.post("/api/lists/{list_id}/import")
async def preview_list_import(
    list_id: str, file: UploadedFile, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    owned_list(world, workspace, list_id)
    header, rows, csv_text = await _read_upload(file)
    return {
        "columns": header,
        "auto_mapping": _suggest(header),
        "preview_rows": rows[:PREVIEW_ROWS],
        "total_rows": len(rows),
        "csv_text": csv_text,
        "existing_columns": [],
    }


@router.put("/api/lists/{list_id}/import")
async def confirm_list_import(
    list_id: str, body: _ConfirmListImport, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    sheet = owned_list(world, workspace, list_id)
    _, rows, _ = _parse_csv(body.csv_text)
    people = [_person(row, body.mapping) for row in rows]
    known = _in_other_lists(world, workspace, list_id) if body.skipExistingCustomers else set()

    existing = world.store.find("row", workspace, list_id)
    index: dict[tuple[str, str], dict[str, Any]] = {}
    for row in existing:
        for key in _identity_keys(_row_person(row)):
            index.setdefault(key, row)

    fresh: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    skipped = cross_list = 0
    for person in people:
        if not _names_someone(person):
            skipped += 1
            continue
        match = next((index[key] for key in _identity_keys(person) if key in index), None)
        if match is not None:
            _merge(match, person)
            updated.append(match)
            continue
        if _is_known(person, known):
            skipped += 1
            cross_list += 1
            continue
        fresh.append(person)
        pending = {"profileData": person, "linkedinUrl": person.get("linkedinUrl"), "id": ""}
        for key in _identity_keys(person):
            index.setdefault(key, pending)

    for row in {row["id"]: row for row in updated if row["id"]}.values():
        world.store.put("row", row["id"], workspace, row, parent=list_id)
    inserted = add_rows(world, workspace, list_id, fresh, source="csv_import")
    sheet["updatedAt"] = world.now_iso()
    world.store.put("list", list_id, workspace, sheet)
    return {
        "imported": len(inserted),
        "updated": len(updated),
        "skipped": skipped,
        "crossListSkipped": cross_list,
        "blockedSkipped": 0,
        "total": len(rows),
        "rowIds": [row["id"] for row in inserted] + [row["id"] for row in updated if row["id"]],
        "companiesCreated": 0,
        "companiesLinked": 0,
        "enrichmentTriggered": 0,
        "warnings": [],
    }


def _merge(row: dict[str, Any], person: dict[str, Any]) -> None:
    """New data fills gaps; what the row already holds wins."""
    profile = row["profileData"]
    for key, value in person.items():
        if key == "linkedinUrl":
            row["linkedinUrl"] = row.get("linkedinUrl") or value
        elif key == "companyDomain":
            row["companyDomain"] = row.get("companyDomain") or value
        elif value and not profile.get(key):
            profile[key] = value


# CSV into a new list


@router.post("/api/lists/create-with-import")
async def preview_new_list_import(file: UploadedFile) -> dict[str, Any]:
    header, rows, csv_text = await _read_upload(file)
    mapping = _suggest(header)
    person_targets = {"first_name", "last_name", "full_name", "email", "linkedin_url", "role"}
    people = bool(person_targets & set(mapping.values()))
    company_mapping = {
        name: target for name, target in mapping.items() if target in {"company", "domain"}
    }
    return {
        "columns": header,
        "dataType": "people" if people else "companies",
        "confidence": "high" if people else "medium",
        "reasoning": (
            "The columns name people (names, emails or LinkedIn profiles)."
            if people
            else "No column names a person; the rows look like companies."
        ),
        "personMapping": mapping,
        "companyMapping": company_mapping,
        "autoMapping": mapping,
        "previewRows": rows[:PREVIEW_ROWS],
        "totalRows": len(rows),
        "csvText": csv_text,
        "fileName": file.filename,
    }


@router.put("/api/lists/create-with-import")
async def confirm_new_list_import(
    body: _ConfirmNewListImport, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    if body.dataType != "people":
        raise bad_request("The sandbox imports people files only")
    if not body.personMapping:
        raise bad_request("personMapping is required for a people import")
    _, rows, _ = _parse_csv(body.csvText)
    people = [_person(row, body.personMapping) for row in rows]
    known = _in_other_lists(world, workspace, None) if body.skipExistingCustomers else set()

    candidates = [person for person in people if _names_someone(person)]
    fresh = [person for person in candidates if not _is_known(person, known)]
    cost = CREDIT_COSTS["IMPORT_LEAD"]
    balance = world.store.balance(workspace)
    affordable = balance // cost
    if fresh and affordable == 0:
        raise insufficient("IMPORT_LEAD", cost * len(fresh), balance)
    # Short of credits, the import is cut to what the balance covers; it still succeeds.
    imported = fresh[:affordable]

    sheet = create_list(world, workspace, body.name, imported, source="csv_import")
    sheet["enrichmentStatus"] = "enriching"
    world.store.put("list", sheet["id"], workspace, sheet)
    world.store.put(
        "list_enrichment", sheet["id"], workspace, {"list_id": sheet["id"], "since": world.now()}
    )
    if imported:
        world.charge(workspace, "IMPORT_LEAD", len(imported))
    companies = {str(p.get("currentCompany") or "").lower() for p in imported} - {""}
    return {
        "listId": sheet["id"],
        "imported": len(imported),
        "blocked": 0,
        "crossListSkipped": len(candidates) - len(fresh),
        "total": len(rows),
        "dataType": "people",
        "companiesCreated": len(companies),
    }


# Sales Navigator


def _sales_nav_account(world: World, workspace: str) -> dict[str, Any] | None:
    return next(
        (
            sender
            for sender in world.store.find("sender", workspace)
            if sender.get("type") == "linkedin" and sender.get("has_sales_navigator")
        ),
        None,
    )


def sales_nav_result_count(url: str) -> int:
    """How many people the sandbox's Sales Navigator finds for a search URL: 30 to 80."""
    return 30 + int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) % 51


def _is_people_search(url: str) -> bool:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    return (host == "linkedin.com" or host.endswith(".linkedin.com")) and parts.path.lower().rstrip(
        "/"
    ).startswith("/sales/search/people")


@router.get("/api/lists/sales-nav-access")
async def sales_nav_access(world: CurrentWorld, workspace: CurrentWorkspace) -> dict[str, Any]:
    account = _sales_nav_account(world, workspace)
    if account is None:
        return {"hasSalesNavigator": False, "account": None}
    return {
        "hasSalesNavigator": True,
        "account": {
            "id": account["id"],
            "name": account.get("display_name"),
            "providerAccountId": account.get("provider_account_id"),
        },
    }


@router.post("/api/lists/import-sales-nav")
async def import_sales_nav(
    body: _SalesNavImport, world: CurrentWorld, workspace: CurrentWorkspace
) -> dict[str, Any]:
    if _sales_nav_account(world, workspace) is None:
        raise bad_request("No Sales Navigator account found")
    if not _is_people_search(body.url):
        raise bad_request("Only Sales Navigator people search URLs (/sales/search/people) work")
    if body.listId is not None and world.store.get("list", body.listId, workspace) is None:
        raise ApiError(403, "forbidden", "The list does not belong to you")

    wanted = body.maxResults or DEFAULT_SALES_NAV_RESULTS
    cost = CREDIT_COSTS["IMPORT_LEAD"]
    balance = world.store.balance(workspace)
    if balance < cost:
        raise insufficient("IMPORT_LEAD", cost * wanted, balance)
    cap = min(wanted, balance // cost)

    if body.listId is not None:
        list_id = body.listId
    else:
        today = datetime.fromtimestamp(world.now(), UTC).strftime("%m/%d/%Y")
        name = body.listName or f"Sales Nav Import - {today}"
        list_id = create_list(world, workspace, name, [], source="sales_nav")["id"]

    run_id = "run_" + world.new_id().replace("-", "")[:16]
    world.store.put(
        "sales_nav_import",
        run_id,
        workspace,
        {
            "id": run_id,
            "list_id": list_id,
            "url": body.url,
            "cap": cap,
            "found": sales_nav_result_count(body.url),
            "skip_existing": body.skipExistingCustomers,
            "started_at": world.now(),
            "consumed": 0,
            "delivered": 0,
            "done": False,
        },
    )
    return {
        "success": True,
        "listId": list_id,
        "runId": run_id,
        "maxResults": cap,
        "wasCapped": cap < wanted,
    }


def _deliver_sales_nav_rows(world: World, workspace: str) -> None:
    """Land the rows each running import should have landed by now, charging each one."""
    timings = world.timings
    for job in world.store.find("sales_nav_import", workspace):
        if job["done"]:
            continue
        elapsed = world.now() - job["started_at"] - timings.sales_nav_start_after
        due = min(job["found"], max(0, int(elapsed * timings.sales_nav_rows_per_second)))
        if due <= job["consumed"]:
            continue

        people = fake_people("sales-nav:" + job["url"], job["found"])
        known = _in_other_lists(world, workspace, job["list_id"]) if job["skip_existing"] else set()
        on_list = {_url_key(row.get("linkedinUrl")) for row in _rows(world, workspace, job)}
        affordable = world.store.balance(workspace) // CREDIT_COSTS["IMPORT_LEAD"]
        landing: list[dict[str, Any]] = []
        while job["consumed"] < due and job["delivered"] + len(landing) < job["cap"]:
            person = people[job["consumed"]]
            job["consumed"] += 1
            if _url_key(person["linkedinUrl"]) in on_list or _is_known(person, known):
                continue
            if len(landing) >= affordable:
                job["done"] = True
                break
            landing.append(person)

        if landing:
            add_rows(world, workspace, job["list_id"], landing, source="sales_nav")
            world.charge(workspace, "IMPORT_LEAD", len(landing))
            job["delivered"] += len(landing)
        if job["delivered"] >= job["cap"] or job["consumed"] >= job["found"]:
            job["done"] = True
        world.store.put("sales_nav_import", job["id"], workspace, job)


def _rows(world: World, workspace: str, job: dict[str, Any]) -> list[dict[str, Any]]:
    return world.store.find("row", workspace, job["list_id"])


def _finish_enrichment(world: World, workspace: str) -> None:
    """A new list's company-data enrichment ends a while after its import."""
    for task in world.store.find("list_enrichment", workspace):
        if world.now() - task["since"] < world.timings.list_enrichment_seconds:
            continue
        sheet = world.store.get("list", task["list_id"], workspace)
        if sheet is not None:
            sheet["enrichmentStatus"] = "idle"
            world.store.put("list", sheet["id"], workspace, sheet)
        world.store.delete("list_enrichment", task["list_id"])


LIST_CATCH_UP.extend([_deliver_sales_nav_rows, _finish_enrichment])
