# SPDX-License-Identifier: EUPL-1.2
"""Structured JSON logs with request ids. Log records carry ids, codes and timings: never signal text."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging"]

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: messages may quote input
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(json_logs: bool = True, level: int = logging.INFO) -> None:
    """Route the ``hartslag`` loggers to standard error, as JSON lines when ``json_logs``."""
    logger = logging.getLogger("hartslag")
    logger.setLevel(level)
    if not any(getattr(h, "_hartslag", False) for h in logger.handlers):
        stream = logging.StreamHandler()
        stream._hartslag = True  # type: ignore[attr-defined]
        logger.addHandler(stream)
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(message)s"))
    logger.propagate = False
