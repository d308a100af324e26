"""Turning the times people say into exact instants.

`resolve_when("next Monday 14:00", now, "Europe/Berlin")` reads a phrase as a wall-clock time in
an IANA zone and returns an aware datetime in that zone. The zone is the one the phrase names
("… Europe/Berlin", "… PST") or else the `zone` argument (the workspace's); nothing else may pick
it, so dateparser only ever sees the date words, never the zone, and only returns naive dates.

Wall-clock times are placed with zoneinfo, so daylight-saving changes fall where they should:
"tomorrow at 9" on the day clocks move is 9:00 local time on either side. A wall-clock time that
does not exist (skipped when clocks jump forward) is refused; one that happens twice (when clocks
fall back) is the first of the two. Durations ("in two hours") are elapsed time, added in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

from agent.errors import UsageError

# Abbreviations name the region whose wall clock they describe; the region's rules then decide
# the offset for that date, so "5pm PST" in July is 5 pm in Los Angeles.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "UTC": "UTC",
    "Z": "UTC",
}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "half an": 0.5,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_IANA_ZONE = re.compile(r"\b(?P<zone>[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_+-]+)+)\b")
_ABBREVIATION = re.compile(
    r"(?<![\w/])(?P<abbr>" + "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)
_DURATION = re.compile(
    r"^\s*in\s+(?P<amount>\d+(?:\.\d+)?|half\s+an|forty-five|[a-z]+)\s+"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"(?:\bat\s+|@\s*)?\b(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<meridiem>[ap]\.?m\.?)?"
    r"(?=\s|$|[,;])",
    re.IGNORECASE,
)
_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_WEEKDAY = re.compile(
    r"^(?:on\s+)?(?:(?P<next>next|this|coming)\s+)?(?P<day>" + "|".join(_WEEKDAYS) + r")$",
    re.IGNORECASE,
)


class WhenError(UsageError):
    """A time phrase that cannot be turned into one exact instant; the message says why."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or a `WhenError` that names it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WhenError(f"'{name}' is not an IANA time zone (such as Europe/Berlin)") from None


def resolve_when(phrase: str, now: datetime, zone: str) -> datetime:
    """The instant `phrase` means, as an aware datetime in the zone that applies to it.

    `now` must be aware; `zone` is the IANA zone used when the phrase names none.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    text = " ".join(phrase.strip().split())
    if not text:
        raise WhenError("no time was given; say when, e.g. 'tomorrow at 9'")

    text, named_zone = _take_zone(text)
    tz = zone_named(named_zone or zone)
    local_now = now.astimezone(tz)

    if (duration := _duration(text)) is not None:
        return (now.astimezone(UTC) + duration).astimezone(tz)

    text, clock_time = _take_clock_time(text)
    if clock_time is None:
        raise WhenError(f"'{phrase}' names no time of day; add one, e.g. 'at 9:00'")
    day = _day(text, local_now, clock_time, phrase)
    return _place(datetime.combine(day, clock_time), tz, phrase)


def _take_zone(text: str) -> tuple[str, str | None]:
    if match := _IANA_ZONE.search(text):
        zone_named(match.group("zone"))
        return _cut(text, match), match.group("zone")
    if match := _ABBREVIATION.search(text):
        return _cut(text, match), ZONE_ABBREVIATIONS[match.group("abbr")]
    return text, None


def _cut(text: str, match: re.Match[str]) -> str:
    return " ".join((text[: match.start()] + " " + text[match.end() :]).split())


def _duration(text: str) -> timedelta | None:
    match = _DURATION.match(text)
    if match is None:
        return None
    amount_text = " ".join(match.group("amount").lower().split())
    if amount_text in _NUMBER_WORDS:
        amount = float(_NUMBER_WORDS[amount_text])
    else:
        try:
            amount = float(amount_text)
        except ValueError:
            raise WhenError(f"'{amount_text}' is not a number of {match.group('unit')}") from None
    unit = match.group("unit").lower()
    if unit.startswith("min"):
        return timedelta(minutes=amount)
    if unit.startswith(("hour", "hr")):
        return timedelta(hours=amount)
    if unit.startswith("day"):
        return timedelta(days=amount)
    return timedelta(weeks=amount)


def _take_clock_time(text: str) -> tuple[str, time | None]:
    lowered = text.lower()
    for word, value in _NAMED_TIMES.items():
        if re.search(rf"\b{word}\b", lowered):
            return " ".join(re.sub(rf"\b(?:at\s+)?{word}\b", " ", lowered).split()), value

    # The ISO date's digits are not a time of day; look for the time after blanking them.
    searchable = _ISO_DATE.sub(lambda m: "#" * len(m.group(0)), text)
    candidates = [m for m in _CLOCK.finditer(searchable) if _looks_like_time(m, searchable)]
    if not candidates:
        return text, None
    match = candidates[-1]
    hour = int(match.group("hour"))
    minute = int(match.group("minute") or 0)
    meridiem = (match.group("meridiem") or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            raise WhenError(f"'{match.group(0).strip()}' is not a valid 12-hour time")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise WhenError(f"'{match.group(0).strip()}' is not a valid time of day")
    return _cut(text, match), time(hour, minute)


def _looks_like_time(match: re.Match[str], text: str) -> bool:
    """A bare number is a time only after "at" or with minutes or am/pm ("Dec 12" is a day)."""
    if match.group("minute") or match.group("meridiem"):
        return True
    return bool(re.search(r"(?:\bat|@)\s*$", text[: match.start("hour")], re.IGNORECASE))


def _day(text: str, local_now: datetime, clock_time: time, phrase: str) -> date:
    words = " ".join(re.sub(r"\b(?:at|on)\s*$", "", text.strip(" ,")).split()).lower()
    words = re.sub(r"^(?:on|for|at)\s+", "", words)
    today = local_now.date()

    if words in {"", "today", "tonight", "this evening", "this afternoon", "this morning"}:
        return today
    if words in {"tomorrow", "tmrw", "tomorrow morning", "tomorrow evening"}:
        return today + timedelta(days=1)
    if words == "day after tomorrow" or words == "the day after tomorrow":
        return today + timedelta(days=2)
    if match := _ISO_DATE.search(words):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise WhenError(f"'{match.group(0)}' is not a calendar date") from None
    if match := _WEEKDAY.match(words):
        return _weekday(
            today, _WEEKDAYS.index(match["day"].lower()), match["next"], local_now, clock_time
        )

    # Everything else ("Dec 12", "March 28", "the 28th"): dateparser reads the words only, as a
    # naive date relative to the local "now", preferring the future.
    base = local_now.replace(tzinfo=None)
    parsed = dateparser.parse(
        words,
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        raise WhenError(f"could not read a date in '{phrase}'")
    return parsed.date()


def _weekday(
    today: date, weekday: int, qualifier: str | None, local_now: datetime, clock_time: time
) -> date:
    ahead = (weekday - today.weekday()) % 7
    if qualifier and qualifier.lower() == "next":
        # "next Monday" is never today: the coming one, a week on when today is Monday.
        return today + timedelta(days=ahead or 7)
    if ahead == 0 and clock_time <= local_now.time().replace(tzinfo=None):
        ahead = 7
    return today + timedelta(days=ahead)


def _place(wall: datetime, tz: ZoneInfo, phrase: str) -> datetime:
    """`wall` as a time in `tz`: refused if clocks skip it, the earlier one if it repeats."""
    placed = wall.replace(tzinfo=tz, fold=0)
    round_trip = placed.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != wall:
        raise WhenError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks jump forward then "
            f"('{phrase}'); choose another time"
        )
    return placed


def ensure_future(moment: datetime, now: datetime, grace: timedelta = timedelta(0)) -> None:
    """Refuse an instant that is not after `now` (less `grace`), naming both in its own zone."""
    if moment <= now - grace:
        shown_now = now.astimezone(moment.tzinfo)
        raise WhenError(
            f"{moment:%Y-%m-%d %H:%M %Z} is in the past (it is now {shown_now:%Y-%m-%d %H:%M %Z}); "
            "give a future time"
        )
