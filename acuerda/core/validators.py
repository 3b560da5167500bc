"""Django field validators wrapping the domain checks in ``money`` and ``regions``.

Plain module-level functions so migrations can reference them by name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from acuerda.core import money, regions


def validate_country(value: str) -> None:
    try:
        regions.validate_country(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def validate_currency(value: str) -> None:
    try:
        money.validate_currency_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def validate_timezone(value: str) -> None:
    try:
        regions.validate_timezone(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
