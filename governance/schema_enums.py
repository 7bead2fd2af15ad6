# SPDX-License-Identifier: EUPL-1.2
"""An equivalent, faster form of the schema files for the compiled validator: code lists as ``enum`` lists.

The code lists are written as ``oneOf`` of ``{"const": code, "title": ..., "x-...": ...}`` entries so that every
code carries its Dutch label. A validator must then try every entry (361 for the municipalities) and count the
matches. When every entry holds nothing but a ``const`` and annotations, and the constants are distinct strings, the
``oneOf`` accepts exactly the values equal to one of the constants, which is what ``{"enum": [codes]}`` says:

* an annotation (``title``, ``description``, ``examples``, ``$comment``, ``deprecated``, ``x-*``) never changes
  whether an instance is valid, so an entry accepts exactly the one value equal to its ``const``;
* with distinct constants at most one entry matches, so "exactly one matches" (``oneOf``) is "some entry matches",
  i.e. the value is in the list (``enum``, which uses the same JSON equality as ``const``).

Every other node is copied unchanged (nothing is rewritten when a node already has an ``enum``, nor inside instance
values such as ``const``, ``enum``, ``examples`` and ``default``). Only the verdict is
the same; error locations and messages should come from the schema files as written.
"""

from __future__ import annotations

from typing import Any

__all__ = ["codelists_as_enums"]

_ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "deprecated", "default"})
# Keywords whose values are instances, not schemas: copied as they are.
_INSTANCE_VALUES = frozenset({"const", "enum", "examples", "default"})


def _const_only(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("const"), str)
        and all(key == "const" or key in _ANNOTATIONS or key.startswith("x-") for key in entry)
    )


def _as_enum(node: dict[str, Any]) -> list[str] | None:
    """The codes when ``node``'s ``oneOf`` is a list of distinct string constants with annotations only."""
    entries = node.get("oneOf")
    if "enum" in node or not isinstance(entries, list) or not entries or not all(_const_only(e) for e in entries):
        return None
    codes = [entry["const"] for entry in entries]
    return codes if len(set(codes)) == len(codes) else None


def codelists_as_enums(document: Any) -> Any:
    """A copy of a schema document with every code-list ``oneOf`` of constants written as an ``enum``."""
    if isinstance(document, list):
        return [codelists_as_enums(item) for item in document]
    if not isinstance(document, dict):
        return document
    codes = _as_enum(document)
    copied = {
        key: value if key in _INSTANCE_VALUES or key.startswith("x-") else codelists_as_enums(value)
        for key, value in document.items()
        if codes is None or key != "oneOf"
    }
    if codes is not None:
        copied["enum"] = codes
    return copied
