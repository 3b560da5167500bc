"""Decision output of the compliance engine and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Block:
    """One rule that blocked the contact, with its legal reference and a plain reason."""

    rule: str
    reference: str
    reason_es: str
    reason_en: str

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "reference": self.reference,
            "reason_es": self.reason_es,
            "reason_en": self.reason_en,
        }


@dataclass(frozen=True, slots=True)
class Note:
    """An assumption or condition the decision relies on, in Spanish and English."""

    es: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"es": self.es, "en": self.en}


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    blocked_by: tuple[Block, ...]
    next_allowed_at: datetime | None
    pack: str
    local_time: datetime
    assumptions: tuple[Note, ...]
    evaluated: tuple[str, ...]


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """JSON-ready form: ISO 8601 strings with offsets for moments."""
    nxt = decision.next_allowed_at
    return {
        "allowed": decision.allowed,
        "blocked_by": [b.to_dict() for b in decision.blocked_by],
        "next_allowed_at": nxt.isoformat() if nxt is not None else None,
        "pack": decision.pack,
        "local_time": decision.local_time.isoformat(),
        "assumptions": [n.to_dict() for n in decision.assumptions],
        "rules_evaluated": list(decision.evaluated),
    }
