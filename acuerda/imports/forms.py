"""Forms of the import wizard: the upload, and the column mapping saved as an import profile.

The upload form stores the file only once it has passed every check (extension, size, not empty,
readable with the profile's parsing): a rejected upload leaves nothing on disk or in the database.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from acuerda.creditors.models import Creditor
from acuerda.debtors.identifiers import SUPPORTED_ID_TYPES
from acuerda.imports.choices import (
    DATE_FORMATS,
    MULTI_FIELDS,
    BadRowPolicy,
    Field,
)
from acuerda.imports.models import ImportJob, ImportProfile
from acuerda.imports.profiles import profile_as_data
from acuerda.imports.readers import UnreadableFile, preview
from acuerda.imports.tasks import import_file_path, import_files_dir, job_file_path
from acuerda.people.models import User
from acuerda.portfolios.models import Portfolio

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".jsonl", ".ndjson")
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # a 1M-row placement file is ~150 MB


def max_upload_bytes() -> int:
    return int(getattr(settings, "ACUERDA_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    sha256: str
    original_name: str
    earlier_job: ImportJob | None = None
    """The real import of this content into the portfolio, when there is one already."""


def _generated_name(original: str) -> str:
    """A safe file name for the disk: a slug of the original stem and its lower-case suffix."""
    base = Path(original).name
    suffix = Path(base).suffix.lower()
    stem = slugify(Path(base).stem)[:80] or "file"
    return f"{stem}{suffix}"


class UploadForm(forms.Form):
    creditor = forms.ModelChoiceField(queryset=Creditor.objects.none(), label=_("Creditor"))
    portfolio = forms.ModelChoiceField(queryset=Portfolio.objects.none(), label=_("Portfolio"))
    profile = forms.ModelChoiceField(
        queryset=ImportProfile.objects.none(), label=_("Import profile"), required=False,
        empty_label=_("None yet (define the mapping next)"),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, XLSX or JSON Lines (.csv, .txt, .tsv, .xlsx, .jsonl, .ndjson)."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creditors = Creditor.objects.for_user(user).order_by("code")
        creditor_field: Any = self.fields["creditor"]
        creditor_field.queryset = creditors
        creditor_field.label_from_instance = lambda c: f"{c.code} · {c.legal_name}"
        # Choosing a creditor narrows the portfolios and profiles (HTMX swaps that part of the form).
        creditor_field.widget.attrs.update({
            "hx-get": reverse("imports:new"), "hx-target": "#choices", "hx-select": "#choices", "hx-swap": "outerHTML",
        })
        chosen = self._chosen_creditor(creditors)
        portfolios = Portfolio.objects.for_user(user).select_related("creditor").order_by("creditor__code", "reference")
        profiles = ImportProfile.objects.filter(creditor__in=creditors).select_related("creditor")
        if chosen is not None:
            portfolios = portfolios.filter(creditor=chosen)
            profiles = profiles.filter(creditor=chosen)
        portfolio_field: Any = self.fields["portfolio"]
        portfolio_field.queryset = portfolios
        portfolio_field.label_from_instance = (
            lambda p: f"{p.creditor.code} · {p.reference}" + (f" · {p.name}" if p.name else "")
        )
        profile_field: Any = self.fields["profile"]
        profile_field.queryset = profiles.order_by("creditor__code", "name")
        profile_field.label_from_instance = lambda p: f"{p.creditor.code} · {p.name}"

    def _chosen_creditor(self, creditors: Any) -> Creditor | None:
        key = self.data.get("creditor") if self.is_bound else self.initial.get("creditor")
        if isinstance(key, Creditor):
            return key
        if key and str(key).isdigit():
            found: Creditor | None = creditors.filter(pk=int(key)).first()
            return found
        if not self.is_bound and creditors.count() == 1:
            only: Creditor | None = creditors.first()
            self.initial["creditor"] = only.pk if only else None
            return only
        return None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise ValidationError(
                gettext("%(file)s is not a CSV, XLSX or JSON Lines file (by its name: %(suffixes)s).")
                % {"file": name, "suffixes": ", ".join(ALLOWED_SUFFIXES)}
            )
        if not upload.size:
            raise ValidationError(gettext("%(file)s is empty.") % {"file": name})
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                gettext("%(file)s is %(size)s; the limit is %(limit)s.")
                % {"file": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        creditor, portfolio, profile = data.get("creditor"), data.get("portfolio"), data.get("profile")
        if creditor is not None and portfolio is not None and portfolio.creditor_id != creditor.pk:
            self.add_error("portfolio", gettext("This portfolio belongs to another creditor."))
        if creditor is not None and profile is not None and profile.creditor_id != creditor.pk:
            self.add_error("profile", gettext("This profile belongs to another creditor."))
        return data

    def store(self) -> StoredUpload | None:
        """Write the file (valid form) to a temporary file while hashing it, read it with the
        profile's parsing, and only then move it to its place. On a problem the form gets the
        error, the temporary file is removed and ``None`` is returned."""
        upload: UploadedFile = self.cleaned_data["file"]
        profile: ImportProfile | None = self.cleaned_data.get("profile")
        original = Path(upload.name or "").name
        name = _generated_name(original)
        staging = import_files_dir() / "incoming"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        handle, temp_name = tempfile.mkstemp(dir=staging, suffix=Path(name).suffix)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                for block in upload.chunks():
                    digest.update(block)
                    out.write(block)
            sha256 = digest.hexdigest()
            earlier = ImportJob.objects.filter(
                portfolio=self.cleaned_data["portfolio"], sha256=sha256, dry_run=False
            ).first()
            if earlier is not None:  # the same file again: nothing new to keep
                return StoredUpload(path=job_file_path(earlier), sha256=sha256, original_name=original,
                                    earlier_job=earlier)
            try:
                sample = preview(
                    temp,
                    encoding=profile.encoding if profile else "auto",
                    delimiter=profile.delimiter if profile else "auto",
                    rows=1,
                )
            except UnreadableFile as exc:
                # Messages name the file as the person knows it, not our temporary name.
                exc.params = {**exc.params, "file": original}
                self.add_error("file", str(exc))
                return None
            if not sample.rows:
                self.add_error("file", gettext("%(file)s has a header row but no data rows.") % {"file": original})
                return None
            final = import_file_path(sha256=sha256, file_name=name)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                temp.unlink()  # the same content under the same name: keep the copy we have
            else:
                os.replace(temp, final)
            return StoredUpload(path=final, sha256=sha256, original_name=original)
        finally:
            if temp.exists():
                temp.unlink()


# --------------------------------------------------------------------------------------------
# Column mapping → import profile
# --------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain.casefold())


# Header names creditors use, normalised (no accents, letters and digits only).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    Field.REFERENCE: ("referencia", "ref", "noperacion", "nooperacion", "numoperacion", "numerooperacion", "operacion", "nroperacion", "contrato",
                      "numcontrato", "cuenta", "expediente", "reference", "accountreference", "account"),
    Field.ID_TYPE: ("tipodocumento", "tipodoc", "tipoid", "tipoidentificacion", "idtype"),
    Field.ID_NUMBER: ("dni", "nif", "nie", "dninie", "cedula", "cc", "documento", "numdocumento",
                      "nrodocumento", "identificacion", "ruc", "nit", "rfc", "curp", "idnumber", "nationalid"),
    Field.ID_COUNTRY: ("pais", "paisdocumento", "country", "idcountry"),
    Field.FIRST_NAME: ("nombre", "nombres", "firstname", "name"),
    Field.LAST_NAME: ("apellidos", "apellido", "lastname", "lastnames", "surname"),
    Field.COMPANY_NAME: ("razonsocial", "empresa", "company", "companyname"),
    Field.BIRTH_DATE: ("fechanacimiento", "nacimiento", "birthdate", "dateofbirth"),
    Field.PRINCIPAL: ("capital", "principal", "saldo", "saldocapital", "deuda", "importe", "balance"),
    Field.INTEREST: ("intereses", "interes", "interest"),
    Field.FEES: ("gastos", "comisiones", "cargos", "fees"),
    Field.DUE_DATE: ("fechaimpago", "fechavencimiento", "vencimiento", "fechamora", "duedate", "firstunpaiddue"),
    Field.PRODUCT: ("producto", "product"),
    Field.CURRENCY: ("moneda", "divisa", "currency"),
    Field.ADDRESS_LINE: ("direccion", "domicilio", "calle", "address", "addressline"),
    Field.POSTAL_CODE: ("cp", "codigopostal", "postalcode", "zip", "zipcode"),
    Field.CITY: ("poblacion", "ciudad", "municipio", "localidad", "city"),
    Field.REGION: ("region", "provincia", "departamento", "estado"),
}
_PREFIXES: dict[str, tuple[str, ...]] = {
    Field.PHONE: ("telefono", "tel", "movil", "celular", "phone", "mobile"),
    Field.EMAIL: ("email", "correo", "mail"),
}
_ROLE_WORDS = {"co_debtor": ("codeudor", "cotitular", "codebtor"), "guarantor": ("avalista", "aval", "fiador", "guarantor")}


def _guess_one(header: str) -> str:
    key = _normalise(header)
    role = ""
    for name, words in _ROLE_WORDS.items():
        for word in words:
            if word in key:
                role, key = name, key.replace(word, "")
                break
        if role:
            break
    found = ""
    for target, names in _SYNONYMS.items():
        if key in names:
            found = str(target)
            break
    if not found:
        for target, prefixes in _PREFIXES.items():
            if key.startswith(prefixes):
                found = str(target)
                break
    if role and found:
        found = f"{role}_{found}"
    return found if found in Field.values else Field.IGNORE


def mapping_guess(columns: list[str]) -> dict[str, str]:
    """A first mapping from the header's names; each single-valued field goes to one column."""
    used: set[str] = set()
    guess: dict[str, str] = {}
    for column in columns:
        target = _guess_one(column)
        if target not in MULTI_FIELDS and target in used:
            target = Field.IGNORE
        used.add(target)
        guess[column] = target
    return guess


def mapping_from_profile(profile: ImportProfile, columns: list[str]) -> dict[str, str]:
    """The profile's mapping of these columns (matched without regard to case, as imports do)."""
    targets = {column.casefold(): target for column, target in profile.column_map.items()}
    return {column: targets.get(column.casefold(), Field.IGNORE) for column in columns}


_DATE_FORMAT_CHOICES = [(name, name) for name in DATE_FORMATS]


class MappingForm(forms.Form):
    """One field per source column (``col_<n>``) plus the profile's name, defaults and policy."""

    name = forms.SlugField(label=_("Profile name"), max_length=64,
                           help_text=_("Saving under an existing name replaces that profile."))
    default_country = forms.ChoiceField(label=_("Country of ids and phones"), choices=())
    default_id_type = forms.ChoiceField(label=_("Id type when the file has none"), required=False, choices=())
    decimal_separator = forms.ChoiceField(label=_("Decimal separator"),
                                          choices=[(",", _("comma (1.234,56)")), (".", _("point (1,234.56)"))])
    thousands_separator = forms.ChoiceField(
        label=_("Thousands separator"), required=False,
        choices=[(".", _("point")), (",", _("comma")), (" ", _("space")), ("'", _("apostrophe")), ("", _("none"))],
    )
    date_formats = forms.MultipleChoiceField(label=_("Date formats"), choices=_DATE_FORMAT_CHOICES,
                                             widget=forms.CheckboxSelectMultiple)
    bad_row_policy = forms.ChoiceField(label=_("Bad rows"), choices=BadRowPolicy.choices)

    def __init__(self, *args: Any, columns: list[str], mapping: dict[str, str],
                 base: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        self.base = base
        countries = sorted(SUPPORTED_ID_TYPES)
        country_field: Any = self.fields["default_country"]
        country_field.choices = [(c, c) for c in countries]
        id_type_field: Any = self.fields["default_id_type"]
        id_types: dict[str, list[str]] = {}
        for country in countries:
            for id_type in SUPPORTED_ID_TYPES[country]:
                id_types.setdefault(str(id_type), []).append(country)
        id_type_field.choices = [("", _("(from a column)"))] + [
            (t, f"{t} ({', '.join(cs)})") for t, cs in sorted(id_types.items())
        ]
        for index, column in enumerate(columns):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column, choices=Field.choices, initial=mapping.get(column, Field.IGNORE)
            )
        defaults = base.get("defaults", {})
        parsing = base.get("parsing", {})
        self.initial.update(
            name=base.get("name", ""), default_country=defaults.get("country", ""),
            default_id_type=defaults.get("id_type", ""), decimal_separator=parsing.get("decimal_separator", ","),
            thousands_separator=parsing.get("thousands_separator", "."),
            date_formats=parsing.get("date_formats", ["dd/mm/yyyy", "yyyy-mm-dd", "excel"]),
            bad_row_policy=base.get("bad_rows", BadRowPolicy.IMPORT_VALID),
        )

    def column_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(column, self[f"col_{index}"]) for index, column in enumerate(self.columns)]

    def profile_data(self, previous: dict[str, str] | None = None) -> dict[str, Any]:
        """The profile as ``profiles.profile_clean`` takes it. Columns of the previous mapping
        that this file lacks are kept unless a column here now feeds their field."""
        data = self.cleaned_data
        mapping = {column: data[f"col_{index}"] for index, column in enumerate(self.columns)}
        present = {c.casefold() for c in self.columns}
        used = {target for target in mapping.values() if target not in MULTI_FIELDS}
        kept = {c: t for c, t in (previous or {}).items()
                if c.casefold() not in present and (t in MULTI_FIELDS or t not in used)}
        parsing = dict(self.base.get("parsing", {}))
        parsing.update(decimal_separator=data["decimal_separator"], thousands_separator=data["thousands_separator"],
                       date_formats=list(data["date_formats"]))
        defaults = dict(self.base.get("defaults", {}))
        defaults.update(country=data["default_country"], id_type=data["default_id_type"])
        return {"name": data["name"], "mapping": {**kept, **mapping}, "parsing": parsing,
                "defaults": {k: v for k, v in defaults.items() if v}, "bad_rows": data["bad_row_policy"]}


def profile_base(*, profile: ImportProfile | None, portfolio: Portfolio) -> dict[str, Any]:
    """The YAML-shaped profile the mapping form starts from: the job's profile, or defaults
    taken from the portfolio and its creditor."""
    if profile is not None:
        return profile_as_data(profile)
    country = portfolio.creditor.country
    decimal = "." if country == "MX" else ","
    id_types = SUPPORTED_ID_TYPES.get(country, ())
    return {
        "name": "",
        "parsing": {"encoding": "auto", "delimiter": "auto", "decimal_separator": decimal,
                    "thousands_separator": "," if decimal == "." else ".",
                    "date_formats": ["dd/mm/yyyy", "yyyy-mm-dd", "excel"]},
        "defaults": {"country": country, "id_type": str(id_types[0]) if id_types else "",
                     "currency": portfolio.currency},
        "bad_rows": BadRowPolicy.IMPORT_VALID,
    }
