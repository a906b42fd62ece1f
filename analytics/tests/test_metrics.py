import datetime as dt
from decimal import Decimal

import pytest

from analytics import metrics


def test_it_computes_the_slack_example():
    spend = Decimal("8000.00")
    assert metrics.utilization(active_users=3, seats=75) == Decimal("0.040")
    assert metrics.unused_seats(active_users=3, seats=75) == 72
    assert metrics.cost_per_active_user(annual_spend=spend, active_users=3) == Decimal(
        "2666.67"
    )
    assert metrics.estimated_waste(
        annual_spend=spend, seats=75, active_users=3
    ) == Decimal("7680.00")


def test_it_computes_the_contract_example():
    spend = Decimal("8000")
    assert metrics.utilization(active_users=41, seats=75) == Decimal("0.547")
    assert metrics.cost_per_active_user(annual_spend=spend, active_users=41) == Decimal(
        "195.12"
    )
    assert metrics.estimated_waste(
        annual_spend=spend, seats=75, active_users=41
    ) == Decimal("3626.67")


def test_it_rounds_half_up():
    # 0.0025 and 0.125 sit exactly on the rounding boundary.
    assert metrics.utilization(active_users=1, seats=8) == Decimal("0.125")
    assert metrics.utilization(active_users=1, seats=400) == Decimal("0.003")
    assert metrics.cost_per_active_user(
        annual_spend=Decimal("0.05"), active_users=2
    ) == Decimal("0.03")


def test_it_has_no_utilization_or_waste_without_seats():
    assert metrics.utilization(active_users=4, seats=0) is None
    assert metrics.unused_seats(active_users=4, seats=0) == 0
    assert (
        metrics.estimated_waste(annual_spend=Decimal(500), seats=0, active_users=4)
        is None
    )


def test_it_has_no_cost_per_active_user_without_active_users():
    assert (
        metrics.cost_per_active_user(annual_spend=Decimal(500), active_users=0) is None
    )
    assert metrics.utilization(active_users=0, seats=10) == Decimal("0.000")
    assert metrics.estimated_waste(
        annual_spend=Decimal(500), seats=10, active_users=0
    ) == Decimal("500.00")


def test_it_never_counts_negative_unused_seats():
    assert metrics.unused_seats(active_users=12, seats=10) == 0
    assert metrics.utilization(active_users=12, seats=10) == Decimal("1.200")
    assert metrics.estimated_waste(
        annual_spend=Decimal(500), seats=10, active_users=12
    ) == Decimal("0.00")


@pytest.mark.parametrize(
    ("active_users", "seats"), [(0, 0), (1, 2), (3, 4), (10, 11), (41, 46), (100, 110)]
)
def test_it_adds_a_ten_percent_buffer_rounded_up(active_users, seats):
    assert metrics.seats_with_buffer(active_users) == seats


def _advice(active_users: int, seats: int, spend: str = "8000.00"):
    return metrics.renewal_advice(
        vendor_name="Slack",
        active_users=active_users,
        seats=seats,
        annual_spend=Decimal(spend),
        expires_on=dt.date(2026, 12, 1),
        usage_days=30,
    )


def test_it_suggests_cancelling_what_nobody_uses():
    advice = _advice(0, 75)
    assert advice.suggestion == "cancel"
    assert advice.suggested_seats is None
    assert advice.estimated_savings == Decimal("8000.00")
    assert advice.reason == (
        "Nobody used Slack in the last 30 days. Consider cancelling it before it "
        "expires on 2026-12-01."
    )


def test_it_suggests_downsizing_to_active_users_plus_buffer():
    advice = _advice(3, 75)
    assert advice.suggestion == "downsize"
    assert advice.suggested_seats == 4
    # 8000 x 71 / 75
    assert advice.estimated_savings == Decimal("7573.33")
    assert advice.reason == (
        "Only 3 of 75 seats of Slack were used in the last 30 days. Renew with 4 "
        "seats (active users plus 10%) to save about 7,573.33 a year."
    )


def test_it_suggests_renewing_when_the_buffer_needs_every_seat():
    advice = _advice(9, 10)
    assert advice.suggestion == "renew"
    assert advice.suggested_seats == 10
    assert advice.estimated_savings == Decimal("0.00")
    assert advice.reason == (
        "9 of 10 seats of Slack were used in the last 30 days. Renew it with the "
        "same seats."
    )


def test_it_suggests_more_seats_when_more_people_use_it_than_there_are_seats():
    advice = _advice(12, 10)
    assert advice.suggestion == "renew"
    assert advice.suggested_seats == 14
    assert "12 people used Slack in the last 30 days but it has only 10 seats" in (
        advice.reason
    )


def test_it_suggests_renewing_a_contract_without_seats_that_is_used():
    advice = _advice(1, 0)
    assert advice.suggestion == "renew"
    assert advice.suggested_seats == 0
    assert advice.reason == (
        "1 person used Slack in the last 30 days. It is not priced per seat, so "
        "renew it as is."
    )
