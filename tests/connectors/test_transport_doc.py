# SPDX-License-Identifier: EUPL-1.2
"""The worked example of ``docs/standard/transport.md`` is real: its token verifies and its snippets run as shown."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from connectors.envelope import EnvelopeError, verify_batch
from connectors.keys import KeyRing, jwk_thumbprint

DOC = Path(__file__).resolve().parents[2] / "docs" / "standard" / "transport.md"


def block(name: str) -> str:
    """The fenced code block right after ``<!-- example:NAME -->``."""
    match = re.search(rf"<!-- example:{name} -->\n```\w*\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no example block {name}"
    return match.group(1)


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "GM0344.jwks.json").write_text(block("jwks"), encoding="utf-8")
    (tmp_path / "token.jws").write_text(block("token") + "\n", encoding="ascii")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_example_token_verifies_and_is_refused_once_expired(example: Path) -> None:
    jwks = json.loads(block("jwks"))
    assert jwks["keys"][0]["kid"] == jwk_thumbprint(jwks["keys"][0])
    ring = KeyRing()
    ring.add_jwks("GM0344", jwks)
    token = block("token").encode()
    batch = verify_batch(token, ring, audience="hartslag-hub", now=1780462805)
    assert (batch.agency, batch.jti, len(batch.signals)) == ("GM0344", "3f9d2b6a-71c4-4e8b-a5d0-6c2e9f1b7a48", 2)
    assert batch.sha256 in DOC.read_text(encoding="utf-8")
    with pytest.raises(EnvelopeError) as refused:
        verify_batch(token, ring, audience="hartslag-hub")
    assert refused.value.code == "expired"


@pytest.mark.parametrize("name", ["verify-by-hand", "verify-with-hartslag"])
def test_the_snippets_print_what_the_page_says(example: Path, name: str) -> None:
    code = block(name)
    expected = code.splitlines()[-1].removeprefix("# ")  # each snippet ends with its output as a comment
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, name, "exec"), {"__name__": "example"})
    assert out.getvalue().strip() == expected
