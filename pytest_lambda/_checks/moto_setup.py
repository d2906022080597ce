"""The user's moto set-up: a callable that creates the AWS resources a handler expects.

In production the tables, buckets and queues come from CloudFormation, CDK or Terraform;
under ``moto.mock_aws()`` nothing exists until someone creates it. ``--lambda-moto-setup``
(``pytest-lambda check --moto-setup``) names a callable, ``package.module:function`` or
``package.module.function``, that the checks call inside the mock before anything runs,
with ``AWS_DEFAULT_REGION`` and ``AWS_REGION`` set to the function's region.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from pytest_lambda._core.errors import InvalidOption

__all__ = ["check_cli_moto", "check_reference", "load_setup", "mocked_aws", "run_setup"]

_REFERENCE: Final = re.compile(
    r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)?"
)


def check_reference(name: str, raw: str) -> str:
    """``raw`` if it is spelled like ``package.module:function``; else a clear error."""
    value = raw.strip()
    if not _REFERENCE.fullmatch(value) or ("." not in value and ":" not in value):
        raise InvalidOption(
            f"{name}={raw!r}: name a callable as package.module:function "
            "(e.g. tests.aws_setup:create_tables)"
        )
    return value


@contextmanager
def _importable_from(folders: list[str]) -> Iterator[None]:
    added = [f for f in folders if f not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for folder in added:
            if folder in sys.path:
                sys.path.remove(folder)


def _setup_folders(root: str | None) -> list[str]:
    """Where a set-up module is imported from: the function's root, then the current
    directory (where ``aws_setup.py`` usually sits when the code is in ``src/``)."""
    here = os.getcwd()
    if root is None or os.path.abspath(root) == here:
        return [here]
    return [os.path.abspath(root), here]


def _from_these_folders(module: Any, name: str, folders: list[str]) -> Any:
    """``module``, or the same-named module file in ``folders`` when the one imported came
    from elsewhere (another service of a monorepo imported its ``aws_setup`` first: the
    import system hands back the cached one). That file is loaded under a name of its own."""
    for folder in folders:
        base = os.path.join(folder, *name.split("."))
        for path in (base + ".py", os.path.join(base, "__init__.py")):
            if not os.path.isfile(path):
                continue
            loaded = getattr(module, "__file__", None)
            if loaded is not None and os.path.abspath(loaded) == os.path.abspath(path):
                return module
            import hashlib
            import importlib.util

            alias = f"_pytest_lambda_setup_{hashlib.sha256(path.encode()).hexdigest()[:12]}"
            if alias in sys.modules:
                return sys.modules[alias]
            spec = importlib.util.spec_from_file_location(alias, path)
            if spec is None or spec.loader is None:
                return module
            own = importlib.util.module_from_spec(spec)
            sys.modules[alias] = own
            spec.loader.exec_module(own)
            return own
    return module


def load_setup(reference: str, root: str | None = None) -> Callable[[], Any]:
    """The callable ``reference`` names, imported with ``root`` on ``sys.path``."""
    if ":" in reference:
        module_name, _, attr = reference.partition(":")
    else:
        module_name, _, attr = reference.rpartition(".")
    folders = _setup_folders(root)
    with _importable_from(folders):
        try:
            target: Any = importlib.import_module(module_name)
        except ImportError as exc:
            where = " or ".join(folders)
            raise InvalidOption(
                f"moto setup {reference!r}: cannot import {module_name!r} ({exc}); it is "
                f"imported from {where}: put it there, or check the spelling"
            ) from None
        target = _from_these_folders(target, module_name, folders)
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidOption(
                f"moto setup {reference!r}: {module_name!r} has no attribute {attr!r}"
            ) from None
    if not callable(target):
        raise InvalidOption(f"moto setup {reference!r} is not callable")
    return target  # type: ignore[no-any-return]


def run_setup(reference: str, region: str, root: str | None = None) -> None:
    """Call the set-up inside the active mock, in the function's region."""
    setup = load_setup(reference, root)
    saved = {k: os.environ.get(k) for k in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = region
    try:
        setup()
    except Exception as exc:
        raise InvalidOption(f"moto setup {reference!r} raised {type(exc).__name__}: {exc}") from exc
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def check_cli_moto(moto: bool, setup: str | None, isolation: str) -> None:
    """The command line's ``--moto``/``--moto-setup``: :class:`InvalidOption` when unusable."""
    if setup:
        check_reference("--moto-setup", setup)
    from pytest_lambda._runtime.runner import backend_class

    if (moto or setup) and not backend_class(isolation).supports_moto:
        raise InvalidOption(
            "--moto with --isolation runtime: moto's mock does not reach the runtime subprocess, "
            "so the handler would call real AWS; use --isolation module with --moto"
        )


@contextmanager
def mocked_aws(
    setup: str | None, region: str, root: str | None, *, before: Callable[[], object] | None = None
) -> Iterator[None]:
    """Inside ``moto.mock_aws()``, after ``before`` (a template's resources) and the user's
    set-up (if any, for seed data) have created resources.

    ``lambda.Invoke`` calls are answered without running the function for the whole mock
    (:mod:`pytest_lambda._checks.moto_invokes`: moto would need Docker, and the invoked
    function rarely exists in the mock), so every check sees the same answer.
    """
    from moto import mock_aws

    from pytest_lambda._checks.moto_invokes import InvokeLog, install, uninstall

    log = InvokeLog()
    with mock_aws():
        install(log)
        try:
            if before is not None:
                before()
            if setup:
                run_setup(setup, region, root)
            yield
        finally:
            uninstall(log)
