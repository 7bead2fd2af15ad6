# SPDX-License-Identifier: EUPL-1.2
"""Reading documents of older minors and other majors as the current version, over real catalogs."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from governance.errors import HartslagError, UnknownSchemaError
from governance.registry_proposals import schema_issues
from governance.registry_status import Status
from governance.schema_catalog import SchemaCatalog
from governance.upcasting import Upcaster, UpcastError
from tests.factories import make_signal
from tests.governance.registry_support import signal_schema
from tests.governance.versions_support import (
    MIGRATION_2,
    ONE_WAY_2,
    RELABEL_2,
    catalog,
    record,
    signal_v1_1,
    signal_v2,
    valid_signal_examples,
)

EXAMPLES = list(valid_signal_examples())


@pytest.fixture(scope="module")
def two_majors() -> SchemaCatalog:
    return catalog(record("1.1.0", signal_v1_1()), record("2.0.0", signal_v2(), migration=MIGRATION_2))


def test_a_document_of_the_current_version_comes_back_as_it_is() -> None:
    signal = make_signal()
    upcaster = Upcaster(catalog())
    assert upcaster.read(signal) is signal
    assert upcaster.target() == "1.0.0"


def test_an_older_minor_is_relabelled_and_gets_the_defaults_of_added_members() -> None:
    upcaster = Upcaster(catalog(record("1.1.0", signal_v1_1())))
    signal = make_signal()
    before = copy.deepcopy(signal)
    read = upcaster.read(signal)
    assert read["schema_version"] == "1.1.0"
    assert read["urgency"] == "normal" and read["privacy"]["review"] == "automatic"
    assert "department" not in read["source"]  # added without a default: stays absent
    assert signal == before  # the input is untouched
    assert schema_issues(signal_v1_1(), read) == []
    chosen = make_signal(urgency="urgent", schema_version="1.1.0")
    assert upcaster.read(chosen) is chosen


def test_defaults_fill_only_members_the_newer_version_added_inside_present_objects() -> None:
    def change(document: dict[str, Any]) -> None:
        properties = document["properties"]
        properties["location"]["properties"]["precision"] = {"enum": ["municipality", "area"], "default": "area"}
        properties["language"]["default"] = "nl"  # a default on an old member is no reason to fill it

    upcaster = Upcaster(catalog(record("1.2.0", signal_schema("1.2.0", change))))
    located = upcaster.read(make_signal(location={"municipality": "GM0363"}))
    assert located["location"] == {"municipality": "GM0363", "precision": "area"}
    unlocated = make_signal()
    unlocated.pop("location", None)
    unlocated.pop("language")
    read = upcaster.read(unlocated)
    assert "location" not in read and "language" not in read


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_every_valid_v1_example_reads_as_a_valid_v1_1_and_v2_document(
    two_majors: SchemaCatalog, name: str, example: dict[str, Any]
) -> None:
    upcaster = Upcaster(two_majors)
    minor = upcaster.read(example, target_major=1)
    assert minor["schema_version"] == "1.1.0" and schema_issues(signal_v1_1(), minor) == []
    major = upcaster.read(example)
    assert major["schema_version"] == "2.0.0" and schema_issues(signal_v2(), major) == []
    assert major["occurred_at"] == example["observed_at"] and "observed_at" not in major
    back = upcaster.read(major, target_major=1)
    expected = copy.deepcopy(minor)
    expected["source"].pop("system", None)  # the one thing 2.0.0 cannot hold
    assert back == expected


def test_a_later_minor_of_the_newer_major_reads_down_without_members_the_older_one_lacks() -> None:
    def change(document: dict[str, Any]) -> None:
        document["properties"]["channel_detail"] = {"type": "string", "maxLength": 50}

    v2_1 = signal_v2("2.1.0")
    change(v2_1)
    cat = catalog(
        record("1.1.0", signal_v1_1()), record("2.0.0", signal_v2(), migration=MIGRATION_2), record("2.1.0", v2_1)
    )
    upcaster = Upcaster(cat)
    assert upcaster.target() == "2.1.0"
    newer = upcaster.read(make_signal()) | {"channel_detail": "balie-oost"}
    older = upcaster.read(newer, target_major=1)
    assert older["schema_version"] == "1.1.0" and "channel_detail" not in older
    assert schema_issues(signal_v1_1(), older) == []


def test_migrations_chain_across_several_majors() -> None:
    v3 = signal_v2("3.0.0")
    v3["properties"]["text"]["maxLength"] = 3000
    to_3 = RELABEL_2 | {"from": 2, "to": 3}
    cat = catalog(
        record("1.1.0", signal_v1_1()), record("2.0.0", signal_v2(), migration=MIGRATION_2),
        record("3.0.0", v3, migration=to_3),
    )  # fmt: skip
    read = Upcaster(cat).read(make_signal(kind="survey_answer"))
    assert read["schema_version"] == "3.0.0" and read["kind"] == "survey_response"
    assert schema_issues(v3, read) == []


@pytest.mark.parametrize(
    ("document", "target_major", "code"),
    [
        (make_signal(schema_version="1.7.0"), None, "schema-version-unknown"),
        (make_signal(schema_version="one"), None, "version-invalid"),
        ({"id": "x"}, None, "schema-version-missing"),
        (make_signal(schema_version="1.1.0"), 1, "schema-version-newer"),
        (make_signal(), 4, "no-accepted-version"),
    ],
)
def test_documents_that_cannot_be_read_raise_errors_with_codes(
    document: dict[str, Any], target_major: int | None, code: str
) -> None:
    cat = catalog(record("1.1.0", signal_v1_1(), Status.VOORGESTELD))
    with pytest.raises(HartslagError) as failed:
        Upcaster(cat).read(document, target_major=target_major)
    assert failed.value.code == code
    assert isinstance(failed.value, UpcastError | UnknownSchemaError)


def test_a_major_without_its_migration_or_its_way_down_cannot_be_read() -> None:
    undeclared = catalog(record("2.0.0", signal_v2()))
    with pytest.raises(UpcastError) as missing:
        Upcaster(undeclared).read(make_signal())
    assert missing.value.code == "migration-missing"
    one_way = catalog(record("2.0.0", signal_v2(), migration=ONE_WAY_2))
    upcaster = Upcaster(one_way)
    with pytest.raises(UpcastError) as no_way:
        upcaster.read(upcaster.read(make_signal()), target_major=1)
    assert no_way.value.code == "downcast-unavailable"


def test_a_migration_that_does_not_fit_a_document_names_the_step_not_the_value() -> None:
    clash = RELABEL_2 | {"up": [{"op": "rename", "from": "/observed_at", "path": "/published_at"}]}
    with pytest.raises(UpcastError) as failed:
        Upcaster(catalog(record("2.0.0", signal_v2(), migration=clash))).read(make_signal(text="Jan de Vries belde"))
    assert failed.value.code == "migration-conflict" and "/published_at" in failed.value.message
    assert "Jan" not in failed.value.message


def test_the_real_catalog_of_a_registry_reads_across_majors(tmp_path: Path) -> None:
    from tests.governance.registry_support import open_registry

    registry = open_registry(tmp_path / "data")
    for version, document, migration in (("1.1.0", signal_v1_1(), None), ("2.0.0", signal_v2(), MIGRATION_2)):
        registry.propose("signal", version, document, rationale="test", actor="anna", migration=migration)
        # Straight to gepubliceerd: the votes are not what this test is about (test_registry.py covers them).
        registry.store.update_version(replace(registry.get("signal", version), status=Status.GEPUBLICEERD))
    read = Upcaster(SchemaCatalog.from_registry(registry)).read(make_signal(kind="professional_signal"))
    assert read["schema_version"] == "2.0.0" and read["kind"] == "professional_observation"
    assert schema_issues(signal_v2(), read) == []
    registry.close()
