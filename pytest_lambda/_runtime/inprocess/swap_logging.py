"""Swapping the logging state between the test and an execution environment.

:class:`LoggingSwap` puts the root logger as the runtime sets it up in place around each init
and invocation (pytest's capture handlers stay attached); :func:`snapshot_loggers`,
:func:`reset_loggers` and :func:`unconfigure_marked_loggers` give the named loggers the
handler configured back as they were. Part of ``swap.py``'s contract (cheap: it runs twice
per invocation; the logger walk runs only at an environment's reset).
"""

from __future__ import annotations

import logging
from collections.abc import Container, Mapping
from typing import Any, Final

__all__ = [
    "LoggerSnapshot", "LoggingSwap", "reset_loggers", "snapshot_loggers",
    "unconfigure_marked_loggers",
]  # fmt: skip


class LoggingSwap:
    """The root logger as the runtime sets it up, swapped in around each init/invocation.

    pytest's own capture handlers stay attached while the environment is active, so
    ``caplog`` and the "Captured log" report see what the handler logs (at the level the
    runtime would let through).
    """

    def __init__(self, handler: logging.Handler, level: int | None) -> None:
        self.handlers: list[logging.Handler] = [handler]
        self.level = logging.WARNING if level is None else level
        self.disable = 0
        self._saved: tuple[list[logging.Handler], int, int] | None = None
        self._passthrough: list[logging.Handler] = []

    def activate(self) -> None:
        root = logging.root
        saved = (root.handlers, root.level, root.manager.disable)
        self._saved = saved
        self._passthrough = [h for h in saved[0] if type(h).__module__.startswith("_pytest")]
        root.handlers = self.handlers + self._passthrough
        if root.level != self.level:
            root.setLevel(self.level)
        if saved[2] != self.disable:
            logging.disable(self.disable)

    def deactivate(self) -> None:
        saved = self._saved
        if saved is None:
            return
        root = logging.root
        passthrough = self._passthrough
        self.handlers = [h for h in root.handlers if h not in passthrough]
        self.level, self.disable = root.level, root.manager.disable
        root.handlers = saved[0]
        if root.level != saved[1]:
            root.setLevel(saved[1])
        if root.manager.disable != saved[2]:
            logging.disable(saved[2])
        self._saved = None
        self._passthrough = []


# (a shallow copy of the logger's __dict__, of its handlers list, of its filters list):
# never changed once made (a snapshot may share it with the next one)
_LoggerState = tuple[dict[str, Any], list[logging.Handler], list[Any]]


class LoggerSnapshot(dict[str, "_LoggerState"]):
    """Every named logger's configuration (see :func:`snapshot_loggers`), and the names of
    those a library marked as configured, seen in the same walk."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[str] = []
        self.size = -1  # entries in the logger manager's dict then (-1: not taken)


def snapshot_loggers() -> LoggerSnapshot:
    """The configuration of every named logger, to undo an environment's changes later.

    Copies in C (about 0.3 us per logger: boto3 and moto make hundreds); a logger still as
    the last environment's close left it (compared in C, without copying: about half that)
    keeps that state. The loggers with attributes a plain logger does not have are noted on
    the way, for :func:`unconfigure_marked_loggers`.
    """
    snapshot = LoggerSnapshot()
    marked: list[str] = []
    plain, plain_size = _PLAIN_LOGGER_ATTRS, len(_PLAIN_LOGGER_ATTRS)
    logger_dict = logging.root.manager.loggerDict
    last = _LAST_RESET[0] if _LAST_RESET else {}
    for name, lg in list(logger_dict.items()):
        if isinstance(lg, logging.Logger):
            state = last.get(name)
            if state is None or not _unchanged(lg, state):
                state = (dict(lg.__dict__), list(lg.handlers), list(lg.filters))
            snapshot[name] = state
            attrs = state[0]
            # a plain logger has exactly the plain attributes (the size is compared first)
            if len(attrs) != plain_size and not attrs.keys() <= plain:
                marked.append(name)
    snapshot.marked, snapshot.size = marked, len(logger_dict)
    return snapshot


_PLAIN_LOGGER_ATTRS: Final = frozenset(logging.Logger("_").__dict__) | {"parent", "manager"}


_DEFAULT_LOGGER: Final[_LoggerState] = (
    {
        **dict.fromkeys(_PLAIN_LOGGER_ATTRS),
        "level": logging.NOTSET,
        "propagate": True,
        "disabled": False,
    },
    [],
    [],
)
# The snapshot the last environment's close gave every logger back (see reset_loggers).
_LAST_RESET: list[Mapping[str, _LoggerState]] = []


def _unchanged(lg: logging.Logger, state: _LoggerState) -> bool:
    saved, handlers, filters = state
    return lg.__dict__ == saved and lg.handlers == handlers and lg.filters == filters


def _restore_logger(lg: logging.Logger, state: _LoggerState) -> None:
    saved, handlers, filters = state
    # Attributes the environment's code set on a logger (Powertools marks its loggers with
    # ``init``/``powertools_handler``) would make the next environment's import believe
    # the logger is already configured.
    namespace = lg.__dict__
    for attr in namespace.keys() - saved.keys():
        del namespace[attr]
    # and the marks it had back (a test's configured logger that a new environment
    # unconfigured: without its mark the library would set it up again, twice over)
    for attr in saved.keys() - _PLAIN_LOGGER_ATTRS:
        namespace[attr] = saved[attr]
    lg.level = saved.get("level", logging.NOTSET)
    lg.propagate = saved.get("propagate", True)
    lg.disabled = saved.get("disabled", False)
    lg.handlers, lg.filters = list(handlers), list(filters)


def reset_loggers(before: Mapping[str, _LoggerState], shared_packages: Container[str]) -> None:
    """Undo what an environment did to named loggers.

    Loggers that existed before get their level, handlers, filters and flags back (those
    left as they were are only compared). Loggers it created are reset to defaults, unless
    named after a shared (third-party) package such as ``botocore``, whose import-time set-up
    must survive for later environments.
    """
    changed = False
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if not isinstance(lg, logging.Logger):
            continue
        state = before.get(name)
        if state is None:
            if name.partition(".")[0] in shared_packages:
                continue
            state = _DEFAULT_LOGGER
        elif _unchanged(lg, state):
            continue
        _restore_logger(lg, state)
        changed = True
    if changed:
        logging.root.manager._clear_cache()  # type: ignore[attr-defined]
    # what the next snapshot compares with (a logger equal to its state here keeps it)
    _LAST_RESET[:] = [before]


def unconfigure_marked_loggers(
    shared_packages: Container[str], snapshot: LoggerSnapshot | None = None
) -> None:
    """Give a new environment fresh copies of loggers a library marked as configured.

    A logger made in the test process by importing the handler module directly (AWS Lambda
    Powertools' ``Logger(service=...)`` marks its logger with ``init``) would make the
    environment's import skip its set-up and log to the test's stream. A new Lambda process
    has no such logger, so it is reset to defaults here; :func:`reset_loggers` gives the
    test its configuration back when the environment closes. With the environment's
    ``snapshot`` (no logger made since), only the loggers it saw marked are looked at.
    """
    manager = logging.root.manager
    names: list[str] | None = None
    if snapshot is not None and snapshot.size == len(manager.loggerDict):
        names = snapshot.marked
    changed = False
    plain = _PLAIN_LOGGER_ATTRS
    items = (
        list(manager.loggerDict.items())
        if names is None
        else [(name, manager.loggerDict.get(name)) for name in names]
    )
    for name, lg in items:
        if not isinstance(lg, logging.Logger) or lg.__dict__.keys() <= plain:
            continue
        if name.partition(".")[0] in shared_packages:
            continue
        _restore_logger(lg, _DEFAULT_LOGGER)
        changed = True
    if changed:
        logging.root.manager._clear_cache()  # type: ignore[attr-defined]
