"""The Serverless Framework's ``serverless.yml``: the parts that map directly onto a template.

Read: ``provider`` (runtime, timeout, memorySize, architecture, environment) and each of
``functions`` (handler as ``path/module.function`` relative to the service folder, its own
settings and environment merged over the provider's) with these ``events``: ``sqs``,
``sns``, ``s3``, ``stream`` (Kinesis, DynamoDB), ``http`` (REST API), ``httpApi``,
``schedule``, ``eventBridge``, ``cloudwatchLog``. The ``resources.Resources`` section is
CloudFormation: ``Ref``/``Fn::GetAtt`` of its tables, queues, buckets... resolve as in a
template, and ``--lambda-moto`` creates them. Variables: ``${self:path}``,
``${sls:stage}``, ``${opt:stage, default}``, ``${env:NAME, default}`` (the default is used,
the test's environment is not read) and ``${aws:region}``/``${aws:accountId}``; any other
variable source (``${ssm:...}``, ``${file(...)}``, ``${cf:...}``, plugins) is named as
unresolvable. Plugins, packaging and ``resources.Outputs`` are not read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from pytest_lambda._template.intrinsics import Resolver, Stack
from pytest_lambda._template.load import TemplateError
from pytest_lambda._template.model import App, Function, check_handler, runtime_skip
from pytest_lambda._template.sources import (
    EventSource,
    arn_name,
    pattern_params,
    records_for,
    s3_params,
    schedule_params,
    sns_filter,
)

__all__ = ["load_serverless"]

_VAR: Final = re.compile(r"\$\{([^{}]+)\}")


def _variables(data: Mapping[str, Any], file: Path, stack: Stack) -> Any:
    raw_stage = (data.get("provider") or {}).get("stage", "dev")
    stages: list[str] = []

    def current_stage() -> str:
        # provider.stage is often itself a variable (${opt:stage, 'dev'}): resolved once,
        # "dev" while it is being resolved (a stage naming itself)
        if not stages:
            stages.append("dev")
            stages[0] = str(walk(raw_stage, "provider.stage"))
        return stages[0]

    def lookup(expr: str, where: str) -> Any:
        source, _, default = (p.strip() for p in expr.partition(","))
        default = default.strip("'\"")
        if ":" not in source or source.startswith("AWS::"):
            # not a Serverless variable: CloudFormation's own (${AWS::Region} in a Fn::Sub,
            # ${Resource.Arn}), which the framework passes through
            return "${" + expr + "}"
        if source.startswith("self:"):
            node: Any = data
            for part in source[5:].split("."):
                if not isinstance(node, Mapping) or part not in node:
                    raise TemplateError(
                        f"{file}: {where}: ${{{expr}}}: no {source[5:]} in the file"
                    )
                node = node[part]
            return walk(node, where)
        if source in ("sls:stage", "opt:stage"):
            return current_stage() if source == "sls:stage" or not default else default
        if source.startswith(("env:", "opt:")) and default:
            return default
        if source == "aws:region":
            return stack.region
        if source == "aws:accountId":
            return stack.account_id
        raise TemplateError(
            f"{file}: {where}: ${{{expr}}} cannot be resolved locally (only self:, sls:stage, "
            "opt:/env: with a default and aws:region/aws:accountId are)"
        )

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, str):
            whole = _VAR.fullmatch(value)
            if whole:
                return lookup(whole.group(1), where)
            return _VAR.sub(lambda m: str(lookup(m.group(1), where)), value)
        if isinstance(value, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return {k: walk(v, f"{where}.{k}") for k, v in value.items()}
        return value

    return walk


def _event(name: str, etype: str, spec: Any) -> EventSource:
    props = spec if isinstance(spec, Mapping) else {}
    origin = f"serverless.yml {etype} event"
    if etype == "sqs":
        arn = props.get("arn", spec)
        return EventSource(name, "sqs", ({"queue": arn_name(arn), "records": records_for(props.get("batchSize", 10))},),
                           batch_size=props.get("batchSize"), origin=origin,
                           report_batch_item_failures=bool(props.get("functionResponseType") == "ReportBatchItemFailures"))  # fmt: skip
    if etype == "sns":
        topic = props.get("topicName") or arn_name(props.get("arn", spec))
        extra = sns_filter(props.get("filterPolicy"), props.get("filterPolicyScope"))
        return EventSource(name, "sns", ({"topic": str(topic)},), origin=origin, extra=extra)
    if etype == "s3":
        bucket = props.get("bucket", spec)
        rules = [{"Name": k, "Value": v} for r in props.get("rules") or [] for k, v in r.items()]
        return EventSource(
            name,
            "s3",
            s3_params(str(bucket), props.get("event", "s3:ObjectCreated:*"), rules),
            origin=origin,
        )
    if etype == "stream":
        arn = str(props.get("arn", spec))
        kind = "dynamodb" if ":dynamodb:" in arn or props.get("type") == "dynamodb" else "kinesis"
        key = "table" if kind == "dynamodb" else "stream"
        return EventSource(name, kind, ({key: arn_name(arn), "records": records_for(props.get("batchSize", 100))},),
                           batch_size=props.get("batchSize"), bisect_on_error=props.get("bisectBatchOnFunctionError"),
                           maximum_retry_attempts=props.get("maximumRetryAttempts"), origin=origin,
                           report_batch_item_failures=bool(props.get("functionResponseType") == "ReportBatchItemFailures"))  # fmt: skip
    if etype == "http":
        path = props.get("path", str(spec).partition(" ")[2]) or "/"
        method = str(props.get("method", str(spec).partition(" ")[0] or "ANY")).upper()
        params: dict[str, Any] = {"resource": "/" + str(path).lstrip("/")}
        if method not in ("ANY", "*"):
            params["method"] = method
        return EventSource(name, "apigw_v1", (params,), origin=origin)
    if etype == "httpApi":
        if spec == "*":
            return EventSource(name, "apigw_v2", ({"route_key": "$default"},), origin=origin)
        method = str(props.get("method", "ANY")).upper().replace("*", "ANY")
        return EventSource(
            name, "apigw_v2", ({"route_key": f"{method} {props.get('path', '/')}"},), origin=origin
        )
    if etype == "schedule":
        return EventSource(
            name, "eventbridge", (schedule_params(props.get("name")),), origin=origin
        )
    if etype == "eventBridge":
        bridge_kind, params, skip = pattern_params(props.get("pattern"))
        return EventSource(name, bridge_kind, (params,), skip_reason=skip, origin=origin)
    if etype == "cloudwatchLog":
        group = props.get("logGroup", spec)
        return EventSource(name, "cloudwatch_logs", ({"log_group": str(group)},), origin=origin)
    return EventSource(
        name,
        None,
        skip_reason=f"no event kind of this toolkit models serverless.yml {etype} events",
        origin=origin,
    )


_FUNCTION_KEYS: Final = ("runtime", "handler", "timeout", "memorySize", "architecture", "name")
_PROVIDER_KEYS: Final = ("runtime", "timeout", "memorySize", "architecture")


def _environment(
    res: Resolver, walk: Any, provider: Mapping[str, Any], raw: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """The function's variables (the provider's, then its own), and a note for each one
    that cannot be resolved locally (left unset: the set-up check then names it)."""
    out: dict[str, Any] = {}
    notes: list[str] = []
    for node, at in ((provider.get("environment"), "provider"), (raw.get("environment"), where)):
        if not isinstance(node, Mapping):
            continue
        for key, value in node.items():
            path = f"{at}.environment.{key}"
            try:
                out[str(key)] = res.resolve(walk(value, path), path)
            except TemplateError as exc:
                out.pop(str(key), None)
                notes.append(f"{key} is not set: {exc}")
    return out, notes


def _function(
    file: Path, name: str, raw: Any, provider: Mapping[str, Any], walk: Any, res: Resolver
) -> Function:
    fn = Function(name, str(file))
    where = f"functions.{name}"
    raw = raw if isinstance(raw, Mapping) else {}

    def used(node: Mapping[str, Any], keys: tuple[str, ...], at: str) -> dict[str, Any]:
        # only what a local run reads is resolved: an unresolvable role, VPC or log setting
        # elsewhere does not stop the function (variables, then Ref/Fn::GetAtt)
        return {k: res.resolve(walk(node[k], f"{at}.{k}"), f"{at}.{k}") for k in keys if k in node}

    try:
        spec = used(raw, _FUNCTION_KEYS, where)
        raw_provider, provider = provider, used(provider, _PROVIDER_KEYS, "provider")
        runtime = str(spec.get("runtime", provider.get("runtime", "")))
        if (skip := runtime_skip(runtime)) is not None:
            return replace(fn, runtime=runtime, skip_reason=skip)
        env, notes = _environment(res, walk, raw_provider, raw, where)
        fn = replace(
            fn, runtime=runtime, handler=str(spec.get("handler", "")), code_root=str(file.parent.resolve()),
            timeout=float(spec.get("timeout", provider.get("timeout", 6))),
            memory_mb=int(spec.get("memorySize", provider.get("memorySize", 1024))),
            architecture=str(spec.get("architecture", provider.get("architecture", "x86_64"))),
            function_name=str(spec.get("name", f"{res.stack.stack_name}-{name}")),
            env={str(k): str(v) for k, v in env.items()}, notes=tuple(notes),
        )  # fmt: skip
        if (bad := check_handler(fn, f"{file}: {where}", "handler")) is not None:
            raise TemplateError(bad)
        events = []
        raw_events = raw.get("events")
        for i, entry in enumerate(raw_events if isinstance(raw_events, list) else []):
            at = f"{where}.events[{i}]"
            if isinstance(entry, Mapping) and len(entry) == 1:
                ((etype, body),) = entry.items()
                try:  # one trigger that cannot be resolved is skipped, the others still run
                    body = res.resolve(walk(body, at), at)
                except TemplateError as exc:
                    events.append(EventSource(f"{name}Event{i + 1}", None, (),
                                              origin=f"serverless.yml {etype} event",
                                              skip_reason=str(exc)))  # fmt: skip
                    continue
                events.append(_event(f"{name}Event{i + 1}", str(etype), body))
        return replace(fn, events=tuple(events))
    except TemplateError as exc:
        return replace(fn, problem=str(exc))
    except (TypeError, ValueError, AttributeError) as exc:
        return replace(fn, problem=f"{file}: {where}: cannot be read: {type(exc).__name__}: {exc}")


def load_serverless(file: Path, data: Mapping[str, Any], stack: Stack) -> App:
    """The functions of a ``serverless.yml`` (Serverless Framework v3/v4 service file)."""
    if not isinstance(data.get("functions"), Mapping):
        raise TemplateError(f"{file}: no Resources (CloudFormation) nor functions (serverless.yml)")
    walk = _variables(data, file, stack)
    provider = data.get("provider") or {}
    if stack.stack_name == Stack().stack_name:  # the framework names the stack service-stage
        name = f"{walk('${self:service}', 'service')}-{walk('${sls:stage}', 'provider.stage')}"
        stack = dataclasses.replace(stack, stack_name=name)
    resources = walk((data.get("resources") or {}).get("Resources") or {}, "resources.Resources")
    res = Resolver({"Resources": resources}, str(file), stack)
    functions = {
        name: _function(file, name, raw, provider, walk, res)
        for name, raw in data["functions"].items()
    }
    return App(str(file), functions, resources, res)
