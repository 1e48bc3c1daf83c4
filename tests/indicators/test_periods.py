"""Periods: labels, alignment, previous and last-year periods (no database)."""

from datetime import date

import pytest

from api.indicators.periods import Period, Periodicity, period_label, previous_period, same_period_last_year


@pytest.mark.parametrize(
    ("label", "periodicity", "start", "end"),
    [
        ("2026", Periodicity.year, date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-H2", Periodicity.half_year, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", Periodicity.quarter, date(2026, 1, 1), date(2026, 3, 31)),
        ("2024-02", Periodicity.month, date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_parse_and_label_round_trip(label, periodicity, start, end):
    period = Period.parse(label)
    assert (period.periodicity, period.start, period.end, period.label) == (periodicity, start, end, label)


@pytest.mark.parametrize("label", ["26", "2026-Q5", "2026-H3", "2026-13", "2026-1", "2026Q1", "1800"])
def test_bad_labels_are_refused(label):
    with pytest.raises(ValueError):
        Period.parse(label)


def test_start_must_align_with_the_periodicity():
    with pytest.raises(ValueError):
        Period(Periodicity.quarter, date(2026, 2, 1))
    with pytest.raises(ValueError):
        Period(Periodicity.month, date(2026, 2, 2))
    assert Period(Periodicity.half_year, date(2026, 7, 1)).label == "2026-H2"


def test_previous_and_same_period_last_year():
    assert previous_period(Periodicity.quarter, date(2026, 1, 1)).label == "2025-Q4"
    assert previous_period(Periodicity.month, date(2026, 1, 1)).label == "2025-12"
    assert previous_period(Periodicity.half_year, date(2026, 1, 1)).label == "2025-H2"
    assert previous_period(Periodicity.year, date(2026, 1, 1)).label == "2025"
    assert same_period_last_year(Periodicity.quarter, date(2026, 7, 1)).label == "2025-Q3"
    assert same_period_last_year(Periodicity.month, date(2026, 5, 1)).label == "2025-05"
    assert period_label("half_year", date(2026, 1, 1)) == "2026-H1"


def test_last_periods_oldest_first():
    assert [p.label for p in Period.parse("2026-Q2").last(4)] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
