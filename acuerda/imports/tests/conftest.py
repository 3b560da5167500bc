"""Helpers for import tests: profiles for the ``world`` personas and a one-call import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ES_MAPPING = {
    "Nº Operación": "reference",
    "DNI": "id_number",
    "Nombre": "first_name",
    "Apellidos": "last_name",
    "Teléfono 1": "phone",
    "Teléfono 2": "phone",
    "Email": "email",
    "Capital": "principal",
    "Intereses": "interest",
    "Gastos": "fees",
    "Fecha impago": "due_date",
    "Dirección": "address_line",
    "CP": "postal_code",
    "Población": "city",
    "Producto": "product",
    "DNI avalista": "guarantor_id_number",
    "Nombre avalista": "guarantor_first_name",
    "Apellidos avalista": "guarantor_last_name",
}


def es_profile_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "mensual",
        "mapping": dict(ES_MAPPING),
        "parsing": {"encoding": "auto", "delimiter": "auto", "decimal_separator": ",", "thousands_separator": ".",
                    "date_formats": ["dd/mm/yyyy", "excel"]},
        "defaults": {"country": "ES", "id_type": "DNI", "currency": "EUR", "jurisdiction": "ES",
                     "product": "personal_loan"},
        "bad_rows": "import_valid",
    }
    data.update(overrides)
    return data


@pytest.fixture
def es_profile(world):  # type: ignore[no-untyped-def]
    from acuerda.imports.profiles import profile_save

    profile, _ = profile_save(creditor=world.bank_es, data=es_profile_data())
    return profile


def run_import(path: Path, *, profile: Any, portfolio: Any, dry_run: bool = False) -> Any:
    from acuerda.imports.services import import_job_create, import_run

    job, created = import_job_create(
        creditor=portfolio.creditor, portfolio=portfolio, profile=profile, path=path, actor=None, dry_run=dry_run
    )
    if not created:
        return job, False
    return import_run(job=job, path=path), True


def errors_of(job: Any) -> set[tuple[int, str, str]]:
    return {(e.row_number, e.column, e.code) for e in job.row_errors.all()}
