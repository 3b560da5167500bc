"""``acuerda compliance check``: one request or JSON Lines on stdin, decisions as JSON, exit codes."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_engine_request import ISSUE_EXAMPLE

AFTER_HOURS = {**ISSUE_EXAMPLE, "at": "2026-03-02T19:00:00-05:00"}


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(
            "compliance", *args, stdin=io.StringIO(stdin), stdout=out, stderr=io.StringIO()
        )
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def with_changes(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(AFTER_HOURS)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return data


def test_given_the_issue_example_at_19_when_checked_then_blocked_until_7_with_the_law() -> None:
    code, out = run("check", stdin=json.dumps(AFTER_HOURS))
    assert code == 0
    decision = json.loads(out)
    assert decision["allowed"] is False
    assert [b["rule"] for b in decision["blocked_by"]] == ["co.hours"]
    assert decision["blocked_by"][0]["reference"] == "Ley 2300 de 2023, art. 3"
    assert decision["next_allowed_at"] == "2026-03-03T07:00:00-05:00"


def test_given_the_issue_example_at_1859_when_checked_from_a_file_then_allowed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE, indent=2), encoding="utf-8")
    code, out = run("check", "--file", str(path))
    assert code == 0
    assert json.loads(out)["allowed"] is True


def test_given_json_lines_with_a_bad_line_when_checked_then_each_line_answers_in_order_and_exit_1() -> (
    None
):
    lines = [
        json.dumps(ISSUE_EXAMPLE),
        json.dumps(with_changes(party__timezone="Mars/Olympus")),
        "",
        "{not json",
        json.dumps(AFTER_HOURS),
    ]
    code, out = run("check", stdin="\n".join(lines) + "\n")
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert len(answers) == 4
    assert answers[0]["allowed"] is True
    assert answers[1] == {
        "error": "invalid_request",
        "line": 2,
        "errors": [
            {
                "field": "party.timezone",
                "message": "unknown IANA time zone 'Mars/Olympus'",
                "message_es": "zona horaria IANA desconocida 'Mars/Olympus'",
            }
        ],
    }
    assert answers[2]["error"] == "invalid_json" and answers[2]["line"] == 4
    assert answers[2]["column"] == 2
    assert answers[3]["allowed"] is False


def test_given_json_lines_all_good_when_checked_then_exit_0() -> None:
    code, out = run("check", stdin=f"{json.dumps(ISSUE_EXAMPLE)}\n{json.dumps(AFTER_HOURS)}\n")
    assert code == 0
    assert [json.loads(line)["allowed"] for line in out.splitlines()] == [True, False]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"party__nickname": "Andy"}, "party.nickname", "unknown field"),
        ({"account__cease_request": "no"}, "account.cease_request", "true or false"),
        ({"at": "2026-03-02T19:00:00"}, "at", "no UTC offset"),
        ({"jurisdiction": "XX"}, "jurisdiction", "unknown jurisdiction 'XX'"),
        ({"channel": "pigeon"}, "channel", "unknown value 'pigeon'"),
    ],
)
def test_given_a_malformed_request_when_checked_then_exit_2_naming_the_field(
    changes: dict[str, Any], field: str, words: str
) -> None:
    code, out = run("check", stdin=json.dumps(with_changes(**changes)))
    assert code == 2
    body = json.loads(out)
    assert body["error"] == "invalid_request"
    (error,) = body["errors"]
    assert error["field"] == field
    assert words in error["message"]
    assert error["message_es"] and error["message_es"] != error["message"]


def test_given_a_pretty_printed_document_with_a_syntax_error_when_checked_then_line_and_column() -> (
    None
):
    code, out = run("check", stdin='{\n  "jurisdiction": "CO",\n  "channel" "call"\n}\n')
    assert code == 2
    body = json.loads(out)
    assert (body["error"], body["line"], body["column"]) == ("invalid_json", 3, 13)
    assert "line 3, column 13" in body["message"]


def test_given_empty_input_when_checked_then_exit_2() -> None:
    code, out = run("check", stdin="\n")
    assert code == 2 and json.loads(out)["error"] == "invalid_json"


def test_given_a_policy_that_tightens_the_hours_when_checked_then_it_applies(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"jurisdiction": "CO", "hours": {"mon": [["08:00", "18:00"]]}}))
    code, out = run("check", "--policy", str(policy), stdin=json.dumps(ISSUE_EXAMPLE))
    assert code == 0
    decision = json.loads(out)
    assert decision["allowed"] is False
    assert decision["next_allowed_at"] == "2026-03-03T07:00:00-05:00"  # Tuesday: the pack's hours


def test_given_a_policy_that_would_loosen_the_pack_when_checked_then_refused_with_fields(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "jurisdiction": "CO",
                "hours": {"mon": [["06:00", "21:00"]]},
                "caps": {"co.frequency.daily": 5},
            }
        )
    )
    code, out = run("check", "--policy", str(policy), stdin=json.dumps(AFTER_HOURS))
    assert code == 2
    body = json.loads(out)
    assert body["error"] == "invalid_policy"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"hours.mon[0]", "caps.co.frequency.daily"}
    assert all("may only tighten" in m for m in fields.values())


def test_given_a_policy_of_another_country_when_checked_then_the_request_is_refused(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"jurisdiction": "ES", "forbidden_channels": ["visit"]}))
    code, out = run("check", "--policy", str(policy), stdin=json.dumps(AFTER_HOURS))
    assert code == 2
    assert json.loads(out)["errors"][0]["field"] == "jurisdiction"


def test_given_the_console_script_when_piped_then_it_answers_like_call_command(
    tmp_path: Path,
) -> None:
    script = Path(sys.executable).with_name("acuerda")
    env = {
        **os.environ,
        "ACUERDA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [str(script), "compliance", "check"],
        input=json.dumps(with_changes(party__timezone=7)),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert json.loads(done.stdout)["errors"][0]["field"] == "party.timezone"
