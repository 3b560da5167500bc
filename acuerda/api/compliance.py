"""The compliance gate over the REST API: ``POST /api/v1/compliance/check/``.

The body is one contact request (the engine's JSON, see ``acuerda.compliance.engine.request``)
or a list of up to ``MAX_BATCH`` of them; the answer is the decision, or the list of decisions
in the same order. A malformed request answers 400 with every field-level problem; in a batch
each field is prefixed with the request's index (``[3].party.timezone``) and nothing is decided.
Nothing is written to the contact ledger: this asks the rules, it does not record a contact.

The serializers below only document the schema; the engine validates (it names unknown fields,
which a serializer would silently drop).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acuerda.compliance.engine import (
    CHANNELS,
    OUTCOMES,
    PURPOSES,
    ROLES,
    RequestError,
    decision_to_dict,
    evaluate,
    parse_request,
)

MAX_BATCH = 1000
# Enumerations that appear under a second name are plain strings in the schema (one enum per
# choice set keeps drf-spectacular's names stable without settings overrides).
_CHANNELS = ", ".join(CHANNELS)
SIMULATE = "compliance.simulate_contact"


class SimulatePermission(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(SIMULATE))


# --------------------------------------------------------------------------------------------
# Schema (documentation only)
# --------------------------------------------------------------------------------------------


class InconvenientTimeSerializer(serializers.Serializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        help_text="0 = Monday ... 6 = Sunday",
    )
    start = serializers.CharField(help_text="local time HH:MM")
    end = serializers.CharField(
        help_text="local time HH:MM (24:00 allowed); before start = past midnight"
    )


class PartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLES)
    timezone = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="IANA zone of the party; absent = the jurisdiction's (noted in assumptions)",
    )
    authorised_channels = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        help_text=f"channels the party authorised ({_CHANNELS}); absent or null = unknown",
    )
    opted_out_channels = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"channels the party opted out of ({_CHANNELS})",
    )
    email_employer_provided = serializers.BooleanField(required=False)
    inconvenient_times = InconvenientTimeSerializer(many=True, required=False)
    is_minor_or_elderly_non_debtor = serializers.BooleanField(required=False, allow_null=True)
    contact_point_provided_by_debtor = serializers.BooleanField(required=False, allow_null=True)


class AccountStateSerializer(serializers.Serializer):
    cease_request = serializers.BooleanField(required=False)
    dispute_open = serializers.BooleanField(required=False)
    attorney_represented = serializers.BooleanField(required=False)
    breathing_space_until = serializers.DateField(required=False, allow_null=True)
    mental_health_moratorium = serializers.BooleanField(required=False)
    lawsuit_served = serializers.BooleanField(required=False)
    insolvency = serializers.BooleanField(required=False)
    statute_barred = serializers.BooleanField(required=False)
    vulnerable = serializers.BooleanField(required=False)
    direct_contact_made = serializers.BooleanField(
        required=False, allow_null=True, help_text="null = derive it from the history"
    )


class MessagePropertiesSerializer(serializers.Serializer):
    identifies_agency = serializers.BooleanField(required=False, allow_null=True)
    has_opt_out = serializers.BooleanField(required=False, allow_null=True)
    court_lookalike = serializers.BooleanField(required=False, allow_null=True)
    collection_wording_visible = serializers.BooleanField(required=False, allow_null=True)
    threatens_legal_action = serializers.BooleanField(required=False, allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="ISO 8601 with UTC offset")
    channel = serializers.ChoiceField(choices=CHANNELS)
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    party_role = serializers.CharField(help_text=f"role of the party contacted: {', '.join(ROLES)}")


class ContactRequestSerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(
        help_text="country (ES, CO, PE, MX, CL, AR, US, GB), optionally -SUBDIVISION"
    )
    channel = serializers.ChoiceField(choices=CHANNELS)
    at = serializers.DateTimeField(help_text="the moment of the contact, ISO 8601 with UTC offset")
    purpose = serializers.ChoiceField(choices=PURPOSES)
    party = PartySerializer()
    account = AccountStateSerializer(required=False)
    message = MessagePropertiesSerializer(required=False)
    history = HistoryEntrySerializer(many=True, required=False)


class BlockSerializer(serializers.Serializer):
    rule = serializers.CharField()
    reference = serializers.CharField(help_text="the legal reference")
    reason_es = serializers.CharField()
    reason_en = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    es = serializers.CharField()
    en = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    blocked_by = BlockSerializer(many=True)
    next_allowed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="in the party's local time; null = only a change of facts allows it",
    )
    pack = serializers.CharField(help_text="the pack version(s) applied, e.g. CO@2023-10-10")
    local_time = serializers.DateTimeField(help_text="the moment in the party's local time")
    assumptions = NoteSerializer(many=True)
    rules_evaluated = serializers.ListField(child=serializers.CharField())


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="dotted path, e.g. party.timezone or [3].history[0].at")
    message = serializers.CharField()
    message_es = serializers.CharField()


class CheckErrorsSerializer(serializers.Serializer):
    # DRF's metaclass moves declared fields off the class: Serializer.errors stays intact.
    errors = FieldErrorSerializer(many=True)  # type: ignore[assignment]


EXAMPLE_REQUEST: dict[str, Any] = {
    "jurisdiction": "CO",
    "channel": "call",
    "at": "2026-03-02T19:00:00-05:00",
    "purpose": "collection",
    "party": {
        "role": "debtor",
        "timezone": "America/Bogota",
        "authorised_channels": ["call", "sms"],
        "opted_out_channels": [],
    },
    "account": {
        "cease_request": False,
        "dispute_open": False,
        "lawsuit_served": False,
        "breathing_space_until": None,
    },
    "message": {"identifies_agency": True, "has_opt_out": True, "court_lookalike": False},
    "history": [
        {
            "at": "2026-02-24T10:00:00-05:00",
            "channel": "sms",
            "outcome": "delivered",
            "party_role": "debtor",
        }
    ],
}
EXAMPLE_DECISION: dict[str, Any] = {
    "allowed": False,
    "blocked_by": [
        {
            "rule": "co.hours",
            "reference": "Ley 2300 de 2023, art. 3",
            "reason_es": "Horario de contacto: hora local 19:00 (lun) fuera del horario permitido "
            "(lun-vie 07:00-19:00; sáb 08:00-15:00).",
            "reason_en": "Contact hours: local time 19:00 (Mon) is outside the allowed hours "
            "(Mon-Fri 07:00-19:00; Sat 08:00-15:00).",
        }
    ],
    "next_allowed_at": "2026-03-03T07:00:00-05:00",
    "pack": "CO@2023-10-10",
    "local_time": "2026-03-02T19:00:00-05:00",
    "assumptions": [],
    "rules_evaluated": [
        "co.hours",
        "co.authorised_channels",
        "co.frequency.daily",
        "co.frequency.weekly_channels",
        "co.cease",
        "co.opt_out",
        "co.dispute",
        "co.vulnerable",
    ],
}
EXAMPLE_ERRORS: dict[str, Any] = {
    "errors": [
        {
            "field": "party.timezone",
            "message": "unknown IANA time zone 'Mars/Olympus'",
            "message_es": "zona horaria IANA desconocida 'Mars/Olympus'",
        },
        {"field": "account.foo", "message": "unknown field", "message_es": "campo desconocido"},
    ]
}


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------


def _refused(field: str, message: str, message_es: str) -> Response:
    body = {"errors": [{"field": field, "message": message, "message_es": message_es}]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class ComplianceCheckView(APIView):
    """Ask the compliance gate whether a contact may happen now, why not, and when it could."""

    permission_classes = [SimulatePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="compliance_check",
        summary="Check a contact against the compliance rule packs",
        description=(
            "One contact request, or a list of up to 1,000; answers the decision, or the list of "
            "decisions in the same order. Unknown or malformed fields are refused with 400, naming "
            "each field (prefixed with the index in a batch). Nothing is recorded."
        ),
        request=PolymorphicProxySerializer(
            component_name="ContactCheckBody",
            serializers=[ContactRequestSerializer, ContactRequestSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            200: PolymorphicProxySerializer(
                component_name="ContactCheckResult",
                serializers=[DecisionSerializer, DecisionSerializer(many=True)],
                resource_type_field_name=None,
                many=False,
            ),
            400: OpenApiResponse(CheckErrorsSerializer, description="malformed request(s)"),
        },
        examples=[
            OpenApiExample(
                "Call in Colombia after hours", value=EXAMPLE_REQUEST, request_only=True
            ),
            OpenApiExample(
                "Blocked by the contact hours",
                value=EXAMPLE_DECISION,
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Malformed request", value=EXAMPLE_ERRORS, response_only=True, status_codes=["400"]
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            data = request.data
        except ParseError as exc:
            return _refused(
                "",
                f"the body is not valid JSON: {exc.detail}",
                f"el cuerpo no es JSON válido: {exc.detail}",
            )
        if not isinstance(data, list):
            try:
                return Response(decision_to_dict(evaluate(parse_request(data))))
            except RequestError as exc:
                return Response({"errors": exc.as_dicts()}, status=status.HTTP_400_BAD_REQUEST)
        if len(data) > MAX_BATCH:
            return _refused(
                "",
                f"at most {MAX_BATCH} requests per call, not {len(data)}",
                f"como máximo {MAX_BATCH} solicitudes por llamada, no {len(data)}",
            )
        errors: list[dict[str, str]] = []
        decisions = []
        for index, item in enumerate(data):
            try:
                decisions.append(decision_to_dict(evaluate(parse_request(item))))
            except RequestError as exc:
                errors += exc.as_dicts(index=index)
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(decisions)
