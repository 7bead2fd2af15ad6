# SPDX-License-Identifier: EUPL-1.2
"""``scrub_jsonl`` and ``hartslag connector scrub``: only ``text`` changes, one line out per line in, counts."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from connectors.anonymiser import Anonymiser, ScrubResult
from connectors.cli import app
from connectors.scrub import ScrubInputError, scrub_jsonl
from tests.factories import make_signal

SECRET = "Mevrouw Jansen belt, tel 06-12345678, bsn 111222333."


def _lines(objects: list[object]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


def test_only_text_changes_and_key_order_is_kept() -> None:
    signal = make_signal(text=SECRET)
    signal["extensions"] = {"nl.example": {"note": "Jansen", "ü": "ß"}}
    out = io.StringIO()
    counts = scrub_jsonl(io.StringIO(_lines([signal])), out)
    (line,) = out.getvalue().splitlines()
    scrubbed = json.loads(line)
    assert list(scrubbed) == list(signal)
    assert {k: v for k, v in scrubbed.items() if k != "text"} == {k: v for k, v in signal.items() if k != "text"}
    assert scrubbed["text"] == "Mevrouw [NAAM] belt, tel [TELEFOON], bsn [BSN]."
    assert counts == Counter({"NAAM": 1, "TELEFOON": 1, "BSN": 1})
    assert "ü" in line and "\\u" not in line  # ensure_ascii=False


def test_one_line_out_per_line_in_and_counts_add_up() -> None:
    objects: list[object] = [
        {"id": "1", "text": SECRET},
        {"id": "2", "text": "Op de Coolsingel ligt afval sinds 1 januari."},
        {"id": "3", "kind": "no text field"},
        {"id": "4", "text": "Bel 0612345678 of 020-1234567."},
    ]
    source = _lines(objects[:2]) + "\n" + _lines(objects[2:])
    out = io.StringIO()
    counts = scrub_jsonl(io.StringIO(source), out)
    lines = out.getvalue().split("\n")[:-1]
    assert len(lines) == len(source.split("\n")) - 1 == 5
    assert lines[2] == ""
    assert json.loads(lines[1])["text"] == "Op de Coolsingel ligt afval sinds 1 januari."
    assert json.loads(lines[3]) == {"id": "3", "kind": "no text field"}
    assert counts == Counter({"TELEFOON": 3, "NAAM": 1, "BSN": 1})


def test_uses_the_given_anonymiser() -> None:
    class Upper:
        name = "upper"
        version = "0.0.1"

        def scrub(self, text: str) -> ScrubResult:
            return ScrubResult(text.upper(), {"X": 1})

    out = io.StringIO()
    assert scrub_jsonl(['{"text": "abc"}\n'], out, Upper()) == Counter({"X": 1})
    assert json.loads(out.getvalue()) == {"text": "ABC"}
    assert isinstance(Anonymiser().scrub("x"), ScrubResult)


@pytest.mark.parametrize(
    "bad, reason",
    [
        ('{"text": "Jansen"', "not valid JSON"),
        ('["Jansen"]', "expected a JSON object, got list"),
        ('"Jansen 0612345678"', "expected a JSON object, got str"),
        ('{"text": ["Jansen"]}', "field 'text' must be a string, got list"),
    ],
)
def test_bad_line_names_the_line_never_the_content(bad: str, reason: str) -> None:
    source = _lines([{"text": "ok"}, {"text": "ook ok"}]) + bad + "\n"
    with pytest.raises(ScrubInputError) as info:
        scrub_jsonl(io.StringIO(source), io.StringIO())
    assert info.value.line_number == 3
    assert info.value.code == "scrub-bad-line"
    assert info.value.message.startswith("line 3: ") and reason in info.value.message
    assert "Jansen" not in info.value.message and "0612345678" not in info.value.message


def test_cli_scrub_with_stats() -> None:
    result = CliRunner().invoke(app, ["scrub", "--stats"], input=_lines([{"id": "a", "text": SECRET}]))
    assert result.exit_code == 0, result.output
    out_line = result.stdout.splitlines()[0]
    assert json.loads(out_line)["text"] == "Mevrouw [NAAM] belt, tel [TELEFOON], bsn [BSN]."
    for kind in ("NAAM", "TELEFOON", "BSN"):
        assert kind in result.stderr
    assert "Jansen" not in result.stdout


def test_cli_scrub_bad_input_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(app, ["scrub"], input='{"text": "Jansen"}\nnot json Jansen\n')
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "line 2" in message and "Jansen" not in message
    assert "Traceback" not in result.output
