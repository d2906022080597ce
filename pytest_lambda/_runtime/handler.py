"""Handler string resolution and init errors, as awslambdaric's bootstrap does them (docs/internals/runtime.md §2).

``"pkg/sub/app.handler"``: split on the last dot, ``/`` in the module path becomes ``.``, the
module is imported, and one attribute is looked up. Failures are :class:`InitFault`s carrying
the runtime's ``errorType``, ``errorMessage`` and ``stackTrace``; any other exception raised
while importing keeps its class name as ``errorType`` (:func:`fault_from_exception`).

Our one addition: ``Runtime.HandlerNotFound`` also lists the callables the module has.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any, Final

__all__ = [
    "InitFault",
    "callables_of",
    "fault_from_exception",
    "handler_name",
    "load_handler",
    "split_handler",
    "stack_trace",
]

MALFORMED_HANDLER_NAME: Final = "Runtime.MalformedHandlerName"
BUILT_IN_MODULE_CONFLICT: Final = "Runtime.BuiltInModuleConflict"
IMPORT_MODULE_ERROR: Final = "Runtime.ImportModuleError"
USER_CODE_SYNTAX_ERROR: Final = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND: Final = "Runtime.HandlerNotFound"

_PACKAGE_DIR: Final = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_REDIRECT_FILE: Final = _PACKAGE_DIR + os.path.join("_runtime", "inprocess", "tmp_redirect.py")
_MAX_LISTED: Final = 20


class InitFault(Exception):
    """A runtime fault (``Runtime.*``) with the runtime's error type, message and trace."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace: list[str] = trace or []


def split_handler(spec: str) -> tuple[str, str]:
    """``(module path as written, function name)``; ``Runtime.MalformedHandlerName`` if no dot."""
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as exc:
        raise InitFault(MALFORMED_HANDLER_NAME, f"Bad handler '{spec}': {exc}") from None
    return modname, fname


def handler_name(handler: str | Callable[..., Any]) -> str:
    """The ``_HANDLER`` value: the string itself, or ``module.qualname`` of a callable."""
    if isinstance(handler, str):
        return handler
    module = getattr(handler, "__module__", None) or "__main__"
    name = getattr(handler, "__qualname__", None) or getattr(handler, "__name__", "handler")
    return f"{module}.{name}"


def callables_of(module: types.ModuleType) -> list[str]:
    """Public callables defined in ``module`` (or, if none, any public callable it has)."""
    public = [
        (name, value)
        for name, value in sorted(vars(module).items())
        if not name.startswith("_") and callable(value) and not isinstance(value, types.ModuleType)
    ]
    own = [name for name, value in public if getattr(value, "__module__", None) == module.__name__]
    return own or [name for name, _ in public]


def _not_found(module: types.ModuleType, modname: str, fname: str) -> InitFault:
    names = callables_of(module)
    if not names:
        listing = f"no callables in '{modname}'"
    else:
        more = ", ..." if len(names) > _MAX_LISTED else ""
        listing = f"callables in '{modname}': {', '.join(names[:_MAX_LISTED])}{more}"
    return InitFault(
        HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}' ({listing})"
    )


def load_handler(spec: str) -> Any:
    """Import the handler module and return the attribute, exactly as the bootstrap does.

    Raises :class:`InitFault` for the ``Runtime.*`` cases; any other exception raised by the
    module's top-level code propagates unchanged (its class name is the ``errorType``).
    """
    modname, fname = split_handler(spec)
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise InitFault(
                BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {modname} as a handler module",
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as exc:
        raise InitFault(IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {exc}") from exc
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise InitFault(
            USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {exc}", trace
        ) from exc
    try:
        return getattr(module, fname)
    except AttributeError:
        raise _not_found(module, modname, fname) from None


def stack_trace(tb: types.TracebackType | None) -> list[str]:
    """The runtime's ``stackTrace``: ``traceback.format_list`` of the frames after ours.

    Frames are formatted from ``(file, line, name, source)`` tuples, as the runtime does, so
    there are no ``^^^`` position markers.
    """
    frames = [(f.filename, f.lineno or 0, f.name, f.line) for f in traceback.extract_tb(tb)]
    while frames and frames[-1][0] == _REDIRECT_FILE:  # a file function the /tmp redirect wraps
        frames.pop()
    for index, frame in enumerate(frames):
        if not frame[0].startswith(_PACKAGE_DIR):
            return traceback.format_list(frames[index:])
    return []


def fault_from_exception(exc: BaseException) -> tuple[str, str, list[str]]:
    """``(errorType, errorMessage, stackTrace)`` for an exception, as the runtime reports it."""
    if isinstance(exc, InitFault):
        return exc.error_type, exc.message, list(exc.trace)
    return type(exc).__name__, str(exc), stack_trace(exc.__traceback__)
