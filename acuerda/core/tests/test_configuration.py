"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str


def test_typed_helpers_parse_good_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    monkeypatch.setenv("X_CHOICE", "WARNING")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 1, minimum=0) == 42
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_choice("X_CHOICE", "INFO", ("INFO", "WARNING")) == "WARNING"
    assert env_str("X_MISSING", "fallback") == "fallback"


@pytest.mark.parametrize(
    ("name", "value", "call", "message"),
    [
        ("X_BOOL", "maybe", lambda: env_bool("X_BOOL", False), "not a boolean"),
        ("X_INT", "forty", lambda: env_int("X_INT", 1), "not an integer"),
        ("X_INT", "-3", lambda: env_int("X_INT", 1, minimum=0), "at least 0"),
        ("X_CHOICE", "LOUD", lambda: env_choice("X_CHOICE", "INFO", ("INFO",)), "must be one of"),
    ],
)
def test_typed_helpers_name_the_variable_and_the_problem(monkeypatch, name, value, call, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        call()
    assert name in str(error.value)


def test_a_required_variable_that_is_missing_is_an_error(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED is required"):
        env_str("X_REQUIRED")


def _settings_in_subprocess(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ACUERDA_DATA_DIR": str(tmp_path), **env}
    environment.pop("DATABASE_URL", None) if "DATABASE_URL" not in env else None
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False)


def test_sqlite_in_the_data_directory_is_the_default(tmp_path):
    result = _settings_in_subprocess(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "secret_key").exists()


def test_an_unsupported_database_is_refused_at_start(tmp_path):
    result = _settings_in_subprocess(tmp_path, DATABASE_URL="mysql://root@127.0.0.1/acuerda")
    assert result.returncode != 0
    assert "supports SQLite and PostgreSQL only" in result.stderr


def test_a_bad_boolean_stops_the_start(tmp_path):
    result = _settings_in_subprocess(tmp_path, ACUERDA_DEBUG="sometimes")
    assert result.returncode != 0
    assert "ACUERDA_DEBUG" in result.stderr


def test_the_acuerda_command_fronts_management_commands(tmp_path):
    from pathlib import Path

    script = Path(sys.executable).with_name("acuerda")
    environment = {**os.environ, "ACUERDA_DATA_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run([str(script), "check"], env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
