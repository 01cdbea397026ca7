"""Shared fixtures: the repository's paths and the command-line program to compare with."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `loyalty-sim` program: $LOYALTY_SIM_BIN, else the repository's debug build (built
    here if missing)."""
    given = os.environ.get("LOYALTY_SIM_BIN")
    if given:
        return pathlib.Path(given)
    binary = REPO / "target" / "debug" / "loyalty-sim"
    if not binary.exists():
        subprocess.run(
            ["cargo", "build", "--quiet", "--bin", "loyalty-sim"], cwd=REPO, check=True
        )
    return binary


@pytest.fixture
def small_points() -> pathlib.Path:
    return DATA / "small_points.toml"


@pytest.fixture
def small_uncertain() -> pathlib.Path:
    return DATA / "small_uncertain.toml"
