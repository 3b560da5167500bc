"""Acuerda's compliance engine: pure Python, no Django models, no database.

Every outbound contact asks ``evaluate(parse_request(data))`` first. See ``packs.py`` for the
rule packs per jurisdiction and ``packs_markdown()`` for their generated documentation.
"""

from .day_plan import day_plan, day_plan_key, plan_for_key, plan_for_template, plan_many
from .decision import Block, Decision, Note, decision_to_dict
from .docs import packs_markdown
from .evaluate import evaluate
from .packs import DEFAULT_REGISTRY, Registry, RulePack
from .policy import Policy, PolicyError, policy_from_dict
from .request import (
    CHANNELS,
    OUTCOMES,
    PURPOSES,
    ROLES,
    Account,
    ContactRequest,
    ContactTemplate,
    FieldError,
    HistoryEntry,
    InconvenientTime,
    Message,
    Party,
    RequestError,
    parse_request,
    parse_template,
)
from .rules import Rule

__all__ = [
    "CHANNELS",
    "DEFAULT_REGISTRY",
    "OUTCOMES",
    "PURPOSES",
    "ROLES",
    "Account",
    "Block",
    "ContactRequest",
    "ContactTemplate",
    "Decision",
    "FieldError",
    "HistoryEntry",
    "InconvenientTime",
    "Message",
    "Note",
    "Party",
    "Policy",
    "PolicyError",
    "Registry",
    "RequestError",
    "Rule",
    "RulePack",
    "day_plan",
    "day_plan_key",
    "decision_to_dict",
    "evaluate",
    "packs_markdown",
    "parse_request",
    "parse_template",
    "plan_for_key",
    "plan_for_template",
    "plan_many",
    "policy_from_dict",
]
