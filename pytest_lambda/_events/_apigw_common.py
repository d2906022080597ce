"""Pieces shared by the API Gateway generators (REST payload 1.0 and HTTP API payload 2.0).

Methods, stages, identifiers, and the route template ↔ path ↔ path parameters
rules (REST keeps the client's percent-encoding in paths; HTTP APIs decode them).
Everything takes user values in and raises :class:`InvalidEventSpec` naming the
parameter when a value is wrong.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote, unquote

from pytest_lambda._core.errors import InvalidEventSpec

from ._fastdraw import between, word
from ._world import World

__all__ = [
    "BODY_METHODS",
    "METHODS",
    "Segments",
    "check_dict_of_str",
    "check_method",
    "check_path",
    "check_path_params",
    "check_stage",
    "decoded_path",
    "draw_method",
    "draw_param_value",
    "draw_template",
    "fill_template",
    "infer_template",
    "is_default_domain",
    "match_template",
    "parse_template",
    "quote_path",
    "quote_segment",
    "scalar",
    "short_request_id",
    "split_route_key",
    "template_for_params",
    "template_names",
]

METHODS: Final[tuple[str, ...]] = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BODY_METHODS: Final[tuple[str, ...]] = ("POST", "PUT", "PATCH")
# Cumulative weights (out of 100) of the drawn method: APIs see mostly GET and POST.
_METHOD_CUMULATIVE: Final = (
    (40, "GET"),
    (66, "POST"),
    (77, "PUT"),
    (85, "PATCH"),
    (95, "DELETE"),
    (97, "HEAD"),
    (100, "OPTIONS"),
)
_NOUNS: Final = (
    "users",
    "orders",
    "items",
    "products",
    "accounts",
    "payments",
    "invoices",
    "customers",
    "sessions",
    "carts",
    "tickets",
    "events",
    "files",
    "notes",
    "tasks",
    "messages",
    "reports",
    "devices",
)
_STAGE_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_PARAM_RE: Final = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")
# Characters a client may leave unencoded in a path segment (RFC 3986 pchar, plus %).
_SEG_SAFE: Final = "%:@!$&'()*+,;=-._~"
# Strings quote(s, safe=_SEG_SAFE [+ "/"]) returns unchanged: only ASCII letters, digits and
# those characters (quote's own always-safe set is letters, digits and "_.-~").
_SEG_SAFE_RE: Final = re.compile(r"[A-Za-z0-9%:@!$&'()*+,;=\-._~]*")
_PATH_SAFE_RE: Final = re.compile(r"[A-Za-z0-9%:@!$&'()*+,;=\-._~/]*")

Segments = tuple[tuple[int, str], ...]
"""A parsed route template: (0, literal) | (1, param name) | (2, greedy param name)."""


# -- method -------------------------------------------------------------------------
def check_method(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise InvalidEventSpec(f"method={value!r}: expected one of {', '.join(METHODS)}")
    return value.upper()


def draw_method(world: World, with_body: bool | None) -> str:
    """A realistic method; ``with_body`` True/False restricts to methods that (do not) carry one."""
    rng = world.rng
    if with_body:
        return BODY_METHODS[int(rng.random() * 3)]
    n = int(rng.random() * 100)
    for limit, method in _METHOD_CUMULATIVE:
        if n < limit:
            if with_body is False and method in BODY_METHODS:
                return "GET"
            return method
    return "GET"  # pragma: no cover


def check_stage(value: object, *, allow_default: bool) -> str:
    if isinstance(value, str) and (
        _STAGE_RE.match(value) or (allow_default and value == "$default")
    ):
        return value
    extra = " or '$default'" if allow_default else ""
    raise InvalidEventSpec(
        f"stage={value!r}: a stage name is 1-128 letters, digits, '-' or '_'{extra}"
    )


def check_dict_of_str(value: object, param: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidEventSpec(f"{param}={value!r}: expected a dict of str to str")
    return dict(value)


def short_request_id(world: World) -> str:
    """``ATfSdF7nPHcErRA=``: 11 random bytes in base64url (15 characters and one ``=``)."""
    return base64.urlsafe_b64encode(world.rng.randbytes(11)).decode("ascii")


def is_default_domain(domain: object) -> bool:
    return (
        isinstance(domain, str) and ".execute-api." in domain and domain.endswith(".amazonaws.com")
    )


def scalar(value: object, param: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise InvalidEventSpec(f"{param}: value {value!r} must be a str, int or float")


# -- route templates ----------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def parse_template(template: str, param: str) -> Segments:
    """``/items/{id}`` → ((0, 'items'), (1, 'id')); raises for malformed templates."""
    if not template.startswith("/"):
        raise InvalidEventSpec(
            f"{param}={template!r}: a route template starts with '/', e.g. '/items/{{id}}'"
        )
    if template == "/":
        return ()
    parts = template[1:].split("/")
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, part in enumerate(parts):
        if not part:
            raise InvalidEventSpec(
                f"{param}={template!r}: empty path segment (no '//' or trailing '/')"
            )
        if "{" not in part and "}" not in part:
            out.append((0, part))
            continue
        m = _PARAM_RE.match(part)
        if m is None:
            raise InvalidEventSpec(
                f"{param}={template!r}: segment {part!r} must be a whole '{{name}}' or '{{name+}}'"
            )
        name, greedy = m.group(1), bool(m.group(2))
        if greedy and i != len(parts) - 1:
            raise InvalidEventSpec(
                f"{param}={template!r}: the greedy '{{{name}+}}' must be the last segment"
            )
        if name in seen:
            raise InvalidEventSpec(f"{param}={template!r}: path parameter {name!r} appears twice")
        seen.add(name)
        out.append((2 if greedy else 1, name))
    return tuple(out)


def template_names(segs: Segments) -> list[str]:
    return [text for kind, text in segs if kind]


def match_template(segs: Segments, path: str) -> dict[str, str] | None:
    """The path parameters when ``path`` matches the template, else None."""
    if not path.startswith("/"):
        return None
    parts = path[1:].split("/") if path != "/" else []
    out: dict[str, str] = {}
    for i, (kind, text) in enumerate(segs):
        if kind == 2:
            rest = "/".join(parts[i:])
            if not rest:
                return None
            out[text] = rest
            return out
        if i >= len(parts):
            return None
        if kind == 0:
            if parts[i] != text:
                return None
        elif not parts[i]:
            return None
        else:
            out[text] = parts[i]
    return out if len(parts) == len(segs) else None


def fill_template(segs: Segments, values: Mapping[str, str]) -> str:
    return "/" + "/".join(values[text] if kind else text for kind, text in segs)


def check_path_params(value: object, param: str = "path_parameters") -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidEventSpec(f"{param}={value!r}: expected a dict of parameter name to value")
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not k:
            raise InvalidEventSpec(f"{param}: parameter name {k!r} must be a non-empty str")
        text = scalar(v, f"{param}[{k!r}]")
        if not text:
            raise InvalidEventSpec(f"{param}[{k!r}]: a path parameter value cannot be empty")
        out[k] = text
    return out or None


def check_path(value: object, param: str = "path") -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise InvalidEventSpec(f"{param}={value!r}: a request path is a str starting with '/'")
    for bad in "?#":
        if bad in value:
            raise InvalidEventSpec(
                f"{param}={value!r}: holds {bad!r}; give the query string as query=, without the path"
            )
    return value


def draw_template(world: World) -> str:
    """A realistic resource template: collection, item, nested item, proxy or root."""
    rng = world.rng
    n = int(rng.random() * 100)
    noun = _NOUNS[int(rng.random() * len(_NOUNS))]
    if n < 30:
        return "/{proxy+}"
    if n < 50:
        return "/" + noun
    if n < 85:
        return f"/{noun}/{{{noun[:-1]}Id}}" if n < 70 else f"/{noun}/{{id}}"
    if n < 96:
        child = _NOUNS[int(rng.random() * len(_NOUNS))]
        return f"/{noun}/{{{noun[:-1]}Id}}/{child}"
    return "/"


def template_for_params(world: World, names: list[str]) -> str:
    """A template holding ``names`` (a name ``proxy`` becomes the greedy last segment)."""
    noun = _NOUNS[int(world.rng.random() * len(_NOUNS))]
    tail = "/{proxy+}" if "proxy" in names else ""
    return f"/{noun}" + "".join(f"/{{{n}}}" for n in names if n != "proxy") + tail


def draw_param_value(world: World, greedy: bool) -> str:
    rng = world.rng
    if greedy:
        return "/".join([word(rng) for _ in range(between(rng, 1, 3))])
    n = int(rng.random() * 10)
    if n < 5:
        return world.uuid4()
    if n < 8:
        return str(between(rng, 1, 10 ** between(rng, 1, 6) - 1))
    return world.upper_alnum(8)


def infer_template(path: str, params: Mapping[str, str], param: str) -> str:
    """Replace the segments of ``path`` holding each parameter value by ``{name}``."""
    parts = path[1:].split("/") if path != "/" else []
    used: set[int] = set()
    tail: str | None = None
    for name, value in params.items():
        if "/" in value and path.endswith("/" + value):
            keep = len(parts) - len(value.split("/"))
            if tail is not None or any(i >= keep for i in used):
                raise InvalidEventSpec(
                    f"{param}: cannot place {name!r}={value!r} in path {path!r}; give the template"
                )
            tail = name
            used.update(range(keep, len(parts)))
            parts = [*parts[:keep], f"{{{name}+}}"]
            continue
        idx = next((i for i, p in enumerate(parts) if p == value and i not in used), None)
        if idx is None:
            raise InvalidEventSpec(
                f"{param}: path parameter {name}={value!r} is not a segment of path {path!r}; "
                "give the route template too"
            )
        used.add(idx)
        parts[idx] = f"{{{name}}}"
    return "/" + "/".join(parts)


def quote_segment(value: str, greedy: bool) -> str:
    """A REST path parameter as it appears in the raw path (invalid characters encoded)."""
    if (_PATH_SAFE_RE if greedy else _SEG_SAFE_RE).fullmatch(value):
        return value  # nothing to encode: what quote() returns, without its work
    return quote(value, safe=_SEG_SAFE + ("/" if greedy else ""))


def quote_path(path: str) -> str:
    if _PATH_SAFE_RE.fullmatch(path):
        return path
    return quote(path, safe="/" + _SEG_SAFE)


def decoded_path(path: str, param: str = "path") -> str:
    """HTTP API rawPath rules: percent-decoded; a decoded '?' truncates; %25 is rejected."""
    if "%25" in path.upper():
        raise InvalidEventSpec(
            f"{param}={path!r}: HTTP APIs answer 400 to a path holding %25 (the Lambda is never invoked)"
        )
    decoded = unquote(path)
    return decoded.split("?", 1)[0]


def split_route_key(route_key: object) -> tuple[str | None, str | None]:
    """'GET /items/{id}' → ('GET', '/items/{id}'); '$default' → (None, None)."""
    if route_key == "$default":
        return None, None
    if isinstance(route_key, str):
        method, _, template = route_key.partition(" ")
        if (method == "ANY" or method in METHODS) and template.startswith("/"):
            parse_template(template, "route_key")
            return method, template
    raise InvalidEventSpec(
        f"route_key={route_key!r}: expected '$default' or '{{METHOD}} {{path template}}', "
        "e.g. 'GET /items/{id}' or 'ANY /{proxy+}'"
    )
