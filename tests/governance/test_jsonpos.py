# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json

from governance.jsonpos import value_lines


def test_lines_of_nested_values() -> None:
    text = json.dumps({"a": 1, "b": {"c": [10, {"d": "x/y"}]}, "e~f": None}, indent=2)
    lines = value_lines(text)
    rows = text.splitlines()
    assert lines[""] == 1
    assert '"a": 1' in rows[lines["/a"] - 1]
    assert '"d": "x/y"' in rows[lines["/b/c/1/d"] - 1]
    assert '"e~f"' in rows[lines["/e~0f"] - 1]
    assert rows[lines["/b/c/0"] - 1].strip() == "10,"


def test_first_line_offset_and_empty_containers() -> None:
    lines = value_lines('{"x": [], "y": {}}', first_line=7)
    assert lines == {"": 7, "/x": 7, "/y": 7}
