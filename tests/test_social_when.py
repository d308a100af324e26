"""`agent.when`: the times people say, resolved to exact instants on a fixed "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.when import WhenError, ensure_future, resolve_when

# Saturday 2027-03-27, the day before Europe moves its clocks forward.
BEFORE_EU_SPRING = datetime(2027, 3, 27, 10, 0, tzinfo=UTC)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@pytest.mark.parametrize(
    ("phrase", "now", "zone", "expected_utc"),
    [
        # Berlin: CET (+1) on the 27th, CEST (+2) from 2027-03-28 02:00.
        ("tomorrow at 9", BEFORE_EU_SPRING, "Europe/Berlin", "2027-03-28T07:00:00+00:00"),
        ("today at 17:00", BEFORE_EU_SPRING, "Europe/Berlin", "2027-03-27T16:00:00+00:00"),
        # New York: EST (-5) until 2027-03-14 02:00, EDT (-4) after.
        (
            "tomorrow at 9",
            datetime(2027, 3, 13, 15, 0, tzinfo=UTC),
            "America/New_York",
            "2027-03-14T13:00:00+00:00",
        ),
        # Autumn: Berlin back to CET on 2027-10-31, New York back to EST on 2027-11-07.
        (
            "tomorrow at 9",
            datetime(2027, 10, 30, 12, 0, tzinfo=UTC),
            "Europe/Berlin",
            "2027-10-31T08:00:00+00:00",
        ),
        (
            "tomorrow at 9",
            datetime(2027, 11, 6, 12, 0, tzinfo=UTC),
            "America/New_York",
            "2027-11-07T14:00:00+00:00",
        ),
        ("next Monday 14:00", BEFORE_EU_SPRING, "Europe/Berlin", "2027-03-29T12:00:00+00:00"),
        ("Friday 10am", BEFORE_EU_SPRING, "Europe/Berlin", "2027-04-02T08:00:00+00:00"),
        (
            "on 2027-03-28 at 09:30 Europe/Berlin",
            BEFORE_EU_SPRING,
            "America/New_York",
            "2027-03-28T07:30:00+00:00",
        ),
        ("Dec 12 at 5pm PST", BEFORE_EU_SPRING, "Europe/Berlin", "2027-12-13T01:00:00+00:00"),
        ("tomorrow at noon", BEFORE_EU_SPRING, "UTC", "2027-03-28T12:00:00+00:00"),
    ],
)
def test_wall_clock_phrases_resolve_to_the_exact_instant(
    phrase: str, now: datetime, zone: str, expected_utc: str
) -> None:
    """Each phrase lands on the wall-clock time in its zone, whatever the offset that day."""
    assert _utc(resolve_when(phrase, now, zone)) == expected_utc


def test_in_two_hours_is_elapsed_time_across_the_spring_jump() -> None:
    """01:30 CET plus two hours is 04:30 CEST: two real hours, not the wall clock's three."""
    now = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)

    moment = resolve_when("in two hours", now, "Europe/Berlin")

    assert _utc(moment) == "2027-03-28T02:30:00+00:00"
    assert moment.strftime("%H:%M %Z") == "04:30 CEST"


def test_the_zone_comes_from_the_argument_when_the_phrase_names_none() -> None:
    """The same phrase means different instants in different workspace zones."""
    berlin = resolve_when("tomorrow at 9", BEFORE_EU_SPRING, "Europe/Berlin")
    new_york = resolve_when("tomorrow at 9", BEFORE_EU_SPRING, "America/New_York")

    assert new_york - berlin == timedelta(hours=6)


def test_a_time_skipped_by_the_clock_change_is_refused() -> None:
    """02:30 on 2027-03-28 never happens in Berlin, so it cannot be scheduled."""
    with pytest.raises(WhenError, match="does not exist in Europe/Berlin"):
        resolve_when("tomorrow at 02:30", BEFORE_EU_SPRING, "Europe/Berlin")


def test_a_repeated_autumn_time_is_the_first_of_the_two() -> None:
    """02:30 on 2027-10-31 happens twice in Berlin; the earlier (CEST) one is used."""
    moment = resolve_when("on 2027-10-31 at 02:30", BEFORE_EU_SPRING, "Europe/Berlin")

    assert _utc(moment) == "2027-10-31T00:30:00+00:00"


def test_a_phrase_without_a_time_of_day_is_refused() -> None:
    """'tomorrow' alone says no time, and the agent does not invent one."""
    with pytest.raises(WhenError, match="names no time of day"):
        resolve_when("tomorrow", BEFORE_EU_SPRING, "Europe/Berlin")


def test_an_unknown_zone_is_named_in_the_error() -> None:
    """A misspelt IANA zone is refused with its name."""
    with pytest.raises(WhenError, match="Europe/Berlinn"):
        resolve_when("tomorrow at 9", BEFORE_EU_SPRING, "Europe/Berlinn")


def test_a_past_instant_is_refused_with_both_times() -> None:
    """ensure_future refuses yesterday and says what time it is now."""
    yesterday = resolve_when("on 2027-03-26 at 09:00", BEFORE_EU_SPRING, "Europe/Berlin")

    with pytest.raises(WhenError, match="is in the past"):
        ensure_future(yesterday, BEFORE_EU_SPRING)
