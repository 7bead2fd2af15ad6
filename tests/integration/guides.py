# SPDX-License-Identifier: EUPL-1.2
"""Running a guide's commands as a reader would, so the guides cannot rot (shared by the ``test_docs_*`` tests).

How a guide is read:

- :func:`blocks` lists its fenced code blocks in order, each with the level-2 section it is in; a ```json, ```csv,
  ```http or ```text block right after a block is that block's output, not a block of its own.
- :class:`Terminal` runs a ```sh block as one bash script (``set -euo pipefail``) whose variables carry over to the
  next block, as in one terminal, with the guide's folders and addresses replaced by the test's.
- :func:`assert_output` checks what a block printed against its documented output, for shape: the same fields at
  every level, lists that may be shorter, and ``…`` in text standing for anything.
- :func:`assert_commands_exist` asks ``hartslag … --help`` for every command the guide names and checks its options.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import shlex
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Block", "Terminal", "assert_commands_exist", "assert_output", "assert_shape", "blocks", "free_port"]


# --- reading the guides ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced code block of a guide, the level-2 section it is in, and the output block right after it."""

    lang: str
    code: str
    section: str
    output_lang: str | None = None
    output: str | None = None


_FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.M | re.S)
_OUTPUTS = ("json", "csv", "http", "text")


def blocks(guide: Path) -> list[Block]:
    """The code blocks of ``guide`` in order, each with its output block (which is not listed by itself)."""
    text = guide.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in re.finditer(r"^## (.+)$", text, re.M)]
    fences = list(_FENCE.finditer(text))
    found: list[Block] = []
    skip = False
    for index, fence in enumerate(fences):
        if skip:
            skip = False
            continue
        section = next((name for at, name in reversed(headings) if at < fence.start()), "")
        after = fences[index + 1] if index + 1 < len(fences) else None
        output = None
        if after is not None and after.group(1) in _OUTPUTS and not text[fence.end() : after.start()].strip():
            output, skip = after, True
        found.append(
            Block(
                fence.group(1), fence.group(2), section,
                output.group(1) if output else None, output.group(2) if output else None,
            )
        )  # fmt: skip
    return found


# --- checking outputs -----------------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__


def assert_shape(documented: Any, actual: Any, where: str = "$") -> None:
    """``documented`` (a trimmed example) has the shape of ``actual``: the same keys in every object, the same kind
    of every value (``null`` goes with anything), and no list documented with items that came back empty."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: documented an object, got {_kind(actual)}"
        assert set(documented) == set(actual), f"{where}: documented {sorted(documented)}, got {sorted(actual)}"
        for key, value in documented.items():
            assert_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{where}: documented a list, got {_kind(actual)}"
        assert actual or not documented, f"{where}: documented items, none came"
        for i, item in enumerate(documented):
            assert_shape(item, actual[min(i, len(actual) - 1)], f"{where}[{i}]")
    elif documented is not None and actual is not None:
        assert _kind(documented) == _kind(actual), f"{where}: documented {documented!r}, got {actual!r}"


def assert_output(block: Block, stdout: str) -> None:
    """The block's documented output (if any) has the shape of what it printed."""
    if block.output is None:
        return
    where = block.code.strip().splitlines()[-1]
    if block.output_lang == "json":
        assert_shape(json.loads(block.output), json.loads(stdout), where)
    elif block.output_lang == "csv":
        table = list(csv.reader(block.output.splitlines()))
        got_table = list(csv.reader(stdout.splitlines()))
        assert table[0] == got_table[0], where
        assert all(len(row) == len(got_table[0]) for row in table) and len(got_table) >= len(table), where
    elif block.output_lang == "http":
        status, *lines = block.output.strip().splitlines()
        got_status, *got = stdout.strip().splitlines()
        assert status.split()[1] == got_status.split()[1], f"{where}: {got_status}"
        names = {line.split(":")[0].lower() for line in got if ":" in line}
        assert {line.split(":")[0].lower() for line in lines} <= names, where
    else:
        printed = [line.strip() for line in stdout.splitlines()]
        for line in filter(None, (line.strip() for line in block.output.splitlines())):
            pattern = ".*".join(re.escape(part) for part in line.split("…"))
            assert any(re.fullmatch(pattern, got) for got in printed), f"{where}: no line like {line!r} in\n{stdout}"


# --- running blocks -------------------------------------------------------------------------------------------------


@dataclass
class Terminal:
    """Where the guide's commands run: a folder, the environment they carry over, and the replacements."""

    cwd: Path
    env: dict[str, str]
    replacements: dict[str, str]

    def localise(self, code: str) -> str:
        """The block with the guide's folder and addresses replaced by the test's."""
        for old, new in self.replacements.items():
            code = code.replace(old, new)
        return code

    def run(self, block: Block) -> str:
        """Run a sh or python block as the guide says; its standard output (asserted to succeed)."""
        code = self.localise(block.code)
        if block.lang == "python":
            result = subprocess.run(
                ["python3", "-"], input=code, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=60
            )
        else:
            dump = self.cwd / ".variables"
            script = f"set -a -euo pipefail\n{code}\nenv -0 > {shlex.quote(str(dump))}\n"
            result = subprocess.run(
                ["bash", "-c", script], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120
            )
        assert result.returncode == 0, f"{code}\n{result.stdout[-1000:]}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, f"{code}\n{result.stderr[-2000:]}"
        if block.lang != "python":
            variables = dump.read_text(encoding="utf-8").split("\0")
            self.env = dict(item.split("=", 1) for item in variables if "=" in item)
        assert_output(block, result.stdout)
        return result.stdout

    def start(self, block: Block) -> subprocess.Popen[str]:
        """Start a block that keeps running (the webhook receiver), in its own process group."""
        return subprocess.Popen(
            ["bash", "-c", self.localise(block.code)], cwd=self.cwd, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the commands a guide names -------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z0-9-]*(?:[|/][a-z][a-z0-9-]*)*")  # a command's word, or alternatives: approve|reject
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def named_commands(guide: Path) -> list[str]:
    """Every ``hartslag …`` command of the guide: each in its ```sh blocks (up to a pipe, a redirection or a
    comment) and each in inline code (`hartslag governance approve|reject`, wrapped lines joined)."""
    found: list[str] = []
    for block in blocks(guide):
        if block.lang == "sh":
            for line in block.code.replace("\\\n", " ").splitlines():
                found += [m.group(1) for m in re.finditer(r"(?:^|[|;&(]\s*)(hartslag\s[^|;&)>#]*)", line)]
    text = guide.read_text(encoding="utf-8")
    found += [re.sub(r"([|/])\s+", r"\1", span) for span in re.findall(r"(?<!`)`(hartslag [^`]+)`", text)]
    return [command.strip() for command in found]


def assert_commands_exist(guide: Path) -> int:
    """Every command the guide names exists in the ``hartslag`` app (what ``hartslag WORDS --help`` shows) and takes
    every option the guide gives it; the number of commands checked."""
    import typer.main

    from hartslag.cli import app

    root = typer.main.get_command(app)
    checked = set()
    for command in named_commands(guide):
        words = list(itertools.takewhile(_WORD.fullmatch, command.split()[1:]))
        given = set(_OPTION.findall(command))
        for path in itertools.product(*(re.split(r"[|/]", word) for word in words)):
            found, named = root, ["hartslag"]
            for word in path:  # down the groups; the words after a command are its arguments
                group: dict[str, Any] | None = getattr(found, "commands", None)  # typer vendors click: no isinstance
                if group is None:
                    break
                named.append(word)
                assert word in group, f"{' '.join(named)}: no such command (in {command!r})"
                found = group[word]
            options = {"--help"} | {opt for param in found.params for opt in (*param.opts, *param.secondary_opts)}
            assert given <= options, f"{' '.join(named)} has no {sorted(given - options)} (in {command!r})"
            checked.add(tuple(named))
    return len(checked)
