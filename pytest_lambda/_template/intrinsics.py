"""Resolve CloudFormation intrinsic functions as the stack would have them at deploy time.

Values come from the parameters' defaults (or overrides), the pseudo parameters
(``AWS::Region``, ``AWS::AccountId``, ``AWS::Partition``, ``AWS::StackName``,
``AWS::StackId``, ``AWS::URLSuffix``, ``AWS::NoValue``, ``AWS::NotificationARNs``), the
mappings, the conditions and the template's own resources: ``Ref`` and ``Fn::GetAtt`` of a
table, bucket, queue, topic, stream, function, rule or role give the name, ARN or URL
that resource would have, its name property when it sets one, else a physical name
generated as CloudFormation does (``<stack>-<LogicalId>-<suffix>``, stable per logical id).
What cannot be known locally (``Fn::ImportValue``, an unknown attribute, a parameter
without a default) is a :class:`TemplateError` naming the file, the place and the value.
Pure computation on the parsed template; nothing is cached between templates.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pytest_lambda._template.load import TemplateError

__all__ = ["NO_VALUE", "Resolver", "Stack"]

#: What ``!Ref AWS::NoValue`` resolves to; dropped from the mapping or list holding it.
NO_VALUE: Final = object()

#: resource type → (name property, the name's kind for generated names)
_NAME_PROPERTY: Final[dict[str, str]] = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SSM::Parameter": "Name",
}
_SERVICE: Final[dict[str, str]] = {
    "AWS::DynamoDB::Table": "dynamodb", "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::Serverless::SimpleTable": "dynamodb", "AWS::S3::Bucket": "s3",
    "AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::Kinesis::Stream": "kinesis",
    "AWS::Lambda::Function": "lambda", "AWS::Serverless::Function": "lambda",
    "AWS::Events::Rule": "events", "AWS::Events::EventBus": "events", "AWS::IAM::Role": "iam",
}  # fmt: skip
_SUB: Final = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Stack:
    """The deploy-time facts a template is resolved with."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "local-stack"
    parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"


class Resolver:
    """Resolves intrinsics of one template; ``where`` strings name the place in errors."""

    def __init__(self, template: Mapping[str, Any], file: str, stack: Stack) -> None:
        self.file = file
        self.stack = stack
        self.resources: Mapping[str, Any] = template.get("Resources") or {}
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.conditions: Mapping[str, Any] = template.get("Conditions") or {}
        self.parameters: Mapping[str, Any] = template.get("Parameters") or {}
        self._condition_values: dict[str, bool] = {}

    def error(self, where: str, text: str) -> TemplateError:
        return TemplateError(f"{self.file}: {where}: {text}")

    # --- names -------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The resource's name: its name property, else one generated as CloudFormation does."""
        resource = self.resources.get(logical_id) or {}
        rtype = str(resource.get("Type", ""))
        props = resource.get("Properties") or {}
        prop = _NAME_PROPERTY.get(rtype)
        if prop and isinstance(props, Mapping) and prop in props:
            value = self.resolve(props[prop], f"Resources.{logical_id}.Properties.{prop}")
            return str(value)
        digest = hashlib.sha256(f"{self.stack.stack_name}/{logical_id}".encode()).hexdigest()
        name = f"{self.stack.stack_name}-{logical_id}-{digest[:12].upper()}"
        if rtype == "AWS::S3::Bucket":
            return name.lower()[:63]
        if rtype == "AWS::SQS::Queue":
            fifo = isinstance(props, Mapping) and str(props.get("FifoQueue", "")).lower() == "true"
            return name[: 80 - 5 * fifo] + ".fifo" * fifo
        return name[:64]

    def arn(self, logical_id: str) -> str:
        rtype = str((self.resources.get(logical_id) or {}).get("Type", ""))
        name = self.physical_name(logical_id)
        s = self.stack
        head = f"arn:{s.partition}:{_SERVICE.get(rtype, 'unknown')}:{s.region}:{s.account_id}"
        if rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable",
                     "AWS::Serverless::SimpleTable"):  # fmt: skip
            return f"{head}:table/{name}"
        if rtype == "AWS::S3::Bucket":
            return f"arn:{s.partition}:s3:::{name}"
        if rtype == "AWS::Kinesis::Stream":
            return f"{head}:stream/{name}"
        if rtype in ("AWS::Lambda::Function", "AWS::Serverless::Function"):
            return f"{head}:function:{name}"
        if rtype == "AWS::Events::Rule":
            return f"{head}:rule/{name}"
        if rtype == "AWS::Events::EventBus":
            return f"{head}:event-bus/{name}"
        if rtype == "AWS::IAM::Role":
            return f"arn:{s.partition}:iam::{s.account_id}:role/{name}"
        return f"{head}:{name}"

    def queue_url(self, logical_id: str) -> str:
        s = self.stack
        return (
            f"https://sqs.{s.region}.{s.url_suffix}/{s.account_id}/{self.physical_name(logical_id)}"
        )

    def ref(self, name: str, where: str) -> Any:
        s = self.stack
        pseudo = {
            "AWS::Region": s.region, "AWS::AccountId": s.account_id,
            "AWS::Partition": s.partition, "AWS::StackName": s.stack_name,
            "AWS::URLSuffix": s.url_suffix, "AWS::NotificationARNs": [],
            "AWS::StackId": f"arn:{s.partition}:cloudformation:{s.region}:{s.account_id}:"
                            f"stack/{s.stack_name}/00000000-0000-4000-8000-000000000000",
        }  # fmt: skip
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            if name in s.parameters:
                return s.parameters[name]
            param = self.parameters[name] or {}
            if str(param.get("Type", "")).startswith("AWS::SSM::Parameter::Value<"):
                # the Default names an SSM parameter: CloudFormation reads its value at deploy
                raise self.error(
                    where,
                    f"Ref {name}: the parameter's value is read from SSM parameter "
                    f"{param.get('Default', '(no Default)')} at deploy time; give a value: "
                    f"--lambda-template-parameters={name}=VALUE (pytest-lambda check "
                    f"--parameter {name}=VALUE)",
                )
            if "Default" not in param:
                raise self.error(
                    where,
                    f"Ref {name}: the parameter has no Default; give it one, or a value: "
                    f"--lambda-template-parameters={name}=VALUE (pytest-lambda check "
                    f"--parameter {name}=VALUE)",
                )
            default = param["Default"]
            if str(param.get("Type", "")).startswith("List<") or param.get("Type") == (
                "CommaDelimitedList"
            ):
                return [p.strip() for p in str(default).split(",")]
            return default if isinstance(default, str) else str(default)
        if (alias := self._sam_alias(name)) is not None:
            return alias
        if name in self.resources:
            rtype = str((self.resources[name] or {}).get("Type", ""))
            if rtype == "AWS::SQS::Queue":
                return self.queue_url(name)
            if rtype == "AWS::SNS::Topic":
                return self.arn(name)
            return self.physical_name(name)
        raise self.error(
            where, f"Ref {name}: no parameter, pseudo parameter or resource of that name"
        )

    def _sam_alias(self, name: str) -> str | None:
        """SAM's ``Fn.Alias`` / ``Fn.Version`` of a function with ``AutoPublishAlias``: its ARN."""
        logical, _, what = name.partition(".")
        resource = self.resources.get(logical)
        if what not in ("Alias", "Version") or not isinstance(resource, Mapping):
            return None
        if resource.get("Type") != "AWS::Serverless::Function":
            return None
        props = resource.get("Properties") or {}
        alias = props.get("AutoPublishAlias") if isinstance(props, Mapping) else None
        if what == "Alias" and isinstance(alias, str):
            return f"{self.arn(logical)}:{alias}"
        return f"{self.arn(logical)}:1" if what == "Version" else None

    def get_att(self, logical_id: str, attr: str, where: str) -> Any:
        if (alias := self._sam_alias(f"{logical_id}.{attr}")) is not None:
            return alias
        if logical_id not in self.resources:
            raise self.error(where, f"Fn::GetAtt {logical_id}.{attr}: no resource {logical_id}")
        rtype = str((self.resources[logical_id] or {}).get("Type", ""))
        name = self.physical_name(logical_id)
        s = self.stack
        if attr == "Arn" and rtype != "AWS::SQS::Queue":
            return self.arn(logical_id)
        known: dict[str, dict[str, Any]] = {
            "AWS::SQS::Queue": {"Arn": f"arn:{s.partition}:sqs:{s.region}:{s.account_id}:{name}",
                                "QueueName": name, "QueueUrl": self.queue_url(logical_id)},
            "AWS::SNS::Topic": {"TopicArn": self.arn(logical_id), "TopicName": name},
            "AWS::DynamoDB::Table": {"StreamArn": f"{self.arn(logical_id)}/stream/"
                                                  "2024-01-01T00:00:00.000"},
            "AWS::S3::Bucket": {"DomainName": f"{name}.s3.{s.url_suffix}",
                                "RegionalDomainName": f"{name}.s3.{s.region}.{s.url_suffix}",
                                "WebsiteURL": f"http://{name}.s3-website-{s.region}.{s.url_suffix}"},
            "AWS::Events::EventBus": {"Name": name},
            "AWS::IAM::Role": {"RoleId": "AROA" + hashlib.sha256(name.encode()).hexdigest()[:17].upper()},
        }  # fmt: skip
        table = known.get(rtype, {})
        if attr in table:
            return table[attr]
        raise self.error(
            where,
            f"Fn::GetAtt {logical_id}.{attr}: cannot be resolved locally (a {rtype or 'resource'} "
            f"attribute this tool does not know; known: {', '.join(dict.fromkeys(['Arn', *table]))})",
        )

    # --- conditions ----------------------------------------------------------------------

    def condition(self, name: str, where: str) -> bool:
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self.conditions:
            raise self.error(where, f"condition {name!r} is not in the Conditions section")
        self._condition_values[name] = False  # a cycle resolves to false, not a recursion
        value = bool(self.resolve(self.conditions[name], f"Conditions.{name}"))
        self._condition_values[name] = value
        return value

    def active(self, logical_id: str) -> str | None:
        """None if the resource is created; else why not (its ``Condition`` is false)."""
        name = (self.resources.get(logical_id) or {}).get("Condition")
        if isinstance(name, str) and not self.condition(name, f"Resources.{logical_id}.Condition"):
            return f"its Condition {name} is false with these parameters"
        return None

    # --- the walk ------------------------------------------------------------------------

    def resolve(self, value: Any, where: str) -> Any:
        """``value`` with every intrinsic replaced; ``AWS::NoValue`` entries dropped."""
        if isinstance(value, list):
            items = [self.resolve(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                return self._function(key, arg, where)
        out = {}
        for k, v in value.items():
            resolved = self.resolve(v, f"{where}.{k}")
            if resolved is not NO_VALUE:
                out[k] = resolved
        return out

    def _function(self, key: str, arg: Any, where: str) -> Any:
        here = f"{where} ({key})"
        if key == "Ref":
            return self.ref(str(arg), where)
        if key == "Condition":
            return self.condition(str(arg), where)
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else self.resolve(arg, where)
            if not isinstance(parts, list) or len(parts) != 2:
                raise self.error(here, f"expected [LogicalId, Attribute], got {arg!r}")
            return self.get_att(str(parts[0]), str(parts[1]), where)
        if key == "Fn::Sub":
            return self._sub(arg, where)
        if key == "Fn::ImportValue":
            name = self.resolve(arg, where)
            raise self.error(
                here,
                f"cannot be resolved locally: it imports {name!r} from another stack's exports; "
                "set the value with a parameter (with a Default) instead",
            )
        args = self.resolve(arg, where)
        if key == "Fn::Join":
            sep, items = args
            return str(sep).join(str(i) for i in items)
        if key == "Fn::Select":
            index, items = args
            return items[int(index)]
        if key == "Fn::Split":
            sep, text = args
            return str(text).split(str(sep))
        if key == "Fn::If":
            name, then, otherwise = arg
            chosen = then if self.condition(str(name), where) else otherwise
            return self.resolve(chosen, where)
        if key == "Fn::Equals":
            a, b = args
            return str(a) == str(b)
        if key == "Fn::And":
            return all(bool(a) for a in args)
        if key == "Fn::Or":
            return any(bool(a) for a in args)
        if key == "Fn::Not":
            return not bool(args[0])
        if key == "Fn::FindInMap":
            top, second, third = args[:3]
            try:
                return self.mappings[top][second][third]
            except (KeyError, TypeError):
                raise self.error(here, f"no entry {top}/{second}/{third} in Mappings") from None
        if key == "Fn::Base64":
            return base64.b64encode(str(args).encode()).decode()
        if key == "Fn::GetAZs":
            return [f"{args or self.stack.region}{z}" for z in "abc"]
        if key == "Fn::Cidr":
            block, count, bits = args
            net = ipaddress.ip_network(str(block), strict=False)
            prefix = net.max_prefixlen - int(bits)
            return [
                str(n)
                for _, n in zip(range(int(count)), net.subnets(new_prefix=prefix), strict=False)
            ]
        if key == "Fn::Length":
            return len(args)
        raise self.error(here, f"{key} cannot be resolved locally")

    def _sub(self, arg: Any, where: str) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], self.resolve(arg[1] if len(arg) > 1 else {}, where)
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise self.error(f"{where} (Fn::Sub)", f"expected a string, got {text!r}")

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, _, attr = name.partition(".")
                return str(self.get_att(logical, attr, where))
            return str(self.ref(name, where))

        return _SUB.sub(one, text)
