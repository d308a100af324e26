"""What an unfinished run leaves in Puffle, and which steps of its approved chain never ran.

A run that pauses, fails or is stopped after it wrote something must say what exists because of
it, so a person can clean up or carry on. The journeys already keep every id in their state the
moment Puffle answers; `JOURNEY_LEDGERS` lists, per journey, the state keys that hold them and
how to describe each object. The report reads those keys and nothing else of a journey's state.

`left_behind` gives one entry per object the run created or changed: its kind, id, name, its
state as last seen, and what the person can do about it. `not_done` gives the steps of the chain
the human approved that never ran, in the approval's own spelling (`METHOD /path`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from agent.operations import CATALOG

Change = Literal["created", "changed"]
UnfinishedStatus = Literal["paused", "stopped", "failed"]


class LeftBehind(TypedDict):
    """One object in Puffle that exists, or differs, because of an unfinished run."""

    kind: str
    id: str | None
    name: str | None
    state: str
    change: Change
    what_you_can_do: str
    message: str


@dataclass(frozen=True)
class JourneyTrail:
    """A journey's own state as the report reads it, and the approval it ran under.

    `values` holds only the keys the journey's ledger lists. `approved_chain` is the chain of the
    last approval the human accepted (empty when none was), and `calls_before_approval` the ids
    of the calls made until that approval: every later call belongs to the approved chain.
    """

    journey: str
    values: Mapping[str, Any]
    approved_chain: list[str] = field(default_factory=list[str])
    calls_before_approval: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Observed:
    """What a ledger's describer reads: the listed state, and how the run ended."""

    values: Mapping[str, Any]
    # A paused run carries on when the human answers; a stopped or failed one is over.
    resumable: bool
    # Calls Puffle answered with success since the approval, for writes the state has not
    # recorded yet (a node that fails half way returns none of its updates).
    succeeded: list[Mapping[str, Any]]


@dataclass(frozen=True)
class JourneyLedger:
    """The state keys that hold what a journey made, and how to describe each object."""

    keys: tuple[str, ...]
    describe: Callable[[Observed], list[LeftBehind]]


def _entry(
    kind: str,
    object_id: str | None,
    name: str | None,
    state: str,
    change: Change,
    *,
    what_happened: str,
    what_you_can_do: str,
) -> LeftBehind:
    return LeftBehind(
        kind=kind,
        id=object_id,
        name=name,
        state=state,
        change=change,
        what_you_can_do=what_you_can_do,
        message=f"{what_happened}; {what_you_can_do}",
    )


# Journey 1: a lead search, the list its results were saved to, the campaign.


def _launch(seen: Observed) -> list[LeftBehind]:
    search = seen.values.get("search") or {}
    saved_list = seen.values.get("audience_list") or {}
    campaign = seen.values.get("campaign") or {}

    found: list[LeftBehind] = []
    # A search's results go into a new list; without a search the audience list existed before.
    if search and not saved_list:
        found.append(_lead_search(search, seen.resumable))
    if search and saved_list:
        found.append(_list_from_search(saved_list, seen.resumable))
    if campaign:
        found.append(_campaign(campaign, seen))
    return found


def _lead_search(search: Mapping[str, Any], resumable: bool) -> LeftBehind:
    status = str(search.get("status"))
    if status == "completed":
        happened = (
            f"lead search (id {search['id']}) found {search.get('result_count')} people, "
            "who were not saved to a list"
        )
    else:
        happened = f"lead search (id {search['id']}) was started and is {status} in Puffle"
    return _entry(
        "lead_search",
        search["id"],
        None,
        status,
        "created",
        what_happened=happened,
        what_you_can_do=(
            "resuming the run saves its results to a list and goes on"
            if resumable
            else "its results are not used; running the goal again starts a new search"
        ),
    )


def _list_from_search(saved_list: Mapping[str, Any], resumable: bool) -> LeftBehind:
    rows = saved_list.get("rows")
    return _entry(
        "lead_list",
        saved_list["id"],
        saved_list["name"],
        f"{rows} leads",
        "created",
        what_happened=(
            f"list '{saved_list['name']}' (id {saved_list['id']}) was created from the lead "
            f"search with {rows} leads"
        ),
        what_you_can_do=(
            "resuming the run uses it for the campaign"
            if resumable
            else "it stays in Puffle: launch a campaign to it by name, or delete it there"
        ),
    )


def _campaign(campaign: Mapping[str, Any], seen: Observed) -> LeftBehind:
    name, campaign_id = campaign["name"], campaign["id"]
    status = str(campaign.get("status"))
    # Puffle accepted the launch (202) but the state still holds the draft seen at creation.
    if seen.values.get("launch") and status == "draft":
        status = "launching"

    if status == "draft":
        added = seen.values.get("leads_added") or {}
        leads = int(added.get("imported") or 0) + int(added.get("duplicates") or 0)
        with_leads = f" with {leads} leads" if added else ""
        happened = (
            f"draft campaign '{name}' (id {campaign_id}) was created{with_leads} but not launched"
        )
        can_do = (
            "once the pause is answered the run goes on to launch it; or deny, and delete it "
            "in Puffle"
            if seen.resumable
            else "running the same goal again picks this draft up and launches it, or delete "
            "it in Puffle"
        )
    elif status == "launching":
        happened = (
            f"campaign '{name}' (id {campaign_id}) was launched and Puffle was still "
            "activating it when last checked"
        )
        can_do = (
            "resuming the run keeps watching it"
            if seen.resumable
            else "it goes active on its own; check it in Puffle, and pause it there if you "
            "did not want it"
        )
    else:
        happened = f"campaign '{name}' (id {campaign_id}) is {status}"
        can_do = "check it in Puffle"
    return _entry(
        "campaign",
        campaign_id,
        name,
        status,
        "created",
        what_happened=happened,
        what_you_can_do=can_do,
    )


# Journey 2: the list the leads went into, new or existing.


def _import(seen: Observed) -> list[LeftBehind]:
    target = seen.values.get("target_list") or {}
    sales_nav = seen.values.get("sales_nav") or {}
    uploads: list[Mapping[str, Any]] = seen.values.get("uploads") or []

    if sales_nav:
        return [_sales_nav_list(target, sales_nav, seen.resumable)]
    if not target.get("id") or (target.get("existed") and not uploads):
        return []

    imported = sum(int(upload.get("imported") or 0) for upload in uploads)
    batches = len((seen.values.get("source_file") or {}).get("batches") or []) or 1
    progress = f"{len(uploads)} of {batches} batch{'es' if batches > 1 else ''}"
    name, list_id = target.get("name"), target["id"]
    if target.get("existed"):
        rows = int(target.get("rows") or 0) + imported
        return [
            _entry(
                "lead_list",
                list_id,
                name,
                f"{rows} leads",
                "changed",
                what_happened=(
                    f"{imported} leads were imported into the existing list '{name}' (id "
                    f"{list_id}), {progress} of the file"
                ),
                what_you_can_do=(
                    "resuming the run imports the rest of the file into it"
                    if seen.resumable
                    else "running the goal again imports the file again; people already on "
                    "the list are merged, not duplicated"
                ),
            )
        ]
    return [
        _entry(
            "lead_list",
            list_id,
            name,
            f"{imported} leads",
            "created",
            what_happened=(
                f"list '{name}' (id {list_id}) was created and {imported} leads were imported "
                f"into it, {progress} of the file"
            ),
            what_you_can_do=(
                "resuming the run imports the rest of the file into it; or deny, and delete "
                "the list in Puffle"
                if seen.resumable
                else "running the goal again imports the file into this list (people already "
                "on it are merged), or delete the list in Puffle"
            ),
        )
    ]


def _sales_nav_list(
    target: Mapping[str, Any], sales_nav: Mapping[str, Any], resumable: bool
) -> LeftBehind:
    list_id = sales_nav.get("list_id") or target.get("id")
    name = target.get("name")
    called = f"'{name}'" if name else "Puffle named"
    arrived = sales_nav.get("arrived")
    state = f"{arrived} leads arrived" if arrived is not None else "filling"
    return _entry(
        "lead_list",
        list_id,
        name,
        state,
        "changed" if target.get("existed") else "created",
        what_happened=(
            f"the Sales Navigator import (Puffle run {sales_nav.get('run_id')}) was started into "
            f"the {'' if target.get('existed') else 'new '}list {called} (id {list_id}); Puffle "
            "fills it in the background and charges per lead that arrives"
        ),
        what_you_can_do=(
            "resuming the run watches the list until it stops growing"
            if resumable
            else "check the list in Puffle, and delete it there if you do not want it"
        ),
    )


# Journey 3: every research Puffle started for this run (a cached report started nothing).


def _research(seen: Observed) -> list[LeftBehind]:
    found: list[LeftBehind] = []
    for entry in seen.values.get("research") or []:
        if entry.get("cached"):
            continue
        person = entry.get("person") or {}
        name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
        status = str(entry.get("status"))
        if status == "complete":
            happened = f"deep research on {name} (id {entry['id']}) is complete in Puffle"
            can_do = "its report stays there; running the goal again fetches it at no cost"
        elif status == "failed":
            happened = f"deep research on {name} (id {entry['id']}) failed in Puffle"
            can_do = (
                "resuming the run with retry sends it once more (paid again)"
                if seen.resumable
                else "running the goal again sends it once more (paid again)"
            )
        else:
            happened = f"deep research on {name} (id {entry['id']}) is still {status} in Puffle"
            can_do = (
                "resuming the run waits for it"
                if seen.resumable
                else "Puffle finishes it on its own; running the goal again fetches the report "
                "without starting or paying for a second one"
            )
        found.append(
            _entry(
                "research",
                entry["id"],
                name,
                status,
                "created",
                what_happened=happened,
                what_you_can_do=can_do,
            )
        )
    return found


# Journey 4: signal types changed or created. The journey records its writes only once all of
# them are done, so writes of a half-applied change are read from the successful calls.


def _signals(seen: Observed) -> list[LeftBehind]:
    applied: list[Mapping[str, Any]] = seen.values.get("applied_writes") or []
    planned: list[Mapping[str, Any]] = seen.values.get("planned_writes") or []
    recorded = {(write["op"], write["label"]) for write in applied}
    pending = [write for write in planned if (write["op"], write["label"]) not in recorded]

    updated_paths = {
        str(call["path"])
        for call in seen.succeeded
        if call.get("operation") == "update_signal_type"
    }
    creates_done = sum(
        1 for call in seen.succeeded if call.get("operation") == "create_signal_type"
    )
    made: list[Mapping[str, Any]] = [*applied]
    for write in pending:
        if write["op"] == "update" and any(
            path.endswith(f"/{write['id']}") for path in updated_paths
        ):
            made.append({**write, "result": None, "existed": True})
        elif write["op"] == "create" and creates_done > 0:
            creates_done -= 1
            made.append({**write, "result": None, "existed": False})

    found: list[LeftBehind] = []
    for write in made:
        result = write.get("result") or {}
        if write["op"] == "create":
            if write.get("existed"):
                continue  # The type was there before the run: it used it as it was.
            found.append(_created_type(write, result))
        else:
            found.append(_changed_type(write, result))
    return found


def _created_type(write: Mapping[str, Any], result: Mapping[str, Any]) -> LeftBehind:
    label, type_id = write["label"], result.get("id")
    named = f"(id {type_id})" if type_id else "(its id was not recorded; find it by name)"
    return _entry(
        "signal_type",
        type_id,
        label,
        "enabled",
        "created",
        what_happened=f"signal type '{label}' {named} was created and enabled",
        what_you_can_do="disable or delete it in Puffle if you do not want it",
    )


def _changed_type(write: Mapping[str, Any], result: Mapping[str, Any]) -> LeftBehind:
    label, type_id = write["label"], write["id"]
    settings: Mapping[str, Any] = write.get("set") or {}
    before: Mapping[str, Any] = write.get("was") or {}
    enabled = result.get("enabled", settings.get("enabled"))
    state = "changed" if enabled is None else ("enabled" if enabled else "disabled")

    undo: list[str] = []
    if "enabled" in settings:
        undo.append("disable it" if settings["enabled"] else "enable it")
    if "keywords" in settings:
        added = [k for k in settings["keywords"] if k not in (before.get("keywords") or [])]
        undo.append(f"remove the keywords {', '.join(added)}")
    if "sources" in settings:
        undo.append(f"set its sources back to {', '.join(before.get('sources') or [])}")
    return _entry(
        "signal_type",
        type_id,
        label,
        state,
        "changed",
        what_happened=f"signal type '{label}' (id {type_id}) was changed",
        what_you_can_do=f"to undo it, {' and '.join(undo) or 'restore it'} in Puffle",
    )


# Journey 5: the scheduled post.

_PLATFORM_TITLES = {"linkedin": "LinkedIn", "twitter": "X"}


def _social_post(seen: Observed) -> list[LeftBehind]:
    post = seen.values.get("post") or {}
    if not post:
        return []
    account = seen.values.get("account") or {}
    scheduled_at = seen.values.get("scheduled_at")
    platform = _PLATFORM_TITLES.get(str(account.get("platform")), "social")
    earlier = " (an identical post an earlier attempt scheduled)" if post.get("reused") else ""
    return [
        _entry(
            "social_post",
            post["id"],
            account.get("name"),
            "scheduled",
            "created",
            what_happened=(
                f"{platform} post (id {post['id']}){earlier} is scheduled on "
                f"{account.get('name')} for {scheduled_at}"
            ),
            what_you_can_do=(
                "resuming the run checks that it is queued for publishing; it publishes then "
                "unless you delete it in Puffle"
                if seen.resumable
                else "it publishes then unless you delete it in Puffle"
            ),
        )
    ]


def _nothing(_seen: Observed) -> list[LeftBehind]:
    return []


JOURNEY_LEDGERS: dict[str, JourneyLedger] = {
    "launch_campaign": JourneyLedger(
        keys=("search", "audience_list", "campaign", "leads_added", "launch"),
        describe=_launch,
    ),
    "import_leads": JourneyLedger(
        keys=("source_file", "target_list", "uploads", "sales_nav"),
        describe=_import,
    ),
    "deep_research": JourneyLedger(keys=("research",), describe=_research),
    "signals": JourneyLedger(keys=("planned_writes", "applied_writes"), describe=_signals),
    "social_post": JourneyLedger(keys=("account", "scheduled_at", "post"), describe=_social_post),
    # Read-only: it never writes, so it has nothing to leave behind.
    "reply_inbox": JourneyLedger(keys=(), describe=_nothing),
}


def ledger_keys(journey: str | None) -> tuple[str, ...]:
    """The journey-state keys the report reads for `journey`; none for an unknown journey."""
    ledger = JOURNEY_LEDGERS.get(journey or "")
    return ledger.keys if ledger else ()


def _succeeded_since_approval(
    trail: JourneyTrail, calls: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    if not trail.approved_chain:
        return []
    return [
        call
        for call in calls
        if call["id"] not in trail.calls_before_approval
        and call.get("status") is not None
        and 200 <= int(call["status"]) < 300
    ]


def left_behind(
    trail: JourneyTrail, status: UnfinishedStatus, calls: Sequence[Mapping[str, Any]]
) -> list[LeftBehind]:
    """Every object in Puffle the unfinished run created or changed, as last seen."""
    ledger = JOURNEY_LEDGERS.get(trail.journey)
    if ledger is None:
        return []
    seen = Observed(
        values=trail.values,
        resumable=status == "paused",
        succeeded=_succeeded_since_approval(trail, calls),
    )
    return ledger.describe(seen)


_OPERATION_OF_STEP = {f"{op.method} {op.path}": op.name for op in CATALOG}


def not_done(trail: JourneyTrail, calls: Sequence[Mapping[str, Any]]) -> list[str]:
    """The approved chain's steps after the last one Puffle answered with success.

    The steps are matched in order against the successful calls since the approval; a step the
    journey may pass over (a 409 that means "it exists", a check that found nothing to do) does
    not hold the later ones back. The chain's last step is the wait or read-back that confirms
    the outcome: a run that did not complete never finished it.
    """
    chain = trail.approved_chain
    if not chain:
        return []
    done = [str(call["operation"]) for call in _succeeded_since_approval(trail, calls)]

    position, last_done = 0, -1
    for index, step in enumerate(chain[:-1]):
        operation = _OPERATION_OF_STEP.get(step)
        matched = next((at for at in range(position, len(done)) if done[at] == operation), None)
        if matched is not None:
            position, last_done = matched + 1, index
    return chain[last_done + 1 :]
