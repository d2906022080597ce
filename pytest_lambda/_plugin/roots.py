"""The import root of the session's handlers: ``--lambda-root`` / env / ini / pytest's rootdir.

One answer for the fixtures (``lambda_runner``, ``lambda_handler``) and the conformance
suite alike. Precedence, as for every session setting: the marker's ``root=`` (fixtures
only) > command line > environment ``PYTEST_LAMBDA_ROOT`` > ini ``lambda_root`` > pytest's
rootdir. A relative root is taken from the ini file's directory when it comes from the ini
file, else from the directory pytest was started in. Cost: a ``stat`` once per session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest

from pytest_lambda._plugin.options import DOCS_OPTIONS, override, resolve

__all__ = ["lambda_root"]

_DONE: Final = pytest.StashKey[tuple[str, str]]()


def lambda_root(config: pytest.Config) -> tuple[str, str]:
    """``(absolute directory, source)``; a missing directory is a ``pytest.UsageError``."""
    done = config.stash.get(_DONE, None)
    if done is not None:
        return done
    raw, source = resolve(config, "root")
    if not raw:
        result = (str(Path(config.rootpath).resolve()), "rootdir")
    else:
        if source.startswith("ini") and config.inipath is not None:
            base = Path(config.inipath).parent
        else:
            base = Path(config.invocation_params.dir)
        path = (base / raw).resolve()
        if not path.is_dir():
            raise pytest.UsageError(
                f"--lambda-root={raw!r} (from {source}): {path} is not a directory; give the "
                f"directory your handler's modules import from (e.g. src); see {DOCS_OPTIONS}"
            )
        result = (str(path), source)
    override(config, "root", result[0], result[1])
    config.stash[_DONE] = result
    return result
