"""README.md and README.zh-CN.md say the same things: each links to the other, and both name every
CLI command and every backend of the catalogue (so one cannot fall behind the other unnoticed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.cli.app import command_names
from engine.resources import catalogue_path

ROOT = Path(__file__).resolve().parents[2]
READMES = {"en": ROOT / "README.md", "zh_CN": ROOT / "README.zh-CN.md"}


def _text(lang: str) -> str:
    return READMES[lang].read_text(encoding="utf-8")


def _backends() -> list[str]:
    catalogue = json.loads(Path(catalogue_path()).read_text(encoding="utf-8"))
    return sorted({name for kind, entries in catalogue.items() if isinstance(entries, dict)
                   for name, entry in entries.items() if isinstance(entry, dict) and "module" in entry})


def test_readmes_link_to_each_other() -> None:
    assert "README.zh-CN.md" in _text("en")[:2000]
    assert "README.md" in _text("zh_CN")[:2000]


def test_the_chinese_readme_is_chinese() -> None:
    assert len(re.findall(r"[\u4e00-\u9fff]", _text("zh_CN"))) > 2000


@pytest.mark.parametrize("lang", sorted(READMES))
def test_every_command_is_documented(lang: str) -> None:
    text = _text(lang)
    missing = [c for c in command_names() if f"sam-sculpt {c}" not in text and f"main.py {c}" not in text]
    assert not missing, f"{READMES[lang].name} does not show: {missing}"


@pytest.mark.parametrize("lang", sorted(READMES))
def test_every_backend_is_documented(lang: str) -> None:
    text = _text(lang)
    missing = [b for b in _backends() if f"`{b}`" not in text]
    assert not missing, f"{READMES[lang].name} does not name the backends: {missing}"
