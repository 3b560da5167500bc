"""Imports, import jobs and exports over the REST API: parse, call the imports services, render.

- ``POST /api/v1/portfolios/{id}/imports/?profile=NAME&dry_run=false`` with a JSON Lines body
  (``Content-Type: application/x-ndjson``) or a multipart ``file``: creates and runs an import
  job (synchronously) and answers its summary — 201 for a new job, 200 when the same content was
  already imported into the portfolio (the earlier job: nothing new), 400 naming the parameter,
  line or rows and why.
- ``GET /api/v1/import-jobs/``, ``/import-jobs/{id}/``, ``/import-jobs/{id}/rejected-rows/``.
- ``GET /api/v1/portfolios/{id}/export/?file_format=csv|xlsx``: the export, streamed.

Uploaded files are kept, named by content, under ``settings.IMPORTS_UPLOAD_DIR`` (default
``$ACUERDA_DATA_DIR/imports``) so an interrupted job can be run again from the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from acuerda.api.views import ScopedViewSet
from acuerda.imports.choices import ImportStatus
from acuerda.imports.exports import csv_lines, export_columns, export_rows, portfolio_export_xlsx
from acuerda.imports.models import ImportJob, ImportProfile, ImportRowError
from acuerda.imports.readers import UnreadableFile, preview
from acuerda.imports.services import ImportJobError, import_job_create, import_run
from acuerda.people.scoping import scope
from acuerda.portfolios.models import Portfolio

if TYPE_CHECKING:
    from acuerda.people.models import User

NDJSON = "application/x-ndjson"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_COPY_BLOCK = 1 << 20
_ERRORS_SHOWN = 20


def upload_dir() -> Path:
    return Path(getattr(settings, "IMPORTS_UPLOAD_DIR", settings.DATA_DIR / "imports"))


# --------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------


class ImportJobSerializer(serializers.ModelSerializer):
    # A plain string, not an enum: "status" already names the account and portfolio enums.
    status = serializers.CharField(read_only=True, help_text="uploaded, validating, validated, importing, done, failed")
    failure = serializers.CharField(source="failure_message", read_only=True)
    portfolio: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    profile: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "portfolio", "profile", "file_name", "sha256", "size_bytes", "dry_run", "status",
                  "rows_read", "rows_rejected", "accounts_created", "accounts_updated", "accounts_unchanged",
                  "debtors_created", "debtors_matched", "contact_points_created", "failure", "created_at",
                  "started_at", "finished_at"]


class ImportResultSerializer(ImportJobSerializer):
    already_imported = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "already_imported"]

    def get_already_imported(self, obj: ImportJob) -> bool:
        return bool(self.context.get("already_imported"))


class ImportRowErrorSerializer(serializers.ModelSerializer):
    row = serializers.IntegerField(source="row_number", read_only=True)
    reason = serializers.CharField(source="message", read_only=True)

    class Meta:
        model = ImportRowError
        fields = ["row", "column", "value", "code", "reason"]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JSON Lines (.jsonl), CSV or XLSX file.")


class ImportFailureSerializer(serializers.Serializer):
    detail = serializers.CharField()
    job = ImportJobSerializer()
    rejected_rows = ImportRowErrorSerializer(many=True)


# --------------------------------------------------------------------------------------------
# Parsing and rendering
# --------------------------------------------------------------------------------------------


class JSONLinesParser(BaseParser):
    """Spools a JSON Lines body to a temporary file (never the whole body in memory)."""

    media_type = NDJSON

    def parse(self, stream: IO[bytes] | None, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        spool = tempfile.SpooledTemporaryFile(max_size=_COPY_BLOCK)  # noqa: SIM115 - handed to the view
        if stream is not None:
            while block := stream.read(_COPY_BLOCK):
                spool.write(block)
        spool.seek(0)
        return {"body": spool}


class FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type; errors still come back as JSON text."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> bytes:
        return json.dumps(data, default=str).encode()


class CSVRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(FileRenderer):
    media_type = XLSX
    format = "xlsx"


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------


class _Perms(permissions.BasePermission):
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        needed = self.read if request.method in permissions.SAFE_METHODS else self.write
        return bool(user and user.is_authenticated and needed and all(user.has_perm(p) for p in needed))


class ImportPermission(_Perms):
    read = ("imports.view_importjob",)
    write = ("imports.add_importjob",)


class ExportPermission(_Perms):
    read = ("debts.view_account", "debtors.view_debtor")


def _acting_user(request: Request) -> User:
    return cast("User", request.user)  # the permission classes refused anonymous requests


def _flag(value: str | None, *, name: str) -> bool:
    text = (value or "false").strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise ValidationError({name: [_("Expected true or false, not %(value)r.") % {"value": value}]})


def _check_json_lines(source: IO[bytes]) -> None:
    """Refuse a body with a line that is not a JSON object, naming the line (nothing is created)."""
    for number, raw in enumerate(source, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            text = line.decode("utf-8-sig") if isinstance(line, bytes) else line
        except UnicodeDecodeError:
            break  # not UTF-8: the profile's encoding applies, and the import job reports the line
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationError({"body": [_("Line %(line)s is not valid JSON: %(error)s.")
                                            % {"line": number, "error": exc}]}) from None
        if not isinstance(value, dict):
            raise ValidationError({"body": [_("Line %(line)s is not a JSON object.") % {"line": number}]})
    source.seek(0)


def _store(source: IO[bytes], name: str) -> Path:
    """Copy ``source`` to ``<upload dir>/<sha256>/<name>`` and return that path."""
    root = upload_dir()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=root, delete=False, prefix=".upload-") as partial:
        while block := source.read(_COPY_BLOCK):
            digest.update(block)
            partial.write(block)
    folder = root / digest.hexdigest()
    folder.mkdir(exist_ok=True)
    target = folder / (get_valid_filename(Path(name).name) or "upload.jsonl")
    os.replace(partial.name, target)
    return target


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


class PortfolioImportView(generics.GenericAPIView):
    """Create and run an import job for a portfolio from a JSON Lines body or an uploaded file."""

    permission_classes = [ImportPermission]
    parser_classes = [JSONLinesParser, MultiPartParser]
    queryset = Portfolio.objects.all()
    serializer_class = ImportResultSerializer

    def get_queryset(self) -> QuerySet:
        return Portfolio.objects.for_user(_acting_user(self.request)).select_related("creditor")

    @extend_schema(
        operation_id="portfolios_imports_create",
        parameters=[
            OpenApiParameter("profile", str, required=True, description="name of the creditor's import profile"),
            OpenApiParameter("dry_run", bool, required=False, description="validate and count, write nothing"),
        ],
        request={NDJSON: OpenApiTypes.BINARY, "multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportResultSerializer,
            200: OpenApiResponse(ImportResultSerializer, description="the same content was already imported"),
            400: OpenApiResponse(ImportFailureSerializer, description="the body, a parameter or rows are refused"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        portfolio = self.get_object()
        user = _acting_user(request)
        profile_name = request.query_params.get("profile", "").strip()
        if not profile_name:
            raise ValidationError({"profile": [_("Name the import profile: ?profile=NAME.")]})
        profile = ImportProfile.objects.filter(creditor=portfolio.creditor, name=profile_name).first()
        if profile is None:
            raise ValidationError({"profile": [_("Creditor %(code)s has no import profile %(name)r.")
                                               % {"code": portfolio.creditor.code, "name": profile_name}]})
        dry_run = _flag(request.query_params.get("dry_run"), name="dry_run")
        source, name = self._body(request)
        path = _store(source, name)
        try:
            preview(path, encoding=profile.encoding, delimiter=profile.delimiter, rows=1)
        except UnreadableFile as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        job, created = import_job_create(
            creditor=portfolio.creditor, portfolio=portfolio, profile=profile, path=path, actor=user, dry_run=dry_run,
        )
        already = not created and job.status == ImportStatus.DONE
        if not already:
            try:
                job = import_run(job=job, path=path, actor=user)
            except ImportJobError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if job.status == ImportStatus.FAILED:
            errors = ImportRowError.objects.filter(job=job).order_by("row_number", "pk")[:_ERRORS_SHOWN]
            body = {"detail": job.failure_message, "job": ImportJobSerializer(job).data,
                    "rejected_rows": ImportRowErrorSerializer(errors, many=True).data}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        data = ImportResultSerializer(job, context={"already_imported": already}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _body(self, request: Request) -> tuple[IO[bytes], str]:
        if (request.content_type or "").startswith(NDJSON):
            body = cast(dict[str, Any], request.data).get("body")
            if body is None:
                raise ValidationError({"body": [_("The body is empty.")]})
            _check_json_lines(body)
            return body, "body.jsonl"
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Send a JSON Lines body (%(type)s) or a multipart field \"file\".")
                                            % {"type": NDJSON}]})
        if upload.name.lower().endswith((".jsonl", ".ndjson")):
            _check_json_lines(cast(IO[bytes], upload))
        return cast(IO[bytes], upload), upload.name or "upload.jsonl"


class ImportJobViewSet(ScopedViewSet):
    """Import jobs of the portfolios the user may see, and their rejected rows."""

    model = ImportJob
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    permission_classes = [ImportPermission]

    def get_queryset(self) -> QuerySet:
        queryset = scope(ImportJob.objects.select_related("profile"), self.acting_user, "portfolio_id")
        portfolio = self.request.query_params.get("portfolio")
        if portfolio and portfolio.isdigit():
            queryset = queryset.filter(portfolio_id=int(portfolio))
        return queryset

    @extend_schema(responses=ImportRowErrorSerializer(many=True))
    @action(detail=True, url_path="rejected-rows")
    def rejected_rows(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        page = self.paginate_queryset(ImportRowError.objects.filter(job=job))
        return self.get_paginated_response(ImportRowErrorSerializer(page, many=True).data)


def _iterate_file(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while block := handle.read(_COPY_BLOCK):
            yield block


class PortfolioExportView(generics.GenericAPIView):
    """The portfolio's accounts with balances, status, delinquency and debtor, streamed."""

    permission_classes = [ExportPermission]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    queryset = Portfolio.objects.all()
    serializer_class = None

    def get_queryset(self) -> QuerySet:
        return Portfolio.objects.for_user(_acting_user(self.request)).select_related("creditor")

    @extend_schema(
        operation_id="portfolios_export_retrieve",
        parameters=[OpenApiParameter("file_format", str, enum=["csv", "xlsx"], required=False,
                                     description="csv (default, UTF-8 with BOM) or xlsx"),
                    OpenApiParameter("personal_data", bool, required=False,
                                     description="true adds the debtor's name and national id (minimised by "
                                                 "default; each debtor's data view is logged)")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        portfolio = self.get_object()
        user = _acting_user(request)
        fmt = request.query_params.get("file_format", "csv")
        if fmt not in ("csv", "xlsx"):
            raise ValidationError({"file_format": [_("Expected csv or xlsx, not %(value)r.") % {"value": fmt}]})
        flag = request.query_params.get("personal_data", "false").lower()
        if flag not in ("true", "false", "1", "0"):
            raise ValidationError({"personal_data": [_("Expected true or false, not %(value)r.") % {"value": flag}]})
        personal = flag in ("true", "1")
        base = get_valid_filename(f"{portfolio.creditor.code}-{portfolio.reference}") or "export"
        audit = f"{request.path}?file_format={fmt}&personal_data={str(personal).lower()}"
        if fmt == "xlsx":
            # A zip is only complete at its end: the workbook goes to a temporary file (rows
            # streamed into it), which is then streamed out in blocks.
            handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
            portfolio_export_xlsx(portfolio=portfolio, user=user, stream=handle, audit_path=audit,
                                  personal_data=personal)
            handle.seek(0)
            return FileResponse(handle, as_attachment=True, filename=f"{base}.xlsx", content_type=XLSX)

        def lines() -> Iterator[bytes]:
            yield "\ufeff".encode()
            rows = export_rows(portfolio=portfolio, user=user, audit_path=audit, personal_data=personal)
            for line in csv_lines(rows, columns=export_columns(personal_data=personal)):
                yield line.encode()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
        return response
