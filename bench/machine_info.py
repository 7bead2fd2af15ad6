# SPDX-License-Identifier: EUPL-1.2
"""What a benchmark ran on, for the record in docs/benchmarks.md (shared by every script under bench/)."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["machine_info"]


def machine_info(**extra: Any) -> dict[str, Any]:
    """Date, CPU model, cores, load, Python and system, plus the caller's own settings (threads, seed, …)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        **extra,
    }
