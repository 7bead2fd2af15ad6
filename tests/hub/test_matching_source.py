# SPDX-License-Identifier: EUPL-1.2
"""The hub feeds matching through matching's own Protocol: ordered, incremental, coarse facts only."""

from __future__ import annotations

from hub.matching_source import HubSignalSource
from matching.records import SignalSource
from tests.factories import make_agency, make_signals
from tests.hub.world import HubWorld


def test_records_come_in_storage_order_after_a_watermark(world: HubWorld) -> None:
    world.add_agency("UWV")
    amsterdam = world.signals(5)
    uwv = make_signals(3, seed=9, agency=make_agency("UWV"))
    uwv[0] = {**uwv[0], "location": {"municipality": "GM0599"}}
    world.ingest.accept(world.signers["GM0363"].sign(amsterdam).token)
    world.ingest.accept(world.signers["UWV"].sign(uwv).token)
    source = HubSignalSource(world.storage)
    assert isinstance(source, SignalSource)
    records = source.records_after(0, 100)
    assert [r.seq for r in records] == sorted(r.seq for r in records) and len(records) == 8
    assert source.records_after(records[4].seq, 100) == records[5:]  # incremental: only what came after
    by_id = {r.id: r for r in records}
    first = by_id[amsterdam[0]["id"]]
    assert (first.agency, first.organisation_kind, first.municipality, first.province) == (
        "GM0363",
        "municipality",
        "GM0363",
        "PV27",
    )
    assert first.observed_at.tzinfo is not None and first.text == amsterdam[0]["text"]
    located = by_id[uwv[0]["id"]]
    assert (located.organisation_kind, located.municipality, located.province) == ("national_agency", "GM0599", "PV28")
    assert by_id[uwv[1]["id"]].municipality is None and by_id[uwv[1]["id"]].province is None
