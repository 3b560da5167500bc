"""Delinquency buckets (tramos de mora) from a creditor's configurable day edges.

Edges ``[1, 31, 61, 91, 181, 361]`` give the buckets ``current`` (DPD < 1), ``1-30``,
``31-60``, ``61-90``, ``91-180``, ``181-360`` and ``361+``. Accounts store the first unpaid due
date, not the bucket, so nothing needs rewriting every night: the bucket follows from today.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CURRENT = "current"
gettext_noop("current")  # the label is a key (commission schedules); it is translated when shown


def validate_bucket_edges(edges: Sequence[int]) -> list[int]:
    if not isinstance(edges, list | tuple) or not edges:
        raise ValueError(_("Bucket edges must be a non-empty list of whole days, e.g. [1, 31, 61, 91]."))
    if any(not isinstance(e, int) or isinstance(e, bool) or e < 1 for e in edges):
        raise ValueError(_("Every bucket edge must be a whole number of days, 1 or more."))
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(_("Bucket edges must be strictly increasing."))
    return list(edges)


@dataclass(frozen=True)
class DelinquencyBuckets:
    edges: tuple[int, ...]

    @classmethod
    def from_edges(cls, edges: Sequence[int]) -> DelinquencyBuckets:
        return cls(tuple(validate_bucket_edges(edges)))

    def labels(self) -> list[str]:
        result = [CURRENT]
        for i, start in enumerate(self.edges):
            end = self.edges[i + 1] - 1 if i + 1 < len(self.edges) else None
            result.append(f"{start}-{end}" if end is not None else f"{start}+")
        return result

    def label_for(self, days_past_due: int) -> str:
        return self.labels()[bisect.bisect_right(self.edges, days_past_due)]

    def due_date_range(self, label: str, *, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The first-unpaid-due-date range (inclusive, None = open) of accounts in ``label`` today.

        Lets a bucket filter be an indexed date range rather than a computation per row.
        """
        labels = self.labels()
        if label not in labels:
            raise ValueError(
                _("Unknown bucket %(label)r; this creditor's buckets are %(labels)s.")
                % {"label": label, "labels": ", ".join(labels)}
            )
        i = labels.index(label)
        if i == 0:
            return today - dt.timedelta(days=self.edges[0] - 1), None
        min_dpd = self.edges[i - 1]
        max_dpd = self.edges[i] - 1 if i < len(self.edges) else None
        latest = today - dt.timedelta(days=min_dpd)
        earliest = today - dt.timedelta(days=max_dpd) if max_dpd is not None else None
        return earliest, latest


def days_past_due(first_unpaid_due_on: dt.date | None, *, today: dt.date) -> int:
    if first_unpaid_due_on is None:
        return 0
    return max(0, (today - first_unpaid_due_on).days)
