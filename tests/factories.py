# SPDX-License-Identifier: EUPL-1.2
"""Factories for tests: standard signals, agencies and key pairs, built with real code rather than hand-written dicts.

Each factory takes keyword overrides; everything else is filled with valid, varied values (seeded ``random`` so
runs are reproducible). Add factories here rather than building documents by hand in tests.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["Agency", "make_agency", "make_batch", "make_keypair", "make_signal", "make_signals", "write_jsonl"]

_TEXTS = (
    "De lantaarnpaal bij het speelveld is al twee weken kapot, het is 's avonds erg donker.",
    "Er staat sinds maandag grofvuil naast de container op de hoek van het plein.",
    "Ik heb een vraag over de termijn van mijn aanvraag; ik heb nog niets gehoord.",
    "De stoep is opgebroken en niet meer hersteld, lastig met een rollator.",
    "Veel lege lachgascilinders in de berm langs de fietsroute naar school.",
    "Compliment voor de snelle reactie van de wijkagent vorige week.",
    "Het wachten aan de telefoon duurde meer dan veertig minuten.",
    "Graag meer prullenbakken in het park, vooral in het weekend is het vol.",
)
_KINDS = ("report", "complaint", "question", "suggestion", "compliment")
_CHANNELS = ("phone", "web_form", "email", "app", "counter")
_THEMES = (("afval",), ("openbare-ruimte",), ("verkeer",), ("overlast",), ("afval", "openbare-ruimte"))


@dataclass(frozen=True)
class Agency:
    """A publishing organisation as the standard names it."""

    code: str
    kind: str


def make_agency(code: str = "GM0363", kind: str | None = None) -> Agency:
    """An agency; the kind follows from the code unless given (GM#### municipality, NIS##### Flemish, else national)."""
    if kind is None:
        kinds = {"GM": "municipality", "NIS": "flemish_local_government"}
        kind = next((k for prefix, k in kinds.items() if code.startswith(prefix)), "national_agency")
    return Agency(code, kind)


def make_signal(*, rng: random.Random | None = None, agency: Agency | None = None, **overrides: Any) -> dict[str, Any]:
    """One valid signal of the standard (version 1.0.0); ``overrides`` replace top-level fields."""
    rng = rng or random.Random()
    agency = agency or make_agency()
    observed = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 180))
    signal: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "schema_version": "1.0.0",
        "source": {"organisation": agency.code, "organisation_kind": agency.kind, "channel": rng.choice(_CHANNELS)},
        "kind": rng.choice(_KINDS),
        "observed_at": observed.isoformat(),
        "published_at": (observed + timedelta(hours=2)).isoformat(),
        "text": rng.choice(_TEXTS),
        "language": "nl",
        "themes": list(rng.choice(_THEMES)),
        "privacy": {"anonymiser": "hartslag-anonymiser", "version": "1.0.0"},
    }
    signal.update(overrides)
    return signal


def make_signals(n: int, *, seed: int = 7, agency: Agency | None = None) -> list[dict[str, Any]]:
    """``n`` distinct valid signals, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [make_signal(rng=rng, agency=agency) for _ in range(n)]


def make_batch(
    signals: Iterable[dict[str, Any]],
    *,
    iss: str | None = None,
    aud: str = "hartslag-hub",
    iat: int | None = None,
    ttl: int = 600,
    **overrides: Any,
) -> dict[str, Any]:
    """One valid batch (version 1.0.0) holding ``signals``: a fresh ``jti``, ``exp`` ``ttl`` seconds after ``iat``.

    ``iss`` defaults to the first signal's organisation and ``iat`` to now, so that a signed batch verifies;
    ``overrides`` replace top-level fields.
    """
    entries = list(signals)
    if iss is None:
        iss = entries[0]["source"]["organisation"] if entries else "GM0363"
    issued = int(datetime.now(UTC).timestamp()) if iat is None else iat
    batch: dict[str, Any] = {
        "schema_version": "1.0.0",
        "iss": iss,
        "aud": aud,
        "iat": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
        "signals": entries,
    }
    batch.update(overrides)
    return batch


def write_jsonl(path: Path, signals: Iterable[dict[str, Any]]) -> Path:
    """Write signals as standard-shaped JSON Lines (what ``--mapping`` may be left out for)."""
    with path.open("w", encoding="utf-8") as handle:
        for signal in signals:
            handle.write(json.dumps(signal, ensure_ascii=False) + "\n")
    return path


def make_keypair(tmp_path: Path, agency: str = "GM0363", *, alg: str = "EdDSA", passphrase: bytes | None = None) -> Any:
    """A real key pair written to ``tmp_path`` (``connectors.keys.write_keypair``): PEM 0600 and JWK set."""
    from connectors.keys import write_keypair

    return write_keypair(agency, tmp_path, alg=alg, passphrase=passphrase)
