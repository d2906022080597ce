"""API routes declared in an OpenAPI definition rather than on the function.

SAM's ``AWS::Serverless::Api`` / ``HttpApi`` (``DefinitionBody`` inline or through
``Fn::Transform: AWS::Include`` of a local file, or a local ``DefinitionUri``) and
CloudFormation's ``AWS::ApiGateway::RestApi`` / ``AWS::ApiGatewayV2::Api`` ``Body``: each
operation whose ``x-amazon-apigateway-integration`` is an ``aws_proxy`` integration naming a
function of the template (``${Fn.Arn}`` in its ``uri``) becomes a trigger of that function:
``apigw_v1`` on the path, method and stage for a REST API, ``apigw_v2`` on the route key for
an HTTP API (``apigw_v1`` for payload format 1.0). A route the function already declares in
its ``Events`` is not added twice. A definition in S3 or one that cannot be read is left out
(which function it serves cannot be known). Cost: one file read per included definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from pytest_lambda._template.intrinsics import Resolver
from pytest_lambda._template.load import TemplateError, load_document
from pytest_lambda._template.model import Function
from pytest_lambda._template.sources import EventSource, http_api_v1
from pytest_lambda._template.wiring import mentions

__all__ = ["add_openapi_sources"]

#: API resource type → (the body property, the file property, an HTTP API?)
_APIS: Final = {
    "AWS::Serverless::Api": ("DefinitionBody", "DefinitionUri", False),
    "AWS::Serverless::HttpApi": ("DefinitionBody", "DefinitionUri", True),
    "AWS::ApiGateway::RestApi": ("Body", None, False),
    "AWS::ApiGatewayV2::Api": ("Body", None, True),
}
_ANY: Final = "x-amazon-apigateway-any-method"
_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options", _ANY})


def _definition(props: Mapping[str, Any], body_key: str, uri_key: str | None,
                folder: Path) -> Mapping[str, Any] | None:  # fmt: skip
    body = props.get(body_key)
    if isinstance(body, Mapping) and "Fn::Transform" in body:
        transform = body["Fn::Transform"]
        params = transform.get("Parameters") if isinstance(transform, Mapping) else None
        location = params.get("Location") if isinstance(params, Mapping) else None
        body = _local_file(location, folder)
    elif body is None and uri_key is not None:
        body = _local_file(props.get(uri_key), folder)
    return body if isinstance(body, Mapping) else None


def _local_file(location: object, folder: Path) -> Mapping[str, Any] | None:
    if not isinstance(location, str) or location.startswith("s3://"):
        return None
    try:
        return load_document(folder / location)
    except TemplateError:
        return None


def _stage(res: Resolver, logical: str, props: Mapping[str, Any]) -> str:
    if "StageName" not in props:
        return "Prod"
    try:
        return str(res.resolve(props["StageName"], f"Resources.{logical}.Properties.StageName"))
    except TemplateError:
        return "Prod"


def _routes(res: Resolver, logical: str, rtype: str, props: Mapping[str, Any],
            functions: Mapping[str, Function], folder: Path) -> list[tuple[str, EventSource]]:  # fmt: skip
    body_key, uri_key, http = _APIS[rtype]
    definition = _definition(props, body_key, uri_key, folder)
    paths = definition.get("paths") if definition is not None else None
    if not isinstance(paths, Mapping):
        return []
    origin = f"{rtype} OpenAPI definition"
    out: list[tuple[str, EventSource]] = []
    for path, operations in paths.items():
        for method, operation in operations.items() if isinstance(operations, Mapping) else ():
            if str(method).lower() not in _METHODS or not isinstance(operation, Mapping):
                continue
            integration = operation.get("x-amazon-apigateway-integration")
            if not isinstance(integration, Mapping):
                continue
            if str(integration.get("type", "")).lower() != "aws_proxy":
                continue
            verb = "ANY" if str(method).lower() == _ANY else str(method).upper()
            for target in sorted(m for m in mentions(integration.get("uri")) if m in functions):
                if http and str(integration.get("payloadFormatVersion", "2.0")) != "1.0":
                    route = {"route_key": f"{verb} {path}"}
                    source = EventSource(logical, "apigw_v2", (route,), origin=origin)
                elif http:
                    source = http_api_v1(logical, f"{verb} {path}", origin)
                else:
                    params: dict[str, Any] = {"resource": str(path)}
                    if verb != "ANY":
                        params["method"] = verb
                    params["stage"] = _stage(res, logical, props)
                    source = EventSource(logical, "apigw_v1", (params,), origin=origin)
                out.append((target, source))
    return out


def _key(source: EventSource) -> tuple[str | None, str]:
    return source.kind, repr([sorted(p.items()) for p in source.param_sets])


def add_openapi_sources(
    res: Resolver, functions: dict[str, Function], folder: Path
) -> dict[str, Function]:
    """``functions`` with the routes of the template's OpenAPI definitions added."""
    added: dict[str, list[EventSource]] = {}
    for logical, resource in res.resources.items():
        rtype = resource.get("Type") if isinstance(resource, Mapping) else None
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        if rtype not in _APIS or not isinstance(props, Mapping):
            continue
        for target, source in _routes(res, logical, str(rtype), props, functions, folder):
            added.setdefault(target, []).append(source)
    out = dict(functions)
    for logical, sources in added.items():
        fn = functions[logical]
        if not fn.runnable:
            continue
        have = {_key(e) for e in fn.events}
        new = [s for s in sources if _key(s) not in have]
        unique = {_key(s): s for s in new}
        out[logical] = replace(fn, events=fn.events + tuple(unique.values()))
    return out
