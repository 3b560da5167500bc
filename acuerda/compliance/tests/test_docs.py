"""The committed rule-pack documentation is the generated one (``acuerda compliance docs``)."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from acuerda.compliance.engine import packs_markdown
from acuerda.compliance.management.commands.compliance import default_docs_path


def _docs(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("compliance", "docs", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_given_the_committed_docs_when_compared_then_they_match_the_packs() -> None:
    path = default_docs_path()
    assert path.exists(), "run `acuerda compliance docs` and commit docs/compliance/rule-packs.md"
    assert path.read_text(encoding="utf-8") == packs_markdown(), (
        "docs/compliance/rule-packs.md is out of date: run `acuerda compliance docs`"
    )
    assert _docs("--check")[0] == 0


def test_given_a_stale_file_when_checked_then_exit_1_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "rule-packs.md"
    target.write_text(packs_markdown().replace("co.hours", "co.horas"), encoding="utf-8")
    code, message = _docs("--check", "--output", str(target))
    assert code == 1 and "out of date" in message
    assert "co.horas" in target.read_text(encoding="utf-8")


def test_given_a_missing_file_when_checked_then_exit_1(tmp_path: Path) -> None:
    assert _docs("--check", "--output", str(tmp_path / "none.md"))[0] == 1


def test_given_an_output_path_when_generated_then_the_file_is_written_and_then_up_to_date(
    tmp_path: Path,
) -> None:
    target = tmp_path / "sub" / "packs.md"
    assert _docs("--output", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == packs_markdown()
    assert "`co.hours`" in target.read_text(encoding="utf-8")
    assert _docs("--check", "--output", str(target))[0] == 0


def test_given_dash_when_generated_then_markdown_goes_to_stdout() -> None:
    code, out = _docs("--output", "-")
    assert code == 0 and out == packs_markdown()
