# SPDX-License-Identifier: EUPL-1.2
"""`hartslag schema …` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hartslag.cli import app
from tests.factories import make_signal

EXAMPLES = Path(__file__).resolve().parents[2] / "schema" / "examples" / "1.0.0"
runner = CliRunner()


def test_valid_examples_pass() -> None:
    files = [str(p) for p in sorted((EXAMPLES / "valid").glob("*.json"))]
    result = runner.invoke(app, ["schema", "validate", *files])
    assert result.exit_code == 0, result.output
    assert f"{len(files)} record(s)" in result.output


def test_each_invalid_example_fails_with_file_line_and_pointer() -> None:
    for path in sorted((EXAMPLES / "invalid").glob("*.json")):
        result = runner.invoke(app, ["schema", "validate", "--json", str(path)])
        assert result.exit_code == 1, path.name
        report = json.loads(result.stdout)
        assert report["valid"] is False and report["issues"], path.name
        for issue in report["issues"]:
            assert issue["file"] == str(path) and issue["line"] >= 1 and issue["message"]


def test_jsonl_names_the_bad_line_and_pointer(tmp_path: Path) -> None:
    good = make_signal()
    bad = make_signal()
    bad["source"]["channel"] = "postduif"
    path = tmp_path / "signals.jsonl"
    path.write_text("\n".join([json.dumps(good), json.dumps(bad), "{not json"]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["schema", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: /source/channel: is not a code of the code list 'channels'" in result.output
    assert f"{path}:3: /: is not valid JSON" in result.output
    assert f"{path}:1:" not in result.output


def test_messages_never_repeat_the_text(tmp_path: Path) -> None:
    secret = "Jan Jansen woont op de Kerkstraat " * 200  # too long, and it must not be echoed
    bad = make_signal(text=secret)
    path = tmp_path / "long.json"
    path.write_text(json.dumps(bad, indent=2), encoding="utf-8")
    result = runner.invoke(app, ["schema", "validate", str(path)])
    assert result.exit_code == 1
    assert "/text: is longer than 4000 characters" in result.output
    assert "Jansen" not in result.output


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_list_and_show() -> None:
    listed = runner.invoke(app, ["schema", "list", "--json"])
    assert listed.exit_code == 0
    names = {(row["name"], row["version"]) for row in json.loads(listed.stdout)}
    assert ("signal", "1.0.0") in names and ("batch", "1.0.0") in names and ("themes", "1.0.0") in names
    shown = runner.invoke(app, ["schema", "show", "signal@1.0.0"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["$id"].endswith("/signal/1.0.0.json")
    unknown = runner.invoke(app, ["schema", "show", "signal@9.9.9"])
    assert unknown.exit_code == 2 and "has no version 9.9.9" in unknown.output
