# SPDX-License-Identifier: EUPL-1.2
"""``hartslag demo`` and the README's promise: its first lines are the two commands a fresh machine needs.

The README opens with exactly ``make demo`` and ``make test``, each a Makefile target (checked with ``make -n``,
which prints the recipe without running it), and ``make demo`` runs ``hartslag demo`` with the folder and port that
``HARTSLAG_DATA`` and ``HARTSLAG_PORT`` override. The command's help works, and bad input is refused before anything
is written or started: a folder the demo did not make, a port in use.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hartslag.cli import app
from tests.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _readme_commands() -> list[str]:
    """The commands of the README's first code block, which must come right after the title."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), "the README starts with its title"
    rest = [line for line in lines[1:] if line.strip()]
    assert rest[0].startswith("```"), "the first thing after the title is the block with the two commands"
    block = rest[1 : rest.index("```", 1)]
    return [line.split("#", 1)[0].strip() for line in block]


def test_the_readme_opens_with_exactly_make_demo_and_make_test() -> None:
    assert _readme_commands() == ["make demo", "make test"]
    opening = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert re.search(r"make demo .*\d+ min", opening), "make demo says how long it takes"
    assert re.search(r"make test .*\d+(\.\d+)? min", opening), "make test says how long it takes"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("command", ["make demo", "make test"])
def test_each_readme_command_is_a_makefile_target(command: str) -> None:
    target = command.split()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), target],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "bash .ci/system-deps" in done.stdout  # both set the machine up first


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_runs_hartslag_demo_with_the_overridable_folder_and_port() -> None:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), "demo"], capture_output=True, text=True, timeout=60
    )
    recipe = done.stdout.splitlines()[-1]
    assert ".venv/bin/hartslag demo" in recipe
    assert '--data "${HARTSLAG_DATA:-.demo}"' in recipe and '--port "${HARTSLAG_PORT:-8000}"' in recipe
    assert ".demo/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_hartslag_demo_help_names_its_options() -> None:
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--data", "--port", "--scale", "--seed", "--days", "--headless", "HARTSLAG_DATA", "HARTSLAG_PORT"):
        assert option in result.output


def test_a_folder_the_demo_did_not_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["demo", "--data", str(tmp_path), "--port", str(free_port()), "--headless"])
    assert result.exit_code == 2
    assert "not made by the demo" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_port_in_use_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["demo", "--data", str(tmp_path / "d"), "--port", str(port), "--headless"])
    assert result.exit_code == 2
    assert f"port {port} is in use" in result.output
    assert not (tmp_path / "d").exists()


def test_a_scale_of_zero_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--data", str(tmp_path / "d"), "--scale", "0", "--port", str(free_port())])
    assert result.exit_code == 2
    assert "--scale" in result.output
