"""Log capture in the runtime's formats (docs/internals/runtime.md §3, §9).

During init and each invocation, ``print()`` output, ``sys.stderr`` and ``logging`` go to
one :class:`LogCapture`, as they go to one CloudWatch stream in Lambda. The root logger
gets the runtime's handler before the handler module is imported, so
``logging.basicConfig()`` is a no-op, and the root level stays at Python's default WARNING
unless ``AWS_LAMBDA_LOG_LEVEL`` is set.

Text format (default): ``[LEVEL]\\t<ISO ms>Z\\t<request id>\\t<message>\\n``; errors the
runtime reports are written as ``[ERROR] Type: message`` with ``\\r``-joined traceback lines.
``AWS_LAMBDA_LOG_FORMAT=JSON`` switches to the runtime's JSON records and platform events.
"""

from __future__ import annotations

import io
import json
import logging
import time
import traceback
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Final

__all__ = [
    "EnvironmentStream",
    "LambdaLogHandler",
    "LogCapture",
    "LogSink",
    "Platform",
    "error_lines",
    "log_level_from_env",
]

_TEXT_FORMAT: Final = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_DATEFMT: Final = "%Y-%m-%dT%H:%M:%S"
_JSON_DATEFMT: Final = "%Y-%m-%dT%H:%M:%SZ"
_NBSP: Final = "\u00a0"
_RESERVED: Final = frozenset(
    {
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
        "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
        "relativeCreated", "thread", "threadName", "processName", "process",
        "aws_request_id", "tenant_id", "_frame_type",
    }
)  # fmt: skip
_json_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class LogCapture(io.TextIOBase):
    """One invocation's log stream: a text file that stdout, stderr and logging write to."""

    encoding = "utf-8"

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.chunks.append(s)
        return len(s)

    def flush(self) -> None:
        pass

    @property
    def buffer(self) -> _BinaryCapture:
        """``sys.stdout.buffer``: bytes written here are decoded as UTF-8 into the log."""
        return _BinaryCapture(self)

    def text(self) -> str:
        return "".join(self.chunks)


class EnvironmentStream(io.TextIOBase):
    """An environment's ``sys.stdout``/``sys.stderr``, the same object for its whole life.

    Handlers keep references to it: a ``logging.StreamHandler(sys.stdout)`` or a Powertools
    ``Logger`` made at import time holds the stream that was current then. While an
    invocation runs, writes go to that invocation's :class:`LogCapture`; between
    invocations (a direct call of the handler, a background thread) they go to whatever
    ``sys.stdout`` is then, so nothing is lost.
    """

    encoding = "utf-8"

    def __init__(self) -> None:
        super().__init__()
        self.target: LogCapture | None = None

    def _out(self) -> Any:
        target = self.target
        if target is not None:
            return target
        import sys

        current = sys.stdout
        return sys.__stdout__ if current is self or current is None else current

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        written: int = self._out().write(s)
        return written

    def flush(self) -> None:
        flush = getattr(self._out(), "flush", None)
        if callable(flush):
            flush()

    @property
    def buffer(self) -> Any:
        """``sys.stdout.buffer`` of the current destination."""
        return self._out().buffer


class _BinaryCapture(io.RawIOBase):
    """The binary side of a :class:`LogCapture` (``sys.stdout.buffer.write(b"...")``)."""

    def __init__(self, text: LogCapture) -> None:
        super().__init__()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._text.chunks.append(data.decode("utf-8", "replace"))
        return len(data)


class LogSink:
    """The runtime's ``StandardLogSink``: records and errors go to (the current) stdout."""

    def __init__(self, json_format: bool) -> None:
        self.json_format = json_format

    def log(self, msg: str, frame_type: bytes | None = None) -> None:
        import sys

        # In Lambda each record is its own CloudWatch event (the runtime frames it); a
        # record whose text ends without a newline (a traceback from logger.exception)
        # would otherwise run into the next record here.
        sys.stdout.write(msg if msg.endswith("\n") else msg + "\n")

    def log_error(self, message_lines: list[str]) -> None:
        import sys

        sys.stdout.write("\r".join(message_lines) + "\n")


def log_level_from_env(value: str | None) -> int | None:
    """The root level ``AWS_LAMBDA_LOG_LEVEL`` sets (``TRACE`` means DEBUG), or None."""
    name = {None: "", "TRACE": "DEBUG"}.get(value, value or "").upper()
    level = logging.getLevelName(name) if name else None
    return level if isinstance(level, int) else None


class _JsonFormatter(logging.Formatter):
    """The runtime's JSON record format (AWS_LAMBDA_LOG_FORMAT=JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        levelno = min(50, max(0, record.levelno)) // 10 * 10
        exc = record.exc_info
        result: dict[str, Any] = {
            "timestamp": self.formatTime(record, _JSON_DATEFMT),
            "level": logging.getLevelName(levelno),
            "message": record.msg
            if isinstance(record.msg, dict) and not record.args
            else record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc and exc[0] else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        tenant_id = getattr(record, "tenant_id", None)
        if tenant_id is not None:
            result["tenantId"] = tenant_id
        result.update(
            (k, v) for k, v in record.__dict__.items() if k not in _RESERVED and k not in result
        )
        return _json_encode({k: v for k, v in result.items() if v is not None}) + "\n"


class LambdaLogHandler(logging.Handler):
    """The root handler the runtime installs; ``request_id`` is stamped on every record."""

    def __init__(self, *, json_format: bool) -> None:
        super().__init__()
        self.log_sink = LogSink(json_format)
        self.request_id = ""
        self.tenant_id: str | None = None
        formatter = (
            _JsonFormatter()
            if json_format
            else logging.Formatter(_TEXT_FORMAT, _TEXT_DATEFMT, validate=False)  # a valid constant
        )
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            record.aws_request_id = self.request_id
            record.tenant_id = self.tenant_id
            self.log_sink.log(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def error_lines(payload: Mapping[str, Any], *, json_format: bool, now: float) -> str:
    """How the runtime logs an error result (``log_error``): text lines or one JSON object."""
    if json_format:
        stamp = time.strftime(_JSON_DATEFMT, time.gmtime(now))
        return _json_encode({"timestamp": stamp, "level": "ERROR", **payload}) + "\n"
    head = "[ERROR]"
    if payload.get("errorType"):
        head += " " + payload["errorType"]
    if payload.get("errorMessage"):
        head += (":" if payload.get("errorType") else "") + " " + payload["errorMessage"]
    lines = [head]
    trace = payload.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(_NBSP * (len(line) - len(stripped)) + stripped)
    return "\r".join(lines) + "\n"


_MEMORY_WARNING: Final = "Memory Size exceeded, not enforced in isolation='module'"


def _iso_ms(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class Platform:
    """The platform's lines around an invocation (INIT_START, START, END, REPORT...)."""

    def __init__(self, *, json_format: bool, memory_mb: int, version: str, region: str) -> None:
        import sys

        self.json_format = json_format
        self.memory_mb = memory_mb
        self.version = version
        self.runtime = f"python:{sys.version_info[0]}.{sys.version_info[1]}.v0"
        self.runtime_arn = f"arn:aws:lambda:{region}::runtime:" + "0" * 64

    def _event(self, now: float, kind: str, record: dict[str, Any]) -> str:
        return _json_encode({"time": _iso_ms(now), "type": kind, "record": record}) + "\n"

    def init_start(self, now: float) -> str:
        if self.json_format:
            return self._event(
                now,
                "platform.initStart",
                {"initializationType": "on-demand", "phase": "init",
                 "runtimeVersion": self.runtime, "runtimeVersionArn": self.runtime_arn},
            )  # fmt: skip
        return (
            f"INIT_START Runtime Version: {self.runtime}\tRuntime Version ARN: {self.runtime_arn}\n"
        )

    def init_report(self, now: float, duration_ms: float, status: str, error_type: str) -> str:
        if self.json_format:
            record = {"initializationType": "on-demand", "phase": "init", "status": status,
                      "errorType": error_type, "metrics": {"durationMs": round(duration_ms, 3)}}  # fmt: skip
            return self._event(now, "platform.initReport", record)
        line = f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: init\tStatus: {status}"
        return line + (f"\tError Type: {error_type}\n" if error_type else "\n")

    def start(self, now: float, request_id: str) -> str:
        if self.json_format:
            record = {"requestId": request_id, "version": self.version}
            return self._event(now, "platform.start", record)
        return f"START RequestId: {request_id} Version: {self.version}\n"

    def timed_out(self, now: float, request_id: str, timeout: float) -> str:
        return f"{_iso_ms(now)} {request_id} Task timed out after {timeout:.2f} seconds\n"

    def exited(self, request_id: str, message: str, error_type: str) -> str:
        return f"RequestId: {request_id} Error: {message}\n{error_type}\n"

    def end(self, now: float, request_id: str) -> str:
        if self.json_format:
            return ""  # JSON logs have no END line: platform.report closes the invocation
        return f"END RequestId: {request_id}\n"

    def report(
        self, now: float, request_id: str, duration_ms: float, init_ms: float | None,
        status: str, error_type: str | None, max_memory_mb: int,
        *, memory_exceeded: bool = False,
    ) -> str:  # fmt: skip
        """The REPORT line. ``memory_exceeded``: the invocation passed the memory size where
        it is not enforced (isolation='module'); a field the real platform never writes."""
        billed = max(1, int(-(-duration_ms // 1)))
        if self.json_format:
            metrics: dict[str, Any] = {
                "durationMs": round(duration_ms, 3), "billedDurationMs": billed,
                "memorySizeMB": self.memory_mb, "maxMemoryUsedMB": max_memory_mb,
            }  # fmt: skip
            if init_ms is not None:
                metrics["initDurationMs"] = round(init_ms, 3)
            record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": status}
            if error_type:
                record["errorType"] = error_type
            if memory_exceeded:
                record["warning"] = _MEMORY_WARNING
            return self._event(now, "platform.report", record)
        line = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {max_memory_mb} MB"
        )
        if init_ms is not None:
            line += f"\tInit Duration: {init_ms:.2f} ms"
        if status != "success":
            line += f"\tStatus: {status}"
            if error_type:
                line += f"\tError Type: {error_type}"
        if memory_exceeded:
            line += f"\tWarning: {_MEMORY_WARNING}"
        return line + "\n"
