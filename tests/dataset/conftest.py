"""Fixtures for the dataset tests: small synthetic datasets in the aux and cod layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from ds_helpers import make_aux_dataset, make_cod_dataset


@pytest.fixture
def aux_dataset(tmp_path: Path) -> Path:
    root = tmp_path / "aux"
    make_aux_dataset(root, 4)
    return root


@pytest.fixture
def cod_dataset(tmp_path: Path) -> Path:
    root = tmp_path / "cod"
    make_cod_dataset(root, 3)
    return root
