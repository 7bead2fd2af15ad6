# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector preview``: the side-by-side table, the JSON Lines output, the limit and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connectors import preview as preview_module
from connectors.cli import app
from governance.standard import validate
from tests.connectors.reader_support import DATA, PERSONAL_DATA, SAMPLES, read_sample, scrubber
from tests.factories import make_signals, write_jsonl

runner = CliRunner()


@pytest.fixture(autouse=True)
def _anonymiser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview builds its own anonymiser; use the same one as the other reader tests."""
    monkeypatch.setattr(preview_module, "default_anonymiser", scrubber)


def _preview(*args: str) -> Any:
    return runner.invoke(app, ["preview", *args], env={"COLUMNS": "200"})


def _sample_args(reader: str) -> list[str]:
    export, mapping = SAMPLES[reader]
    return [str(DATA / export)] + (["--mapping", str(DATA / mapping)] if mapping else [])


def test_table_shows_original_beside_what_leaves() -> None:
    result = _preview(*_sample_args("csv"), "--limit", "3")
    assert result.exit_code == 1  # the sample has broken rows on purpose
    out = result.stdout
    assert "Origineel" in out and "Wat vertrekt" in out
    assert "06-12345678" in out  # the original, on the operator's own screen
    first = read_sample("csv")[0][0]
    for placeholder, count in first["privacy"]["placeholders"].items():
        assert f"{placeholder}×{count}" in out  # what the scrubbing replaced
    assert first["id"] in out and "afval-container-vol" in out and "kind: report" in out
    assert "33 records read, 27 signals would leave, 6 skipped (first 3 shown); nothing was sent." in out
    assert "skipped gemeente-utrecht.csv:20: category 'Vuurwerk' is not in the mapping's [categories]" in out
    assert "Losliggende stoeptegels" not in out  # the fourth row is beyond the limit


def test_json_prints_the_signals_that_would_leave() -> None:
    result = _preview(*_sample_args("signalen"), "--json", "--limit", "0")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    signals = [json.loads(line) for line in lines]
    expected, _ = read_sample("signalen")
    assert [s["id"] for s in signals] == [s["id"] for s in expected]
    assert [s["text"] for s in signals] == [s["text"] for s in expected]
    assert all(validate(s) == [] for s in signals)
    assert [p for p in PERSONAL_DATA["signalen-export.json"] if p in result.stdout] == []
    assert "21 signals would leave, 4 skipped" in result.stderr


def test_json_respects_the_limit() -> None:
    result = _preview(*_sample_args("kto"), "--json", "-n", "5")
    assert len(result.stdout.splitlines()) == 5
    assert "(first 5 shown)" in result.stderr


def test_standard_jsonl_needs_no_mapping(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "clean.jsonl", make_signals(4))
    result = _preview(str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4
    assert "4 records read, 4 signals would leave, 0 skipped" in result.stderr


def test_format_flag_overrides_the_mapping(tmp_path: Path) -> None:
    result = _preview(str(DATA / "kto-uwv.csv"), "--mapping", str(DATA / "kto-uwv.mapping.toml"), "--format", "csv")
    assert result.exit_code == 2
    assert "needs [columns] text" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv", "--mapping", str(DATA / "gemeente-utrecht.mapping.toml")], "does not exist"),
        ([str(DATA / "gemeente-utrecht.csv")], "needs a mapping"),
        ([str(DATA / "gemeente-utrecht.csv"), "--mapping", "nope.toml"], "mapping file nope.toml does not exist"),
        ([str(DATA / "gemeente-utrecht.csv"), "--mapping", str(DATA / "kto-uwv.mapping.toml"), "-f", "csv"], "needs"),
        ([str(DATA / "gemeente-utrecht.csv"), "--mapping", str(DATA / "gemeente-utrecht.mapping.toml"), "-f", "xls"],
         "unknown format"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = _preview(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_bad_mapping_names_the_key(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        (DATA / "gemeente-utrecht.mapping.toml").read_text(encoding="utf-8").replace("[csv]", "[csv]\nseperator = ';'"),
        encoding="utf-8",
    )
    result = _preview(str(DATA / "gemeente-utrecht.csv"), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "csv.seperator" in result.stderr


def test_preview_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("preview opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    result = _preview(*_sample_args("open311"), "--json")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 17
