# SPDX-License-Identifier: EUPL-1.2
"""The declared migration format: its JSON Schema, the checks beyond it, and each operation's semantics."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from governance.migrations import (
    MigrationApplyError,
    MigrationError,
    file_migration,
    format_schema,
    parse_migration,
    parse_pointer,
)
from governance.standard import list_schemas
from tests.factories import make_signal
from tests.governance.versions_support import MIGRATION_2, ONE_WAY_2, RELABEL_2


def migration(*up: dict[str, Any], down: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"format": "1.0.0", "subject": "signal", "from": 1, "to": 2, "up": list(up)}
    if down is not None:
        document["down"] = down
    return document


def test_the_format_is_a_json_schema_of_its_own_outside_the_standards_subjects() -> None:
    schema = format_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(MIGRATION_2, schema)
    assert schema["$id"].endswith("/meta/migration/1.0.0.json")
    assert {info.name for info in list_schemas()} & {"meta", "migration", "migrations"} == set()
    assert file_migration("signal", "1.0.0") is None  # the files declare no major after 1 yet


def test_a_declared_migration_parses_with_its_way_down() -> None:
    parsed = parse_migration(MIGRATION_2)
    assert (parsed.subject, parsed.source, parsed.target) == ("signal", 1, 2)
    assert [op.op for op in parsed.up] == ["rename", "map", "map", "set", "remove"]
    assert parsed.up[0].source == ("observed_at",) and parsed.up[0].path == ("occurred_at",)
    assert parsed.down is not None and len(parsed.down) == 4
    assert parse_migration(ONE_WAY_2).down is None and parse_migration(RELABEL_2).down == ()


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (lambda m: m.pop("up"), "migration-malformed", "/"),
        (lambda m: m.update({"from": 3}), "migration-direction", "'to'"),
        (lambda m: m.update({"subject": "codelist/themes"}), "migration-malformed", "/subject"),
        (lambda m: m["up"].append({"op": "copy", "path": "/a"}), "migration-malformed", "/up/5"),
        (lambda m: m["up"].append({"op": "remove", "path": "observed_at"}), "migration-malformed", "/up/5"),
        (lambda m: m["up"].append({"op": "remove", "path": "/a~2b"}), "migration-malformed", "/up/5"),
        (lambda m: m["up"].append({"op": "remove", "path": "/x", "value": 1}), "migration-malformed", "/up/5"),
        (lambda m: m["up"].append({"op": "map", "path": "/kind", "values": {}}), "migration-malformed", "/up/5"),
        (lambda m: m["up"].append({"op": "set", "path": "/schema_version", "value": "2.0.0"}), "migration-pointer",
         "/up/5"),
        (lambda m: m["up"].append({"op": "rename", "from": "/source", "path": "/source/origin"}), "migration-pointer",
         "/up/5"),
        (lambda m: m["down"].append({"op": "rename", "from": "/policy_refs/*/id", "path": "/ids/*/id"}),
         "migration-pointer", "/down/4"),
        (lambda m: m.update({"extra": True}), "migration-malformed", "/"),
    ],
)  # fmt: skip
def test_malformed_migrations_are_refused_naming_the_place(change: Any, code: str, where: str) -> None:
    document = copy.deepcopy(MIGRATION_2)
    change(document)
    with pytest.raises(MigrationError) as refused:
        parse_migration(document)
    assert refused.value.code == code and where in refused.value.message


def test_pointers_follow_rfc_6901() -> None:
    assert parse_pointer("/extensions/nl.uwv~1x/a~0b") == ("extensions", "nl.uwv/x", "a~b")
    for bad in ("", "a/b", "/a~"):
        with pytest.raises(MigrationError):
            parse_pointer(bad)


def test_rename_moves_a_present_member_and_leaves_an_absent_one_alone() -> None:
    moved = parse_migration(migration({"op": "rename", "from": "/observed_at", "path": "/occurred_at"}))
    signal = make_signal()
    result = moved.upgrade(signal)
    assert result["occurred_at"] == signal["observed_at"] and "observed_at" not in result
    assert "observed_at" in signal  # the input is not changed
    absent = {key: value for key, value in signal.items() if key != "observed_at"}
    assert moved.upgrade(absent) == absent


def test_rename_refuses_a_taken_target_and_a_missing_parent() -> None:
    signal = make_signal()
    taken = parse_migration(migration({"op": "rename", "from": "/observed_at", "path": "/published_at"}))
    with pytest.raises(MigrationApplyError) as conflict:
        taken.upgrade(signal)
    assert conflict.value.code == "migration-conflict" and "up/0 (rename /published_at)" in conflict.value.message
    orphan = parse_migration(migration({"op": "rename", "from": "/observed_at", "path": "/timing/observed"}))
    with pytest.raises(MigrationApplyError):
        orphan.upgrade(signal)
    nested = parse_migration(
        migration({"op": "set", "path": "/timing", "value": {}}, {"op": "rename", "from": "/observed_at",
                                                                  "path": "/timing/observed"})
    )  # fmt: skip
    assert nested.upgrade(signal)["timing"] == {"observed": signal["observed_at"]}


def test_set_writes_where_the_parent_object_exists() -> None:
    setting = parse_migration(
        migration({"op": "set", "path": "/privacy/method", "value": "placeholders"},
                  {"op": "set", "path": "/location/precision", "value": {"level": "municipality"}})
    )  # fmt: skip
    without = make_signal()
    without.pop("location", None)
    result = setting.upgrade(without)
    assert result["privacy"]["method"] == "placeholders" and "location" not in result
    located = make_signal(location={"municipality": "GM0363"})
    once = setting.upgrade(located)
    assert once["location"]["precision"] == {"level": "municipality"}
    once["location"]["precision"]["level"] = "changed"
    assert setting.upgrade(located)["location"]["precision"] == {"level": "municipality"}  # a fresh copy each time


def test_map_renames_codes_in_scalars_and_arrays_and_keeps_unknown_ones() -> None:
    merged = {"afval": "afval-en-reiniging", "zwerfafval": "afval-en-reiniging"}
    mapping = parse_migration(
        migration({"op": "map", "path": "/kind", "values": {"survey_answer": "survey_response"}},
                  {"op": "map", "path": "/themes", "values": merged},
                  {"op": "map", "path": "/sentiment", "values": {"neutral": "neutraal"}})
    )  # fmt: skip
    signal = make_signal(kind="survey_answer", themes=["afval", "verkeer", "zwerfafval"])
    signal.pop("sentiment", None)
    result = mapping.upgrade(signal)
    assert result["kind"] == "survey_response"
    assert result["themes"] == ["afval-en-reiniging", "verkeer"]  # duplicates after mapping are dropped
    assert "sentiment" not in result
    assert mapping.upgrade(make_signal(kind="complaint"))["kind"] == "complaint"


def test_wildcards_reach_every_item_of_an_array() -> None:
    refs = [{"scheme": "hartslag-policy", "id": "lachgas-2023"}, {"scheme": "bwb", "id": "BWBR0001941"}]
    signal = make_signal(policy_refs=refs)
    result = parse_migration(MIGRATION_2).upgrade(signal)
    assert [ref["scheme"] for ref in result["policy_refs"]] == ["hartslag", "bwb"]
    renaming = parse_migration(migration({"op": "rename", "from": "/policy_refs/*/id", "path": "/policy_refs/*/ref"}))
    assert [ref["ref"] for ref in renaming.upgrade(signal)["policy_refs"]] == ["lachgas-2023", "BWBR0001941"]


def test_remove_drops_a_member_and_the_way_down_reverses_the_lossless_part() -> None:
    declared = parse_migration(MIGRATION_2)
    signal = make_signal(kind="professional_signal")
    signal["source"]["system"] = "Signalen"
    up = declared.upgrade(signal)
    assert "system" not in up["source"] and up["kind"] == "professional_observation"
    down = declared.downgrade(up)
    lost = copy.deepcopy(signal)
    del lost["source"]["system"]
    assert down == lost
    with pytest.raises(MigrationApplyError) as no_way:
        parse_migration(ONE_WAY_2).downgrade(up)
    assert no_way.value.code == "downcast-unavailable"
