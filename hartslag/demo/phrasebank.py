# SPDX-License-Identifier: EUPL-1.2
"""The demo's topics and texts, read from the TOML files in ``hartslag/demo/phrases`` (shipped in the wheel).

``phrases/catalogue.toml`` says what each topic is about (themes, category, kinds, month and hour profiles);
``phrases/<language>/*.toml`` hold the texts per topic, in parts that are recombined per signal, and a
``common.toml`` with slot values, generic sentences, channel wrappers and personal-data sentences. Unknown part
names and topics that are not in the catalogue are refused when the files load, so a typo fails loudly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["LANGUAGES", "PARTS", "Language", "Phrases", "Topic", "catalogue", "language"]

LANGUAGES = ("nl", "nl-BE", "en")
#: The parts a topic's texts are made of (see phrases/nl/openbare_ruimte.toml).
PARTS = frozenset(
    {"subject", "short", "core", "detail", "effect", "ask", "question", "praise", "idea", "objection", "note", "pro",
     "neutral"}
)  # fmt: skip
_META = {"themes", "main", "sub", "code", "kinds", "months", "hours", "channels", "policy_refs"}


@dataclass(frozen=True)
class Topic:
    """What a topic is about in the standard, and how often and when it comes in."""

    key: str
    themes: tuple[str, ...]
    main: str  # main category (Signalen-style schemes)
    sub: str  # sub category, also the category label
    code: str  # category code in code-style schemes
    kinds: Mapping[str, float]
    months: tuple[float, ...] = (1.0,) * 12
    night: bool = False
    channels: frozenset[str] | None = None
    policy_refs: tuple[str, ...] = ()  # the rules the topic's category is about ("scheme:id")

    def allows(self, channel: str) -> bool:
        """Whether signals about this topic come in through ``channel``."""
        return self.channels is None or channel in self.channels


@dataclass(frozen=True)
class Phrases:
    """The texts of one topic in one language: parts, slot values and named variants."""

    parts: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    variants: Mapping[str, Phrases] = field(default_factory=dict)

    def variant(self, name: str | None) -> Phrases:
        """The parts of variant ``name`` over the base parts (the base itself when ``name`` is None or unknown)."""
        if name is None or name not in self.variants:
            return self
        chosen = self.variants[name]
        return Phrases({**self.parts, **chosen.parts}, {**self.slots, **chosen.slots})


@dataclass(frozen=True)
class Language:
    """Everything written in one language: topics' phrases, common slots, generic parts, wrappers, personal data."""

    code: str
    topics: Mapping[str, Phrases]
    slots: Mapping[str, tuple[str, ...]]
    generic: Mapping[str, tuple[str, ...]]
    wrappers: Mapping[str, Mapping[str, tuple[str, ...]]]
    personal: Mapping[str, tuple[str, ...]]


def _read(*path: str) -> dict[str, Any]:
    return tomllib.loads(files("hartslag.demo").joinpath("phrases", *path).read_text(encoding="utf-8"))


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: expected a non-empty list of texts")
    return tuple(value)


@cache
def catalogue() -> dict[str, Topic]:
    """Every topic of the demo by key."""
    topics: dict[str, Topic] = {}
    for key, entry in _read("catalogue.toml").items():
        unknown = set(entry) - _META
        if unknown:
            raise ValueError(f"catalogue {key}: unknown keys {sorted(unknown)}")
        months = tuple(float(m) for m in entry.get("months", [1.0] * 12))
        if len(months) != 12:
            raise ValueError(f"catalogue {key}: months needs 12 values")
        channels = entry.get("channels")
        topics[key] = Topic(
            key=key,
            themes=tuple(entry["themes"]),
            main=entry["main"],
            sub=entry["sub"],
            code=entry["code"],
            kinds={str(k): float(v) for k, v in entry["kinds"].items()},
            months=months,
            night=entry.get("hours") == "night",
            channels=frozenset(channels) if channels else None,
            policy_refs=tuple(entry.get("policy_refs", ())),
        )
    return topics


def _phrases(where: str, table: dict[str, Any]) -> Phrases:
    parts: dict[str, tuple[str, ...]] = {}
    slots: dict[str, tuple[str, ...]] = {}
    variants: dict[str, Phrases] = {}
    for name, value in table.items():
        if name == "slots":
            slots = {k: _strings(f"{where}.slots.{k}", v) for k, v in value.items()}
        elif isinstance(value, dict):
            variants[name] = _phrases(f"{where}.{name}", value)
        elif name in PARTS:
            parts[name] = _strings(f"{where}.{name}", value)
        else:
            raise ValueError(f"{where}: unknown part {name!r}")
    return Phrases(parts, slots, variants)


@cache
def language(code: str) -> Language:
    """The texts of language ``code`` (one of :data:`LANGUAGES`)."""
    folder = files("hartslag.demo").joinpath("phrases", code)
    known = catalogue()
    topics: dict[str, Phrases] = {}
    common: dict[str, Any] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        document = _read(code, entry.name)
        if entry.name == "common.toml":
            common = document
            continue
        for key, table in document.items():
            if key not in known:
                raise ValueError(f"{code}/{entry.name}: topic {key!r} is not in the catalogue")
            topics[key] = _phrases(f"{code}/{key}", table)
    return Language(
        code=code,
        topics=topics,
        slots={k: _strings(f"{code} slots.{k}", v) for k, v in common.get("slots", {}).items()},
        generic={k: _strings(f"{code} generic.{k}", v) for k, v in common.get("generic", {}).items()},
        wrappers={
            channel: {k: _strings(f"{code} wrappers.{channel}.{k}", v) for k, v in parts.items()}
            for channel, parts in common.get("wrappers", {}).items()
        },
        personal={k: _strings(f"{code} personal.{k}", v) for k, v in common.get("personal", {}).items()},
    )
