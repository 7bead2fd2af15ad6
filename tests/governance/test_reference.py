# SPDX-License-Identifier: EUPL-1.2
"""The committed field reference in docs/standard is what the generator makes from the schema files."""

from __future__ import annotations

from pathlib import Path

from governance.reference import write_reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "standard"


def test_committed_reference_is_current(tmp_path: Path) -> None:
    written = write_reference(tmp_path)
    assert {p.name for p in written} >= {"signal-1.0.0.md", "batch-1.0.0.md", "codelists.md"}
    stale = [p.name for p in written if not (DOCS / p.name).is_file() or (DOCS / p.name).read_text() != p.read_text()]
    assert not stale, f"regenerate with `make docs` (hartslag schema docs --out docs/standard): {stale}"


def test_reference_documents_every_field(tmp_path: Path) -> None:
    text = (write_reference(tmp_path)[0].parent / "signal-1.0.0.md").read_text()
    for field in ("`id`", "`source.organisation`", "`text`", "`location.postcode_area`", "`privacy.anonymiser`"):
        assert field in text
