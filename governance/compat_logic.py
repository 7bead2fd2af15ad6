# SPDX-License-Identifier: EUPL-1.2
"""Combinations in the compatibility walk: ``allOf``/``anyOf``/``oneOf``, ``not`` and ``if``/``then``/``else``.

``anyOf`` and ``oneOf`` are *sums* (a value must match a branch) and ``allOf`` a *product* (it must match every
part). The entries of the old and the new list are paired, identical entries first, then the pairs whose
differences break the least; each pair is compared like any two schemas, and an entry without a partner is a branch
(or part) added or removed. As in Confluent Schema Registry, ``oneOf`` is compared like ``anyOf``: the check does
not prove that branches stay mutually exclusive. A schema that is only an ``anyOf``/``oneOf`` compared with one that
has none counts as a sum of one, so ``{"type": "string"}`` → ``{"anyOf": [{"type": "string"}, {"type": "null"}]}``
is a branch added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from governance.compat_rules import BACKWARD, FORWARD, ChangeType
from governance.compat_schema import canonical, is_annotation, is_empty

if TYPE_CHECKING:
    from governance.compat_walk import Change, Walk

__all__ = ["compare_combinations", "compare_conditions", "compare_not", "lift_union"]

_COMBINATIONS = ("allOf", "anyOf", "oneOf")
_SUMS = ("anyOf", "oneOf")
# Pairing every old entry with every new one costs a comparison per pair; beyond this, entries left over after the
# identical ones are reported as added and removed (still a safe verdict, only less precise).
_MAX_PAIRS = 2500
_CRITERION = {
    ("allOf", "anyOf"): ChangeType.COMBINED_TYPE_EXTENDED,
    ("oneOf", "anyOf"): ChangeType.COMBINED_TYPE_EXTENDED,
    ("anyOf", "oneOf"): ChangeType.COMBINED_TYPE_NARROWED,
    ("anyOf", "allOf"): ChangeType.COMBINED_TYPE_NARROWED,
    ("allOf", "oneOf"): ChangeType.COMBINED_TYPE_CHANGED,
    ("oneOf", "allOf"): ChangeType.COMBINED_TYPE_CHANGED,
}


def _only_union(schema: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(keyword, branches) when a schema is nothing but an ``anyOf`` or ``oneOf`` (and annotations)."""
    keys = [key for key in schema if not is_annotation(key)]
    if len(keys) == 1 and keys[0] in _SUMS and isinstance(schema[keys[0]], list):
        return keys[0], schema[keys[0]]
    return None


def _only_allof(schema: dict[str, Any]) -> bool:
    return [key for key in schema if not is_annotation(key)] == ["allOf"]


def _without_annotations(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if not is_annotation(key)}


def lift_union(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> bool:
    """Compare a plain schema with a pure ``anyOf``/``oneOf`` as a sum of one; False when that does not apply."""
    union_old, union_new = _only_union(old), _only_union(new)
    if is_empty(old) or is_empty(new):
        return False  # an anyOf added to (or removed from) a schema that allowed anything only narrows (or widens)
    if _only_allof(old) or _only_allof(new):
        return False  # a switch between allOf and anyOf/oneOf: compared as such
    if union_new is not None and not any(key in old for key in _SUMS):
        keyword, branches = union_new
        _compare_lists(walk, [_without_annotations(old)], branches, (keyword, keyword), pointer)
        return True
    if union_old is not None and not any(key in new for key in _SUMS):
        keyword, branches = union_old
        _compare_lists(walk, branches, [_without_annotations(new)], (keyword, keyword), pointer)
        return True
    return False


def compare_combinations(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    """Compare ``allOf``, ``anyOf`` and ``oneOf``, including a switch from one to another."""
    present_old = [key for key in _COMBINATIONS if isinstance(old.get(key), list)]
    present_new = [key for key in _COMBINATIONS if isinstance(new.get(key), list)]
    if len(present_old) == 1 and len(present_new) == 1 and present_old != present_new:
        before, after = present_old[0], present_new[0]
        walk.emit(_CRITERION[(before, after)], f"{pointer}/{after}", f"{before} → {after}")
        _compare_lists(walk, old[before], new[after], (before, after), pointer)
        return
    for keyword in _COMBINATIONS:
        in_old, in_new = keyword in present_old, keyword in present_new
        if in_old and in_new:
            _compare_lists(walk, old[keyword], new[keyword], (keyword, keyword), pointer)
        elif keyword == "allOf" and (in_old or in_new):
            # No allOf is an allOf of nothing, so every part is added or removed.
            _compare_lists(walk, old.get(keyword, []), new.get(keyword, []), (keyword, keyword), pointer)
        elif in_new:
            walk.emit(ChangeType.SUM_TYPE_ADDED, f"{pointer}/{keyword}")
        elif in_old:
            walk.emit(ChangeType.SUM_TYPE_REMOVED, f"{pointer}/{keyword}")


def _compare_lists(walk: Walk, olds: list[Any], news: list[Any], keywords: tuple[str, str], pointer: str) -> None:
    before, after = keywords
    pairs, left_old, left_new = _pair(walk, olds, news, f"{pointer}/{after}")
    for changes in pairs:
        walk.adopt(changes)
    for index in left_old:
        removed = ChangeType.PRODUCT_TYPE_NARROWED if before == "allOf" else ChangeType.SUM_TYPE_NARROWED
        walk.emit(removed, f"{pointer}/{before}/{index}", f"entry {index} of the old {before} has no counterpart")
    for index in left_new:
        added = ChangeType.PRODUCT_TYPE_EXTENDED if after == "allOf" else ChangeType.SUM_TYPE_EXTENDED
        walk.emit(added, f"{pointer}/{after}/{index}")


def _pair(walk: Walk, olds: list[Any], news: list[Any], at: str) -> tuple[list[list[Change]], list[int], list[int]]:
    """Pair old and new entries: identical ones first, then the least breaking; returns (pair changes, unpaired)."""
    free_old = list(range(len(olds)))
    free_new: list[int] = []
    texts = {i: canonical(entry) for i, entry in enumerate(olds)}
    for j, entry in enumerate(news):
        text = canonical(entry)
        match = next((i for i in free_old if texts[i] == text), None)
        if match is None:
            free_new.append(j)
        else:
            free_old.remove(match)
    pairs: list[list[Change]] = []
    if free_old and free_new and len(free_old) * len(free_new) <= _MAX_PAIRS:
        trials = []
        for i in free_old:
            for j in free_new:
                changes = walk.trial(olds[i], news[j], f"{at}/{j}")
                broken = {direction for change in changes for direction in change.type.breaks}
                trials.append(((len(broken), len(changes), abs(i - j)), i, j, changes))
        for _, i, j, changes in sorted(trials, key=lambda trial: trial[0]):
            if i in free_old and j in free_new:
                free_old.remove(i)
                free_new.remove(j)
                pairs.append(changes)
    return pairs, free_old, free_new


def compare_not(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    """Compare ``not``: what the inner schema gains, the whole schema loses, so directions turn around."""
    inner_old, inner_new = old.get("not"), new.get("not")
    at = f"{pointer}/not"
    if inner_old is None and inner_new is None:
        return
    if inner_old is None or inner_new is None:
        walk.emit(ChangeType.NOT_ADDED if inner_old is None else ChangeType.NOT_REMOVED, at)
        return
    broken = {direction for change in walk.trial(inner_old, inner_new, at) for direction in change.type.breaks}
    if broken == {BACKWARD, FORWARD}:
        walk.emit(ChangeType.NOT_TYPE_CHANGED, at)
    elif BACKWARD in broken:  # the inner schema refuses some of what it accepted: it narrowed
        walk.emit(ChangeType.NOT_TYPE_NARROWED, at)
    elif FORWARD in broken:
        walk.emit(ChangeType.NOT_TYPE_EXTENDED, at)


def compare_conditions(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    """Compare ``if``/``then``/``else``: with the same ``if``, ``then`` and ``else`` are compared as schemas."""
    condition_old, condition_new = old.get("if"), new.get("if")
    at = f"{pointer}/if"
    if condition_old is None and condition_new is None:
        return
    if condition_old is None or condition_new is None:
        walk.emit(ChangeType.CONDITION_ADDED if condition_old is None else ChangeType.CONDITION_REMOVED, at)
    elif canonical(condition_old) != canonical(condition_new):
        walk.emit(ChangeType.CONDITION_CHANGED, at)
    else:
        for branch in ("then", "else"):
            if branch in old or branch in new:
                walk.diff(old.get(branch, {}), new.get(branch, {}), f"{pointer}/{branch}")
