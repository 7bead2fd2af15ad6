# SPDX-License-Identifier: EUPL-1.2
"""What a demo scenario is made of: organisations, planted patterns, policies and the scenario itself.

These are plain frozen dataclasses so that tests and the demo can hold on to them; :mod:`hartslag.demo.scenario`
re-exports them next to :func:`~hartslag.demo.scenario.generate`, which builds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["DemoPolicy", "Organisation", "Planted", "Scenario"]


@dataclass(frozen=True)
class Organisation:
    """A publishing organisation of the demo and the export format its connector reads."""

    code: str  # "GM0363", "UWV", "BD-TOESLAGEN", "NIS44021"
    name: str  # Dutch display name
    kind: str  # organisation_kind code: municipality | national_agency | flemish_local_government
    province: str | None  # province code (x-province of the municipalities code list); None for national bodies
    export_format: str  # "csv" | "signalen" | "open311" | "kto" | "jsonl": the connector reader of its export


@dataclass(frozen=True)
class Planted:
    """A pattern planted on top of the background, with the ids of exactly the signals it added.

    A seasonal pattern that recurs inside the generated period (fireworks at both ends of a calendar year) is
    planted once per occurrence, each with its own window, under the same name.
    """

    name: str  # "lachgas", "terugvordering", "festival", "vuurwerk", "bladeren-storm", "studiefinanciering"
    kind: str  # "cross_org" | "local" | "seasonal"
    onset: date  # first day of the planted surge
    end: date  # last day of the planted surge
    organisations: tuple[str, ...]
    scope: str  # expected scope: "landelijk" (cross_org), "lokaal" (local), "" (seasonal)
    signal_ids: frozenset[str]


@dataclass(frozen=True)
class DemoPolicy:
    """A policy change of the scenario; ``refs`` as ``"scheme:id"`` (``"bwb:BWBR0001941"``)."""

    name: str
    date: date
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A generated year (or any period) of signals from the demo organisations.

    ``signals`` are standard signal documents (schema/signal/1.0.0.json), sorted by ``observed_at``. Their texts
    are NOT scrubbed: about 4 % hold personal data on purpose, every value of which is listed in
    ``personal_values``. ``privacy`` is a placeholder stamp that the connector's scrub step replaces.

    ``source_ids`` maps each signal id to the record id in its organisation's own export; the signal id is the one
    a connector derives from that record id (:func:`connectors.records.stable_id`), so signals read back from
    :func:`hartslag.demo.exports.write_exports` keep the scenario's ids.
    """

    start: date
    days: int
    organisations: tuple[Organisation, ...]
    signals: tuple[dict[str, Any], ...]
    planted: tuple[Planted, ...]
    policies: tuple[DemoPolicy, ...]
    personal_values: tuple[str, ...]
    source_ids: Mapping[str, str] = field(default_factory=dict, repr=False)

    def organisation(self, code: str) -> Organisation:
        """The organisation with ``code`` (KeyError when the scenario has none)."""
        for organisation in self.organisations:
            if organisation.code == code:
                return organisation
        raise KeyError(code)

    def planted_named(self, name: str) -> tuple[Planted, ...]:
        """Every planted occurrence called ``name`` (seasonal patterns may occur twice in one period)."""
        return tuple(p for p in self.planted if p.name == name)
