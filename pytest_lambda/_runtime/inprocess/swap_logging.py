"""Swapping the logging state between the test and an execution environment.

:class:`LoggingSwap` puts the root logger as the runtime sets it up in place around each init
and invocation (pytest's capture handlers stay attached); :func:`snapshot_loggers`,
:func:`reset_loggers` and :func:`unconfigure_marked_loggers` give the named loggers the
handler configured back as they were. Part of ``swap.py``'s contract (cheap: it runs twice
per invocation; the logger walk runs only at an environment's reset).
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Container, Mapping
from typing import Any, Final

from pytest_lambda._runtime.inprocess.dict_version import TagReader, tag_reader

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
    those a library marked as configured, seen in the same walk.

    Never changed once taken (an environment may share it with the next one). It also keeps
    its loggers and their states as parallel lists, so that "is every logger still as
    here?" is a few comparisons in C (:meth:`holds`), not a walk in Python.
    """

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[str] = []
        self.size = -1  # entries in the logger manager's dict then (-1: not taken)
        self._loggers: list[logging.Logger] = []
        self._dicts: list[dict[str, Any]] = []
        self._handlers: list[list[logging.Handler]] = []
        self._filters: list[list[Any]] = []
        self._tag: int | None = None  # the manager dict's version tag then (None: unknown)

    def _index(
        self, loggers: list[logging.Logger], states: list[_LoggerState], tag: int | None
    ) -> None:
        """Keep ``loggers`` and their ``states`` (in the same order) for :meth:`holds`."""
        self._loggers = loggers
        self._dicts = [state[0] for state in states]
        self._handlers = [state[1] for state in states]
        self._filters = [state[2] for state in states]
        self._tag = tag

    def holds(self) -> bool:
        """Whether every named logger is exactly as in this snapshot, and no logger was made.

        No logger made: the manager's dict has the version tag it had then
        (``dict_version.py``; where tags are unknown this answers False). Every logger as
        it was: their attribute dicts, handler lists and filter lists compare equal.
        """
        tag = self._tag
        if tag is None or _manager_tag() != tag:
            return False
        loggers = self._loggers
        return (
            list(map(_vars, loggers)) == self._dicts
            and list(map(_HANDLERS, loggers)) == self._handlers
            and list(map(_FILTERS, loggers)) == self._filters
        )


_vars: Final = vars
_HANDLERS: Final = operator.attrgetter("handlers")
_FILTERS: Final = operator.attrgetter("filters")
_MANAGER_TAG: list[tuple[dict[str, Any], TagReader | None]] = []


def _manager_tag() -> int | None:
    """The version tag of the logger manager's dict (None where tags cannot be read)."""
    logger_dict = logging.root.manager.loggerDict
    cached = _MANAGER_TAG[0] if _MANAGER_TAG else None
    if cached is None or cached[0] is not logger_dict:
        cached = (logger_dict, tag_reader(logger_dict))
        _MANAGER_TAG[:] = [cached]
    reader = cached[1]
    return reader.tag() if reader is not None else None


def snapshot_loggers() -> LoggerSnapshot:
    """The configuration of every named logger, to undo an environment's changes later.

    When no logger was made and none changed since the last environment's close gave them
    back, that snapshot is the answer (compared in C: ~0.15 us per logger). Otherwise it
    copies in C (about 0.3 us per logger: boto3 and moto make hundreds); a logger still as
    the last close left it keeps that state. The loggers with attributes a plain logger
    does not have are noted on the way, for :func:`unconfigure_marked_loggers`.
    """
    last = _LAST_RESET[0] if _LAST_RESET else None
    if last is not None and last.holds():
        return last
    snapshot = LoggerSnapshot()
    marked: list[str] = []
    plain, plain_size = _PLAIN_LOGGER_ATTRS, len(_PLAIN_LOGGER_ATTRS)
    tag = _manager_tag()  # read before the walk: a logger made during it shows later
    logger_dict = logging.root.manager.loggerDict
    previous: Mapping[str, _LoggerState] = last if last is not None else {}
    loggers: list[logging.Logger] = []
    states: list[_LoggerState] = []
    for name, lg in list(logger_dict.items()):
        if isinstance(lg, logging.Logger):
            state = previous.get(name)
            if state is None or not _unchanged(lg, state):
                state = (dict(lg.__dict__), list(lg.handlers), list(lg.filters))
            snapshot[name] = state
            loggers.append(lg)
            states.append(state)
            attrs = state[0]
            # a plain logger has exactly the plain attributes (the size is compared first)
            if len(attrs) != plain_size and not attrs.keys() <= plain:
                marked.append(name)
    snapshot.marked, snapshot.size = marked, len(logger_dict)
    snapshot._index(loggers, states, tag)
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
_LAST_RESET: list[LoggerSnapshot] = []


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


def reset_loggers(before: LoggerSnapshot, shared_packages: Container[str]) -> None:
    """Undo what an environment did to named loggers.

    Loggers that existed before get their level, handlers, filters and flags back (those
    left as they were are only compared). Loggers it created are reset to defaults, unless
    named after a shared (third-party) package such as ``botocore``, whose import-time set-up
    must survive for later environments. When no logger was made or changed
    (:meth:`LoggerSnapshot.holds`), nothing is walked.
    """
    if before.holds():
        _LAST_RESET[:] = [before]
        return
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
