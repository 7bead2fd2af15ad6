# SPDX-License-Identifier: EUPL-1.2
"""The agency's install: `pip install .` without extras, in a new virtual environment, judged by its own CLI."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schema" / "examples" / "1.0.0"
HEAVY = {"torch", "faiss-cpu", "sentence-transformers", "fastapi", "uvicorn", "starlette", "transformers"}

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def agency_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("agency-venv")
    venv.create(target, with_pip=True)
    pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(ROOT)], check=True, timeout=600)
    return target


def test_base_install_pulls_no_ml_stack_or_web_framework(agency_env: Path) -> None:
    listed = subprocess.run(
        [str(agency_env / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {line.split("==")[0].lower() for line in listed.splitlines()}
    assert "hartslag" in installed
    assert not (installed & HEAVY), installed & HEAVY


def test_installed_cli_judges_every_example(agency_env: Path) -> None:
    hartslag = str(agency_env / "bin" / "hartslag")
    valid = sorted((EXAMPLES / "valid").glob("*.json"))
    invalid = sorted((EXAMPLES / "invalid").glob("*.json"))
    assert len(valid) >= 15 and len(invalid) >= 15
    ok = subprocess.run([hartslag, "schema", "validate", *map(str, valid)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    for path in invalid:
        bad = subprocess.run([hartslag, "schema", "validate", str(path)], capture_output=True, text=True)
        assert bad.returncode == 1, f"{path.name} was accepted"
        assert f"{path}:" in bad.stderr and "Traceback" not in bad.stderr


def test_installed_package_carries_the_schema_files(agency_env: Path) -> None:
    code = "from governance.standard import schema_root; print(schema_root())"
    root = subprocess.run(
        [str(agency_env / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True, cwd="/"
    ).stdout.strip()
    assert root.endswith("hartslag/_schema") and str(agency_env) in root


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["agency", "list"],
        ["stats"],
        ["user", "list"],
        ["agency", "add", "GM0344", "--name", "Utrecht", "--kind", "municipality", "--jwks", "x.json"],
    ],
)
def test_missing_extra_is_one_friendly_line(agency_env: Path, command: list[str]) -> None:
    result = subprocess.run(
        [str(agency_env / "bin" / "hartslag"), "hub", *command, "--data", str(agency_env / "data")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "hartslag[hub]" in result.stderr and "'.[hub]'" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3  # one message (the console may wrap it)
    assert sys.executable  # the test itself ran in the full environment
