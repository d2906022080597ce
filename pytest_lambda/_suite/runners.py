"""The suite's runners and moto mocks: one per handler and options, used by the engine and the loader."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["aws_for", "import_paths", "runner_for_suite"]


def _moto_available() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def aws_for(
    opts: SuiteOptions, events: Iterable[Mapping[str, Any]] = ()
) -> Iterator[tuple[Any, Any] | None]:
    """Inside ``moto.mock_aws()`` when asked and available: yields ``(observe, reset)``.

    The user's ``moto_setup`` creates the resources first, then the objects ``events``
    announce (S3 ``ObjectCreated``: :mod:`pytest_lambda._suite.s3_objects`), so
    ``reset()`` returns to them.
    """
    if not (opts.uses_moto and _moto_available()):
        yield None
        return
    from pytest_lambda._checks.moto import moto_state, without
    from pytest_lambda._checks.moto_setup import mocked_aws

    with mocked_aws(
        opts.moto_setup, opts.region, opts.setup_root or opts.root, before=opts.aws_setup
    ):
        listed = [e for e in events if e.get("Records") or e.get("source") == "aws.s3"]
        if listed:
            from pytest_lambda._suite.s3_objects import put_objects

            put_objects(listed, opts.region)
        observe, reset = moto_state()
        yield without(observe, opts.ignore_state), reset


@contextlib.contextmanager
def import_paths(entries: tuple[str, ...]) -> Iterator[None]:
    """``entries`` on ``sys.path`` and ``PYTHONPATH`` (after the first entry) while inside.

    Both kinds of environment read them when created: the in-process one copies
    ``sys.path`` (the root first), the runtime subprocess gets ``PYTHONPATH``.
    """
    if not entries:
        yield
        return
    import os
    import sys

    saved_path, saved_env = list(sys.path), os.environ.get("PYTHONPATH")
    before = set(sys.modules)
    sys.path[1:1] = [e for e in entries if e not in sys.path]
    os.environ["PYTHONPATH"] = os.pathsep.join([*entries, *filter(None, [saved_env])])
    try:
        yield
    finally:
        sys.path[:] = saved_path
        if saved_env is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved_env
        _forget_modules_from(entries, before)


def _forget_modules_from(entries: tuple[str, ...], before: set[str]) -> None:
    """Drop the modules first imported from ``entries`` (a layer, a ``--path`` folder) while
    they were on the path: a later run without that layer must not find them in
    ``sys.modules`` (a function without the layer cannot import them on Lambda)."""
    import os
    import sys

    roots = tuple(os.path.join(os.path.abspath(e), "") for e in entries)
    for name in [n for n in sys.modules if n not in before]:
        where = getattr(sys.modules.get(name), "__file__", None) or ""
        if where and os.path.abspath(where).startswith(roots):
            del sys.modules[name]


@contextlib.contextmanager
def runner_for_suite(handler: str, opts: SuiteOptions) -> Iterator[Any]:
    """A runner with the suite's settings, closed on exit (with its import path entries)."""
    from pytest_lambda._checks.runner import LambdaRunner

    with import_paths(opts.layers + opts.import_paths):
        runner = LambdaRunner(
            handler,
            timeout=opts.timeout,
            memory_mb=opts.memory_mb,
            region=opts.region,
            root=opts.root,
            isolation=opts.isolation,
            env=dict(opts.env),
            function_name=opts.function_name,
        )
        with runner:
            yield runner
