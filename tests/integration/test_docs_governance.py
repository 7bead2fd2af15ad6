# SPDX-License-Identifier: EUPL-1.2
"""Runs every command of docs/governance.md, the working group's guide, in order and as written, so it cannot rot.

The guide is read as :mod:`tests.integration.guides` reads every guide: each ```sh block runs as one bash script in
one terminal session (variables carry over), and a ```text or ```json block right after it is its output, checked
for shape. ``/var/lib/hartslag`` is replaced by a fresh data folder, made first as the hub's operator has it; the
guide's commands need no running hub. The blocks that are not a command's output (the checkpoint and the log entry
of "Audit log", the quorum rule's settings) are checked against what the commands made, and so is the table of
audit actions: every entry the guide's run writes is listed there with every detail it carries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tomllib
from pathlib import Path

import pytest
import rfc8785

from governance.registry_quorum import DEFAULT_POLICY, policy_from
from tests.integration.guides import Block, Terminal, assert_commands_exist, assert_shape, blocks
from tests.integration.processes import hartslag_json

__all__ = ["PREPARED", "audit_table"]

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "governance.md"
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: What the reader of a section holds before its first command beyond what earlier sections made: the dashboard
#: section's member ``anna`` signs on her own machine, with her own key (made as every member's key is made).
PREPARED = {"Op het dashboard": "hartslag connector keygen --agency anna --out ."}


def audit_table() -> dict[str, str]:
    """The table of "What is recorded": each action (``.proposed`` spelled out) → its row's details cell."""
    section = GUIDE.read_text(encoding="utf-8").split("### What is recorded", 1)[1].split("\n### ", 1)[0]
    actions: dict[str, str] = {}
    for row in re.findall(r"^\| `.*\|$", section, re.M):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        prefix = names[0].split(".", 1)[0]
        for name in names:
            actions[prefix + name if name.startswith(".") else name] = cells[2]
    return actions


def standalone(lang: str) -> list[Block]:
    """The guide's blocks of ``lang`` that are not a command's output."""
    return [block for block in blocks(GUIDE) if block.lang == lang]


def test_every_command_of_the_guide_runs_in_order(tmp_path: Path) -> None:
    data, work = tmp_path / "var-lib-hartslag", tmp_path / "werkgroep"
    data.mkdir()  # the hub's data folder: its operator made it when setting up the hub
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HARTSLAG_")}  # only what it says
    terminal = Terminal(work, {**env, "PATH": f"{BIN}:{env['PATH']}"}, {"/var/lib/hartslag": str(data)})
    commands = [block for block in blocks(GUIDE) if block.lang == "sh"]
    sections = [block.section for block in commands]
    assert {"Checking a new schema version", "Changing the standard in the registry", "Audit log"} <= set(sections)
    for index, block in enumerate(commands):
        if block.section in PREPARED and block.section not in sections[:index]:
            terminal.run(Block("sh", PREPARED[block.section], block.section))
        terminal.run(block)

    versions = hartslag_json(["governance", "versions", "signal", "--data", str(data), "--json"])[0]
    status = {row["version"]: row["status"] for row in versions}
    assert status == {"1.0.0": "ingetrokken", "1.1.0": "gepubliceerd"}, versions
    # the checkpoint the guide shows has the fields of the one the reader made
    (shown,) = [json.loads(b.code) for b in standalone("json") if '"jws"' in b.code]
    assert_shape(shown, json.loads((work / "checkpoint-2026-11-26.json").read_text(encoding="utf-8")))

    entries = hartslag_json(["governance", "audit", "show", "--data", str(data), "--limit", "1000", "--json"])[0]
    (example,) = [json.loads(b.code) for b in standalone("json") if '"prev_hash"' in b.code]
    for entry in entries:  # "the SHA-256 of the RFC 8785 canonical JSON of all its fields but hash"
        content = {key: value for key, value in entry.items() if key != "hash"}
        assert set(example) == set(content)
        assert hashlib.sha256(rfc8785.dumps(content)).hexdigest() == entry["hash"]
    documented = audit_table()
    for entry in entries:
        assert entry["action"] in documented, f"{entry['action']} is not in the table of What is recorded"
        named = set(re.findall(r"`([^`]+)`", documented[entry["action"]]))
        assert set(entry["details"]) <= named, f"{entry['action']}: {sorted(set(entry['details']) - named)} not named"


def test_the_quorum_rule_shown_is_the_default() -> None:
    rule, levels = (tomllib.loads(block.code) for block in standalone("toml"))
    assert policy_from(rule) == DEFAULT_POLICY  # "without DATA/registry.toml it is:"
    assert policy_from(levels).levels  # the level example is valid settings


def test_the_guide_names_only_real_commands() -> None:
    assert assert_commands_exist(GUIDE) >= 20
