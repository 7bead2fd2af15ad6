# SPDX-License-Identifier: EUPL-1.2
"""Real processes for the end-to-end tests: the ``hartslag`` command, a hub and connectors that can be SIGKILLed.

Every process writes its output to a log file (appended across restarts) so a failing run can show what happened;
:meth:`Managed.tail` reads the end of it. Nothing here knows about signals: the tests decide what to run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["HubProcess", "Managed", "hartslag", "hartslag_json", "run_all", "wait_port_free"]


def hartslag() -> list[str]:
    """The ``hartslag`` console script of this virtual environment (next to the running interpreter)."""
    script = Path(sys.executable).with_name("hartslag")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "hartslag"]


def run_all(commands: Sequence[Sequence[str]], *, timeout: float = 120.0) -> list[bytes]:
    """Run independent commands side by side; their standard outputs, or an error with the first failure's stderr."""
    started = [subprocess.Popen(list(c), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    outputs = []
    for command, process in zip(commands, started, strict=True):
        out, err = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise AssertionError(f"{' '.join(command[1:4])} … exited {process.returncode}: {err.decode()[-2000:]}")
        outputs.append(out)
    return outputs


def hartslag_json(*calls: Sequence[str], timeout: float = 60.0) -> list[Any]:
    """Run ``hartslag ARGS`` once per call, side by side (each must ask for ``--json``); their parsed outputs."""
    return [json.loads(out) for out in run_all([[*hartslag(), *args] for args in calls], timeout=timeout)]


def wait_port_free(port: int, timeout: float = 20.0) -> None:
    """Wait until ``port`` can be bound again on the loopback interface (the way uvicorn binds, SO_REUSEADDR)."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
        time.sleep(0.05)


class Managed:
    """One command run as a process that may be killed and started again with the same arguments."""

    def __init__(self, name: str, command: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.command = list(command)
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start (again); output is appended to the log."""
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts + 1}: {time.strftime('%H:%M:%S')} ===\n".encode())
            out.flush()
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT, env=self.env)
        self.starts += 1

    @property
    def running(self) -> bool:
        """The process was started and has not exited."""
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code of the last run (negative: killed by that signal), None while it runs."""
        return None if self.process is None else self.process.poll()

    def kill(self) -> bool:
        """SIGKILL the process if it runs and reap it; True when the kill hit a running process."""
        if self.process is None:
            return False
        hit = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            hit = True
        self.process.wait(timeout=30)
        return hit and self.process.returncode == -signal.SIGKILL

    def tail(self, chars: int = 3000) -> str:
        """The end of the log."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


class HubProcess(Managed):
    """``hartslag hub serve`` on a fixed port: restarted on the same data folder and port after a kill."""

    def __init__(self, command: Sequence[str], port: int, log: Path, env: Mapping[str, str] | None = None) -> None:
        super().__init__("hub", command, log, env)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def healthy(self) -> bool:
        """``GET /health`` answers 200 right now."""
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1.0) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Wait for ``/health``; raise with the log's tail when the process died or time ran out."""
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if not self.running:
                raise AssertionError(f"the hub exited ({self.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the hub did not become healthy in {timeout:g} s:\n{self.tail()}")
            time.sleep(0.1)

    def restart(self) -> None:
        """Start again once the port is free (the kernel closes a killed process's socket, but not at once)."""
        wait_port_free(self.port)
        self.start()
