"""Which template a run uses: the one named, else the one found at the root directory.

Named: ``--lambda-template=PATH`` (ini ``lambda_template``, env ``PYTEST_LAMBDA_TEMPLATE``,
``pytest-lambda check --template``), relative to the root directory. Found when none is
named: ``template.yaml``, ``template.yml``, ``template.json`` (SAM's names), then a CDK
app's ``cdk.out/*.template.json`` (every synthesized stack; one stack, or the error lists
them so one can be named), then ``serverless.yml``. A stat per candidate; nothing is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pytest_lambda._template.load import TemplateError

__all__ = ["CANDIDATES", "find_template"]

#: The files looked for at the root directory, in this order.
CANDIDATES: Final = ("template.yaml", "template.yml", "template.json")


def find_template(root: str | Path, named: str | None = None) -> Path | None:
    """The template to use: ``named`` (must exist) or the one discovered at ``root``, or None."""
    base = Path(root)
    if named:
        path = Path(named) if Path(named).is_absolute() else base / named
        if not path.is_file():
            raise TemplateError(f"{path}: no such template file")
        return path
    for name in CANDIDATES:
        if (base / name).is_file():
            return base / name
    stacks = sorted((base / "cdk.out").glob("*.template.json"))
    if len(stacks) == 1:
        return stacks[0]
    if len(stacks) > 1:
        names = ", ".join(str(s.relative_to(base)) for s in stacks)
        raise TemplateError(
            f"{base / 'cdk.out'}: {len(stacks)} synthesized stacks ({names}); name one with "
            "--lambda-template=PATH (ini lambda_template, env PYTEST_LAMBDA_TEMPLATE)"
        )
    for name in ("serverless.yml", "serverless.yaml"):
        if (base / name).is_file():
            return base / name
    return None
