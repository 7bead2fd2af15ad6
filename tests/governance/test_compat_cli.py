# SPDX-License-Identifier: EUPL-1.2
"""`hartslag schema compat` through the real command line app: exit codes, the JSON it prints, transitive levels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hartslag.cli import app

SIGNAL = Path(__file__).resolve().parents[2] / "schema" / "signal" / "1.0.0.json"
runner = CliRunner()
CHANGE_KEYS = {"type", "pointer", "breaks", "breaking", "old_version", "description"}


def write(folder: Path, version: str, schema: Any) -> Path:
    """``schema`` as ``folder/<version>.json`` (the file name is the version the report names)."""
    path = folder / f"{version}.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def record(**properties: Any) -> dict[str, Any]:
    """A closed object schema with ``properties``, like the standard's own."""
    return {"type": "object", "additionalProperties": False, "properties": properties}


def compat(*args: str | Path) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(app, ["schema", "compat", *map(str, args)])
    report = json.loads(result.stdout) if result.exit_code in (0, 1) else None
    if report is None:
        assert result.stdout == ""  # standard output carries the JSON report and nothing else
    return result.exit_code, report, result.output


def test_the_standard_against_itself_exits_0_with_no_changes() -> None:
    code, report, _ = compat(SIGNAL, SIGNAL)
    assert code == 0
    assert report == {
        "level": "BACKWARD",
        "compatible": True,
        "new_version": "1.0.0",
        "old_versions": ["1.0.0"],
        "changes": [],
    }


def test_a_breaking_change_exits_1_and_names_it(tmp_path: Path) -> None:
    old = write(tmp_path, "1.0.0", record(text={"type": "string", "maxLength": 4000}))
    new = write(tmp_path, "1.1.0", record(text={"type": "string", "maxLength": 2000}))
    code, report, output = compat(old, new)
    assert code == 1 and report is not None
    assert report["level"] == "BACKWARD" and report["compatible"] is False
    assert report["changes"] == [
        {
            "type": "MAX_LENGTH_DECREASED",
            "pointer": "/properties/text/maxLength",
            "breaks": ["BACKWARD"],
            "breaking": True,
            "old_version": "1.0.0",
            "description": "the maximum length was lowered (4000 → 2000)",
        }
    ]
    assert "not BACKWARD compatible" in output


@pytest.mark.parametrize(
    ("level", "code"),
    [("BACKWARD", 0), ("backward", 0), ("FORWARD", 1), ("FULL", 1)],
)
def test_the_level_decides_whether_a_new_optional_field_breaks(tmp_path: Path, level: str, code: int) -> None:
    old = write(tmp_path, "1.0.0", record(a={"type": "string"}))
    new = write(tmp_path, "1.1.0", record(a={"type": "string"}, b={"type": "integer"}))
    exit_code, report, _ = compat(old, new, "--level", level)
    assert exit_code == code and report is not None
    assert report["level"] == level.upper() and report["compatible"] is (code == 0)
    assert {c["type"] for c in report["changes"]} == {
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL",
    }
    for change in report["changes"]:
        assert set(change) == CHANGE_KEYS and change["pointer"] == "/properties/b"
        assert change["breaking"] is bool(set(change["breaks"]) & {"BACKWARD", "FORWARD"} - _unchecked(level))


def _unchecked(level: str) -> set[str]:
    base = level.upper().removesuffix("_TRANSITIVE")
    return {"BACKWARD": {"FORWARD"}, "FORWARD": {"BACKWARD"}}.get(base, set())


def test_transitive_checks_every_old_version(tmp_path: Path) -> None:
    """1.2.0 may drop a value 1.1.0 added (FORWARD: 1.1.0 readers know every 1.2.0 value), not one 1.0.0 knew."""
    versions = [
        write(tmp_path, "1.0.0", {"enum": ["low"]}),
        write(tmp_path, "1.1.0", {"enum": ["low", "high"]}),
        write(tmp_path, "1.2.0", {"enum": ["high"]}),
    ]
    code, report, _ = compat(versions[1], versions[2], "--level", "FORWARD")
    assert code == 0 and report is not None and report["old_versions"] == ["1.1.0"]
    code, report, _ = compat(*versions, "--level", "FORWARD_TRANSITIVE")
    assert code == 1 and report is not None
    assert report["old_versions"] == ["1.0.0", "1.1.0"] and report["new_version"] == "1.2.0"
    assert [(c["old_version"], c["type"], c["breaking"]) for c in report["changes"]] == [
        ("1.0.0", "ENUM_ARRAY_CHANGED", True),
        ("1.1.0", "ENUM_ARRAY_NARROWED", False),
    ]


def test_transitive_passes_when_every_old_version_is_compatible(tmp_path: Path) -> None:
    versions = [write(tmp_path, v, {"type": "string", "maxLength": n}) for v, n in (("1.0.0", 10), ("1.1.0", 20))]
    versions.append(write(tmp_path, "1.2.0", {"type": "string", "maxLength": 30}))
    code, report, _ = compat(*versions, "--level", "BACKWARD_TRANSITIVE")
    assert code == 0 and report is not None
    assert [(c["old_version"], c["type"]) for c in report["changes"]] == [
        ("1.0.0", "MAX_LENGTH_INCREASED"),
        ("1.1.0", "MAX_LENGTH_INCREASED"),
    ]
    code, report, _ = compat(SIGNAL, SIGNAL, SIGNAL, "--level", "FULL_TRANSITIVE")
    assert code == 0 and report is not None and report["changes"] == []


def test_bad_input_exits_2_with_a_message_and_no_report(tmp_path: Path) -> None:
    good = write(tmp_path, "1.0.0", {"type": "string"})
    not_json = tmp_path / "broken.json"
    not_json.write_text("{not json", encoding="utf-8")
    not_an_object = write(tmp_path, "list", [{"type": "string"}])
    not_a_schema = write(tmp_path, "bad", {"type": 5})
    cases = [
        ((tmp_path / "missing.json", good), "cannot be read"),
        ((not_json, good), "is not JSON"),
        ((good, not_an_object), "is not a JSON Schema object"),
        ((good, not_a_schema), "is not a valid JSON Schema"),
        ((good,), "at least one old schema"),
        ((good, good, good), "use BACKWARD_TRANSITIVE for several"),
        ((good, good, good, "--level", "FULL"), "use FULL_TRANSITIVE for several"),
        ((good, good, "--level", "SIDEWAYS"), "unknown compatibility level"),
    ]
    for args, message in cases:
        code, report, output = compat(*args)
        assert code == 2, args
        assert report is None and message in output, (args, output)
        assert "Traceback" not in output
