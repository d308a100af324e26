"""Journey 2: import leads into a list, from a CSV file or a Sales Navigator people search.

    check_input → find_list → [check_sales_nav_access] → price_import ─(human)─▶
      CSV:        upload_batch (preview upload → mapping check → confirm, once per batch)
      Sales Nav:  start_sales_nav_import → watch_list (until the row count stops growing)
    → read_back → summarise

The file is read and cleaned by `agent.csv_files` before any request; a file the agent cannot
use pauses there. Everything before the approval only reads (the credit preview is side-effect
free), so a denied or unaffordable import leaves the workspace as it was.

Prices follow the documented routes: a CSV into a new list and a Sales Navigator import cost
`IMPORT_LEAD` per lead and are gated on the balance (short → the shortfall and a batch that
fits, never half a job); a CSV into an existing list is documented as free, so its preview is
shown but does not gate. A file larger than one upload may be is split into batches that are
priced and approved together, as one job.

The file's content never enters the graph's state: each upload reads it again and checks it is
the file that was approved (same SHA-256).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import operations as ops
from agent.client import PuffleClient
from agent.csv_files import CsvFileError, ImportField, LeadsFile, read_leads_file
from agent.pauses import AnswerKind
from agent.plans import ImportLeadsPlan, PlannerOutput
from agent.sales_nav import sales_nav_url_problem
from agent.schemas import (
    ConfirmListImportRequest,
    ConfirmNewListImportRequest,
    ImportMapping,
    SalesNavImportRequest,
)
from graphs._steps import step
from graphs.context import RunContext
from graphs.credits import describe_quote, quote_per_lead
from graphs.escalation import STOP, ask_human, pause_command, stop
from graphs.polling import poll_until
from graphs.state import RunState

# Without a maximum in the goal, a Sales Navigator import takes at most this many leads; the
# approval says so, and an edit or a smaller batch changes it.
DEFAULT_SALES_NAV_MAX = 100
CSV_CONTENT_TYPE = "text/csv"
# The Puffle import target of each lead field the re-written file has a column for.
PUFFLE_TARGETS: dict[ImportField, str] = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "company": "company",
    "position": "role",
    "linkedin_url": "linkedin_url",
    "headline": "headline",
}
_QUOTES = "'\"\u201c\u201d\u2018\u2019"
_FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "company": "company",
    "position": "title",
    "linkedin_url": "LinkedIn URL",
    "headline": "headline",
}


class ImportState(RunState, total=False):
    # What was read from the file (counts, mapping, skips), never its content.
    source_file: dict[str, Any] | None
    # The list to import into: id (None until a new one exists), name, whether it existed.
    target_list: dict[str, Any] | None
    quote: dict[str, Any] | None
    charged: bool
    # One entry per confirmed batch, in order.
    uploads: list[dict[str, Any]]
    sales_nav: dict[str, Any] | None
    list_total: int | None
    polls: int
    waited_seconds: float


def _plan(state: ImportState) -> ImportLeadsPlan:
    output = PlannerOutput.model_validate(state.get("plan") or {})
    if not isinstance(output.plan, ImportLeadsPlan):
        raise TypeError("the import-leads journey runs only an import-leads plan")
    return output.plan


def _client(runtime: Runtime[RunContext]) -> PuffleClient:
    return runtime.context.require_client()


def _read(plan: ImportLeadsPlan) -> LeadsFile:
    return read_leads_file(plan.file_path or "", plan.column_mapping)


def _rows_to_import(state: ImportState, plan: ImportLeadsPlan) -> int:
    batch = state.get("batch_size")
    if plan.source == "sales_nav":
        wanted = plan.max_results or DEFAULT_SALES_NAV_MAX
    else:
        wanted = int((state.get("source_file") or {}).get("rows", 0))
        if plan.max_results:
            wanted = min(wanted, plan.max_results)
    return min(wanted, batch) if batch else wanted


@step("check_input")
async def check_input(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    edit: dict[AnswerKind, str] = {"edit": "check_input"}

    if plan.source == "sales_nav":
        if not plan.sales_nav_url:
            return pause_command(
                "invalid_input",
                "The goal names no Sales Navigator search. Answer edit "
                "sales_nav_url=https://www.linkedin.com/sales/search/people?…",
                edit,
            )
        if problem := sales_nav_url_problem(plan.sales_nav_url):
            return pause_command("invalid_input", problem, edit)
        return Command(update={"source_file": None}, goto="find_list")

    if not plan.file_path:
        return pause_command(
            "invalid_input",
            "The goal names no file to import. Answer edit file_path=./leads.csv (a CSV file).",
            edit,
        )
    try:
        leads_file = _read(plan)
        batches = leads_file.batches()
    except CsvFileError as error:
        return pause_command(
            "invalid_input",
            # Problems read as sentences of their own; one full stop between the two is enough.
            f"Cannot import {error.path}: {error.problem.rstrip('.')}. Nothing was uploaded.",
            edit,
            details={"file_path": error.path, "problem": error.problem},
        )
    if not leads_file.leads:
        reasons = _skip_sentence(leads_file.skipped_by_reason())
        return pause_command(
            "invalid_input",
            f"No row of {leads_file.path} names a lead the agent can import ({reasons}). "
            "Nothing was uploaded.",
            edit,
        )

    summary = {
        "path": leads_file.path,
        "sha256": leads_file.sha256,
        "bytes": leads_file.size_bytes,
        "encoding": leads_file.encoding,
        "delimiter": leads_file.delimiter,
        "header_row": leads_file.header_row,
        "columns": leads_file.columns,
        "fields": list(leads_file.fields),
        "ignored_columns": leads_file.ignored_columns,
        "rows": len(leads_file.leads),
        "skipped": leads_file.skipped_by_reason(),
        "neutralised": [
            {"row": cell.row, "column": cell.column} for cell in leads_file.neutralised
        ],
        "batches": [{"rows": batch.rows, "bytes": len(batch.content)} for batch in batches],
        "notes": leads_file.notes,
    }
    return Command(update={"source_file": summary}, goto="find_list")


@step("find_list")
async def find_list(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)

    lists = await _client(runtime).call(ops.LIST_LISTS)

    wanted = _default_list_name(state, plan)
    found = None
    if wanted is not None:
        key = _list_key(wanted)
        found = next((item for item in lists.data.lists if _list_key(item.name) == key), None)
    if found is None and plan.new_list is False:
        names = [item.name for item in lists.data.lists]
        return pause_command(
            "not_found",
            f"There is no list named '{plan.list_name}'. Lists in this workspace: "
            f"{', '.join(names) or 'none'}. Answer edit list_name=… for one of them, or edit "
            "new_list=true to create it.",
            {"edit": "find_list"},
            correlation_id=lists.correlation_id,
            details={"list_name": plan.list_name, "existing_lists": names},
        )

    notes = list(state.get("notes", []))
    if found is not None and plan.new_list:
        notes.append(
            f"A list named '{found.name}' already exists, so the leads go into it (people "
            "already on it are merged, not duplicated)."
        )
    target: dict[str, Any] = (
        {"id": found.id, "name": found.name, "existed": True, "rows": found.rowCount}
        if found is not None
        else {"id": None, "name": wanted, "existed": False, "rows": 0}
    )
    following = "check_sales_nav_access" if plan.source == "sales_nav" else "price_import"
    return Command(update={"target_list": target, "notes": notes}, goto=following)


def _default_list_name(state: ImportState, plan: ImportLeadsPlan) -> str | None:
    if plan.list_name:
        return plan.list_name
    if plan.source == "sales_nav":
        # Puffle names it "Sales Nav Import - mm/dd/yyyy".
        return None
    path = (state.get("source_file") or {}).get("path") or plan.file_path or "Imported leads"
    return Path(path).stem.replace("_", " ").strip() or "Imported leads"


def _list_key(name: str) -> str:
    cleaned = name.strip().strip(_QUOTES).lower()
    for dash in ("\u2013", "\u2014"):
        cleaned = cleaned.replace(dash, "-")
    return " ".join(cleaned.split())


@step("check_sales_nav_access")
async def check_sales_nav_access(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    access = await _client(runtime).call(ops.GET_SALES_NAV_ACCESS)

    if not access.data.hasSalesNavigator:
        return pause_command(
            "oauth_required",
            "No LinkedIn account with Sales Navigator is connected to this workspace. A person "
            "must connect one in Puffle (the agent never runs an OAuth flow). A newly connected "
            "account can take about a minute to show up; then retry.",
            {"retry": "check_sales_nav_access"},
            correlation_id=access.correlation_id,
        )
    return Command(goto="price_import")


@step("price_import")
async def price_import(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    target = state.get("target_list") or {}
    rows = _rows_to_import(state, plan)
    # Documented as free: a CSV into a list that already exists.
    charged = plan.source == "sales_nav" or not target.get("existed")

    quote = await quote_per_lead(_client(runtime), ["IMPORT_LEAD"], rows)

    if charged and not quote["sufficient"]:
        fits = quote["batch_that_fits"] or 0
        offer = f" A batch of {fits} leads fits the balance." if fits else ""
        return pause_command(
            "insufficient_credits",
            f"Importing {rows} leads needs {quote['total']} credits and the workspace has "
            f"{quote['balance']}: {quote['shortfall']} short.{offer} Nothing has been spent.",
            {"smaller_batch": "price_import"} if fits else {},
            details={**quote, "leads": rows},
            update={"quote": dict(quote), "charged": charged},
        )

    first_write = "upload_batch" if plan.source == "csv" else "start_sales_nav_import"
    summary = _approval_summary(state, plan, rows, quote, charged)
    return pause_command(
        "approval_required",
        summary,
        {"approve": first_write, "smaller_batch": "price_import", "edit": "check_input"},
        details={
            "source": plan.source,
            "list": target.get("name"),
            "new_list": not target.get("existed"),
            "leads": rows,
            "file": state.get("source_file"),
            "sales_nav_url": plan.sales_nav_url,
            "quote": dict(quote) if charged else None,
            "quote_if_charged": None if charged else dict(quote),
            "chain": remaining_chain(state, plan),
        },
        update={
            "quote": dict(quote),
            "charged": charged,
            "credits_quoted": quote["total"] if charged else 0,
            "uploads": [],
        },
    )


def _approval_summary(
    state: ImportState, plan: ImportLeadsPlan, rows: int, quote: Any, charged: bool
) -> str:
    target = state.get("target_list") or {}
    if target.get("existed"):
        where = f"the existing list '{target['name']}' ({target.get('rows', 0)} leads now)"
    elif target.get("name"):
        where = f"a new list '{target['name']}'"
    else:
        where = "a new list that Puffle names 'Sales Nav Import - <date>'"

    if charged:
        cost = f"Cost: {describe_quote(quote)}; only leads actually imported are charged."
    else:
        cost = (
            "Puffle documents imports into an existing list as free; were it charged, it would "
            f"be {describe_quote(quote)}."
        )

    if plan.source == "sales_nav":
        limit = (
            ""
            if plan.max_results or state.get("batch_size")
            else f" (the goal set no maximum, so at most {DEFAULT_SALES_NAV_MAX})"
        )
        return (
            f"Import up to {rows} leads{limit} from the Sales Navigator search into {where}. "
            f"{cost} Approve to start the import."
        )

    source = state.get("source_file") or {}
    return (
        f"Import {rows} leads from {source.get('path')} into {where}. {_file_sentence(source)} "
        f"{cost} Approve to upload."
    )


def _file_sentence(source: dict[str, Any]) -> str:
    """What the agent read from the file, for a person to check before anything is sent."""
    delimiter = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(
        source.get("delimiter", ","), repr(source.get("delimiter"))
    )
    columns = ", ".join(
        f"'{header}' → {_FIELD_WORDS.get(target, target)}"
        for header, target in source.get("columns", {}).items()
    )
    parts = [
        f"Read as {source.get('encoding')} with {delimiter}, header on row "
        f"{source.get('header_row')}; columns: {columns}."
    ]
    if ignored := source.get("ignored_columns"):
        shown = ", ".join(f"'{name}' ({why})" for name, why in ignored.items())
        parts.append(f"Not imported: {shown}.")
    if skipped := source.get("skipped"):
        parts.append(f"Skipped in the file: {_skip_sentence(skipped)}.")
    if neutralised := source.get("neutralised"):
        cells = ", ".join(f"row {cell['row']} '{cell['column']}'" for cell in neutralised[:5])
        more = f" and {len(neutralised) - 5} more" if len(neutralised) > 5 else ""
        parts.append(
            f"{len(neutralised)} cell(s) that a spreadsheet would run as a formula were "
            f"neutralised with a leading quote: {cells}{more}."
        )
    batches = source.get("batches", [])
    if len(batches) > 1:
        parts.append(
            f"The file is larger than one upload may be (10 MB), so it goes up in "
            f"{len(batches)} batches, approved together as one import."
        )
    parts.extend(source.get("notes", []))
    return " ".join(parts)


def _skip_sentence(skipped: dict[str, list[int]]) -> str:
    pieces: list[str] = []
    for reason, rows in skipped.items():
        shown = ", ".join(str(row) for row in rows[:5]) + (", …" if len(rows) > 5 else "")
        noun = "row" if len(rows) == 1 else "rows"
        pieces.append(f"{len(rows)} {noun}: {reason} ({noun} {shown})")
    return "; ".join(pieces)


def remaining_chain(state: ImportState, plan: ImportLeadsPlan) -> list[str]:
    """The documented operations the journey will call after approval, in order."""
    chain: list[ops.Operation[Any, Any]] = []
    target = state.get("target_list") or {}
    if plan.source == "sales_nav":
        chain += [ops.START_SALES_NAV_IMPORT, ops.LIST_ROWS]
        return [f"{op.method} {op.path}" for op in chain]

    batches = len((state.get("source_file") or {}).get("batches", [])) or 1
    if target.get("existed"):
        chain += [ops.PREVIEW_LIST_IMPORT, ops.CONFIRM_LIST_IMPORT] * batches
    else:
        chain += [ops.LIST_LISTS, ops.PREVIEW_NEW_LIST_IMPORT, ops.CONFIRM_NEW_LIST_IMPORT]
        chain += [ops.PREVIEW_LIST_IMPORT, ops.CONFIRM_LIST_IMPORT] * (batches - 1)
    chain += [ops.LIST_ROWS]
    return [f"{op.method} {op.path}" for op in chain]


@step("upload_batch")
async def upload_batch(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    plan = _plan(state)
    client = _client(runtime)
    source = state.get("source_file") or {}
    target = dict(state.get("target_list") or {})
    uploads = list(state.get("uploads", []))

    done = f" ({len(uploads)} batch(es) already imported)" if uploads else ""
    try:
        leads_file = _read(plan)
    except CsvFileError as error:
        return pause_command(
            "invalid_input",
            f"Cannot read {error.path} any more: {error.problem}{done}. Nothing more was uploaded.",
            {"retry": "upload_batch", "edit": "check_input"},
        )
    if leads_file.sha256 != source.get("sha256"):
        return pause_command(
            "invalid_input",
            f"{leads_file.path} changed after you approved the import{done}. Retry to read it "
            "again and approve the new version.",
            {"retry": "check_input"},
        )
    batches = leads_file.batches(rows=_rows_to_import(state, plan))
    batch = batches[len(uploads)]
    name = _upload_name(leads_file, batch.number, len(batches))
    files = {"file": (name, batch.content, CSV_CONTENT_TYPE)}

    if target.get("id") is None:
        # Check before create: an earlier attempt whose answer was lost may have made the list.
        lists = (await client.call(ops.LIST_LISTS)).data.lists
        made = next((item for item in lists if item.name == target["name"]), None)
        if made is not None:
            target["id"] = made.id

    if target.get("id") is None:
        record, target["id"] = await _upload_to_new_list(client, plan, target, files, batch.rows)
    else:
        record = await _upload_to_list(client, plan, target["id"], files, batch.rows)
    record.update(number=batch.number, rows=batch.rows)
    if record.pop("mismatch", False):
        return pause_command(
            "invalid_input",
            f"Puffle read {record['server_rows']} rows in batch {batch.number} where the agent "
            f"wrote {batch.rows}; nothing of that batch was imported. Retry, or deny.",
            {"retry": "upload_batch"},
            update={"target_list": target},
        )

    uploads.append(record)
    spent = state.get("credits_spent", 0)
    if record["charged"]:
        spent += record["imported"] * _unit_cost(state)
    following = "upload_batch" if len(uploads) < len(batches) else "read_back"
    return Command(
        update={"uploads": uploads, "target_list": target, "credits_spent": spent},
        goto=following,
    )


def _upload_name(leads_file: LeadsFile, number: int, count: int) -> str:
    stem = Path(leads_file.path).stem or "leads"
    return f"{stem}.csv" if count == 1 else f"{stem}-part{number}.csv"


async def _upload_to_new_list(
    client: PuffleClient,
    plan: ImportLeadsPlan,
    target: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
    rows: int,
) -> tuple[dict[str, Any], str | None]:
    preview = (await client.call(ops.PREVIEW_NEW_LIST_IMPORT, files=files)).data
    if preview.totalRows != rows:
        return {"mismatch": True, "server_rows": preview.totalRows}, None

    fields = _header_fields(preview.columns)
    mapping, notes = reconcile_mapping(fields, preview.personMapping or preview.autoMapping)
    if preview.dataType != "people":
        notes.append(
            f"Puffle took the file for {preview.dataType}; it is imported as people, as the "
            "goal asks."
        )
    confirmed = await client.call(
        ops.CONFIRM_NEW_LIST_IMPORT,
        body=ConfirmNewListImportRequest(
            name=str(target["name"]),
            dataType="people",
            csvText=preview.csvText,
            personMapping=mapping,
            skipExistingCustomers=plan.skip_existing,
        ),
    )
    result = confirmed.data
    return (
        {
            "charged": True,
            "imported": result.imported,
            "updated": 0,
            "cross_list_skipped": result.crossListSkipped,
            "blocked": result.blocked,
            "other_skipped": 0,
            "not_affordable": max(
                0,
                (result.total or rows) - result.imported - result.crossListSkipped - result.blocked,
            ),
            "mapping": mapping,
            "mapping_notes": notes,
            "warnings": [],
            "correlation_id": confirmed.correlation_id,
        },
        result.listId,
    )


async def _upload_to_list(
    client: PuffleClient,
    plan: ImportLeadsPlan,
    list_id: str,
    files: dict[str, tuple[str, bytes, str]],
    rows: int,
) -> dict[str, Any]:
    preview = (
        await client.call(ops.PREVIEW_LIST_IMPORT, path_params={"list_id": list_id}, files=files)
    ).data
    if preview.total_rows != rows:
        return {"mismatch": True, "server_rows": preview.total_rows}

    mapping, notes = reconcile_mapping(_header_fields(preview.columns), preview.auto_mapping)
    confirmed = await client.call(
        ops.CONFIRM_LIST_IMPORT,
        path_params={"list_id": list_id},
        body=ConfirmListImportRequest(
            csv_text=preview.csv_text, mapping=mapping, skipExistingCustomers=plan.skip_existing
        ),
    )
    result = confirmed.data
    return {
        "charged": False,
        "imported": result.imported,
        "updated": result.updated,
        "cross_list_skipped": result.crossListSkipped,
        "blocked": result.blockedSkipped,
        "other_skipped": max(0, result.skipped - result.crossListSkipped - result.blockedSkipped),
        "not_affordable": 0,
        "mapping": mapping,
        "mapping_notes": notes,
        "warnings": result.warnings,
        "correlation_id": confirmed.correlation_id,
    }


def _header_fields(columns: list[str]) -> list[ImportField]:
    """The lead fields of the headers Puffle read back (the agent wrote one per field)."""
    return [field for field in PUFFLE_TARGETS if field in columns]


def reconcile_mapping(
    fields: list[ImportField], suggested: ImportMapping
) -> tuple[dict[str, str], list[str]]:
    """The mapping to confirm, checked against Puffle's suggestion, and what differed.

    The agent wrote one column per lead field, named after the field, so it knows what each
    holds. Puffle's suggestion stands when it agrees, or when it keeps a field in a custom
    column (a target the agent cannot name for it); otherwise the agent's reading wins.
    """
    mapping: dict[str, str] = {}
    notes: list[str] = []
    for field in fields:
        expected = PUFFLE_TARGETS[field]
        offered = suggested.get(field)
        if offered == expected:
            mapping[field] = expected
        elif offered and offered.startswith(("new:", "column:")):
            mapping[field] = offered
            notes.append(f"Puffle keeps the {_FIELD_WORDS[field]} in a custom column ({offered}).")
        elif offered:
            mapping[field] = expected
            notes.append(
                f"Puffle suggested '{offered}' for the {_FIELD_WORDS[field]} column; it is "
                f"imported as '{expected}', as the file says."
            )
        else:
            mapping[field] = expected
            notes.append(
                f"Puffle suggested nothing for the {_FIELD_WORDS[field]} column; it is imported "
                f"as '{expected}'."
            )
    return mapping, notes


def _unit_cost(state: ImportState) -> int:
    lines = (state.get("quote") or {}).get("lines", [])
    return int(lines[0]["cost_per_unit"]) if lines else 0


@step("start_sales_nav_import")
async def start_sales_nav_import(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    if state.get("sales_nav"):
        return Command(goto="watch_list")
    plan = _plan(state)
    target = state.get("target_list") or {}
    rows = _rows_to_import(state, plan)

    started = await _client(runtime).call(
        ops.START_SALES_NAV_IMPORT,
        body=SalesNavImportRequest(
            url=plan.sales_nav_url or "",
            listId=target.get("id"),
            listName=None if target.get("id") else target.get("name"),
            maxResults=rows,
            skipExistingCustomers=plan.skip_existing,
        ),
    )

    data = started.data
    return Command(
        update={
            "sales_nav": {
                "list_id": data.listId,
                "run_id": data.runId,
                "max_results": data.maxResults or rows,
                "was_capped": data.wasCapped,
                "rows_before": int(target.get("rows", 0)),
                "correlation_id": started.correlation_id,
            },
            "target_list": {**target, "id": data.listId},
        },
        goto="watch_list",
    )


@step("watch_list")
async def watch_list(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    sales_nav = state.get("sales_nav") or {}
    client = _client(runtime)
    progress = runtime.context.progress
    before = int(sales_nav.get("rows_before", 0))
    expected = int(sales_nav.get("max_results", 0))
    totals: list[int] = []

    async def fetch() -> Any:
        return await client.call(
            ops.LIST_ROWS, path_params={"list_id": sales_nav["list_id"]}, query={"limit": 1}
        )

    def stopped_growing(result: Any) -> bool:
        total = int(result.data.total)
        previous = totals[-1] if totals else None
        totals.append(total)
        arrived = total - before
        return arrived >= expected or (arrived > 0 and total == previous)

    outcome = await poll_until(
        fetch,
        stopped_growing,
        clock=runtime.context.clock,
        ceiling_seconds=runtime.context.search_poll_ceiling,
        on_poll=lambda result, waited: progress(
            f"Sales Navigator import: {int(result.data.total) - before} leads after {waited:.0f} s"
        ),
    )

    polls = state.get("polls", 0) + outcome.polls
    arrived = (totals[-1] - before) if totals else 0
    if not outcome.finished:
        return pause_command(
            "async_timeout",
            f"The Sales Navigator import was still filling the list after "
            f"{outcome.waited_seconds:.0f} s ({arrived} leads so far). Retry to keep watching.",
            {"retry": "watch_list"},
            correlation_id=sales_nav.get("correlation_id"),
            update={"polls": polls},
        )
    return Command(
        update={
            "polls": polls,
            "waited_seconds": state.get("waited_seconds", 0.0) + outcome.waited_seconds,
            "sales_nav": {**sales_nav, "arrived": arrived},
            "list_total": totals[-1],
            "credits_spent": state.get("credits_spent", 0) + arrived * _unit_cost(state),
        },
        goto="summarise",
    )


@step("read_back")
async def read_back(state: ImportState, runtime: Runtime[RunContext]) -> Command[str]:
    target = state.get("target_list") or {}

    page = await _client(runtime).call(
        ops.LIST_ROWS, path_params={"list_id": target["id"]}, query={"limit": 1}
    )

    return Command(update={"list_total": page.data.total}, goto="summarise")


async def summarise(state: ImportState) -> dict[str, Any]:
    plan = _plan(state)
    target = state.get("target_list") or {}
    spent = state.get("credits_spent", 0)
    listed = {
        "id": target.get("id"),
        "name": target.get("name"),
        "created": not target.get("existed"),
        "rows": state.get("list_total"),
    }
    if plan.source == "sales_nav":
        return {"outcome": "completed", "result": _sales_nav_result(state, listed, spent)}
    return {"outcome": "completed", "result": _csv_result(state, listed, spent)}


def _sales_nav_result(state: ImportState, listed: dict[str, Any], spent: int) -> dict[str, Any]:
    sales_nav = state.get("sales_nav") or {}
    arrived = int(sales_nav.get("arrived", 0))
    capped = bool(sales_nav.get("was_capped"))
    if listed["name"]:
        name = f"the new list '{listed['name']}'" if listed["created"] else f"'{listed['name']}'"
    else:
        name = f"the new list Puffle created (id {listed['id']})"
    cap_note = (
        " Puffle capped the import to what the credits cover; top up and run it again for the rest."
        if capped
        else ""
    )
    return {
        "source": "sales_nav",
        "list": listed,
        "arrived": arrived,
        "max_results": sales_nav.get("max_results"),
        "was_capped": capped,
        "run_id": sales_nav.get("run_id"),
        "polls": state.get("polls", 0),
        "credits_spent": spent,
        "summary": (
            f"The Sales Navigator import brought {arrived} leads into {name} (at most "
            f"{sales_nav.get('max_results')}); the list now holds {listed['rows']} leads. "
            f"{spent} credits spent. Puffle run id: {sales_nav.get('run_id')}.{cap_note}"
        ),
    }


def _csv_result(state: ImportState, listed: dict[str, Any], spent: int) -> dict[str, Any]:
    source = state.get("source_file") or {}
    uploads = state.get("uploads", [])
    total = {
        key: sum(int(upload[key]) for upload in uploads)
        for key in (
            "imported", "updated", "cross_list_skipped", "blocked", "other_skipped",
            "not_affordable",
        )
    }  # fmt: skip
    skipped: list[dict[str, Any]] = [
        {"reason": reason, "count": len(rows), "rows": rows}
        for reason, rows in source.get("skipped", {}).items()
    ]
    puffle_reasons = {
        "cross_list_skipped": "already in another of your lists",
        "blocked": "company on your blocklist",
        "not_affordable": "not covered by the credits",
        "other_skipped": "skipped by Puffle",
    }
    skipped += [
        {"reason": reason, "count": total[key], "rows": []}
        for key, reason in puffle_reasons.items()
        if total[key]
    ]
    skipped_count = sum(int(item["count"]) for item in skipped)
    why = "; ".join(f"{item['count']} {item['reason']}" for item in skipped)
    merged = ""
    if total["updated"]:
        were = "was" if total["updated"] == 1 else "were"
        merged = f" {total['updated']} {were} already on the list and merged."
    where = f"the new list '{listed['name']}'" if listed["created"] else f"'{listed['name']}'"
    neutralised = source.get("neutralised", [])
    flagged = (
        f" {len(neutralised)} formula-like cell(s) were neutralised with a leading quote."
        if neutralised
        else ""
    )
    return {
        "source": "csv",
        "list": listed,
        "file": {
            key: source.get(key)
            for key in ("path", "encoding", "delimiter", "header_row", "columns", "ignored_columns")
        },
        "imported": total["imported"],
        "updated": total["updated"],
        "skipped": skipped_count,
        "skipped_reasons": skipped,
        "neutralised_cells": neutralised,
        "batches": len(uploads),
        "mapping": uploads[0]["mapping"] if uploads else {},
        "mapping_notes": sorted({note for upload in uploads for note in upload["mapping_notes"]}),
        "warnings": [warning for upload in uploads for warning in upload["warnings"]],
        "credits_spent": spent,
        "summary": (
            f"Imported {total['imported']} leads into {where}, which now holds "
            f"{listed['rows']} leads.{merged} Skipped {skipped_count}"
            + (f" ({why})" if why else "")
            + f".{flagged} {spent} credits spent."
        ),
    }


def build_import_leads_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ImportState, context_schema=RunContext)
    for node in (
        check_input,
        find_list,
        check_sales_nav_access,
        price_import,
        upload_batch,
        start_sales_nav_import,
        watch_list,
        read_back,
    ):
        graph.add_node(node.__name__, node)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("summarise", summarise)

    graph.add_edge(START, "check_input")
    graph.add_edge("summarise", END)
    graph.add_edge(STOP, END)
    return graph.compile(name="import_leads")
