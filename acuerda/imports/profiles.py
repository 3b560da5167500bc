"""Import profiles: validation, and exchange as YAML.

The YAML form::

    name: mensual
    mapping:                       # source column: field (see choices.Field)
      Nº operación: reference
      Teléfono 1: phone
      Teléfono 2: phone
    parsing:
      encoding: auto               # or utf-8, cp1252, latin-1...
      delimiter: auto              # or ";", ",", tab
      decimal_separator: ","
      thousands_separator: "."
      date_formats: [dd/mm/yyyy, excel]
    defaults:
      country: ES                  # for national ids and phones without +CC
      id_type: DNI
      currency: EUR
      jurisdiction: ES
      product: personal_loan
    bad_rows: import_valid         # or reject_file
"""

from __future__ import annotations

import codecs
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acuerda.core.regions import parse_jurisdiction, validate_country
from acuerda.creditors.models import Creditor
from acuerda.debtors.identifiers import SUPPORTED_ID_TYPES
from acuerda.debts.choices import Product
from acuerda.imports.choices import (
    DATE_FORMATS,
    DECIMAL_SEPARATORS,
    MULTI_FIELDS,
    REQUIRED_FIELDS,
    THOUSANDS_SEPARATORS,
    BadRowPolicy,
    Field,
)
from acuerda.imports.models import ImportProfile

_PARSING_KEYS = ("encoding", "delimiter", "decimal_separator", "thousands_separator", "date_formats")
_DEFAULT_KEYS = ("country", "id_type", "currency", "jurisdiction", "product")


def profile_clean(data: Any) -> dict[str, Any]:
    """Check a profile given as the YAML structure; returns the model's field values or raises
    ``ValidationError`` listing every problem, each naming its key."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError(_("A profile is a mapping with the keys name, mapping, parsing, defaults, bad_rows."))
    unknown = sorted(set(data) - {"name", "mapping", "parsing", "defaults", "bad_rows"})
    if unknown:
        errors.append(_("Unknown keys: %(keys)s.") % {"keys": ", ".join(map(str, unknown))})
    name = str(data.get("name") or "").strip()
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        errors.append(_("name: a short name of letters, digits, - and _ is required."))
    mapping = data.get("mapping")
    column_map: dict[str, str] = {}
    if not isinstance(mapping, dict) or not mapping:
        errors.append(_("mapping: a mapping of source columns to fields is required."))
    else:
        used: dict[str, str] = {}
        for column, target in mapping.items():
            column_name = str(column).strip()
            if str(target) not in Field.values:
                errors.append(
                    _("mapping: column \"%(column)s\" maps to \"%(field)s\", which is not a field; use one of %(fields)s.")
                    % {"column": column_name, "field": target, "fields": ", ".join(Field.values)}
                )
                continue
            if target not in MULTI_FIELDS and target in used:
                errors.append(
                    _("mapping: columns \"%(first)s\" and \"%(second)s\" both map to %(field)s; only phones and emails may come from several columns.")
                    % {"first": used[target], "second": column_name, "field": target}
                )
            used.setdefault(str(target), column_name)
            column_map[column_name] = str(target)
        missing = [f for f in REQUIRED_FIELDS if f not in used]
        if missing:
            errors.append(_("mapping: no column maps to %(fields)s.") % {"fields": ", ".join(missing)})
    parsing = data.get("parsing") or {}
    defaults = data.get("defaults") or {}
    if not isinstance(parsing, dict) or not isinstance(defaults, dict):
        raise ValidationError([*errors, _("parsing and defaults must be mappings.")])
    for section, keys, given in (("parsing", _PARSING_KEYS, parsing), ("defaults", _DEFAULT_KEYS, defaults)):
        extra = sorted(set(given) - set(keys))
        if extra:
            errors.append(_("%(section)s: unknown keys %(keys)s.") % {"section": section, "keys": ", ".join(extra)})
    values: dict[str, Any] = {"name": name, "column_map": column_map}

    encoding = str(parsing.get("encoding", "auto")).strip()
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            errors.append(_("parsing.encoding: %(value)s is not a known encoding.") % {"value": encoding})
    delimiter = str(parsing.get("delimiter", "auto"))
    if delimiter not in ("auto", ";", ",", "\t", "tab", "|"):
        errors.append(_("parsing.delimiter: use auto, \";\", \",\", \"|\" or tab."))
    decimal = str(parsing.get("decimal_separator", ","))
    thousands = str(parsing.get("thousands_separator", "." if decimal == "," else ","))
    if decimal not in DECIMAL_SEPARATORS:
        errors.append(_("parsing.decimal_separator: use \",\" or \".\"."))
    if thousands not in THOUSANDS_SEPARATORS or thousands == decimal:
        errors.append(_("parsing.thousands_separator: use \".\", \",\", a space, \"'\" or nothing, not the decimal separator."))
    formats = parsing.get("date_formats", ["dd/mm/yyyy", "yyyy-mm-dd", "excel"])
    if not isinstance(formats, list) or not formats or any(str(f) not in DATE_FORMATS for f in formats):
        errors.append(_("parsing.date_formats: a list of %(formats)s.") % {"formats": ", ".join(DATE_FORMATS)})
        formats = []
    values.update(encoding=encoding, delimiter="\t" if delimiter == "tab" else delimiter,
                  decimal_separator=decimal, thousands_separator=thousands, date_formats=[str(f) for f in formats])

    country = str(defaults.get("country", "")).strip().upper()
    try:
        validate_country(country)
    except ValueError:
        errors.append(_("defaults.country: an ISO 3166-1 alpha-2 code is required, e.g. ES."))
    id_type = str(defaults.get("id_type", "")).strip().upper()
    if id_type and id_type not in SUPPORTED_ID_TYPES.get(country, ()):
        errors.append(
            _("defaults.id_type: %(value)s is not an id type of %(country)s (%(expected)s).")
            % {"value": id_type, "country": country, "expected": ", ".join(SUPPORTED_ID_TYPES.get(country, ())) or "-"}
        )
    if not id_type and "id_type" not in column_map.values():
        errors.append(_("defaults.id_type: required when no column maps to id_type."))
    currency = str(defaults.get("currency", "")).strip().upper()
    if currency:
        from acuerda.core.money import validate_currency_code

        try:
            validate_currency_code(currency)
        except ValueError:
            errors.append(_("defaults.currency: %(value)s is not an ISO 4217 code.") % {"value": currency})
    jurisdiction = str(defaults.get("jurisdiction", "")).strip().upper()
    if jurisdiction:
        try:
            parse_jurisdiction(jurisdiction)
        except ValueError:
            errors.append(_("defaults.jurisdiction: %(value)s is not a country or ISO 3166-2 subdivision.") % {"value": jurisdiction})
    product = str(defaults.get("product", Product.OTHER)).strip()
    if product not in Product.values:
        errors.append(_("defaults.product: use one of %(values)s.") % {"values": ", ".join(Product.values)})
    values.update(default_country=country, default_id_type=id_type, default_currency=currency,
                  default_jurisdiction=jurisdiction, default_product=product)

    policy = str(data.get("bad_rows", BadRowPolicy.IMPORT_VALID))
    if policy not in BadRowPolicy.values:
        errors.append(_("bad_rows: use reject_file or import_valid."))
    values["bad_row_policy"] = policy
    if errors:
        raise ValidationError(errors)
    return values


def profile_as_data(profile: ImportProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "mapping": dict(profile.column_map),
        "parsing": {
            "encoding": profile.encoding,
            "delimiter": "tab" if profile.delimiter == "\t" else profile.delimiter,
            "decimal_separator": profile.decimal_separator,
            "thousands_separator": profile.thousands_separator,
            "date_formats": list(profile.date_formats),
        },
        "defaults": {
            key: value
            for key, value in {
                "country": profile.default_country, "id_type": profile.default_id_type,
                "currency": profile.default_currency, "jurisdiction": profile.default_jurisdiction,
                "product": profile.default_product,
            }.items()
            if value
        },
        "bad_rows": profile.bad_row_policy,
    }


def profile_to_yaml(profile: ImportProfile) -> str:
    return yaml.safe_dump(profile_as_data(profile), allow_unicode=True, sort_keys=False)


@transaction.atomic
def profile_save(*, creditor: Creditor, data: Any) -> tuple[ImportProfile, bool]:
    """Create or replace the creditor's profile named ``data["name"]``."""
    values = profile_clean(data)
    profile, created = ImportProfile.objects.update_or_create(
        creditor=creditor, name=values.pop("name"), defaults=values
    )
    return profile, created


def profile_from_yaml(*, creditor: Creditor, text: str) -> tuple[ImportProfile, bool]:
    """Create or replace a profile from its YAML form; ``ValidationError`` lists every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValidationError(_("The profile is not valid YAML%(where)s.") % {"where": where}) from None
    return profile_save(creditor=creditor, data=data)
