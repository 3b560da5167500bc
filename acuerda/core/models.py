"""Shared model building blocks."""

from __future__ import annotations

from typing import Any

from django.db import models


class AmountField(models.DecimalField):
    """A money amount: 18 digits with 2 decimals. The currency lives on the owning row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to edit or delete a row of an append-only log."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A row that, once written, is never changed: ledgers, timelines, access logs.

    Corrections are new rows (a reversal, a correcting event), so history can always be replayed.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only and cannot be deleted.")
