"""The negotiation calculator: worked examples, every error and violation, and its invariants."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.core.money import quantize
from acuerda.workspace.negotiation import (
    Balances,
    Frequency,
    Limits,
    Offer,
    OfferError,
    Proposal,
    Violation,
    check,
    propose,
)

D = Decimal
TODAY = date(2026, 3, 2)
EUR = Balances(principal=D("1500.00"), interest=D("120.50"), fees=D("30.00"), currency="EUR")
CLP = Balances(principal=D("850000"), interest=D("0"), fees=D("25000"), currency="CLP")


def errors_of(balances: Balances, offer: Offer) -> dict[str, list[str]]:
    with pytest.raises(OfferError) as info:
        propose(balances, offer, today=TODAY)
    return info.value.errors


def dates(proposal: Proposal) -> list[str]:
    return [line.due_on.isoformat() for line in proposal.schedule]


def amounts(proposal: Proposal) -> list[str]:
    return [str(line.amount) for line in proposal.schedule]


# --- Worked examples --------------------------------------------------------------------------


def test_given_an_eur_settlement_then_the_waiver_and_the_discount_make_the_saving() -> None:
    offer = Offer(first_payment_on=TODAY, discount_percent=D("20"), waive_interest=True)
    proposal = propose(EUR, offer, today=TODAY)
    assert offer.kind == proposal.kind == "settlement"
    assert proposal.waived_interest == D("120.50")
    assert proposal.waived_fees == D("0")
    assert proposal.discount_amount == D("306.00")  # 20 % of 1,530.00 left after the waiver
    assert proposal.total_to_pay == D("1224.00")
    assert proposal.saving == D("426.50")
    assert proposal.saving_percent == D("25.84")
    assert amounts(proposal) == ["1224.00"]
    assert dates(proposal) == ["2026-03-02"]
    assert proposal.regular_instalment == D("1224.00")
    assert proposal.last_payment_on == TODAY


def test_given_a_discount_with_half_cents_when_proposed_then_it_is_rounded_half_even() -> None:
    balances = Balances(D("100.15"), D("0"), D("0"), "EUR")
    proposal = propose(balances, Offer(TODAY, discount_percent=D("10")), today=TODAY)
    assert proposal.discount_amount == D("10.02")  # 10.015 -> 10.02 (half-even)
    assert proposal.total_to_pay == D("90.13")


def test_given_a_clp_plan_with_a_down_payment_then_the_last_instalment_absorbs_the_rest() -> None:
    offer = Offer(
        first_payment_on=date(2026, 3, 10),
        instalments=3,
        frequency=Frequency.WEEKLY,
        down_payment=D("100000"),
        waive_fees=True,
    )
    proposal = propose(CLP, offer, today=TODAY)
    assert proposal.kind == "plan"
    assert proposal.total_to_pay == D("850000")
    assert proposal.saving == D("25000")
    assert proposal.saving_percent == D("2.86")
    assert amounts(proposal) == ["100000", "250000", "250000", "250000"]
    assert [line.is_down_payment for line in proposal.schedule] == [True, False, False, False]
    assert [line.number for line in proposal.schedule] == [1, 2, 3, 4]
    # The regular instalments start one period after the down payment.
    assert dates(proposal) == ["2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31"]
    assert proposal.regular_instalment == D("250000")

    uneven = propose(CLP, replace(offer, down_payment=D("100001")), today=TODAY)
    assert amounts(uneven) == ["100001", "249999", "249999", "250001"]
    assert sum(line.amount for line in uneven.schedule) == uneven.total_to_pay


def test_given_a_plan_without_down_payment_then_it_starts_on_the_first_date() -> None:
    offer = Offer(first_payment_on=date(2026, 3, 5), instalments=3, frequency=Frequency.BIWEEKLY)
    proposal = propose(EUR, offer, today=TODAY)
    assert proposal.total_to_pay == D("1650.50")
    assert amounts(proposal) == ["550.16", "550.16", "550.18"]
    assert dates(proposal) == ["2026-03-05", "2026-03-19", "2026-04-02"]
    assert proposal.saving == 0
    assert proposal.saving_percent == D("0.00")


def test_given_amounts_without_decimals_then_every_amount_has_the_currency_decimals() -> None:
    balances = Balances(D("1000"), D("0"), D("0"), "EUR")
    proposal = propose(balances, Offer(TODAY, instalments=2, down_payment=D("100")), today=TODAY)
    assert amounts(proposal) == ["100.00", "450.00", "450.00"]
    assert str(proposal.total_to_pay) == "1000.00"


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (date(2026, 1, 31), ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"]),
        (date(2028, 1, 31), ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"]),
        (
            date(2026, 11, 30),
            ["2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28", "2027-03-30"],
        ),
    ],
)
def test_given_a_month_end_anchor_when_monthly_then_each_date_is_clamped_without_drifting(
    first: date, expected: list[str]
) -> None:
    proposal = propose(EUR, Offer(first_payment_on=first, instalments=5), today=first)
    assert dates(proposal) == expected


def test_given_a_down_payment_on_a_month_end_then_it_is_the_anchor_of_the_plan() -> None:
    offer = Offer(first_payment_on=date(2028, 1, 31), instalments=2, down_payment=D("50.50"))
    proposal = propose(EUR, offer, today=TODAY)
    assert dates(proposal) == ["2028-01-31", "2028-02-29", "2028-03-31"]
    assert proposal.last_payment_on == date(2028, 3, 31)


def test_given_the_proposal_when_serialised_then_it_is_json_with_exact_strings() -> None:
    offer = Offer(TODAY, instalments=2, down_payment=D("0.50"))
    data = json.loads(json.dumps(propose(EUR, offer, today=TODAY).to_dict()))
    assert data["kind"] == "plan"
    assert data["total_to_pay"] == "1650.50"
    assert data["balances"]["total"] == "1650.50"
    assert data["schedule"][0] == {
        "number": 1,
        "due_on": "2026-03-02",
        "amount": "0.50",
        "is_down_payment": True,
    }
    assert data["regular_instalment"] == "825.00"
    assert data["last_payment_on"] == "2026-05-02"
    assert data["offer"] == offer.to_dict()


def test_frequency_labels_and_offer_kind() -> None:
    assert dict(Frequency.choices) == {
        "weekly": "Weekly",
        "biweekly": "Every two weeks",
        "monthly": "Monthly",
    }
    assert Offer(TODAY).kind == "settlement"
    assert Offer(TODAY, instalments=2).kind == "plan"
    assert Offer(TODAY, down_payment=D("1")).kind == "plan"  # a down payment and one instalment


# --- Errors: each one present, and absent one step inside -------------------------------------


def test_first_payment_before_today_is_an_error_and_today_is_fine() -> None:
    assert "first_payment_on" in errors_of(EUR, Offer(TODAY - timedelta(days=1)))
    propose(EUR, Offer(TODAY), today=TODAY)


@pytest.mark.parametrize(("bad", "good"), [("100", "99.99"), ("-0.01", "0")])
def test_discount_outside_zero_to_a_hundred_is_an_error(bad: str, good: str) -> None:
    assert "discount_percent" in errors_of(EUR, Offer(TODAY, discount_percent=D(bad)))
    propose(EUR, Offer(TODAY, discount_percent=D(good)), today=TODAY)


@pytest.mark.parametrize(("bad", "good"), [(0, 1), (361, 360)])
def test_instalments_outside_one_to_360_is_an_error(bad: int, good: int) -> None:
    assert "instalments" in errors_of(EUR, Offer(TODAY, instalments=bad))
    propose(EUR, Offer(TODAY, instalments=good), today=TODAY)


def test_a_negative_down_payment_is_an_error_and_zero_is_fine() -> None:
    assert "down_payment" in errors_of(EUR, Offer(TODAY, instalments=2, down_payment=D("-0.01")))
    propose(EUR, Offer(TODAY, instalments=2, down_payment=D("0")), today=TODAY)


def test_a_down_payment_must_leave_something_for_the_instalments() -> None:
    discounted = Offer(TODAY, discount_percent=D("10"), down_payment=D("1485.45"))  # total 1,485.45
    errors = errors_of(EUR, discounted)
    assert list(errors) == ["down_payment"]
    assert "1485.45" in errors["down_payment"][0].replace(",", "")
    proposal = propose(EUR, replace(discounted, down_payment=D("1485.44")), today=TODAY)
    assert amounts(proposal) == ["1485.44", "0.01"]


def test_an_amount_with_more_decimals_than_the_currency_is_an_error() -> None:
    assert "down_payment" in errors_of(CLP, Offer(TODAY, instalments=2, down_payment=D("10.5")))
    propose(CLP, Offer(TODAY, instalments=2, down_payment=D("10")), today=TODAY)
    assert "down_payment" in errors_of(EUR, Offer(TODAY, instalments=2, down_payment=D("10.005")))
    propose(EUR, Offer(TODAY, instalments=2, down_payment=D("10.01")), today=TODAY)
    assert "__all__" in errors_of(Balances(D("10.5"), D("0"), D("0"), "CLP"), Offer(TODAY))
    propose(Balances(D("10"), D("0"), D("0"), "CLP"), Offer(TODAY), today=TODAY)


def test_nothing_owed_is_an_error_and_one_minor_unit_is_fine() -> None:
    assert "__all__" in errors_of(Balances(D("0"), D("0"), D("0"), "EUR"), Offer(TODAY))
    proposal = propose(Balances(D("0.01"), D("0"), D("0"), "EUR"), Offer(TODAY), today=TODAY)
    assert proposal.total_to_pay == D("0.01")


def test_a_negative_balance_is_an_error() -> None:
    errors = errors_of(Balances(D("100.00"), D("-0.01"), D("0"), "EUR"), Offer(TODAY))
    assert list(errors) == ["__all__"]
    propose(Balances(D("100.00"), D("0.00"), D("0"), "EUR"), Offer(TODAY), today=TODAY)


def test_waivers_that_leave_nothing_to_pay_are_an_error() -> None:
    interest_only = Balances(D("0"), D("10.00"), D("5.00"), "EUR")
    assert "__all__" in errors_of(interest_only, Offer(TODAY, waive_interest=True, waive_fees=True))
    proposal = propose(interest_only, Offer(TODAY, waive_interest=True), today=TODAY)
    assert proposal.total_to_pay == D("5.00")


def test_a_discount_that_rounds_the_total_to_nothing_is_an_error() -> None:
    cent = Balances(D("0.01"), D("0"), D("0"), "EUR")
    # 60 % of 0.01 rounds to 0.01, leaving nothing; 50 % rounds (half-even) to 0.00.
    assert "discount_percent" in errors_of(cent, Offer(TODAY, discount_percent=D("60")))
    proposal = propose(cent, Offer(TODAY, discount_percent=D("50")), today=TODAY)
    assert proposal.total_to_pay == D("0.01")


def test_instalments_below_one_minor_unit_are_an_error() -> None:
    five_pesos = Balances(D("5"), D("0"), D("0"), "CLP")
    assert "instalments" in errors_of(five_pesos, Offer(TODAY, instalments=6))
    assert amounts(propose(five_pesos, Offer(TODAY, instalments=5), today=TODAY)) == ["1"] * 5


def test_every_error_is_collected_at_once_and_named_in_the_message() -> None:
    offer = Offer(
        TODAY - timedelta(days=1), discount_percent=D("100"), instalments=0, down_payment=D("-1")
    )
    with pytest.raises(OfferError) as info:
        propose(EUR, offer, today=TODAY)
    assert set(info.value.errors) == {
        "first_payment_on",
        "discount_percent",
        "instalments",
        "down_payment",
    }
    text = str(info.value)
    assert "first_payment_on: The first payment cannot be before today (Mar 2, 2026)." in text
    assert "discount_percent: The discount must be at least 0 % and less than 100 %." in text


def test_the_zero_instalment_error_is_collected_with_the_others() -> None:
    five_pesos = Balances(D("5"), D("0"), D("0"), "CLP")
    errors = errors_of(five_pesos, Offer(TODAY - timedelta(days=1), instalments=6))
    assert set(errors) == {"first_payment_on", "instalments"}


def test_a_plan_beyond_the_calendar_is_an_error_not_a_crash() -> None:
    assert "instalments" in errors_of(EUR, Offer(date(9999, 1, 1), instalments=13))
    propose(EUR, Offer(date(9999, 1, 1), instalments=12), today=TODAY)


# --- Offer.from_dict --------------------------------------------------------------------------


def test_given_a_stored_offer_when_loaded_then_it_equals_the_original() -> None:
    offer = Offer(date(2026, 4, 1), D("12.5"), True, False, 6, Frequency.BIWEEKLY, D("100.00"))
    data = offer.to_dict()
    assert data == {
        "first_payment_on": "2026-04-01",
        "discount_percent": "12.5",
        "waive_interest": True,
        "waive_fees": False,
        "instalments": 6,
        "frequency": "biweekly",
        "down_payment": "100.00",
    }
    assert Offer.from_dict(json.loads(json.dumps(data))) == offer
    assert Offer.from_dict({"first_payment_on": "2026-04-01"}) == Offer(date(2026, 4, 1))


def test_given_a_malformed_offer_when_loaded_then_every_field_is_named() -> None:
    with pytest.raises(OfferError) as info:
        Offer.from_dict(
            {
                "discount_percent": 10.5,  # a float: refused, cents must be exact
                "waive_interest": "yes",
                "waive_fees": 1,
                "instalments": "6",
                "frequency": "daily",
                "down_payment": "ten",
                "colour": "red",
            }
        )
    assert set(info.value.errors) == {
        "first_payment_on",
        "discount_percent",
        "waive_interest",
        "waive_fees",
        "instalments",
        "frequency",
        "down_payment",
        "__all__",
    }
    assert info.value.errors["__all__"] == ["Unknown fields: colour."]
    with pytest.raises(OfferError) as info:
        Offer.from_dict({"first_payment_on": "2026-02-30", "down_payment": "NaN"})
    assert set(info.value.errors) == {"first_payment_on", "down_payment"}


def test_an_offer_saved_yesterday_still_loads_and_is_rejected_only_by_propose() -> None:
    offer = Offer.from_dict({"first_payment_on": "2026-03-01"})
    assert "first_payment_on" in errors_of(EUR, offer)


# --- Limits and check -------------------------------------------------------------------------

PLAN_BALANCES = Balances(D("1000.00"), D("100.00"), D("50.00"), "EUR")  # total 1,150.00
PLAN = Offer(first_payment_on=TODAY + timedelta(days=10), instalments=10, down_payment=D("150.00"))
PLAN_DAYS = (date(2027, 1, 12) - date(2026, 3, 12)).days  # ten monthly instalments after it
WITHIN = Limits(
    max_discount_percent=D("0"),
    max_instalments=10,
    min_instalment=D("100.00"),
    max_days_to_first_payment=10,
    max_plan_days=PLAN_DAYS,
    min_down_payment_percent=D("13.04"),  # 150.00 is 13.04... % of 1,150.00
)


def codes(proposal: Proposal, limits: Limits) -> set[str]:
    return {violation.code for violation in check(proposal, limits, today=TODAY)}


def only(proposal: Proposal, limits: Limits) -> str:
    """The single violation, summarised as 'code field value/limit'."""
    [v] = check(proposal, limits, today=TODAY)
    return f"{v.code} {v.field} {v.value}/{v.limit}"


def message(proposal: Proposal, limits: Limits) -> str:
    [violation] = check(proposal, limits, today=TODAY)
    return violation.message


def test_given_a_plan_at_every_limit_when_checked_then_nothing_is_violated() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    assert amounts(proposal) == ["150.00"] + ["100.00"] * 10
    assert proposal.last_payment_on == date(2027, 1, 12)
    assert check(proposal, WITHIN, today=TODAY) == []


def test_the_discount_limit_counts_the_whole_saving() -> None:
    owed = Balances(D("1000.00"), D("0"), D("0"), "EUR")
    settlement = propose(owed, Offer(TODAY, discount_percent=D("25")), today=TODAY)
    over = replace(WITHIN, max_discount_percent=D("10"))
    assert only(settlement, over) == "discount discount_percent 25.00/10"
    [violation] = check(settlement, over, today=TODAY)
    assert violation == Violation(
        code="discount",
        field="discount_percent",
        message="A 25.00 % saving exceeds the limit of 10.00 %.",
        limit="10",
        value="25.00",
    )
    assert json.loads(json.dumps(violation.to_dict()))["value"] == "25.00"
    assert codes(settlement, replace(WITHIN, max_discount_percent=D("25"))) == set()
    assert codes(settlement, replace(WITHIN, max_discount_percent=D("24.99"))) == {"discount"}
    # The strict reading: a waiver is a saving too, even with no discount typed in.
    waived = propose(PLAN_BALANCES, replace(PLAN, waive_fees=True), today=TODAY)
    lenient = replace(
        WITHIN, allow_fee_waiver=True, min_instalment=None, min_down_payment_percent=None
    )
    assert waived.saving_percent == D("4.35")
    assert codes(waived, lenient) == {"discount"}
    assert codes(waived, replace(lenient, max_discount_percent=D("4.35"))) == set()


def test_the_instalments_limit() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    assert only(proposal, replace(WITHIN, max_instalments=9)) == "instalments instalments 10/9"
    assert message(proposal, replace(WITHIN, max_instalments=9)) == (
        "10 instalments exceed the limit of 9 instalments."
    )
    assert codes(proposal, replace(WITHIN, max_instalments=10)) == set()


def test_the_minimum_instalment_applies_to_plans_but_not_to_settlements() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    over = replace(WITHIN, min_instalment=D("100.01"))
    assert only(proposal, over) == "min_instalment instalments 100.00/100.01"
    assert message(proposal, over) == "An instalment of €100.00 is below the minimum of €100.01."
    assert codes(proposal, replace(WITHIN, min_instalment=D("100.00"))) == set()
    small = propose(Balances(D("50.00"), D("0"), D("0"), "EUR"), Offer(TODAY), today=TODAY)
    assert codes(small, WITHIN) == set()


def test_the_interest_and_fee_waivers_need_permission() -> None:
    offer = replace(PLAN, waive_interest=True, waive_fees=True)
    proposal = propose(PLAN_BALANCES, offer, today=TODAY)
    lenient = replace(
        WITHIN, max_discount_percent=D("50"), min_instalment=None, min_down_payment_percent=None
    )
    assert codes(proposal, lenient) == {"interest_waiver", "fee_waiver"}
    assert only(proposal, replace(lenient, allow_fee_waiver=True)) == (
        "interest_waiver waive_interest 100.00/0"
    )
    only_fees = replace(lenient, allow_interest_waiver=True)
    assert only(proposal, only_fees) == "fee_waiver waive_fees 50.00/0"
    assert message(proposal, only_fees) == "Waiving the fees (€50.00) is not allowed."
    both = replace(lenient, allow_interest_waiver=True, allow_fee_waiver=True)
    assert codes(proposal, both) == set()
    # Waiving an interest of zero grants nothing, so it needs no permission.
    no_interest = propose(CLP, Offer(TODAY, waive_interest=True), today=TODAY)
    assert codes(no_interest, WITHIN) == set()


def test_the_days_to_the_first_payment() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    over = replace(WITHIN, max_days_to_first_payment=9)
    assert only(proposal, over) == "first_payment first_payment_on 10/9"
    assert message(proposal, over) == (
        "The first payment on Mar 12, 2026 is 10 days away, beyond the limit of 9 days."
    )
    assert codes(proposal, replace(WITHIN, max_days_to_first_payment=10)) == set()


def test_the_length_of_the_plan() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    over = replace(WITHIN, max_plan_days=PLAN_DAYS - 1)
    assert only(proposal, over) == f"plan_length instalments {PLAN_DAYS}/{PLAN_DAYS - 1}"
    assert message(proposal, over) == (
        "The plan runs 306 days, until Jan 12, 2027, beyond the limit of 305 days."
    )
    assert codes(proposal, replace(WITHIN, max_plan_days=PLAN_DAYS)) == set()


def test_the_minimum_down_payment_applies_to_plans_only() -> None:
    proposal = propose(PLAN_BALANCES, PLAN, today=TODAY)
    over = replace(WITHIN, min_down_payment_percent=D("13.05"))  # 150.08 of 1,150.00
    assert only(proposal, over) == "down_payment down_payment 13.04/13.05"
    assert message(proposal, over) == (
        "A down payment of 13.04 % is below the minimum of 13.05 % (€150.08)."
    )
    assert codes(proposal, replace(WITHIN, min_down_payment_percent=D("13.04"))) == set()
    no_down = propose(PLAN_BALANCES, replace(PLAN, down_payment=D("0")), today=TODAY)
    assert codes(no_down, WITHIN) == {"down_payment"}
    assert codes(no_down, replace(WITHIN, min_down_payment_percent=D("0"))) == set()
    settlement = propose(PLAN_BALANCES, Offer(TODAY), today=TODAY)
    assert codes(settlement, WITHIN) == set()


def test_strictest_takes_the_tighter_side_of_every_limit() -> None:
    agent = Limits(
        D("10"),
        12,
        min_instalment=D("50"),
        allow_interest_waiver=True,
        allow_fee_waiver=True,
        max_days_to_first_payment=30,
    )
    creditor = Limits(
        D("15"),
        6,
        min_instalment=D("80"),
        allow_fee_waiver=True,
        max_plan_days=365,
        min_down_payment_percent=D("10"),
    )
    assert Limits.strictest(agent, creditor) == Limits(
        max_discount_percent=D("10"),
        max_instalments=6,
        min_instalment=D("80"),
        allow_interest_waiver=False,
        allow_fee_waiver=True,
        max_days_to_first_payment=30,
        max_plan_days=365,
        min_down_payment_percent=D("10"),
    )
    assert Limits.strictest(agent) == agent
    with pytest.raises(ValueError, match="at least one"):
        Limits.strictest()


# --- Properties -------------------------------------------------------------------------------

CURRENCIES = ["EUR", "CLP", "KWD"]  # 2, 0 and 3 decimals


def places(currency: str) -> int:
    exponent = quantize(D(0), currency).as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def minor(units: int, currency: str) -> Decimal:
    """``units`` minor units as an amount: 150 is 1.50 EUR, 150 CLP, 0.150 KWD."""
    return D(units).scaleb(-places(currency))


@st.composite
def balances(draw: st.DrawFn) -> Balances:
    currency = draw(st.sampled_from(CURRENCIES))
    return Balances(
        principal=minor(draw(st.integers(1, 10**9)), currency),
        interest=minor(draw(st.integers(0, 10**7)), currency),
        fees=minor(draw(st.integers(0, 10**6)), currency),
        currency=currency,
    )


@st.composite
def proposals(draw: st.DrawFn) -> Proposal:
    owed = draw(balances())
    offer = Offer(
        first_payment_on=TODAY + timedelta(days=draw(st.integers(0, 400))),
        discount_percent=D(draw(st.integers(0, 9999))) / 100,
        waive_interest=draw(st.booleans()),
        waive_fees=draw(st.booleans()),
        instalments=draw(st.integers(1, 360) | st.integers(1, 12)),
        frequency=draw(st.sampled_from(Frequency)),
    )
    try:
        base = propose(owed, offer, today=TODAY)
    except OfferError as error:
        # Only a total too small for that many instalments (or a discount leaving nothing) fails.
        assert set(error.errors) <= {"instalments", "discount_percent"}
        return draw(st.nothing())
    if draw(st.booleans()):
        # Leave at least one minor unit for each instalment.
        room = int(base.total_to_pay.scaleb(places(owed.currency))) - offer.instalments
        if room >= 1:
            down = minor(draw(st.integers(1, room)), owed.currency)
            return propose(owed, replace(offer, down_payment=down), today=TODAY)
    return base


@st.composite
def limits(draw: st.DrawFn) -> Limits:
    percent = st.integers(0, 10000).map(lambda n: D(n) / 100)
    return Limits(
        max_discount_percent=draw(percent),
        max_instalments=draw(st.integers(1, 360)),
        min_instalment=draw(st.none() | st.integers(0, 10**7).map(lambda n: D(n) / 100)),
        allow_interest_waiver=draw(st.booleans()),
        allow_fee_waiver=draw(st.booleans()),
        max_days_to_first_payment=draw(st.none() | st.integers(0, 400)),
        max_plan_days=draw(st.none() | st.integers(0, 3000)),
        min_down_payment_percent=draw(st.none() | percent),
    )


@settings(max_examples=200, deadline=None)
@given(proposal=proposals())
def test_property_the_figures_add_up_exactly(proposal: Proposal) -> None:
    assert sum(line.amount for line in proposal.schedule) == proposal.total_to_pay
    assert proposal.total_to_pay + proposal.saving == proposal.balances.total
    assert (
        proposal.saving
        == proposal.waived_interest + proposal.waived_fees + proposal.discount_amount
    )
    expected_percent = (proposal.saving * 100 / proposal.balances.total).quantize(D("0.01"))
    assert proposal.saving_percent == expected_percent


@settings(max_examples=200, deadline=None)
@given(proposal=proposals())
def test_property_every_amount_is_positive_and_in_the_minor_unit(proposal: Proposal) -> None:
    currency = proposal.currency
    for line in proposal.schedule:
        assert line.amount > 0
        assert line.amount == quantize(line.amount, currency)
        assert line.amount.as_tuple().exponent == -places(currency)
    assert proposal.total_to_pay == quantize(proposal.total_to_pay, currency)


@settings(max_examples=200, deadline=None)
@given(proposal=proposals())
def test_property_the_schedule_is_ordered_and_regular(proposal: Proposal) -> None:
    schedule = proposal.schedule
    offer = proposal.offer
    assert schedule[0].due_on == offer.first_payment_on
    assert all(a.due_on < b.due_on for a, b in pairwise(schedule))
    assert [line.number for line in schedule] == list(range(1, len(schedule) + 1))
    regular = [line.amount for line in schedule if not line.is_down_payment]
    assert len(regular) == offer.instalments
    assert len(schedule) == offer.instalments + (offer.down_payment > 0)
    assert set(regular[:-1]) <= {proposal.regular_instalment}
    assert regular[-1] >= proposal.regular_instalment
    # Rounding down leaves less than one minor unit per instalment for the last to absorb.
    unit = minor(1, proposal.currency)
    assert regular[-1] - proposal.regular_instalment < unit * offer.instalments


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(),
    discount=st.decimals(allow_nan=False, allow_infinity=False),
    waivers=st.tuples(st.booleans(), st.booleans()),
    instalments=st.integers(-(10**6), 10**6),
    frequency=st.sampled_from(Frequency),
    down=st.decimals(allow_nan=False, allow_infinity=False),
)
def test_property_an_offer_survives_a_json_round_trip(
    first: date,
    discount: Decimal,
    waivers: tuple[bool, bool],
    instalments: int,
    frequency: Frequency,
    down: Decimal,
) -> None:
    offer = Offer(first, discount, waivers[0], waivers[1], instalments, frequency, down)
    assert Offer.from_dict(json.loads(json.dumps(offer.to_dict()))) == offer


@settings(max_examples=200, deadline=None)
@given(proposal=proposals(), a=limits(), b=limits())
def test_property_the_strictest_limits_violate_what_either_does(
    proposal: Proposal, a: Limits, b: Limits
) -> None:
    both = codes(proposal, Limits.strictest(a, b))
    either = codes(proposal, a) | codes(proposal, b)
    assert both >= either
    assert both == either  # and nothing more: the strictest limits are exactly the intersection
