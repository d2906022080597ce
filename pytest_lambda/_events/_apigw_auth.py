"""Authorizer blocks of API Gateway events, and the request headers each one implies.

REST (payload 1.0, docs/internals/event-spec.md §5.4): Cognito user pool claims (all strings, ``exp``
and ``iat`` rendered like ``Fri Jul 29 18:52:53 UTC 2016``), Lambda authorizer
context (values stringified, ``principalId`` and ``integrationLatency`` added), IAM
(no block; ``identity`` filled) and API keys (``identity.apiKey``).
HTTP API (payload 2.0, §6.4): ``{"jwt": {"claims", "scopes"}}`` with every claim a
string (arrays as ``[a b c]``), ``{"lambda": context}`` keeping JSON types, and
``{"iam": {...}}``. Token times flow forward: auth_time ≤ iat ≤ request < exp.
"""

from __future__ import annotations

import base64
import json
import string
import time as _time
from collections.abc import Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._world import World

__all__ = ["Auth", "java_date", "v1_authorizer", "v2_authorizer"]

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_ALNUM: Final = string.ascii_letters + string.digits
_GROUPS: Final = ("admin", "editors", "users", "support", "billing")
_ROLES: Final = ("admin", "member", "viewer", "owner")
V1_KINDS: Final = ("cognito", "lambda", "iam", "api_key")
V2_KINDS: Final = ("jwt", "lambda", "iam")


class Auth:
    """What an authorizer contributes: the ``authorizer`` block, identity fields, headers."""

    __slots__ = ("block", "headers", "identity")

    def __init__(
        self,
        block: dict[str, Any] | None,
        identity: dict[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.block = block
        self.identity = identity or {}
        self.headers = headers or []


def java_date(seconds: int) -> str:
    """``Fri Jul 29 18:52:53 UTC 2016``: how REST Cognito authorizers render ``exp``/``iat``."""
    t = _time.gmtime(seconds)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    )


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _jwt(world: World, claims: Mapping[str, Any]) -> str:
    """A JWT-shaped token whose payload decodes to ``claims`` (the signature is random)."""
    header = {"kid": world.b64(32), "alg": "RS256"}
    parts = (json.dumps(header, separators=(",", ":")), json.dumps(claims, separators=(",", ":")))
    return ".".join([*(_b64url(p.encode()) for p in parts), _b64url(world.rng.randbytes(256))])


def claim_str(value: Any) -> str | None:
    """A claim as API Gateway passes it: strings; numbers and booleans stringified; arrays ``[a b]``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(str(claim_str(v)) for v in value) + "]"
    return json.dumps(value, separators=(",", ":"))


def _context_str(name: str, value: Any) -> str | None:
    if isinstance(value, (Mapping, list, tuple)):
        raise InvalidEventSpec(
            f"authorizer context {name!r}={value!r}: a Lambda authorizer context holds only "
            "strings, numbers, booleans and null (API Gateway rejects nested values)"
        )
    return claim_str(value)


def _cognito_claims(world: World, request_s: int, *, access: bool) -> dict[str, Any]:
    """Typed claims of a Cognito user pool token issued before the request, valid after it."""
    rng = world.rng
    region = world.region
    pool = f"{region}_{''.join(rng.choices(_ALNUM, k=9))}"
    iat = request_s - rng.randrange(0, 3000)
    username = f"{world.word()}{rng.randrange(10, 1000)}"
    common = {
        "iss": f"https://cognito-idp.{region}.amazonaws.com/{pool}",
        "origin_jti": world.uuid4(),
        "event_id": world.uuid4(),
        "token_use": "access" if access else "id",
        "auth_time": iat - rng.randrange(0, 86_400),
        "exp": iat + 3600,
        "iat": iat,
        "jti": world.uuid4(),
    }
    sub = world.uuid4()
    client_id = world.lower_alnum(26)
    if access:
        scope = (
            "openid email profile",
            "aws.cognito.signin.user.admin",
            f"{world.word()}/read {world.word()}/write",
        )[rng.randrange(3)]
        return {
            "sub": sub,
            "iss": common.pop("iss"),
            "client_id": client_id,
            **common,
            "scope": scope,
            "username": username,
        }
    claims: dict[str, Any] = {"sub": sub}
    if rng.random() < 0.4:
        claims["cognito:groups"] = sorted(
            {_GROUPS[rng.randrange(5)] for _ in range(rng.randint(1, 2))}
        )
    claims.update(
        {
            "email_verified": True,
            "iss": common.pop("iss"),
            "cognito:username": username,
            "aud": client_id,
            **common,
            "email": f"{username}@example.com",
        }
    )
    return claims


def _iam_caller(world: World) -> dict[str, str]:
    rng = world.rng
    acct = world.account_id
    if rng.random() < 0.6:
        session = f"{world.word()}-{rng.randrange(10**9, 10**10)}"
        role = world.slug(2) + "-role"
        caller = f"{world.role_id()}:{session}"
        return {
            "accessKey": "ASIA" + world.upper_alnum(16),
            "accountId": acct,
            "caller": caller,
            "userArn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        }
    user = f"{world.word()}.{world.word()}"
    return {
        "accessKey": "AKIA" + world.upper_alnum(16),
        "accountId": acct,
        "caller": world.iam_user_id(),
        "userArn": f"arn:aws:iam::{acct}:user/{user}",
    }


def _sigv4_headers(world: World, access_key: str, request_ms: int) -> list[tuple[str, str]]:
    t = _time.gmtime(request_ms // 1000 - world.rng.randrange(0, 5))
    day = f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}"
    amz_date = f"{day}T{t.tm_hour:02d}{t.tm_min:02d}{t.tm_sec:02d}Z"
    temporary = access_key.startswith("ASIA")
    signed = "host;x-amz-date" + (";x-amz-security-token" if temporary else "")
    out = [
        (
            "authorization",
            f"AWS4-HMAC-SHA256 Credential={access_key}/{day}/{world.region}/execute-api/"
            f"aws4_request, SignedHeaders={signed}, Signature={world.hex(64)}",
        ),
        ("x-amz-date", amz_date),
    ]
    if temporary:
        out.append(("x-amz-security-token", world.b64(270)))
    return out


def _check_kind(spec: object, kinds: tuple[str, ...]) -> None:
    if not (isinstance(spec, str) and spec in kinds) and not isinstance(spec, Mapping):
        raise InvalidEventSpec(
            f"authorizer={spec!r}: expected None, one of {', '.join(map(repr, kinds))}, "
            "or a dict of claims/context"
        )


def v1_authorizer(world: World, spec: object, request_ms: int, now_ms: int) -> Auth:
    """REST authorizer: ``None``, 'cognito', 'lambda', 'iam', 'api_key' or a dict."""
    _check_kind(spec, V1_KINDS)
    rng = world.rng
    request_s = request_ms // 1000
    if spec == "iam":
        who = _iam_caller(world)
        ident = {**who, "principalOrgId": "o-" + world.lower_alnum(10), "user": who["caller"]}
        return Auth(None, ident, _sigv4_headers(world, who["accessKey"], request_ms))
    if spec == "api_key":
        key = "".join(rng.choices(_ALNUM, k=40))
        return Auth(None, {"apiKey": key, "apiKeyId": world.lower_alnum(10)}, [("x-api-key", key)])
    if spec == "cognito" or (isinstance(spec, Mapping) and "claims" in spec):
        typed: Mapping[str, Any]
        if spec == "cognito":
            typed = _cognito_claims(world, request_s, access=False)
            extra: dict[str, Any] = {}
        else:
            assert isinstance(spec, Mapping)
            typed = _mapping(spec["claims"], "authorizer['claims']")
            extra = {k: v for k, v in spec.items() if k != "claims"}
        claims = {
            k: java_date(v)
            if k in ("exp", "iat") and isinstance(v, int) and not isinstance(v, bool)
            else claim_str(v)
            for k, v in typed.items()
        }
        return Auth({"claims": claims, **extra}, None, [("authorization", _jwt(world, typed))])
    # Lambda authorizer (TOKEN or REQUEST): stringified context + principalId + latency.
    if spec == "lambda":
        context: Mapping[str, Any] = {
            "userId": world.uuid4(),
            "tenantId": world.slug(1),
            "role": _ROLES[rng.randrange(4)],
            "admin": rng.random() < 0.2,
            "expiresAt": request_s + rng.randrange(300, 3600),
        }
        principal: Any = f"user-{world.hex(12)}"
    else:
        context = _mapping(spec, "authorizer")
        principal = context.get("principalId", f"user-{world.hex(12)}")
    latency = context.get("integrationLatency", rng.randrange(0, max(1, now_ms - request_ms)))
    block: dict[str, Any] = {"principalId": principal, "integrationLatency": latency}
    for k, v in context.items():
        if k not in ("principalId", "integrationLatency"):
            block[k] = _context_str(k, v)
    token = "Bearer " + _b64url(rng.randbytes(30))
    return Auth(block, None, [("authorization", token)])


def v2_authorizer(world: World, spec: object, request_ms: int) -> Auth:
    """HTTP API authorizer: ``None``, 'jwt', 'lambda', 'iam' or a dict."""
    _check_kind(spec, V2_KINDS)
    rng = world.rng
    request_s = request_ms // 1000
    if isinstance(spec, Mapping) and len(spec) == 1 and next(iter(spec)) in V2_KINDS:
        ((kind, inner),) = spec.items()
        if kind == "jwt":
            return v2_authorizer(world, _mapping(inner, "authorizer['jwt']"), request_ms)
        if kind == "lambda":
            return Auth({"lambda": dict(_mapping(inner, "authorizer['lambda']"))})
        return Auth({"iam": dict(_mapping(inner, "authorizer['iam']"))})
    if spec == "iam":
        who = _iam_caller(world)
        block = {
            "accessKey": who["accessKey"],
            "accountId": who["accountId"],
            "callerId": who["caller"],
            "cognitoIdentity": None,
            "principalOrgId": "o-" + world.lower_alnum(10),
            "userArn": who["userArn"],
            "userId": who["caller"],
        }
        return Auth({"iam": block}, None, _sigv4_headers(world, who["accessKey"], request_ms))
    if spec == "jwt" or (isinstance(spec, Mapping) and ("claims" in spec or "scopes" in spec)):
        typed: Mapping[str, Any]
        if spec == "jwt":
            typed = _cognito_claims(world, request_s, access=rng.random() < 0.5)
            given_scopes: Any = ...
        else:
            assert isinstance(spec, Mapping)
            typed = _mapping(spec.get("claims", {}), "authorizer['claims']")
            given_scopes = spec.get("scopes", ...)
        claims = {k: claim_str(v) for k, v in typed.items()}
        if given_scopes is ...:
            scope = typed.get("scope")
            given_scopes = scope.split() if isinstance(scope, str) else None
        elif given_scopes is not None and (
            not isinstance(given_scopes, (list, tuple))
            or not all(isinstance(s, str) for s in given_scopes)
        ):
            raise InvalidEventSpec(
                f"authorizer['scopes']={given_scopes!r}: expected a list of str or None"
            )
        scopes = None if given_scopes is None else list(given_scopes)
        return Auth(
            {"jwt": {"claims": claims, "scopes": scopes}},
            None,
            [("authorization", "Bearer " + _jwt(world, typed))],
        )
    if spec == "lambda":
        context: dict[str, Any] = {
            "userId": world.uuid4(),
            "tenantId": world.slug(1),
            "role": _ROLES[rng.randrange(4)],
            "admin": rng.random() < 0.2,
            "expiresAt": request_s + rng.randrange(300, 3600),
        }
    else:
        context = dict(_mapping(spec, "authorizer"))
    return Auth({"lambda": context}, None, [("authorization", _b64url(rng.randbytes(30)))])


def _mapping(value: object, param: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidEventSpec(f"{param}={value!r}: expected a dict with str keys")
    return value
