"""The committed method pages equal the pages generated from the registry."""

from __future__ import annotations

from pathlib import Path

from communard.counting.docs import pages

DOCS = Path(__file__).resolve().parents[2] / "docs" / "methods"
REGENERATE = "regenerate them: python -m communard.counting.docs docs/methods"


def test_method_pages_match_the_registry() -> None:
    generated = pages()
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    missing = sorted(set(generated) - set(committed))
    stale = sorted(set(committed) - set(generated))
    assert not missing, f"pages missing for {missing}; {REGENERATE}"
    assert not stale, f"pages of no method: {stale}; {REGENERATE}"
    changed = sorted(name for name in generated if generated[name] != committed[name])
    assert not changed, f"pages out of date: {changed}; {REGENERATE}"


def test_every_method_page_says_what_the_method_does() -> None:
    for name, text in pages().items():
        assert text.startswith("# "), name
        if name != "README.md":
            assert "## Properties it claims" in text
            assert "## Reference" in text
