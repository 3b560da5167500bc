"""Generated documentation of the packs."""

from __future__ import annotations

from acuerda.compliance.engine import DEFAULT_REGISTRY, packs_markdown


def test_given_the_default_registry_when_documented_then_every_pack_and_rule_appears() -> None:
    text = packs_markdown()
    for pack in DEFAULT_REGISTRY:
        assert f"`{pack.id}`" in text
        for rule in pack.rules:
            assert f"`{rule.id}`" in text
            assert rule.reference in text
            assert rule.explanation_es in text and rule.explanation_en in text


def test_given_ambiguous_readings_when_documented_then_settings_are_explained() -> None:
    text = packs_markdown()
    assert "`count_failed_attempts` = True *(setting / ajuste)*" in text
    assert "Setting `period`" in text and "strictest_week" in text
    assert "Mon-Fri 07:00-19:00; Sat 08:00-15:00" in text
    assert "lun-vie 07:00-19:00; sáb 08:00-15:00" in text


def test_given_two_runs_when_documented_then_output_is_deterministic() -> None:
    assert packs_markdown() == packs_markdown()


def test_given_every_rule_when_inspected_then_ids_are_unique_and_bilingual() -> None:
    seen: set[str] = set()
    for pack in DEFAULT_REGISTRY:
        for rule in pack.rules:
            assert rule.id not in seen
            seen.add(rule.id)
            assert rule.title_es and rule.title_en and rule.explanation_es and rule.explanation_en
            assert rule.id.split(".")[0] == pack.code.lower().replace("-", "_")
