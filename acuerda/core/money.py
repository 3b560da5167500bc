"""Money is a Decimal amount with an ISO 4217 currency; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.utils.translation import gettext as _

_CURRENCIES = frozenset(list_currencies())
CENT = Decimal("0.01")


class CurrencyMismatch(ValueError):
    pass


def validate_currency_code(code: str) -> str:
    if code not in _CURRENCIES:
        raise ValueError(_("%(code)r is not an ISO 4217 currency code.") % {"code": code})
    return code


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Parse an amount exactly; floats are refused because they cannot hold cents exactly."""
    if isinstance(value, float):
        raise TypeError(_("%(field)s: float amounts are not accepted, use Decimal or a string.") % {"field": field})
    try:
        result = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(_("%(field)s: %(value)r is not a number.") % {"field": field, "value": value}) from None
    if not result.is_finite():
        raise ValueError(_("%(field)s: %(value)r is not a finite number.") % {"field": field, "value": value})
    return result


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (2 for EUR, 0 for CLP), half-even like banks."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        validate_currency_code(self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def format(self, locale: str = "es_ES") -> str:
        return format_currency(self.amount, self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
