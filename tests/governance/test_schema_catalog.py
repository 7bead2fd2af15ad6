# SPDX-License-Identifier: EUPL-1.2
"""The schema catalog: an immutable snapshot of the registry's versions, from the registry or from the files, and
the follower that takes a new snapshot only after a commit to the registry file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from governance.registry_model import ChangeKind, SchemaVersion, schema_sha256
from governance.registry_sqlite import REGISTRY_FILE
from governance.registry_status import Status
from governance.schema_catalog import CatalogFollower, SchemaCatalog
from governance.schema_registry import SchemaRegistry
from governance.standard import list_schemas, load_schema
from tests.governance.registry_support import Clock, Group, open_registry, publish_signal, working_group
from tests.governance.versions_support import MIGRATION_2, record, signal_v1_1, signal_v2


def signal(version: str, status: Status = Status.GEPUBLICEERD, **changes: object) -> SchemaVersion:
    return replace(record(version, signal_v1_1(version)), status=status, **changes)  # type: ignore[arg-type]


@pytest.fixture
def registry(tmp_path: Path) -> SchemaRegistry:
    return open_registry(tmp_path / "data", Clock())


@pytest.fixture
def group(registry: SchemaRegistry) -> Group:
    return working_group(registry)


def publish(registry: SchemaRegistry, group: Group, version: str) -> None:
    publish_signal(registry, group, version, signal_v1_1(version))


def test_the_files_are_all_published_and_equal_a_freshly_seeded_registry(registry: SchemaRegistry) -> None:
    files = SchemaCatalog.from_files()
    assert files is SchemaCatalog.from_files()  # one snapshot: the files do not change
    expected = {(f"codelist/{i.name}" if i.kind == "codelist" else i.name, i.version) for i in list_schemas()}
    assert {(n, v.version) for n in files.names() for v in files.versions(n)} == expected
    assert all(files.status(n, v) is Status.GEPUBLICEERD for n, v in expected)
    assert files.document("codelist/themes", "1.0.0") == load_schema("themes")
    assert files.entry("signal", "1.0.0") is not None
    assert files.stamp == SchemaCatalog.from_registry(registry).stamp


def test_lookups(registry: SchemaRegistry) -> None:
    catalog = SchemaCatalog(
        [
            record("1.0.0", load_schema("signal", "1.0.0")),
            signal("1.9.0", Status.UITGEFASEERD, sunset=date(2027, 1, 1)),
            signal("1.10.0"),
            signal("1.11.0", Status.VOORGESTELD),
            signal("1.2.0", Status.INGETROKKEN, sunset=date(2026, 6, 1)),
            replace(record("2.0.0", signal_v2(), migration=MIGRATION_2), change=ChangeKind.MAJOR),
        ]
    )
    assert catalog.accepted("signal") == ["1.0.0", "1.9.0", "1.10.0", "2.0.0"]  # semver, not text order
    assert catalog.current("signal") == "2.0.0"
    assert catalog.current("signal", 1) == "1.10.0" and catalog.current("signal", 3) is None
    assert catalog.status("signal", "1.11.0") is Status.VOORGESTELD and catalog.status("signal", "7.0.0") is None
    assert catalog.sunset("signal", "1.9.0") == date(2027, 1, 1) and catalog.sunset("signal", "1.0.0") is None
    assert catalog.is_accepted("signal", "1.9.0") and not catalog.is_accepted("signal", "1.2.0")
    assert catalog.migration("signal", "2.0.0") == MIGRATION_2 and catalog.migration("signal", "1.10.0") is None
    assert catalog.document("signal", "nope") is None and catalog.entry("batch", "1.0.0") is None
    assert catalog.accepted("codelist/nothing") == [] and catalog.current("codelist/nothing") is None
    assert [v.version for v in catalog.versions("signal")][:3] == ["1.0.0", "1.2.0", "1.9.0"]


def test_the_snapshot_cannot_be_changed() -> None:
    catalog = SchemaCatalog.from_files()
    with pytest.raises(AttributeError):
        catalog.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        catalog._entries[("signal", "9.0.0")] = signal("9.0.0")  # type: ignore[index]


def test_the_stamp_changes_with_what_decides_acceptance_only() -> None:
    base = [record("1.0.0", load_schema("signal", "1.0.0")), signal("1.1.0")]
    stamp = SchemaCatalog(base).stamp
    assert SchemaCatalog(reversed(base)).stamp == stamp  # order of reading does not matter
    assert SchemaCatalog([base[0], replace(base[1], rationale="anders", created_at="2030-01-01")]).stamp == stamp
    changed = [
        replace(base[1], status=Status.UITGEFASEERD),
        replace(base[1], sunset=date(2027, 1, 1)),
        replace(base[1], document={**base[1].document, "title": "x"}, sha256=schema_sha256({"title": "x"})),
        replace(base[1], migration=MIGRATION_2),
    ]
    stamps = {SchemaCatalog([base[0], other]).stamp for other in changed}
    assert len(stamps) == len(changed) and stamp not in stamps


def test_resources_hold_one_document_per_id() -> None:
    themes = load_schema("themes")
    newer = {**themes, "x-version": "1.1.0", "oneOf": [*themes["oneOf"], {"const": "ruimtevaart", "title": "R"}]}

    def codelist(version: str, document: dict[str, object], status: Status) -> SchemaVersion:
        return SchemaVersion(
            "codelist/themes", version, status, document, schema_sha256(document), "", "", "", ChangeKind.MINOR
        )

    catalog = SchemaCatalog(
        [
            replace(record("1.0.0", load_schema("signal", "1.0.0")), status=Status.INGETROKKEN),
            signal("1.1.0", Status.CONCEPT),
            codelist("1.0.0", themes, Status.GEPUBLICEERD),
            codelist("1.1.0", newer, Status.GEPUBLICEERD),
            codelist("1.2.0", {**themes, "oneOf": []}, Status.VOORGESTELD),
        ]
    )
    resources = dict(catalog.resources())
    assert len(resources) == len(catalog.resources())
    assert resources[themes["$id"]] is newer  # the newest accepted version of a code list
    assert load_schema("signal", "1.0.0")["$id"] in resources  # a retired version can still be referred to
    assert signal_v1_1()["$id"] not in resources  # a concept never is


def test_the_registry_snapshot_knows_when_a_version_was_deprecated(registry: SchemaRegistry, group: Group) -> None:
    publish(registry, group, "1.1.0")
    sunset = registry.today() + timedelta(days=30)
    registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter")
    catalog = SchemaCatalog.from_registry(registry)
    assert catalog.accepted("signal") == ["1.0.0", "1.1.0"] and catalog.current("signal") == "1.1.0"
    assert catalog.status("signal", "1.0.0") is Status.UITGEFASEERD and catalog.sunset("signal", "1.0.0") == sunset
    deprecated_at = catalog.deprecated_at("signal", "1.0.0")
    assert deprecated_at is not None and deprecated_at.tzinfo is not None
    assert deprecated_at.date() == registry.today() and catalog.deprecated_at("signal", "1.1.0") is None


def test_the_follower_takes_a_new_snapshot_after_a_commit_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    opened: list[SchemaRegistry] = []

    def the_registry() -> SchemaRegistry:
        if not opened:
            opened.append(open_registry(data, Clock()))
        return opened[0]

    follower = CatalogFollower(data / REGISTRY_FILE, the_registry)
    try:
        assert follower() is SchemaCatalog.from_files()
        assert not (data / REGISTRY_FILE).exists() and not opened  # the follower creates nothing

        registry = the_registry()
        group = working_group(registry)
        first = follower()
        assert first.stamp == SchemaCatalog.from_files().stamp  # seeded from the files
        assert follower() is first  # nothing committed since: the same snapshot

        publish(registry, group, "1.1.0")  # through the very registry the follower reads from
        second = follower()
        assert second.accepted("signal") == ["1.0.0", "1.1.0"] and follower() is second

        other = SchemaRegistry.open(data)  # another process: a connection of its own
        try:
            other.deprecate("signal", "1.0.0", sunset=date.today() + timedelta(days=9), actor="cli")
        finally:
            other.close()
        assert follower().status("signal", "1.0.0") is Status.UITGEFASEERD
    finally:
        follower.close()
        for registry in opened:
            registry.close()
