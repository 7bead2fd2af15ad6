# SPDX-License-Identifier: EUPL-1.2
"""Code lists as ``enum`` lists: only ``oneOf`` lists of distinct string constants change, and verdicts stay the same.

The verdict of the whole signal schema in this form is compared with the compiled files as written
(:func:`governance.standard.conforms`) for every code of every code-list field and for codes that are not listed;
``tests/hub/test_validation.py`` compares the hub's validator with the reference validator more broadly.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from governance.schema_enums import codelists_as_enums
from governance.standard import codelist_codes, conforms, list_schemas, load_schema
from hub.validation import SignalValidator
from tests.factories import make_signal

VALIDATOR = SignalValidator()


def test_every_code_list_becomes_an_enum_of_its_codes() -> None:
    for info in list_schemas():
        if info.name not in {"municipalities", "themes", "channels", "national-agencies", "languages"}:
            continue
        document = load_schema(info.name, info.version)
        rewritten = codelists_as_enums(document)
        assert "oneOf" not in rewritten
        assert rewritten["enum"] == list(codelist_codes(info.name))
        assert {k: v for k, v in rewritten.items() if k != "enum"} == {
            k: v for k, v in document.items() if k != "oneOf"
        }


def test_the_input_is_not_changed() -> None:
    document = load_schema("signal", "1.0.0")
    before = copy.deepcopy(document)
    codelists_as_enums(document)
    assert document == before


@pytest.mark.parametrize(
    "node",
    [
        {"oneOf": [{"const": "a"}, {"const": "a"}]},  # a duplicate: oneOf refuses "a", an enum would accept it
        {"oneOf": [{"const": "a"}, {"const": "b", "pattern": "^b$"}]},  # an entry with an assertion
        {"oneOf": [{"const": 1}, {"const": 1.0}]},  # numbers: equal in JSON, left alone
        {"oneOf": [{"const": "a"}, {"type": "string"}]},
        {"oneOf": [{"const": "a"}], "enum": ["a", "b"]},  # already an enum
        {"oneOf": []},
        {"const": {"oneOf": [{"const": "a"}]}},  # an instance value, not a schema
        {"examples": [{"oneOf": [{"const": "a"}]}]},
    ],
)
def test_everything_else_is_copied_unchanged(node: dict[str, Any]) -> None:
    assert codelists_as_enums(node) == node


def test_annotations_do_not_stop_the_rewrite_but_nested_schemas_are_rewritten_too() -> None:
    node = {
        "properties": {
            "x": {"type": "string", "oneOf": [{"const": "a", "title": "A", "x-extra": 1}, {"const": "b"}]},
        }
    }
    assert codelists_as_enums(node) == {"properties": {"x": {"type": "string", "enum": ["a", "b"]}}}


_CODE_FIELDS: list[tuple[tuple[str, ...], str]] = [
    (("source", "channel"), "channels"),
    (("kind",), "signal-kinds"),
    (("language",), "languages"),
    (("sentiment",), "sentiments"),
    (("location", "municipality"), "municipalities"),
    (("source", "organisation"), "national-agencies"),
]


def _with(signal: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(signal)
    node = changed
    for step in path[:-1]:
        node = node.setdefault(step, {})
    node[path[-1]] = value
    return changed


@pytest.mark.parametrize(("path", "codelist"), _CODE_FIELDS, ids=[c for _, c in _CODE_FIELDS])
def test_every_code_gets_the_verdict_of_the_files_as_written(path: tuple[str, ...], codelist: str) -> None:
    base = make_signal()
    listed = list(codelist_codes(codelist))
    for value in [*listed, "", "onbekend", "GM0000", 7, None, ["phone"]]:
        signal = _with(base, path, value)
        if path == ("source", "organisation"):  # a national agency code needs the fitting organisation kind
            signal["source"]["organisation_kind"] = "national_agency"
        verdict = VALIDATOR.is_valid(signal)
        assert verdict == conforms(signal, "signal"), (path, value)
        assert verdict == (value in listed), (path, value)


def test_themes_keep_unique_items_and_their_codes() -> None:
    codes = list(codelist_codes("themes"))
    for themes in ([codes[0]], codes[:5], codes[:6], [codes[0], codes[0]], ["geen-thema"], []):
        signal = make_signal(themes=themes)
        assert VALIDATOR.is_valid(signal) == conforms(signal, "signal"), themes
