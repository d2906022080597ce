"""Read a template file into plain data: JSON with the standard library, YAML with PyYAML.

YAML templates use CloudFormation's short-form tags (``!Ref X``, ``!GetAtt A.B``, ``!Sub``...).
They are read with a subclass of PyYAML's ``SafeLoader`` that turns each tag into the
long form (``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``); no other tag constructs
anything, so a template cannot build Python objects. PyYAML is the ``[template]`` extra;
a YAML template without it is one clear error. Every error is a :class:`TemplateError`
whose message names the file (and the resource and field, where there is one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from pytest_lambda._core.errors import InvalidOption

__all__ = ["SHORT_TAGS", "TemplateError", "load_template_file"]


class TemplateError(InvalidOption):
    """A template cannot be read or understood; the message names file, resource and field."""


#: Short-form tag → long-form key. ``!Ref`` and ``!Condition`` have no ``Fn::``.
SHORT_TAGS: Final[dict[str, str]] = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "GetAtt", "Sub", "If", "Join", "Select", "Split", "FindInMap", "ImportValue",
            "Base64", "GetAZs", "Equals", "And", "Or", "Not", "Cidr", "Transform", "Length",
            "ToJsonString",
        )
    },
}  # fmt: skip


def _yaml_loader() -> Any:
    """A ``SafeLoader`` subclass knowing CloudFormation's tags (built on first use)."""
    import yaml

    class CloudFormationLoader(yaml.SafeLoader):  # type: ignore[misc]
        """Safe YAML plus CloudFormation's short-form intrinsic tags."""

    def make(tag: str, key: str) -> Any:
        def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
            value: Any
            if isinstance(node, yaml.ScalarNode):
                value = loader.construct_scalar(node)
                if tag == "GetAtt" and isinstance(value, str):
                    value = value.split(".", 1)  # !GetAtt A.B → ["A", "B"]
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {key: value}

        return construct

    for tag, key in SHORT_TAGS.items():
        CloudFormationLoader.add_constructor(f"!{tag}", make(tag, key))
    return CloudFormationLoader


_MISSING_YAML: Final = (
    "{path}: a YAML template needs PyYAML, which is not installed; "
    "pip install 'pytest-lambda-toolkit[template]' (or give the template as JSON, e.g. cdk.out/*.template.json)"
)


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise TemplateError(_MISSING_YAML.format(path=path)) from None
    try:
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise TemplateError(f"{path}:{where}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from None


def load_template_file(path: str | Path) -> dict[str, Any]:
    """The template at ``path`` as a dict (YAML or JSON, chosen by content and suffix)."""
    data = load_document(path)
    if not isinstance(data.get("Resources"), dict) and not isinstance(data.get("functions"), dict):
        raise TemplateError(f"{path}: no Resources (CloudFormation) nor functions (serverless.yml)")
    return data


def load_document(path: str | Path) -> dict[str, Any]:
    """A YAML or JSON mapping with CloudFormation's tags (a template, an included OpenAPI file)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{file}: no such template file") from None
    except IsADirectoryError:
        raise TemplateError(f"{file}: is a directory, not a template file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{file}: cannot read the template: {exc}") from None
    data: Any
    if file.suffix == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TemplateError(
                f"{file}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
            ) from None
    else:
        data = _parse_yaml(file, text)
    if not isinstance(data, dict):
        raise TemplateError(f"{file}: a template is a mapping with a Resources section")
    return data
