"""Loads the generated Python bindings (run tests/generate-bindings.sh first)."""

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATED = ROOT / "bindings" / "generated"

sys.path.insert(0, str(GENERATED / "python"))


@pytest.fixture
def fixtures_dir():
    path = GENERATED / "fixtures"
    if not (path / "directory.bundle").exists():
        pytest.fail("bindings/generated/fixtures is missing: run tests/generate-bindings.sh")
    return path
