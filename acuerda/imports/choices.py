"""Statuses, policies, target fields and the reasons an import gives for a rejected row."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Validating")
    VALIDATED = "validated", _("Validated")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


S = ImportStatus
# The only moves a job may make. A job found in validating/validated/importing was interrupted
# (its data transaction never committed), so it may start again at validating, as may a failed one.
IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.UPLOADED: frozenset({S.VALIDATING, S.FAILED}),
    S.VALIDATING: frozenset({S.VALIDATED, S.IMPORTING, S.FAILED, S.VALIDATING}),
    S.VALIDATED: frozenset({S.IMPORTING, S.FAILED, S.VALIDATING}),
    S.IMPORTING: frozenset({S.DONE, S.FAILED, S.VALIDATING}),
    S.FAILED: frozenset({S.VALIDATING}),
    S.DONE: frozenset(),
}


class BadRowPolicy(models.TextChoices):
    REJECT_FILE = "reject_file", _("Reject the whole file if any row is bad")
    IMPORT_VALID = "import_valid", _("Import the valid rows and report the rest")


class Field(models.TextChoices):
    """What a source column can be mapped to."""

    IGNORE = "ignore", _("(ignore this column)")
    REFERENCE = "reference", _("Account reference")
    PRODUCT = "product", _("Product")
    CURRENCY = "currency", _("Currency")
    PRINCIPAL = "principal", _("Principal")
    INTEREST = "interest", _("Interest")
    FEES = "fees", _("Fees and charges")
    DUE_DATE = "due_date", _("First unpaid due date")
    ID_COUNTRY = "id_country", _("Id country")
    ID_TYPE = "id_type", _("Id type")
    ID_NUMBER = "id_number", _("Id number")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last names")
    COMPANY_NAME = "company_name", _("Company name")
    BIRTH_DATE = "birth_date", _("Birth date")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS_LINE = "address_line", _("Address")
    POSTAL_CODE = "postal_code", _("Postal code")
    CITY = "city", _("City")
    REGION = "region", _("Region (ISO 3166-2)")
    CO_DEBTOR_ID_TYPE = "co_debtor_id_type", _("Co-debtor id type")
    CO_DEBTOR_ID_NUMBER = "co_debtor_id_number", _("Co-debtor id number")
    CO_DEBTOR_FIRST_NAME = "co_debtor_first_name", _("Co-debtor first name")
    CO_DEBTOR_LAST_NAME = "co_debtor_last_name", _("Co-debtor last names")
    CO_DEBTOR_COMPANY_NAME = "co_debtor_company_name", _("Co-debtor company name")
    CO_DEBTOR_PHONE = "co_debtor_phone", _("Co-debtor phone")
    CO_DEBTOR_EMAIL = "co_debtor_email", _("Co-debtor email")
    GUARANTOR_ID_TYPE = "guarantor_id_type", _("Guarantor id type")
    GUARANTOR_ID_NUMBER = "guarantor_id_number", _("Guarantor id number")
    GUARANTOR_FIRST_NAME = "guarantor_first_name", _("Guarantor first name")
    GUARANTOR_LAST_NAME = "guarantor_last_name", _("Guarantor last names")
    GUARANTOR_COMPANY_NAME = "guarantor_company_name", _("Guarantor company name")
    GUARANTOR_PHONE = "guarantor_phone", _("Guarantor phone")
    GUARANTOR_EMAIL = "guarantor_email", _("Guarantor email")


# Fields several source columns may feed (each column's value is one more contact point).
MULTI_FIELDS = frozenset({
    Field.PHONE, Field.EMAIL, Field.CO_DEBTOR_PHONE, Field.CO_DEBTOR_EMAIL, Field.GUARANTOR_PHONE,
    Field.GUARANTOR_EMAIL, Field.IGNORE,
})  # fmt: skip
REQUIRED_FIELDS = (Field.REFERENCE, Field.PRINCIPAL, Field.ID_NUMBER)

# Date formats a profile may list; "excel" is a spreadsheet serial day number (1900 system).
DATE_FORMATS: dict[str, str] = {
    "dd/mm/yyyy": "%d/%m/%Y",
    "dd-mm-yyyy": "%d-%m-%Y",
    "dd.mm.yyyy": "%d.%m.%Y",
    "dd/mm/yy": "%d/%m/%y",
    "dd-mm-yy": "%d-%m-%y",
    "yyyy-mm-dd": "%Y-%m-%d",
    "yyyy/mm/dd": "%Y/%m/%d",
    "yyyymmdd": "%Y%m%d",
    "mm/dd/yyyy": "%m/%d/%Y",
    "excel": "",
}
DECIMAL_SEPARATORS = (",", ".")
THOUSANDS_SEPARATORS = (".", ",", " ", "'", "")

# Why a row was rejected: stored as a code and parameters, rendered in the viewer's language.
ROW_REASONS: dict[str, str] = {
    "required": gettext_noop("A value is required."),
    "too_long": gettext_noop("The value is longer than %(max)s characters."),
    "invalid_amount": gettext_noop(
        "\"%(value)s\" is not an amount (decimal separator \"%(decimal)s\", thousands separator \"%(thousands)s\")."
    ),
    "negative_amount": gettext_noop("Balances cannot be negative."),
    "too_many_decimals": gettext_noop("Amounts have at most two decimals."),
    "zero_balance": gettext_noop("A new account needs a balance greater than zero."),
    "invalid_date": gettext_noop("\"%(value)s\" is not a date in any of the formats %(formats)s."),
    "ambiguous_date": gettext_noop("\"%(value)s\" is ambiguous: it reads as %(dates)s with the formats %(formats)s."),
    "invalid_id_type": gettext_noop("%(value)s is not an id type of %(country)s; expected one of %(expected)s."),
    "invalid_id": gettext_noop("Not a valid %(id_type)s of %(country)s: %(detail)s."),
    "invalid_country": gettext_noop("\"%(value)s\" is not an ISO 3166-1 alpha-2 country code."),
    "invalid_phone": gettext_noop("Not a valid phone number for %(region)s: %(detail)s."),
    "invalid_email": gettext_noop("Not a valid email address."),
    "invalid_product": gettext_noop("\"%(value)s\" is not a product; expected one of %(expected)s."),
    "currency_mismatch": gettext_noop("The portfolio's currency is %(expected)s, not %(value)s."),
    "invalid_region": gettext_noop("\"%(value)s\" is not a subdivision of %(country)s."),
    "incomplete_address": gettext_noop("An address needs at least a street line and a city."),
    "name_required": gettext_noop("A person needs a first or last name, a company its company name."),
    "party_is_holder": gettext_noop("The account holder cannot also be its co-debtor or guarantor."),
    "duplicate_reference": gettext_noop("Reference %(value)s already appears in row %(first_row)s of this file."),
    "reference_other_debtor": gettext_noop("Account %(value)s already exists in this portfolio for another debtor."),
    "account_not_open": gettext_noop("Account %(value)s is %(status)s and cannot take new balances."),
}

# Details inside "invalid_id" and "invalid_phone" messages.
ROW_DETAILS: dict[str, str] = {
    # acuerda.debtors.identifiers.InvalidIdentifier codes
    "empty": gettext_noop("it is empty"),
    "invalid_length": gettext_noop("it has the wrong length"),
    "invalid_format": gettext_noop("it has the wrong format"),
    "invalid_checksum": gettext_noop("its check digit is wrong"),
    "invalid_component": gettext_noop("a part of it is impossible"),
    "unsupported_country": gettext_noop("ids of that country are not supported"),
    "unsupported_type": gettext_noop("that id type is not supported"),
    # acuerda.debtors.phones.InvalidPhone codes
    "unknown_region": gettext_noop("the region is unknown"),
    "not_a_number": gettext_noop("it does not look like a phone number"),
    "invalid_country_code": gettext_noop("the country calling code does not exist"),
    "too_short": gettext_noop("it is too short"),
    "too_long": gettext_noop("it is too long"),
    "missing_area_code": gettext_noop("it is a local number, add the area code"),
    "invalid_for_region": gettext_noop("that range is not assigned to any line"),
    "has_extension": gettext_noop("extensions are not supported"),
}

# Why a whole file (job) could not be imported.
FILE_PROBLEMS: dict[str, str] = {
    "not_found": gettext_noop("File %(file)s does not exist."),
    "unsupported_format": gettext_noop(
        "%(file)s is not a CSV, XLSX or JSON Lines file (by its name: .csv, .txt, .tsv, .xlsx, .jsonl, .ndjson)."
    ),
    "undecodable": gettext_noop("%(file)s cannot be decoded as %(encoding)s text."),
    "binary": gettext_noop("%(file)s is not a text file."),
    "not_xlsx": gettext_noop("%(file)s is not a readable XLSX workbook: %(detail)s"),
    "empty": gettext_noop("%(file)s has no header row."),
    "malformed": gettext_noop("%(file)s cannot be read near row %(row)s: %(detail)s"),
    "invalid_json": gettext_noop("Line %(row)s of %(file)s is not a JSON object."),
    "duplicate_column": gettext_noop("%(file)s has the column \"%(column)s\" more than once."),
    "missing_columns": gettext_noop("%(file)s lacks the columns %(columns)s that the profile maps to required fields."),
    "currency_mismatch": gettext_noop("The profile's currency %(profile)s differs from the portfolio's %(portfolio)s."),
    "rows_rejected": gettext_noop(
        "%(count)s rows have errors and the profile rejects the whole file: nothing was imported."
    ),
    "content_changed": gettext_noop("%(file)s is not the file this job was created for (its content differs)."),
    "internal_error": gettext_noop("The import stopped on an unexpected error (%(detail)s); it can be run again."),
}
