"""Fixtures for the export tests: an outputs folder with two images and four labelled objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_helpers import make_outputs


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    return make_outputs(tmp_path)
