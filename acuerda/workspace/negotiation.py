"""The negotiation calculator's pure core: what a debtor would pay, when, and whether it is allowed.

An agent builds an ``Offer`` (a settlement with a discount, an instalment plan with or without a
down payment, interest and fee waivers); ``propose`` turns it, with the account's ``Balances``,
into a ``Proposal``: the debtor-facing figures (total to pay, saving) and the payment schedule.
``check`` then compares a proposal with ``Limits`` (the agent's authority, the creditor's policy,
or both through ``Limits.strictest``) and lists every ``Violation``.

Pure Python on purpose: no models and no database, so the workspace form, the REST API and the
tests share one calculation, and a saved offer is re-computed exactly the same way later.

Money is always ``Decimal`` in the balances' currency, rounded to its minor unit with
``acuerda.core.money.quantize``. Two invariants hold for every proposal and are what the debtor
relies on: ``total_to_pay + saving == balances.total`` and the schedule adds up to
``total_to_pay`` to the last minor unit (the last instalment absorbs the rounding).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from acuerda.core.money import Money, quantize, to_decimal, validate_currency_code

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
MAX_INSTALMENTS = 360
#: Key of errors that belong to no single Offer field (Django forms' NON_FIELD_ERRORS).
NON_FIELD = "__all__"

Kind = Literal["settlement", "plan"]
_N = TypeVar("_N", int, Decimal)


class Frequency(models.TextChoices):
    WEEKLY = "weekly", gettext_lazy("Weekly")
    BIWEEKLY = "biweekly", gettext_lazy("Every two weeks")
    MONTHLY = "monthly", gettext_lazy("Monthly")


class OfferError(ValueError):
    """An offer that cannot be proposed; ``errors`` maps Offer field names to messages.

    Every problem is collected before raising, so a form can show each one next to its field
    at once. Problems that belong to no field (nothing owed) are under ``"__all__"``.
    """

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors: dict[str, list[str]] = {field: list(msgs) for field, msgs in errors.items()}
        super().__init__(
            "; ".join(f"{field}: {msg}" for field, msgs in self.errors.items() for msg in msgs)
        )


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Balances:
    """What the account owes now, split as the ledger splits it (waivers act per component)."""

    principal: Decimal
    interest: Decimal
    fees: Decimal
    currency: str

    def __post_init__(self) -> None:
        for name in ("principal", "interest", "fees"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), field=name))
        validate_currency_code(self.currency)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def to_dict(self) -> dict[str, str]:
        return {
            "principal": str(self.principal),
            "interest": str(self.interest),
            "fees": str(self.fees),
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class Offer:
    """What the agent proposes. It is validated against the balances by ``propose``.

    ``from_dict`` only checks the shape (types, formats), not the rules: an offer saved
    yesterday must still load today, even though its first date may now be in the past.
    """

    first_payment_on: date  # the settlement date, or the first payment of a plan
    discount_percent: Decimal = ZERO  # on what remains after the waivers
    waive_interest: bool = False
    waive_fees: bool = False
    instalments: int = 1  # 1 without a down payment is a settlement (a single payment)
    frequency: Frequency = Frequency.MONTHLY
    down_payment: Decimal = ZERO

    def __post_init__(self) -> None:
        # Accept ints and strings from callers, but store what the calculation expects.
        for name in ("discount_percent", "down_payment"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), field=name))
        object.__setattr__(self, "frequency", Frequency(self.frequency))

    @property
    def kind(self) -> Kind:
        return "settlement" if self.instalments == 1 and self.down_payment == 0 else "plan"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: Decimals as strings (exact), dates in ISO 8601."""
        return {
            "first_payment_on": self.first_payment_on.isoformat(),
            "discount_percent": str(self.discount_percent),
            "waive_interest": self.waive_interest,
            "waive_fees": self.waive_fees,
            "instalments": self.instalments,
            "frequency": self.frequency.value,
            "down_payment": str(self.down_payment),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Offer:
        """Parse ``to_dict``'s form back; raises ``OfferError`` naming every bad field."""
        if not isinstance(data, Mapping):
            raise OfferError({NON_FIELD: [_("An offer must be an object with named fields.")]})
        errors: dict[str, list[str]] = {}
        unknown = sorted(str(key) for key in data if key not in _PARSERS)
        if unknown:
            errors[NON_FIELD] = [_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}]
        values: dict[str, Any] = {}
        for name, parse in _PARSERS.items():
            if name not in data:
                if name == "first_payment_on":
                    errors.setdefault(name, []).append(_("This field is required."))
                continue
            try:
                values[name] = parse(data[name])
            except ValueError as exc:
                errors.setdefault(name, []).append(str(exc))
        if errors:
            raise OfferError(errors)
        return cls(**values)


def _parse_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(_("%(value)r is not a date (YYYY-MM-DD).") % {"value": value})


def _parse_decimal(value: object) -> Decimal:
    # Floats cannot hold cents exactly and booleans are not numbers: both are refused.
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        try:
            return to_decimal(value)
        except ValueError:
            pass
    raise ValueError(
        _('%(value)r is not a number; write it as a string, e.g. "10.50".') % {"value": value}
    )


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(_("%(value)r is not true or false.") % {"value": value})


def _parse_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(_("%(value)r is not a whole number.") % {"value": value})


def _parse_frequency(value: object) -> Frequency:
    if isinstance(value, str) and value in Frequency.values:
        return Frequency(value)
    raise ValueError(
        _("%(value)r is not a frequency; use one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(Frequency.values)}
    )


_PARSERS: dict[str, Callable[[object], Any]] = {
    "first_payment_on": _parse_date,
    "discount_percent": _parse_decimal,
    "waive_interest": _parse_bool,
    "waive_fees": _parse_bool,
    "instalments": _parse_int,
    "frequency": _parse_frequency,
    "down_payment": _parse_decimal,
}


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    number: int  # 1-based; the down payment, when there is one, is line 1
    due_on: date
    amount: Decimal
    is_down_payment: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "due_on": self.due_on.isoformat(),
            "amount": str(self.amount),
            "is_down_payment": self.is_down_payment,
        }


@dataclass(frozen=True, slots=True)
class Proposal:
    """The debtor-facing result of an offer. Build it with ``propose``, never by hand."""

    balances: Balances
    offer: Offer
    waived_interest: Decimal
    waived_fees: Decimal
    discount_amount: Decimal
    total_to_pay: Decimal
    saving: Decimal  # waivers + discount: total_to_pay + saving == balances.total
    saving_percent: Decimal  # saving / balances.total * 100, 2 decimals
    schedule: tuple[ScheduleLine, ...]

    @property
    def currency(self) -> str:
        return self.balances.currency

    @property
    def kind(self) -> Kind:
        return self.offer.kind

    @property
    def last_payment_on(self) -> date:
        return self.schedule[-1].due_on

    @property
    def regular_instalment(self) -> Decimal:
        """The amount of every regular instalment but the last, which may be a little more."""
        return next(line.amount for line in self.schedule if not line.is_down_payment)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "currency": self.currency,
            "balances": {**self.balances.to_dict(), "total": str(self.balances.total)},
            "offer": self.offer.to_dict(),
            "waived_interest": str(self.waived_interest),
            "waived_fees": str(self.waived_fees),
            "discount_amount": str(self.discount_amount),
            "total_to_pay": str(self.total_to_pay),
            "saving": str(self.saving),
            "saving_percent": str(self.saving_percent),
            "regular_instalment": str(self.regular_instalment),
            "last_payment_on": self.last_payment_on.isoformat(),
            "schedule": [line.to_dict() for line in self.schedule],
        }


# ---------------------------------------------------------------------------------------------
# The calculation
# ---------------------------------------------------------------------------------------------


def propose(balances: Balances, offer: Offer, *, today: date) -> Proposal:
    """Compute what the debtor would pay and when; ``OfferError`` lists every problem at once.

    Waivers remove the whole interest and/or fees; the discount applies to what remains and is
    rounded to the minor unit, so ``total_to_pay`` is an amount the debtor can actually pay.
    """
    errors: dict[str, list[str]] = {}
    add = _collector(errors)
    _check_inputs(balances, offer, today=today, add=add)
    if NON_FIELD in errors:
        raise OfferError(errors)  # nothing owed, or balances that cannot be right: stop here

    # Every amount is validated to fit the minor unit; quantize only normalises its exponent
    # (1500 -> 1500.00) so the debtor sees every amount written the same way.
    currency = balances.currency
    waived_interest = quantize(balances.interest if offer.waive_interest else ZERO, currency)
    waived_fees = quantize(balances.fees if offer.waive_fees else ZERO, currency)
    remaining = quantize(balances.total, currency) - waived_interest - waived_fees
    discount = quantize(ZERO, currency)
    if "discount_percent" not in errors:
        discount = quantize(remaining * offer.discount_percent / HUNDRED, currency)
    total_to_pay = remaining - discount
    _check_total(remaining, total_to_pay, offer, currency, add)

    schedule: tuple[ScheduleLine, ...] = ()
    if not errors.keys() & {NON_FIELD, "discount_percent", "instalments", "down_payment"}:
        schedule = _schedule(total_to_pay, offer, currency, add)
    if errors:
        raise OfferError(errors)
    saving = waived_interest + waived_fees + discount
    return Proposal(
        balances=balances,
        offer=offer,
        waived_interest=waived_interest,
        waived_fees=waived_fees,
        discount_amount=discount,
        total_to_pay=total_to_pay,
        saving=saving,
        saving_percent=(saving * HUNDRED / balances.total).quantize(
            PERCENT_PLACES, ROUND_HALF_EVEN
        ),
        schedule=schedule,
    )


def _collector(errors: dict[str, list[str]]) -> Callable[[str, str], None]:
    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    return add


def _check_inputs(
    balances: Balances, offer: Offer, *, today: date, add: Callable[[str, str], None]
) -> None:
    """The checks that need no arithmetic on the offer: ranges, dates and minor units."""
    currency = balances.currency
    for name in ("principal", "interest", "fees"):
        amount: Decimal = getattr(balances, name)
        if amount < 0:
            add(
                NON_FIELD,
                _("The balance's %(part)s, %(amount)s, cannot be negative.")
                % {"part": name, "amount": amount},
            )
        elif not _fits_minor_unit(amount, currency):
            add(
                NON_FIELD,
                _("The balance's %(part)s, %(amount)s, has more decimals than %(currency)s allows.")
                % {"part": name, "amount": amount, "currency": currency},
            )
    if balances.total <= 0:
        add(NON_FIELD, _("Nothing is owed on this account."))
    if offer.first_payment_on < today:
        add(
            "first_payment_on",
            _("The first payment cannot be before today (%(today)s).") % {"today": _date(today)},
        )
    if not ZERO <= offer.discount_percent < HUNDRED:
        add(
            "discount_percent",
            _("The discount must be at least %(min)s %% and less than %(max)s %%.")
            % {"min": 0, "max": 100},
        )
    if not 1 <= offer.instalments <= MAX_INSTALMENTS:
        add(
            "instalments",
            _("The number of instalments must be between 1 and %(max)s.")
            % {"max": MAX_INSTALMENTS},
        )
    if offer.down_payment < 0:
        add("down_payment", _("The down payment cannot be negative."))
    elif not _fits_minor_unit(offer.down_payment, currency):
        add(
            "down_payment",
            _("%(amount)s has more decimals than %(currency)s allows.")
            % {"amount": offer.down_payment, "currency": currency},
        )


def _check_total(
    remaining: Decimal,
    total_to_pay: Decimal,
    offer: Offer,
    currency: str,
    add: Callable[[str, str], None],
) -> None:
    """Something must be left to pay, and a down payment must leave something for the plan."""
    if remaining <= 0:
        add(NON_FIELD, _("The waivers leave nothing to pay."))
    elif total_to_pay <= 0:
        add("discount_percent", _("The discount leaves nothing to pay."))
    elif offer.down_payment >= total_to_pay:
        add(
            "down_payment",
            _("A down payment of %(amount)s must be less than the total to pay, %(total)s.")
            % {
                "amount": _money(offer.down_payment, currency),
                "total": _money(total_to_pay, currency),
            },
        )


def _schedule(
    total_to_pay: Decimal, offer: Offer, currency: str, add: Callable[[str, str], None]
) -> tuple[ScheduleLine, ...]:
    """Down payment first, then equal instalments rounded down; the last absorbs the rest.

    Working in whole minor units (integers) keeps the sum exact whatever the division gives.
    """
    places = _minor_places(currency)
    rest = int((total_to_pay - offer.down_payment).scaleb(places))
    regular, remainder = divmod(rest, offer.instalments)
    if regular == 0:
        add(
            "instalments",
            _("%(count)s instalments of %(total)s would be less than %(unit)s each.")
            % {
                "count": offer.instalments,
                "total": _money(total_to_pay - offer.down_payment, currency),
                "unit": _money(Decimal(1).scaleb(-places), currency),
            },
        )
        return ()
    amounts = [regular] * offer.instalments
    amounts[-1] += remainder
    has_down = offer.down_payment > 0
    try:
        first = 1 if has_down else 0  # after a down payment, the plan starts one period later
        dates = [
            step_date(offer.first_payment_on, offer.frequency, first + i)
            for i in range(offer.instalments)
        ]
    except OverflowError:
        add("instalments", _("The plan would end beyond the last date the calendar can hold."))
        return ()
    down_line = ScheduleLine(
        1, offer.first_payment_on, quantize(offer.down_payment, currency), True
    )
    lines = [down_line] if has_down else []
    for due_on, units in zip(dates, amounts, strict=True):
        lines.append(ScheduleLine(len(lines) + 1, due_on, Decimal(units).scaleb(-places), False))
    return tuple(lines)


def step_date(anchor: date, frequency: Frequency, periods: int) -> date:
    """``anchor`` moved by whole periods; monthly keeps the anchor's day, clamped to month end.

    Always computed from the anchor, never from the previous date, so Jan 31 gives Feb 28 (29)
    and then Mar 31 again instead of drifting to the 28th. Raises OverflowError past year 9999.
    """
    if frequency == Frequency.WEEKLY:
        return anchor + timedelta(weeks=periods)
    if frequency == Frequency.BIWEEKLY:
        return anchor + timedelta(weeks=2 * periods)
    year, month0 = divmod(anchor.month - 1 + periods, 12)
    year += anchor.year
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(anchor.day, last_day))


def _minor_places(currency: str) -> int:
    """Decimals of the currency's minor unit, read from ``quantize`` so the two always agree."""
    exponent = quantize(ZERO, currency).as_tuple().exponent
    assert isinstance(exponent, int)  # a finite Decimal always has an int exponent
    return -exponent


def _fits_minor_unit(amount: Decimal, currency: str) -> bool:
    try:
        return quantize(amount, currency) == amount
    except InvalidOperation:  # too many digits to quantize at all
        return False


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """What an offer may grant. Amounts are in the proposal's currency; ``None`` is no limit.

    The agent's authority and the creditor's policy are both ``Limits``; ``strictest`` combines
    them so a single ``check`` answers whether the agent may agree the offer on their own.
    """

    max_discount_percent: Decimal  # compared with the whole saving (waivers included)
    max_instalments: int  # regular instalments; the down payment is not counted
    min_instalment: Decimal | None = None  # each regular instalment of a plan
    allow_interest_waiver: bool = False
    allow_fee_waiver: bool = False
    max_days_to_first_payment: int | None = None  # first_payment_on - today
    max_plan_days: int | None = None  # last_payment_on - first_payment_on
    min_down_payment_percent: Decimal | None = None  # of total_to_pay, plans only

    @classmethod
    def strictest(cls, *limits: Limits) -> Limits:
        """The intersection: an offer within it is within every one of ``limits``."""
        if not limits:
            raise ValueError("Limits.strictest needs at least one Limits.")
        return cls(
            max_discount_percent=min(lim.max_discount_percent for lim in limits),
            max_instalments=min(lim.max_instalments for lim in limits),
            min_instalment=_tightest((lim.min_instalment for lim in limits), lowest=False),
            allow_interest_waiver=all(lim.allow_interest_waiver for lim in limits),
            allow_fee_waiver=all(lim.allow_fee_waiver for lim in limits),
            max_days_to_first_payment=_tightest(
                (lim.max_days_to_first_payment for lim in limits), lowest=True
            ),
            max_plan_days=_tightest((lim.max_plan_days for lim in limits), lowest=True),
            min_down_payment_percent=_tightest(
                (lim.min_down_payment_percent for lim in limits), lowest=False
            ),
        )


def _tightest(values: Iterable[_N | None], *, lowest: bool) -> _N | None:
    """The lowest (of maxima) or highest (of minima) of the limits that are set; None if none is."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    return min(present) if lowest else max(present)


@dataclass(frozen=True, slots=True)
class Violation:
    """One limit the proposal exceeds; ``field`` is the Offer field to change to fix it."""

    code: str
    field: str
    message: str  # translated, with the value and the limit
    limit: str
    value: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "limit": self.limit,
            "value": self.value,
        }


def check(proposal: Proposal, limits: Limits, *, today: date) -> list[Violation]:
    """Every limit the proposal exceeds, in a stable order; an empty list means it is allowed."""
    found: list[Violation | None] = [
        _check_discount(proposal, limits),
        _check_instalments(proposal, limits),
        _check_min_instalment(proposal, limits),
        _check_interest_waiver(proposal, limits),
        _check_fee_waiver(proposal, limits),
        _check_first_payment(proposal, limits, today),
        _check_plan_length(proposal, limits),
        _check_down_payment(proposal, limits),
    ]
    return [violation for violation in found if violation is not None]


def _check_discount(proposal: Proposal, limits: Limits) -> Violation | None:
    # The strict reading: the debtor's whole saving counts, waivers included, not just the
    # discount percentage typed in; otherwise waivers would be a way around the limit.
    limit = limits.max_discount_percent
    if proposal.saving_percent <= limit:
        return None
    message = _("A %(value)s %% saving exceeds the limit of %(limit)s %%.") % {
        "value": _percent(proposal.saving_percent),
        "limit": _percent(limit),
    }
    return Violation(
        "discount", "discount_percent", message, str(limit), str(proposal.saving_percent)
    )


def _check_instalments(proposal: Proposal, limits: Limits) -> Violation | None:
    limit, value = limits.max_instalments, proposal.offer.instalments
    if value <= limit:
        return None
    message = ngettext(
        "%(value)s instalments exceed the limit of %(limit)s instalment.",
        "%(value)s instalments exceed the limit of %(limit)s instalments.",
        limit,
    ) % {"value": value, "limit": limit}
    return Violation("instalments", "instalments", message, str(limit), str(value))


def _check_min_instalment(proposal: Proposal, limits: Limits) -> Violation | None:
    # A settlement is one payment of the whole (discounted) debt: a small debt cannot be below
    # a minimum instalment meant to keep plans from stretching too thin.
    limit = limits.min_instalment
    if limit is None or proposal.kind != "plan" or proposal.regular_instalment >= limit:
        return None
    value = proposal.regular_instalment
    message = _("An instalment of %(value)s is below the minimum of %(limit)s.") % {
        "value": _money(value, proposal.currency),
        "limit": _money(limit, proposal.currency),
    }
    return Violation("min_instalment", "instalments", message, str(limit), str(value))


def _check_interest_waiver(proposal: Proposal, limits: Limits) -> Violation | None:
    if limits.allow_interest_waiver or proposal.waived_interest <= 0:
        return None  # waiving an interest of zero grants nothing
    message = _("Waiving the interest (%(value)s) is not allowed.") % {
        "value": _money(proposal.waived_interest, proposal.currency)
    }
    return Violation(
        "interest_waiver", "waive_interest", message, "0", str(proposal.waived_interest)
    )


def _check_fee_waiver(proposal: Proposal, limits: Limits) -> Violation | None:
    if limits.allow_fee_waiver or proposal.waived_fees <= 0:
        return None
    message = _("Waiving the fees (%(value)s) is not allowed.") % {
        "value": _money(proposal.waived_fees, proposal.currency)
    }
    return Violation("fee_waiver", "waive_fees", message, "0", str(proposal.waived_fees))


def _check_first_payment(proposal: Proposal, limits: Limits, today: date) -> Violation | None:
    limit = limits.max_days_to_first_payment
    value = (proposal.offer.first_payment_on - today).days
    if limit is None or value <= limit:
        return None
    message = ngettext(
        "The first payment on %(date)s is %(value)s days away, beyond the limit of %(limit)s day.",
        "The first payment on %(date)s is %(value)s days away, beyond the limit of %(limit)s days.",
        limit,
    ) % {"date": _date(proposal.offer.first_payment_on), "value": value, "limit": limit}
    return Violation("first_payment", "first_payment_on", message, str(limit), str(value))


def _check_plan_length(proposal: Proposal, limits: Limits) -> Violation | None:
    limit = limits.max_plan_days
    value = (proposal.last_payment_on - proposal.offer.first_payment_on).days
    if limit is None or value <= limit:
        return None
    message = ngettext(
        "The plan runs %(value)s days, until %(date)s, beyond the limit of %(limit)s day.",
        "The plan runs %(value)s days, until %(date)s, beyond the limit of %(limit)s days.",
        limit,
    ) % {"date": _date(proposal.last_payment_on), "value": value, "limit": limit}
    return Violation("plan_length", "instalments", message, str(limit), str(value))


def _check_down_payment(proposal: Proposal, limits: Limits) -> Violation | None:
    limit = limits.min_down_payment_percent
    if limit is None or proposal.kind != "plan":
        return None
    # The smallest amount that meets the percentage, rounded up so it truly meets it.
    required = (proposal.total_to_pay * limit / HUNDRED).quantize(
        Decimal(1).scaleb(-_minor_places(proposal.currency)), ROUND_CEILING
    )
    down = proposal.offer.down_payment
    if down >= required:
        return None
    # Rounded down so a shortfall never displays as if it met the limit (9.999 % is not 10 %).
    value = (down * HUNDRED / proposal.total_to_pay).quantize(PERCENT_PLACES, ROUND_FLOOR)
    message = _(
        "A down payment of %(value)s %% is below the minimum of %(limit)s %% (%(amount)s)."
    ) % {
        "value": _percent(value),
        "limit": _percent(limit),
        "amount": _money(required, proposal.currency),
    }
    return Violation("down_payment", "down_payment", message, str(limit), str(value))


# ---------------------------------------------------------------------------------------------
# Formatting for messages, in the active language
# ---------------------------------------------------------------------------------------------


def _locale() -> str:
    name = translation.to_locale(translation.get_language() or "en")
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return "en"
    return name


def _money(amount: Decimal, currency: str) -> str:
    return Money(amount, currency).format(_locale())


def _percent(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.00##", locale=_locale())


def _date(day: date) -> str:
    return format_date(day, format="medium", locale=_locale())
