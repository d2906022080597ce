"""``load_app(path)``: the template at ``path`` read into an :class:`~.model.App`.

SAM, CloudFormation and CDK templates (JSON or YAML) and the Serverless Framework's
``serverless.yml``. Resource types are checked for their form (``Service::Type`` names
of AWS, ``Custom::`` resources, SAM's own ``AWS::Serverless::*`` types): a misspelt type
is a :class:`TemplateError`; types this tool has no use for are ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pytest_lambda._template.intrinsics import Resolver, Stack
from pytest_lambda._template.load import TemplateError, load_template_file
from pytest_lambda._template.model import App, read_functions, table_shapes
from pytest_lambda._template.openapi import add_openapi_sources
from pytest_lambda._template.wiring import add_wired_sources

__all__ = ["load_app"]

_TYPE: Final = re.compile(
    r"[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)?|Custom::[\w@-]+"
)


#: Namespaces whose types this tool reads: a near miss of a type listed here is a misspelling.
_KNOWN: Final[dict[str, tuple[str, ...]]] = {
    "AWS::Lambda::": ("Function", "EventSourceMapping", "Url", "Permission", "LayerVersion",
                      "LayerVersionPermission", "Alias", "Version", "EventInvokeConfig",
                      "CodeSigningConfig"),
    "AWS::SQS::": ("Queue", "QueuePolicy", "QueueInlinePolicy"),
    "AWS::SNS::": ("Topic", "Subscription", "TopicPolicy", "TopicInlinePolicy"),
    "AWS::DynamoDB::": ("Table", "GlobalTable"),
    "AWS::Kinesis::": ("Stream", "StreamConsumer", "ResourcePolicy"),
    "AWS::Events::": ("Rule", "EventBus", "EventBusPolicy", "Archive", "Connection",
                      "ApiDestination", "Endpoint"),
    "AWS::Serverless::": ("Function", "Api", "HttpApi", "SimpleTable", "LayerVersion",
                          "Application", "StateMachine", "Connector", "GraphQLApi"),
}  # fmt: skip


def _check_types(file: Path, resources: Mapping[str, object]) -> None:
    for logical, resource in resources.items():
        if not isinstance(resource, Mapping) or not isinstance(resource.get("Type"), str):
            raise TemplateError(f"{file}: Resources.{logical}.Type: a resource needs a Type")
        rtype = resource["Type"]
        namespace = next((n for n in _KNOWN if rtype.startswith(n)), None)
        # AWS adds types to these namespaces every year: only a near miss of a known one
        # (AWS::Serverless::Fuction) is a misspelling; AWS::Lambda::MicrovmImage is not.
        if not _TYPE.fullmatch(rtype) or (
            namespace is not None
            and rtype.removeprefix(namespace) not in _KNOWN[namespace]
            and difflib.get_close_matches(rtype.removeprefix(namespace), _KNOWN[namespace], 1, 0.8)
        ):
            known = (
                ", ".join(namespace + t for t in sorted(_KNOWN[namespace]))
                if namespace is not None
                else "Service::Resource names such as AWS::Lambda::Function, or Custom::Name"
            )
            raise TemplateError(
                f"{file}: Resources.{logical}.Type: unknown resource type {rtype!r}; expected {known}"
            )


def load_app(path: str | Path, *, stack: Stack | None = None) -> App:
    """Every function of the template at ``path``; :class:`TemplateError` if it cannot be read."""
    file = Path(path)
    data = load_template_file(file)
    if "Resources" not in data:
        from pytest_lambda._template.serverless import load_serverless

        return load_serverless(file, data, stack or Stack())
    res = Resolver(data, str(file), stack or Stack())
    _check_types(file, res.resources)
    functions = read_functions(res, data, file.parent)
    functions = add_wired_sources(res, functions, table_shapes(res))
    functions = add_openapi_sources(res, functions, file.parent)
    return App(str(file), functions, res.resources, res)
