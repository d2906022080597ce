"""``@pytest.mark.lambda_function("LogicalId")``: a test's function, read from the app's template.

The template is ``--lambda-template`` (ini ``lambda_template``, env
``PYTEST_LAMBDA_TEMPLATE``), else the nearest one discovered from the test's folder up to
the rootdir (:mod:`pytest_lambda._template.discovery`); each file is read once per
session, with the session's ``--lambda-region``. The marker gives ``lambda_runner`` and ``lambda_handler``
the function's handler, code root, timeout, memory, function name and environment
(the ``lambda_handler`` marker's keywords still win, key by key for ``env``), puts its
local layers on ``sys.path`` (and ``PYTHONPATH``, for ``isolation="runtime"``) for the
test, and gives ``lambda_event`` the function's triggers as defaults: ``lambda_event.sqs()``
is an event from its queue, ``lambda_event()`` one of its first trigger. A bad template or
marker fails the test's setup with one line naming the file, resource and field.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_lambda._core.docs import doc_url
from pytest_lambda._plugin.options import resolve
from pytest_lambda._template.load import TemplateError

if TYPE_CHECKING:
    from pytest_lambda._template.model import App, Function

__all__ = [
    "MARKER",
    "MARKER_HELP",
    "app_for",
    "event_defaults",
    "idempotency_defaults",
    "lambda_template_aws",
    "template_arguments",
]

MARKER: Final = "lambda_function"
MARKER_HELP: Final = (
    "lambda_function(logical_id): the template's function (SAM, CloudFormation, CDK or "
    "serverless.yml; --lambda-template) configures lambda_runner, lambda_handler and "
    f"lambda_event. See {doc_url('how-to/sam-cdk')}"
)
_APPS: Final = pytest.StashKey["dict[Path, App | TemplateError]"]()


def template_file(config: pytest.Config, start: Path | None = None) -> Path | None:
    """The template: named (relative to the rootdir), else the nearest one found from
    ``start`` (a test's folder) up to the rootdir; None when there is none."""
    named, _ = resolve(config, "template")
    from pytest_lambda._template.discovery import find_template

    root = Path(config.rootpath)
    if named or start is None:
        return find_template(root, named)
    folder = start.resolve()
    while True:
        found = find_template(folder)
        if found is not None or folder == root or root not in folder.parents:
            return found if found is not None else find_template(root)
        folder = folder.parent


def app_for(config: pytest.Config, start: Path | None = None) -> App | None:
    """The template's app, read once per file; :class:`TemplateError` if it cannot be read."""
    path = template_file(config, start)
    if path is None:
        return None
    apps = config.stash.setdefault(_APPS, {})
    if path not in apps:
        from pytest_lambda._template.app import load_app
        from pytest_lambda._template.intrinsics import Stack

        try:
            stack = Stack(
                region=resolve(config, "region")[0],
                parameters=resolve(config, "template_parameters")[0],
            )
            apps[path] = load_app(path, stack=stack)
        except TemplateError as exc:
            apps[path] = exc
    found = apps[path]
    if isinstance(found, TemplateError):
        raise found
    return found


def _fail(message: str) -> pytest.fail.Exception:  # type: ignore[name-defined]
    return pytest.fail.Exception(message, pytrace=False)


def marked_function(request: pytest.FixtureRequest) -> Function | None:
    """The function the closest ``lambda_function`` marker names (None: no marker)."""
    __tracebackhide__ = True
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1 or not isinstance(marker.args[0], str) or marker.kwargs:
        raise _fail(
            f"@pytest.mark.{MARKER} takes one argument, the function's logical id in the "
            f"template (e.g. {MARKER}('OrdersFunction')); got args={marker.args!r}, "
            f"kwargs={marker.kwargs!r}"
        )
    try:
        app = app_for(request.config, Path(request.node.path).parent)
        if app is None:
            raise TemplateError(
                f"@pytest.mark.{MARKER}({marker.args[0]!r}): no template: none of template.yaml, "
                f"template.yml, template.json, cdk.out/*.template.json or serverless.yml is in "
                f"the test's folder or above it up to {request.config.rootpath}; name one with --lambda-template=PATH (ini "
                "lambda_template, env PYTEST_LAMBDA_TEMPLATE)"
            )
        return app.function(marker.args[0])
    except TemplateError as exc:
        raise _fail(str(exc)) from None


def _layers_on_path(request: pytest.FixtureRequest, layers: tuple[str, ...]) -> None:
    """The function's layers importable for this test, as ``/opt/python`` is in Lambda."""
    if not layers:
        return
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    for layer in reversed(layers):
        monkeypatch.syspath_prepend(layer)
    old = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([*layers, *([old] if old else [])]))


def template_arguments(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]] | None:
    """``(handler, runner keywords)`` of the marked function, or None without the marker."""
    __tracebackhide__ = True
    fn = marked_function(request)
    if fn is None:
        return None
    _layers_on_path(request, fn.layers)
    return fn.handler, fn.runner_keywords()


def event_defaults(request: pytest.FixtureRequest) -> tuple[dict[str, dict[str, Any]], str | None]:
    """``({kind: params of its first trigger of that kind}, first kind)`` of the marked function."""
    __tracebackhide__ = True
    fn = marked_function(request)
    if fn is None:
        return {}, None
    kinds = fn.kinds
    return {kind: fn.param_sets(kind)[0] for kind in kinds}, (kinds[0] if kinds else None)


def idempotency_defaults(request: pytest.FixtureRequest) -> dict[str, Any]:
    """``lambda_idempotency`` defaults from the marked function's batch triggers (or {})."""
    __tracebackhide__ = True
    fn = marked_function(request)
    return {} if fn is None else fn.idempotency_keywords()


@pytest.fixture
def lambda_template_aws(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The marked function's template's tables, buckets, queues, topics and streams, created in
    ``moto.mock_aws()`` for the test (under the names its environment variables hold); the
    names created, as ``"AWS::SQS::Queue orders"``. Needs ``@pytest.mark.lambda_function``
    and moto (the ``[moto]`` extra). Handlers see the mock in ``isolation="module"`` only."""
    __tracebackhide__ = True
    if marked_function(request) is None:
        raise _fail(
            f"lambda_template_aws creates a template's resources: mark the test with "
            f"@pytest.mark.{MARKER}('LogicalId') so it knows the template"
        )
    app = app_for(request.config, Path(request.node.path).parent)
    assert app is not None  # marked_function found it
    try:
        from moto import mock_aws
    except ImportError:
        raise _fail(
            "lambda_template_aws needs moto: pip install 'pytest-lambda-toolkit[moto]'"
        ) from None
    from pytest_lambda._template.aws import create_resources

    region = resolve(request.config, "region")[0]
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
            # the test's own clients (reading back what the handler wrote) find the
            # resources' region without region_name=, as the handler's do
            patch.setenv("AWS_DEFAULT_REGION", region)
        try:
            created = create_resources(app, region)
        except TemplateError as exc:
            raise _fail(str(exc)) from None
        yield created
