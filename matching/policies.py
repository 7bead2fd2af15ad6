# SPDX-License-Identifier: EUPL-1.2
"""Policies whose effect on signals the policy-effect detector measures: a name, a start date, optional references.

A policy's ``refs`` are keys ``"scheme:id"`` in the standard's ``policy_refs`` schemes (``bwb``, ``cvdr``, ``eli``,
``ecli``, ``hartslag-policy``), e.g. ``"bwb:BWBR0015703"``. Signals that cite one of them mark the clusters most
likely to be about the policy. Nothing is stored here: where policies are kept is decided later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from governance.errors import InvalidInputError

__all__ = ["SCHEMES", "Policy", "ref_key"]

SCHEMES = ("bwb", "cvdr", "eli", "ecli", "hartslag-policy")


def ref_key(ref: object) -> str:
    """``"scheme:id"`` of a reference given as that string, a ``{"scheme", "id"}`` mapping or an object with both."""
    if isinstance(ref, str):
        scheme, sep, ident = ref.partition(":")
    elif isinstance(ref, Mapping):
        scheme, sep, ident = str(ref.get("scheme", "")), ":", str(ref.get("id", ""))
    else:
        scheme, sep, ident = str(getattr(ref, "scheme", "")), ":", str(getattr(ref, "id", ""))
    if not sep or scheme not in SCHEMES or not ident:
        raise InvalidInputError("a policy reference needs a known scheme and an id")
    return f"{scheme}:{ident}"


@dataclass(frozen=True)
class Policy:
    """A policy change taking effect on ``date`` (an event-time day, Europe/Amsterdam)."""

    name: str
    date: date
    refs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInputError("a policy needs a name")
        # Normalise once, so comparisons with the refs that signals carry are exact.
        object.__setattr__(self, "refs", tuple(ref_key(ref) for ref in self.refs))
