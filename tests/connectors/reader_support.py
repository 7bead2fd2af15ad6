# SPDX-License-Identifier: EUPL-1.2
"""Shared helpers for the source-reader tests: the sample exports, the personal data planted in them, a mapping
factory, and the anonymiser (the real one when installed; a stand-in only until it lands)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.mapping import Mapping as MappingModel
from connectors.mapping import parse_mapping

__all__ = [
    "DATA",
    "PERSONAL_DATA",
    "SAMPLES",
    "StandIn",
    "line_of",
    "load_toml",
    "make_mapping",
    "read_sample",
    "scrubber",
    "serialised",
]

DATA = Path(__file__).resolve().parents[1] / "data"

# (export, mapping or None) per reader.
SAMPLES = {
    "csv": ("gemeente-utrecht.csv", "gemeente-utrecht.mapping.toml"),
    "jsonl": ("klachten-duo.jsonl", "klachten-duo.mapping.toml"),
    "signalen": ("signalen-export.json", "signalen-export.mapping.toml"),
    "open311": ("open311-requests.json", "open311-requests.mapping.toml"),
    "kto": ("kto-uwv.csv", "kto-uwv.mapping.toml"),
    "standard": ("standard-signals.jsonl", None),
}

# Personal data planted in the samples on purpose: none of it may appear in anything that leaves. Strong
# identifiers and full names only (an anonymiser may rightly leave a lone first name or a surname).
PERSONAL_DATA = {
    "gemeente-utrecht.csv": [
        "06-12345678", "Jan de Vries", "Fatima el Amrani", "f.elamrani@hotmail.com", "Pieter Janssen",
        "p.janssen@ziggo.nl", "030-2861234", "06 98765432", "henk.bakker@gmail.com", "Mohamed Yilmaz",
        "0612340000", "123456782", "06-11122233", "Sanne Visser", "Oudegracht 231",
    ],
    "klachten-duo.jsonl": [
        "06-55443322", "Lotte de Boer", "lotte.deboer@gmail.com", "Youssef Amrani", "y.amrani@student.uva.nl",
        "Gerrit Kok", "Nina Postma", "daan.vos@hotmail.com", "Iris Smeets", "iris.smeets@ziggo.nl", "Mila Jansen",
    ],
    "signalen-export.json": [
        "s.bakker@example.nl", "0612345670", "0205551234", "k.de.wit@gmail.com", "kees.mulder@outlook.com",
        "0687654321", "bewoner17@ziggo.nl", "0624681357", "0201112233", "r.huisman@example.com", "0612121212",
        "ouders.basisschool@example.nl", "w.smit@kpnmail.nl", "0653535353", "0613572468", "Annelies Vermeulen",
        "020-5551234", "Kees Mulder", "06-24681357", "Willem Smit", "Bram de Jong", "06-13572468",
        "NL91ABNA0417164300",
    ],
    "open311-requests.json": ["06-44556677", "Ahmed Benali", "ahmed.benali@hotmail.nl", "010-4123456"],
    "kto-uwv.csv": ["Marieke Hendriks", "06-23456789", "h.dijkstra@live.nl", "111222333", "NL20INGB0001234567"],
    "standard-signals.jsonl": [
        "els.peeters@telenet.be", "Dirk Claes", "0475 12 34 56", "Sofie Maes", "BE68 5390 0754 7034",
        "tom.wouters@gmail.com",
    ],
}  # fmt: skip

_BASE_MAPPING: dict[str, Any] = {
    "source": {"organisation": "GM0344", "organisation_kind": "municipality", "channel": "web_form"},
    "columns": {"id": "nr", "text": "tekst", "observed_at": "datum"},
}


def make_mapping(**overrides: Any) -> MappingModel:
    """A valid mapping; each override replaces a top-level table, ``source``/``columns`` entries are merged."""
    document: dict[str, Any] = {key: dict(value) for key, value in _BASE_MAPPING.items()}
    for key, value in overrides.items():
        if key in ("source", "columns") and isinstance(value, dict):
            document[key].update(value)
        else:
            document[key] = value
    return parse_mapping({k: v for k, v in document.items() if v is not None})


def line_of(path: Path, needle: str) -> int:
    """The (1-based) line of ``path`` where ``needle`` first occurs: where a test expects an issue."""
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path.name}")


def serialised(signals: Iterable[Mapping[str, Any]]) -> str:
    """All signals as one string, to search for anything that should not have left."""
    import json

    return "\n".join(json.dumps(s, ensure_ascii=False) for s in signals)


@dataclass
class _Result:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


class StandIn:
    """A trivial stand-in anonymiser for these tests only: regexes for strong identifiers plus the planted names.

    Used only while ``connectors.anonymiser`` is not installed.
    """

    name = "test-stand-in"
    version = "0.0.1"
    _PATTERNS = (
        ("EMAIL", r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
        ("IBAN", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b"),
        ("TELEFOONNUMMER", r"(?<!\d)0\d{1,3}[ -]?\d{2,3}[ -]?\d{2}[ -]?\d{2,4}(?!\d)"),
        ("BSN", r"(?<!\d)\d{9}(?!\d)"),
    )

    def __init__(self) -> None:
        names = {p for values in PERSONAL_DATA.values() for p in values if re.fullmatch(r"[A-Z][\w ]+", p)}
        self._names = sorted(names, key=len, reverse=True)

    def scrub(self, text: str) -> _Result:
        counts: dict[str, int] = {}
        for label, pattern in self._PATTERNS:
            text, n = re.subn(pattern, f"[{label}]", text)
            if n:
                counts[label] = counts.get(label, 0) + n
        for name in self._names:
            n = text.count(name)
            if n:
                label = "ADRES" if any(ch.isdigit() for ch in name) else "NAAM"
                text = text.replace(name, f"[{label}]")
                counts[label] = counts.get(label, 0) + n
        return _Result(text, counts)


def read_sample(reader: str, anonymiser: Any | None = None) -> tuple[list[dict[str, Any]], Any]:
    """``read_signals`` on one of the sample exports with its mapping."""
    from connectors.readers import read_signals

    export, mapping = SAMPLES[reader]
    return read_signals(DATA / export, DATA / mapping if mapping else None, anonymiser or scrubber())


def scrubber() -> Any:
    """The real anonymiser when it is installed, else the stand-in."""
    try:
        from connectors.anonymiser import Anonymiser
    except ImportError:
        return StandIn()
    return Anonymiser()


def load_toml(name: str) -> dict[str, Any]:
    """A sample mapping's raw TOML document."""
    with (DATA / name).open("rb") as handle:
        return tomllib.load(handle)
