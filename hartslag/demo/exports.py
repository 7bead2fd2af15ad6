# SPDX-License-Identifier: EUPL-1.2
"""Write a scenario out as each organisation's own export plus the connector mapping that reads it.

:func:`write_exports` gives every organisation one export file in its own format (CSV, JSON Lines, Signalen,
Open311 or KTO; see :mod:`hartslag.demo.export_styles`) and a mapping TOML for :mod:`connectors.readers`. Reading
an export back with its mapping gives the scenario's signals again: the same ids (the connector derives them from
the record ids), texts (scrubbed, of course, unless read with a pass-through anonymiser), moments, kinds, channels,
categories, themes, languages, coarse locations and KTO sentiments; a category about a rule (nitrous oxide and the
Opium Act) cites it through the mapping on every signal of that category. What no export carries is left behind:
the scenario's own ``policy_refs`` on other signals, ``published_at`` and the unscrubbed ``privacy`` placeholder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hartslag.demo.export_styles import SIGNALEN_SOURCES, STYLES, Table
from hartslag.demo.export_writers import Record, kto_text, open311_text, signalen_text, table_csv, table_jsonl
from hartslag.demo.model import Scenario
from hartslag.demo.organisations import KTO_ANSWERS, PROFILES, Profile
from hartslag.demo.phrasebank import Topic, catalogue

__all__ = ["mapping_document", "to_toml", "write_exports"]

_SUFFIX = {"csv": ".csv", "kto": ".csv", "jsonl": ".jsonl", "signalen": ".json", "open311": ".json"}
_BY_CODE = {p.code: p for p in PROFILES}


def _topics(profile: Profile) -> dict[str, Topic]:
    """Every topic by its category code in this organisation's scheme."""
    return {profile.category(topic)["code"]: topic for topic in catalogue().values()}


def _categories(profile: Profile, docs: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``[categories]``: each category the organisation uses (its topics and any it sent), with label and themes."""
    topics = catalogue()
    wanted = {profile.category(topics[key])["code"]: topics[key] for key in profile.topics}
    by_code = _topics(profile)
    for doc in docs:
        wanted.setdefault(doc["category"]["code"], by_code[doc["category"]["code"]])
    rules = {code: {"label": topic.sub, "themes": list(topic.themes)} for code, topic in sorted(wanted.items())}
    for code, topic in wanted.items():
        if topic.policy_refs:  # a category about a rule: its connector cites the rule on every signal of it
            rules[code]["policy_refs"] = list(topic.policy_refs)
    return rules


def mapping_document(profile: Profile, docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The mapping (as TOML-ready data) that reads ``profile``'s export."""
    fmt, org = profile.org.export_format, profile.org
    source: dict[str, Any] = {"organisation": org.code, "organisation_kind": org.kind, "system": profile.system,
                              "category_scheme": profile.scheme, "language": next(iter(profile.languages)),
                              "timezone": str(profile.zone)}  # fmt: skip
    if profile.municipality:
        source["municipality"] = profile.municipality
    document: dict[str, Any] = {"format": fmt}
    if fmt in ("open311", "kto"):
        source["channel"] = next(iter(profile.channels))
        if fmt == "open311":
            source["kind"] = "report"
    table = STYLES.get(org.code)
    if fmt == "kto":
        document["date_format"] = "%d-%m-%Y %H:%M"
        document["csv"] = {"delimiter": ","}
        document["columns"] = {"id": "RespondentID", "observed_at": "Datum afname", "category": "Dienst",
                               "score": "Rapportcijfer", "answers": list(KTO_ANSWERS)}  # fmt: skip
        document["sentiment"] = {"scale_min": 1, "scale_max": 10, "negative_max": 5.5, "positive_min": 8}
    elif table is not None:
        if table.date_format:
            document["date_format"] = table.date_format
        if fmt == "csv":
            document["csv"] = {"delimiter": table.delimiter, "encoding": table.encoding}
        columns = {field: column for field, column in table.columns.items() if _used(field, profile)}
        document["columns"] = columns
        document["channels"] = {table.channels[c]: c for c in profile.channels}
        document["kinds"] = {label: kind for kind, label in table.kinds.items()}
    elif fmt == "signalen":
        document["channels"] = {SIGNALEN_SOURCES[c]: c for c in profile.channels}
    document["source"] = source
    document["categories"] = _categories(profile, docs)
    return document


def _used(field: str, profile: Profile) -> bool:
    """A language column is only read when the organisation writes more than one language."""
    return field != "language" or len(profile.languages) > 1


def _key(name: str) -> str:
    bare = name.replace("-", "").replace("_", "")
    return name if name and bare.isascii() and bare.isalnum() else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _blocks(document: Mapping[str, Any], prefix: str) -> list[str]:
    scalars = [f"{_key(k)} = {_value(v)}" for k, v in document.items() if not isinstance(v, Mapping)]
    blocks = ["\n".join(scalars)] if scalars else []
    for name, table in document.items():
        if isinstance(table, Mapping):
            path = f"{prefix}{_key(name)}"
            inner = _blocks(table, path + ".")
            if any(not isinstance(v, Mapping) for v in table.values()):
                inner[0] = f"[{path}]\n{inner[0]}"
            blocks.extend(inner)
    return blocks


def to_toml(document: Mapping[str, Any]) -> str:
    """``document`` (strings, numbers, lists, nested tables) as TOML text."""
    return "\n\n".join(_blocks(document, "")) + "\n"


def _export(profile: Profile, records: list[Record]) -> str:
    fmt = profile.org.export_format
    if fmt == "signalen":
        base = f"https://api.meldingen.{profile.org.name.split()[-1].lower()}.example"
        return signalen_text(records, profile, _topics(profile), base)
    if fmt == "open311":
        return open311_text(records, profile)
    if fmt == "kto":
        return kto_text(records)
    table: Table = STYLES[profile.code]
    return table_csv(records, table, profile) if fmt == "csv" else table_jsonl(records, table, profile)


def write_exports(scenario: Scenario, folder: Path) -> dict[str, tuple[Path, Path]]:
    """Each organisation's export and mapping in ``folder``: org code -> (export file, mapping TOML)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, Path]] = {}
    by_organisation: dict[str, list[dict[str, Any]]] = {o.code: [] for o in scenario.organisations}
    for signal in scenario.signals:
        by_organisation[signal["source"]["organisation"]].append(signal)
    source_ids = scenario.source_ids
    for organisation in scenario.organisations:
        profile = _BY_CODE[organisation.code]
        docs = by_organisation[organisation.code]
        records = [(source_ids[d["id"]], d) for d in docs]
        stem = f"{organisation.code.lower()}-{profile.org.export_format}"
        export = folder / f"{stem}{_SUFFIX[profile.org.export_format]}"
        mapping = folder / f"{stem}.mapping.toml"
        table = STYLES.get(profile.code)
        encoding = table.encoding if table and profile.org.export_format == "csv" else "utf-8"
        export.write_text(_export(profile, records), encoding=encoding, newline="")
        header = f"# Mapping for the demo export of {organisation.name} ({profile.org.export_format}).\n"
        mapping.write_text(header + to_toml(mapping_document(profile, docs)), encoding="utf-8")
        written[organisation.code] = (export, mapping)
    return written
