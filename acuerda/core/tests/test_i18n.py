"""The UI speaks Spanish first and English second, and the shipped catalogs are complete and compiled.

When the code gains new strings, refresh the catalogs (from the project root, gettext installed):

    manage.py makemessages -l es -l en --ignore=.venv --ignore=bench --ignore=data
    (translate every new or changed msgid in acuerda/locale/es/LC_MESSAGES/django.po, drop "#, fuzzy")
    manage.py compilemessages --ignore=.venv --ignore=bench --ignore=data

and commit both the .po and the .mo files: a fresh machine may have no gettext to compile them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")


def _catalog_path(language: str, suffix: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"django.{suffix}"


def _read_po(language: str) -> Catalog:
    with _catalog_path(language, "po").open("rb") as fh:
        return read_po(fh, locale=language)


def _read_mo(language: str) -> Catalog:
    with _catalog_path(language, "mo").open("rb") as fh:
        return read_mo(fh)


def _as_tuple(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Plural entries have a tuple of ids and a tuple of strings; singular ones plain strings."""
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value or "",)


def _strings(message: Message) -> tuple[str, ...]:
    return _as_tuple(message.string)


def _ids(message: Message) -> tuple[str, ...]:
    return _as_tuple(message.id)


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_spanish_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    html = response.content.decode()
    assert 'lang="es"' in html
    assert "Iniciar sesión" in html
    assert "Contraseña" in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_language_cookie_selects_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/login/")
    html = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert "Sign in" in html
    assert "Password" in html
    assert "Iniciar sesión" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["en", "en-GB,en;q=0.9"])
def test_accept_language_selects_english(client, accept):
    response = client.get("/login/", headers={"accept-language": accept})
    html = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert "Sign in" in html
    assert "Iniciar sesión" not in html


@pytest.mark.django_db
def test_regional_spanish_browsers_get_spanish(client):
    response = client.get("/login/", headers={"accept-language": "es-CO,es;q=0.9,en;q=0.5"})
    assert "Iniciar sesión" in response.content.decode()


@pytest.mark.django_db
def test_a_failed_sign_in_is_explained_in_spanish(client, django_user_model):
    django_user_model.objects.create_user(username="lucia", password="Correct-Horse-42")
    response = client.post("/login/", {"username": "lucia", "password": "wrong"})
    assert "El nombre de usuario y la contraseña no coinciden." in response.content.decode()
    response = client.post("/login/", {"username": "lucia", "password": "Correct-Horse-42"})
    assert response.status_code == 302


def test_signed_in_home_page_is_spanish(client, world):
    client.force_login(world.agent_es)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="es"' in html
    # Template strings, the role label (model choices) and the portfolio status all in Spanish.
    for text in (
        "Carteras",
        "Buscar",
        "Cerrar sesión",
        "Acreedor",
        "Fecha de asignación",
        "Gestor de cobranza",
        "Activa",
    ):
        assert text in html, text
    for text in ("Portfolios", "Sign out", "Placed on", "Agent"):
        assert f">{text}<" not in html, text


def test_signed_in_home_page_follows_the_language_cookie(client, world):
    client.force_login(world.agent_es)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert "Sign out" in html
    assert "Portfolios" in html
    assert "Cerrar sesión" not in html


# --- Catalogs ---------------------------------------------------------------------------------


def test_spanish_catalog_is_complete():
    catalog = _read_po("es")
    entries = _entries(catalog)
    assert len(entries) > 100, "the Spanish catalog looks empty: run makemessages"
    untranslated = [m.id for m in entries if not all(_strings(m))]
    assert not untranslated, f"untranslated msgids in es/django.po: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_fuzzy_entries(language):
    catalog = _read_po(language)
    assert not catalog.fuzzy, f"the header of {language}/django.po is marked fuzzy"
    fuzzy = [m.id for m in _entries(catalog) if m.fuzzy]
    assert not fuzzy, f"fuzzy entries in {language}/django.po: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in _entries(_read_po(language)):
        expected = sorted(PLACEHOLDER.findall(_ids(message)[-1]))
        strings = _strings(message)
        for i, string in enumerate(strings):
            found = sorted(PLACEHOLDER.findall(string))
            # A singular form may leave the count implied ("Primera fila"); the last form may not.
            plural_singular = len(strings) > 1 and i < len(strings) - 1 and set(found) <= set(expected)
            if string and found != expected and not plural_singular:
                wrong.append((message.id, string))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def _key(message):  # plural ids come back as lists, and contexts as bytes, from the .mo
    ident = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
    context = message.context.decode() if isinstance(message.context, bytes) else message.context
    return (context, ident)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po(language):
    """msgfmt keeps exactly the translated, non-fuzzy entries; anything else means a stale .mo."""
    assert _catalog_path(language, "mo").exists(), (
        f"{language}/django.mo is missing: run compilemessages"
    )
    po = {
        _key(m): m.string
        for m in _entries(_read_po(language))
        if not m.fuzzy and all(_strings(m))
    }
    mo = {_key(m): m.string for m in _entries(_read_mo(language))}
    stale = sorted(str(key) for key in po.keys() ^ mo.keys())
    changed = sorted(
        str(key) for key in po.keys() & mo.keys() if _as_tuple(po[key]) != _as_tuple(mo[key])
    )
    assert not stale and not changed, (
        f"{language}/django.mo does not match django.po, run compilemessages "
        f"(only in one of them: {stale}; different msgstr: {changed})"
    )
