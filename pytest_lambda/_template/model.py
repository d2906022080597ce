"""An app as its template declares it: :class:`App` and its :class:`Function` objects.

``load_app(path)`` reads a SAM, CloudFormation or CDK-synthesized template (or a
``serverless.yml``, see :mod:`pytest_lambda._template.serverless`) and returns every
function: handler, code root (``CodeUri``; ``Code`` with a CDK asset under ``cdk.out``),
local layers, timeout, memory, architecture, environment (SAM ``Globals`` merged,
intrinsics resolved) and event sources (:mod:`pytest_lambda._template.sources`).
A function that cannot be configured keeps its error in ``problem`` (one line naming the
file, resource and field) so the other functions still load; a non-Python function has a
``skip_reason``. Reading a template costs one parse and a walk; nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from pytest_lambda._core import facts
from pytest_lambda._template.intrinsics import Resolver
from pytest_lambda._template.load import TemplateError
from pytest_lambda._template.props import USED, architecture_note, environment, function_name
from pytest_lambda._template.sources import EventSource, from_sam_event

__all__ = [
    "FUNCTION_TYPES",
    "App",
    "Function",
    "check_handler",
    "read_functions",
    "runtime_skip",
    "table_shapes",
]

#: The most redeliveries the idempotency check makes for a template's trigger: a source that
#: allows more (maxReceiveCount 10, MaximumRetryAttempts 10000) is checked with this many.
MAX_RETRIES: Final = 5
FUNCTION_TYPES: Final = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_PYTHON: Final = re.compile(r"python3\.\d+")
_BATCH_KINDS: Final = frozenset(
    {"sqs", "kinesis", "dynamodb"}
)  # sources that read batchItemFailures


@dataclass(frozen=True)
class Function:
    """One function of the template and how to run it here."""

    logical_id: str
    file: str
    runtime: str = ""
    handler: str = ""
    code_root: str = ""
    timeout: float = facts.DEFAULT_TIMEOUT
    memory_mb: int = facts.DEFAULT_MEMORY_MB
    architecture: str = "x86_64"
    function_name: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()
    events: tuple[EventSource, ...] = ()
    problem: str | None = None
    skip_reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        return self.problem is None and self.skip_reason is None

    @property
    def kinds(self) -> list[str]:
        """The event kinds of its triggers, in template order, once each."""
        return list(dict.fromkeys(e.kind for e in self.events if e.kind and not e.skip_reason))

    def source_for(self, kind: str) -> EventSource | None:
        return next((e for e in self.events if e.kind == kind and not e.skip_reason), None)

    def param_sets(self, kind: str) -> list[dict[str, Any]]:
        """Every parameter set of every trigger of ``kind`` (several queues: several sets)."""
        return [dict(p) for e in self.events if e.kind == kind and not e.skip_reason
                for p in e.param_sets]  # fmt: skip

    def idempotency_keywords(self, kind: str | None = None) -> dict[str, Any]:
        """``check_idempotency`` keywords from the batch triggers (of ``kind``, or all).

        ``partial_batch``: every such trigger has ``ReportBatchItemFailures``; ``bisect``: a
        stream trigger has ``BisectBatchOnFunctionError``; ``retries``: their lowest
        ``MaximumRetryAttempts`` (for SQS, the queue's ``maxReceiveCount - 1``), capped at
        :data:`MAX_RETRIES` to bound the check's cost; no limit, or -1 (Lambda's "until the
        record expires"), keeps the check's default of 2.
        """
        batch = [e for e in self.events if e.kind in _BATCH_KINDS and not e.skip_reason
                 and (kind is None or e.kind == kind)]  # fmt: skip
        if not batch:
            return {}
        out: dict[str, Any] = {"partial_batch": all(e.report_batch_item_failures for e in batch)}
        if any(e.bisect_on_error for e in batch if e.kind != "sqs"):
            out["bisect"] = True
        limits = [int(e.maximum_retry_attempts) for e in batch
                  if e.maximum_retry_attempts is not None and int(e.maximum_retry_attempts) >= 0]  # fmt: skip
        if limits and min(limits) != 2:
            out["retries"] = min(min(limits), MAX_RETRIES)
        return out

    def filter_criteria(self, kind: str) -> object | None:
        """The ``FilterCriteria`` of its ``kind`` trigger (sqs, kinesis, dynamodb; for sns, its
        subscription's ``FilterPolicy`` and scope), if any."""
        found = [e.extra["FilterCriteria"] for e in self.events
                 if e.kind == kind and not e.skip_reason and "FilterCriteria" in e.extra]  # fmt: skip
        return found[0] if found else None

    def runner_keywords(self) -> dict[str, Any]:
        """``LambdaRunner`` keywords: timeout, memory, function name, environment, root."""
        return {
            "timeout": self.timeout, "memory_mb": self.memory_mb,
            "function_name": self.function_name, "env": dict(self.env), "root": self.code_root,
        }  # fmt: skip


@dataclass(frozen=True)
class App:
    """Every function of one template, by logical id."""

    file: str
    functions: Mapping[str, Function]
    resources: Mapping[str, Any]
    resolver: Resolver

    def function(self, logical_id: str) -> Function:
        """The function ``logical_id``; a :class:`TemplateError` if it is none or unusable."""
        if logical_id not in self.functions:
            rtype = (self.resources.get(logical_id) or {}).get("Type")
            names = ", ".join(self.functions) or "none"
            if rtype:
                raise TemplateError(
                    f"{self.file}: Resources.{logical_id} is a {rtype}, not a function; "
                    f"functions: {names}"
                )
            raise TemplateError(f"{self.file}: no resource {logical_id!r}; functions: {names}")
        fn = self.functions[logical_id]
        if fn.problem is not None:
            raise TemplateError(fn.problem)
        if fn.skip_reason is not None:
            raise TemplateError(f"{self.file}: Resources.{logical_id}: {fn.skip_reason}")
        return fn


def _merge_globals(props: Mapping[str, Any], glob: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's rules: maps merge (function wins), lists append, scalars: function wins."""
    out = dict(glob)
    for key, value in props.items():
        base = out.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged = dict(base)
            for k, v in value.items():
                inner = merged.get(k)
                if isinstance(inner, Mapping) and isinstance(v, Mapping):
                    merged[k] = {**inner, **v}
                else:
                    merged[k] = v
            out[key] = merged
        elif isinstance(base, list) and isinstance(value, list):
            out[key] = [*base, *value]
        else:
            out[key] = value
    return out


def runtime_skip(runtime: str) -> str | None:
    """Why a function of ``runtime`` is not run here (None for python3.x)."""
    if _PYTHON.fullmatch(runtime):
        return None
    return (
        f"runtime {runtime or '(none)'} is not a Python runtime: only python3.x functions are run"
    )


def check_handler(fn: Function, where: str, field_name: str = "Handler") -> str | None:
    """A message when the handler's module is not under the code root, else None."""
    module, _, func = fn.handler.rpartition(".")
    if not module or not func:
        return f"{where}.{field_name}: {fn.handler!r} is not module.function (e.g. app.handler)"
    base = Path(fn.code_root, *module.split("."))
    if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
        return None
    return (
        f"{where}.{field_name}: {fn.handler!r} names module {module}, but there is no "
        f"{base.relative_to(fn.code_root).with_suffix('.py')} under {fn.code_root}"
    )


def _code_root(res: Resolver, logical: str, rtype: str, props: Mapping[str, Any],
               meta: Mapping[str, Any], folder: Path) -> str:  # fmt: skip
    where = f"Resources.{logical}.Properties"
    if rtype == "AWS::Serverless::Function":
        uri = props.get("CodeUri", ".")
        if not isinstance(uri, str):
            raise res.error(f"{where}.CodeUri", "an S3 location; a local folder is needed to "
                            "run the function (sam build's input, not its output)")  # fmt: skip
        path = folder / uri
    else:
        asset = meta.get("aws:asset:path")
        if not asset:
            raise res.error(f"{where}.Code", "an S3 location with no local asset "
                            "(Metadata aws:asset:path, as cdk synth writes it)")  # fmt: skip
        path = folder / str(asset)
    if path.suffix == ".zip" or path.is_file():
        raise res.error(
            f"{where}.{'CodeUri' if rtype.startswith('AWS::Serverless') else 'Code'}",
            f"{path} is an archive, not a folder: the function is run from its source folder; "
            "point the template at it, or unzip the archive and name that folder",
        )
    if not path.is_dir():
        raise res.error(f"{where}.{'CodeUri' if rtype.startswith('AWS::Serverless') else 'Code'}",
                        f"code folder {path} does not exist")  # fmt: skip
    return str(path.resolve())


def _layers(
    res: Resolver, logical: str, raw: object, folder: Path
) -> tuple[tuple[str, ...], list[str]]:
    paths: list[str] = []
    notes: list[str] = []
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        ref = entry.get("Ref") if isinstance(entry, Mapping) else None
        layer = res.resources.get(ref) if isinstance(ref, str) else None
        if not isinstance(layer, Mapping):
            notes.append(f"layer {res.resolve(entry, f'Resources.{logical}.Properties.Layers[{i}]')} "
                         "is not in this template: not on the path")  # fmt: skip
            continue
        lprops = layer.get("Properties") or {}
        content = lprops.get("ContentUri") or (layer.get("Metadata") or {}).get("aws:asset:path")
        if not isinstance(content, str):
            notes.append(f"layer {ref} has no local content: not on the path")
            continue
        base = folder / content
        paths.append(str((base / "python" if (base / "python").is_dir() else base).resolve()))
    return tuple(paths), notes


def _stage(res: Resolver, api: object) -> str:
    """The stage a SAM ``Api`` event is served on: its API's ``StageName``, else SAM's ``Prod``."""
    logical = api.get("Ref") if isinstance(api, Mapping) else None
    props = (
        (res.resources.get(logical) or {}).get("Properties") or {}
        if isinstance(logical, str)
        else {}
    )
    if isinstance(props, Mapping) and "StageName" in props:
        return str(res.resolve(props["StageName"], f"Resources.{logical}.Properties.StageName"))
    return "Prod"


def _function(res: Resolver, logical: str, resource: Mapping[str, Any], glob: Mapping[str, Any],
              folder: Path, tables: Mapping[str, Any]) -> Function:  # fmt: skip
    rtype = str(resource["Type"])
    where = f"{res.file}: Resources.{logical}.Properties"
    raw = resource.get("Properties") or {}
    if rtype == "AWS::Serverless::Function":
        raw = _merge_globals(raw, glob)
    fn = Function(logical, res.file)
    try:
        # Only what a local run uses is resolved: an unresolvable Policies, VpcConfig or
        # Role does not stop the function; an unresolvable environment variable is left
        # unset with a note (the set-up check then names it).
        props: dict[str, Any] = {
            k: res.resolve(v, f"Resources.{logical}.Properties.{k}")
            for k, v in raw.items() if k in USED and k != "Environment"
        }  # fmt: skip
        variables, env_notes = environment(res, logical, raw.get("Environment"))
        runtime = str(props.get("Runtime", ""))
        if str(props.get("PackageType", "Zip")) == "Image":
            return replace(fn, skip_reason="a container image function (PackageType Image): "
                           "only zip functions with a Python runtime are run")  # fmt: skip
        if (skip := runtime_skip(runtime)) is not None:
            return replace(fn, runtime=runtime, skip_reason=skip)
        code = raw.get("Code")
        if "InlineCode" in raw or (isinstance(code, Mapping) and "ZipFile" in code):
            return replace(fn, runtime=runtime, skip_reason="inline code (InlineCode, Code.ZipFile): "
                           "only functions whose code is in a folder are run")  # fmt: skip
        timeout = float(props.get("Timeout", facts.DEFAULT_TIMEOUT))
        memory = int(props.get("MemorySize", facts.DEFAULT_MEMORY_MB))
        for field_name, problem in (("Timeout", facts.timeout_problem(timeout)),
                                    ("MemorySize", facts.memory_problem(memory))):  # fmt: skip
            if problem:
                raise TemplateError(f"{where}.{field_name}: {problem}")
        layers, notes = _layers(res, logical, raw.get("Layers"), folder)
        notes = env_notes + notes
        fn = replace(
            fn, runtime=runtime, handler=str(props.get("Handler", "")),
            code_root=_code_root(res, logical, rtype, raw, resource.get("Metadata") or {}, folder),
            timeout=timeout, memory_mb=memory,
            architecture=str((props.get("Architectures") or ["x86_64"])[0]),
            function_name=function_name(res, logical, notes),
            env={str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in variables.items()},
            layers=layers, notes=tuple(notes),
        )  # fmt: skip
        if (bad := check_handler(fn, where)) is not None:
            raise TemplateError(bad)
        if (moved := architecture_note(fn.architecture)) is not None:
            fn = replace(fn, notes=(*fn.notes, moved))
        events = []
        for name, event in (raw.get("Events") or {}).items():
            try:
                eprops = res.resolve(
                    event.get("Properties") or {}, f"Resources.{logical}.Properties.Events.{name}"
                )
            except TemplateError as exc:  # this trigger is skipped, the others still run
                events.append(EventSource(name, None, (), origin=f"SAM {event.get('Type')}",
                                          skip_reason=str(exc)))  # fmt: skip
                continue
            source = from_sam_event(name, str(event.get("Type")), eprops, tables=tables)
            if source.kind == "apigw_v1" and event.get("Type") == "Api":
                stage = _stage(res, (event.get("Properties") or {}).get("RestApiId"))
                source = replace(
                    source, param_sets=tuple({**p, "stage": stage} for p in source.param_sets)
                )
            events.append(source)
        url = raw.get("FunctionUrlConfig")  # not resolved whole: its Cors may name anything
        if isinstance(url, Mapping):
            try:
                auth_type = res.resolve(url.get("AuthType", "NONE"), f"{where}.FunctionUrlConfig")
            except TemplateError:
                auth_type = "NONE"
            auth = "iam" if str(auth_type).upper() == "AWS_IAM" else "none"
            events.append(EventSource("FunctionUrl", "function_url", ({"auth": auth},),
                                      origin="SAM FunctionUrlConfig"))  # fmt: skip
        return replace(fn, events=tuple(events))
    except TemplateError as exc:
        return replace(fn, problem=str(exc))
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        return replace(fn, problem=f"{where}: cannot be read: {type(exc).__name__}: {exc}")


def table_shapes(res: Resolver) -> dict[str, Any]:
    """Table name → (key_schema for the dynamodb kind, stream view type)."""
    out: dict[str, Any] = {}
    for logical, resource in res.resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        props = resource.get("Properties") or {}
        try:
            types = {
                a["AttributeName"]: a["AttributeType"]
                for a in props.get("AttributeDefinitions", [])
            }
            schema = {k["AttributeName"]: types.get(k["AttributeName"], "S")
                      for k in props.get("KeySchema", [])}  # fmt: skip
            view = (props.get("StreamSpecification") or {}).get("StreamViewType")
            out[res.physical_name(logical)] = (schema or None, view)
        except (TemplateError, KeyError, TypeError):
            continue
    return out


def read_functions(res: Resolver, data: Mapping[str, Any], folder: Path) -> dict[str, Function]:
    """Every ``AWS::Serverless::Function`` / ``AWS::Lambda::Function`` with its own settings."""
    glob = ((data.get("Globals") or {}).get("Function")) or {}
    tables = table_shapes(res)
    functions: dict[str, Function] = {}
    for logical, resource in res.resources.items():
        if resource["Type"] in FUNCTION_TYPES:
            try:
                inactive = res.active(logical)
            except TemplateError as exc:
                functions[logical] = Function(logical, res.file, problem=str(exc))
                continue
            if inactive is not None:
                functions[logical] = Function(
                    logical, res.file, skip_reason=f"not created: {inactive}"
                )
                continue
            functions[logical] = _function(res, logical, resource, glob, folder, tables)
    return functions
