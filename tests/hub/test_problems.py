# SPDX-License-Identifier: EUPL-1.2
"""Every problem code is documented, and the envelope's refusal codes all have a row in the table."""

from __future__ import annotations

import inspect
from pathlib import Path

import connectors.envelope as envelope
from hub.problems import PROBLEM_BASE, PROBLEMS, problem_response

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api" / "errors.md").read_text(encoding="utf-8")


def test_every_code_is_documented() -> None:
    missing = [code for code in PROBLEMS if f"`{code}`" not in DOC]
    assert not missing


def test_every_envelope_refusal_has_a_status() -> None:
    codes = {
        cls.code
        for _, cls in inspect.getmembers(envelope, inspect.isclass)
        if issubclass(cls, envelope.EnvelopeError) and cls is not envelope.EnvelopeError
    }
    assert codes and codes <= set(PROBLEMS)


def test_problem_response_shape() -> None:
    response = problem_response("rate-limited", "wait", {"Retry-After": "3"}, "/v1/batches")
    assert response.status_code == 429
    assert response.media_type == "application/problem+json"
    assert response.headers["retry-after"] == "3"
    assert bytes(response.body).startswith(b'{"type":"' + PROBLEM_BASE.encode() + b"rate-limited")
