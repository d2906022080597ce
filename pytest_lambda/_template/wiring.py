"""Triggers declared outside the function, as plain CloudFormation and CDK write them.

``AWS::Lambda::EventSourceMapping`` (SQS, Kinesis, DynamoDB streams), ``AWS::Lambda::Url``,
``AWS::Events::Rule`` targets, ``AWS::SNS::Subscription`` and a topic's ``Subscription``
list, S3 ``NotificationConfiguration.LambdaConfigurations`` (on the bucket, or CDK's
``Custom::S3BucketNotifications``), ``AWS::ApiGateway::Method`` with a Lambda proxy
integration (the path rebuilt from its ``AWS::ApiGateway::Resource`` chain) and
``AWS::ApiGatewayV2::Route`` → ``Integration``. A resource names its function through
``Ref``/``Fn::GetAtt``/``Fn::Sub``/``Fn::Join`` of the function's logical id; such
references are found by walking the raw (unresolved) value. A trigger whose properties
cannot be resolved is recorded with its reason, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_lambda._template.intrinsics import Resolver
from pytest_lambda._template.load import TemplateError
from pytest_lambda._template.model import Function
from pytest_lambda._template.sources import (
    EventSource,
    arn_name,
    batch_settings,
    http_api_v1,
    kafka_source,
    pattern_params,
    records_for,
    s3_params,
    schedule_params,
    sns_filter,
)

__all__ = ["add_wired_sources", "mentions"]

_SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}")


def mentions(value: object) -> set[str]:
    """Logical ids a raw value refers to (``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` names)."""
    found: set[str] = set()
    if isinstance(value, list):
        for v in value:
            found |= mentions(v)
    elif isinstance(value, Mapping):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                first = arg.split(".", 1)[0] if isinstance(arg, str) else (arg or [None])[0]
                if isinstance(first, str):
                    found.add(first)
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) else arg
                if isinstance(text, str):
                    found |= set(_SUB_REF.findall(text))
                found |= mentions(arg[1:] if isinstance(arg, list) else [])
            else:
                found |= mentions(arg)
    return found


def _targets(value: object, functions: Mapping[str, Function]) -> list[str]:
    return sorted(m for m in mentions(value) if m in functions)


def _alb_params(
    res: Resolver, logical: str, props: Mapping[str, Any], path: str | None
) -> dict[str, Any]:
    """The ``alb`` generator's parameters of a Lambda target group: its name, multi-value
    headers when its attributes turn them on, and a path its listener rules forward."""
    params: dict[str, Any] = {}
    name = props.get("Name")
    if isinstance(name, str) and name:
        params["target_group"] = name
    for attribute in props.get("TargetGroupAttributes") or []:
        if (
            isinstance(attribute, Mapping)
            and attribute.get("Key") == "lambda.multi_value_headers.enabled"
            and str(attribute.get("Value")).lower() == "true"
        ):
            params["multi_value_headers"] = True
    if path is not None:
        params["path"] = path
    return params


def _alb_paths(res: Resolver, target_group: str) -> list[str | None]:
    """A request path for each ``path-pattern`` of the listener rules that forward to the
    target group (``*`` made a path segment, ``?`` a letter); [None] when none says."""
    paths: list[str | None] = []
    for logical, resource in res.resources.items():
        if not isinstance(resource, Mapping):
            continue
        if resource.get("Type") != "AWS::ElasticLoadBalancingV2::ListenerRule":
            continue
        props = resource.get("Properties") or {}
        actions = props.get("Actions") if isinstance(props, Mapping) else None
        if target_group not in mentions(actions):
            continue
        for condition in props.get("Conditions") or []:
            if not isinstance(condition, Mapping) or condition.get("Field") != "path-pattern":
                continue
            raw = condition.get("Values") or (condition.get("PathPatternConfig") or {}).get(
                "Values"
            )
            try:
                values = res.resolve(raw, f"Resources.{logical}.Properties.Conditions")
            except TemplateError:
                continue
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and value.startswith("/"):
                    paths.append(value.replace("*", "items").replace("?", "a"))
    return list(dict.fromkeys(paths)) or [None]


def _api_path(res: Resolver, resource_ref: object) -> str:
    """The REST path of an ``AWS::ApiGateway::Resource`` chain (``/`` for the root)."""
    parts: list[str] = []
    seen: set[str] = set()
    current = resource_ref
    while isinstance(current, Mapping) and "Ref" in current and current["Ref"] not in seen:
        logical = str(current["Ref"])
        seen.add(logical)
        node = res.resources.get(logical) or {}
        if node.get("Type") != "AWS::ApiGateway::Resource":
            break
        props = node.get("Properties") or {}
        parts.append(str(props.get("PathPart", "")))
        current = props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def _one(res: Resolver, logical: str, rtype: str, props: Mapping[str, Any],
         functions: Mapping[str, Function], tables: Mapping[str, Any]) -> list[tuple[str, EventSource]]:  # fmt: skip
    where = f"Resources.{logical}.Properties"
    if rtype == "AWS::Lambda::EventSourceMapping":
        targets = _targets(props.get("FunctionName"), functions)
        if not targets:
            return []
        resolved = res.resolve(dict(props), where)
        arn = str(resolved.get("EventSourceArn", ""))
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        batch = batch_settings(resolved)
        size = resolved.get("BatchSize")
        if "SelfManagedEventSource" in resolved or service == "kafka":
            endpoints = (resolved.get("SelfManagedEventSource") or {}).get("Endpoints") or {}
            src = kafka_source(
                logical, rtype, resolved,
                cluster_arn=arn if service == "kafka" else "",
                servers=endpoints.get("KafkaBootstrapServers"),
            )  # fmt: skip
            return [(t, src) for t in targets]
        if service == "sqs":
            src = EventSource(logical, "sqs", ({"queue": arn_name(arn), "records": records_for(size or 10)},),
                              origin=rtype, **batch)  # fmt: skip
        elif service == "kinesis":
            src = EventSource(logical, "kinesis", ({"stream": arn_name(arn), "records": records_for(size or 100)},),
                              origin=rtype, **batch)  # fmt: skip
        elif service == "dynamodb":
            table = arn_name(arn)
            params: dict[str, Any] = {"table": table, "records": records_for(size or 100)}
            if table in tables:
                schema, view = tables[table]
                params.update({"key_schema": schema} if schema else {})
                params.update({"view_type": view} if view else {})
            src = EventSource(logical, "dynamodb", (params,), origin=rtype, **batch)
        else:
            src = EventSource(logical, None, skip_reason=f"event source {arn or '(none)'}: no "
                              "event kind of this toolkit models it", origin=rtype)  # fmt: skip
        return [(t, src) for t in targets]
    if rtype == "AWS::ElasticLoadBalancingV2::TargetGroup":
        if str(props.get("TargetType", "")).lower() != "lambda":
            return []
        ids = [t.get("Id") for t in props.get("Targets") or [] if isinstance(t, Mapping)]
        targets = sorted({name for i in ids for name in _targets(i, functions)})
        if not targets:
            return []
        alb_sets = tuple(_alb_params(res, logical, props, p) for p in _alb_paths(res, logical))
        src = EventSource(logical, "alb", alb_sets, origin=rtype)
        return [(t, src) for t in targets]
    if rtype == "AWS::Lambda::Url":
        auth = "iam" if str(props.get("AuthType", "NONE")).upper() == "AWS_IAM" else "none"
        return [(t, EventSource(logical, "function_url", ({"auth": auth},), origin=rtype))
                for t in _targets(props.get("TargetFunctionArn"), functions)]  # fmt: skip
    if rtype == "AWS::Events::Rule":
        out = []
        for target in props.get("Targets") or []:
            for t in _targets(
                target.get("Arn") if isinstance(target, Mapping) else None, functions
            ):
                resolved = res.resolve(dict(props), where)
                if "ScheduleExpression" in resolved:
                    src = EventSource(logical, "eventbridge", (schedule_params(res.physical_name(logical)),),
                                      origin=rtype)  # fmt: skip
                else:
                    kind, params, skip = pattern_params(resolved.get("EventPattern"))
                    src = EventSource(logical, kind, (params,), skip_reason=skip, origin=rtype)
                out.append((t, src))
        return out
    if rtype == "AWS::SNS::Subscription" and str(props.get("Protocol", "")).lower() == "lambda":
        topic = arn_name(res.resolve(props.get("TopicArn"), f"{where}.TopicArn"))
        extra = sns_filter(
            res.resolve(props.get("FilterPolicy"), f"{where}.FilterPolicy"),
            props.get("FilterPolicyScope"),
        )
        return [(t, EventSource(logical, "sns", ({"topic": topic},), origin=rtype, extra=extra))
                for t in _targets(props.get("Endpoint"), functions)]  # fmt: skip
    if rtype == "AWS::SNS::Topic":
        out = []
        for sub in props.get("Subscription") or []:
            if isinstance(sub, Mapping) and str(sub.get("Protocol", "")).lower() == "lambda":
                topic = res.physical_name(logical)
                out += [(t, EventSource(logical, "sns", ({"topic": topic},), origin=rtype))
                        for t in _targets(sub.get("Endpoint"), functions)]  # fmt: skip
        return out
    if rtype in ("AWS::S3::Bucket", "Custom::S3BucketNotifications"):
        config = props.get("NotificationConfiguration") or {}
        bucket = (res.physical_name(logical) if rtype == "AWS::S3::Bucket"
                  else str(res.resolve(props.get("BucketName"), f"{where}.BucketName")))  # fmt: skip
        out = []
        for entry in (
            config.get("LambdaFunctionConfigurations") or config.get("LambdaConfigurations") or []
        ):
            rules = (
                (entry.get("Filter") or {}).get("Key")
                or (entry.get("Filter") or {}).get("S3Key")
                or {}
            )
            rules = res.resolve(rules.get("FilterRules") or rules.get("Rules"), where)
            sets = s3_params(
                bucket, res.resolve(entry.get("Event") or entry.get("Events"), where), rules
            )
            out += [(t, EventSource(logical, "s3", sets, origin=rtype))
                    for t in _targets(entry.get("Function") or entry.get("LambdaFunctionArn"), functions)]  # fmt: skip
        return out
    if rtype == "AWS::ApiGateway::Method":
        integration = props.get("Integration") or {}
        targets = _targets(integration.get("Uri"), functions)
        if not targets:
            return []
        method = str(props.get("HttpMethod", "ANY")).upper()
        params = {"resource": _api_path(res, props.get("ResourceId"))}
        if method != "ANY":
            params["method"] = method
        return [(t, EventSource(logical, "apigw_v1", (params,), origin=rtype)) for t in targets]
    if rtype == "AWS::ApiGatewayV2::Route":
        target = props.get("Target")
        integration_ids = mentions(target)
        out = []
        for iid in sorted(integration_ids):
            integ = res.resources.get(iid) or {}
            if integ.get("Type") != "AWS::ApiGatewayV2::Integration":
                continue
            iprops = integ.get("Properties") or {}
            route = str(res.resolve(props.get("RouteKey", "$default"), f"{where}.RouteKey"))
            for t in _targets(iprops.get("IntegrationUri"), functions):
                if str(iprops.get("PayloadFormatVersion", "2.0")) == "1.0" and route != "$default":
                    out.append((t, http_api_v1(logical, route, rtype)))
                else:
                    out.append(
                        (t, EventSource(logical, "apigw_v2", ({"route_key": route},), origin=rtype))
                    )
        return out
    return []


def add_wired_sources(
    res: Resolver, functions: dict[str, Function], tables: Mapping[str, Any]
) -> dict[str, Function]:
    """``functions`` with the triggers that other resources declare added to their events."""
    added: dict[str, list[EventSource]] = {}
    for logical, resource in res.resources.items():
        props = resource.get("Properties") or {}
        if not isinstance(props, Mapping):
            continue
        try:
            pairs = _one(res, logical, str(resource.get("Type")), props, functions, tables)
        except TemplateError as exc:  # that trigger is skipped with the reason; the rest run
            pairs = [(t, EventSource(logical, None, (), origin=str(resource.get("Type")),
                                     skip_reason=str(exc))) for t in _targets(props, functions)]  # fmt: skip
        for target, source in pairs:
            added.setdefault(target, []).append(source)
    out = {}
    for logical, fn in functions.items():
        if fn.runnable and logical in added:
            fn = replace(fn, events=fn.events + tuple(added[logical]))
        out[logical] = replace(fn, events=tuple(_redrive(res, e) for e in fn.events))
    return out


def _redrive(res: Resolver, source: EventSource) -> EventSource:
    """An SQS trigger with its queue's ``RedrivePolicy.maxReceiveCount`` as retry attempts.

    A message is received ``maxReceiveCount`` times before SQS moves it to the dead-letter
    queue: the first delivery and ``maxReceiveCount - 1`` retries."""
    if source.kind != "sqs" or source.maximum_retry_attempts is not None:
        return source
    queue = source.params.get("queue")
    for logical, resource in res.resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::SQS::Queue":
            continue
        props = resource.get("Properties") or {}
        redrive = props.get("RedrivePolicy") if isinstance(props, Mapping) else None
        if not isinstance(redrive, Mapping) or "maxReceiveCount" not in redrive:
            continue
        try:
            if res.physical_name(logical) != queue:
                continue
            count = int(res.resolve(redrive["maxReceiveCount"],
                                    f"Resources.{logical}.Properties.RedrivePolicy.maxReceiveCount"))  # fmt: skip
        except (TemplateError, TypeError, ValueError):
            return source
        return replace(source, maximum_retry_attempts=max(0, count - 1))
    return source
