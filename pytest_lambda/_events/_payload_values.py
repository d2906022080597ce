"""Scalar values for schema payloads: formatted strings, name-guided strings, numbers.

Formats and property-name heuristics give realistic values (``email`` looks like an
address, ``city`` like a city). Faker is used only for a few name heuristics, through
``World.faker()`` so the draws stay seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._world import World, iso_ms

__all__ = ["FORMATS", "gen_integer", "gen_number", "name_heuristic", "plain_text"]

_DAY_MS: Final = 86_400_000
_DOMAINS: Final = ("example.com", "example.org", "example.net", "mail.example.com")
_TLDS: Final = ("com", "net", "org", "io", "dev")


def _past_ms(world: World) -> int:
    return world.now_ms - world.rng.randrange(0, 30 * _DAY_MS)


def _date_time(world: World) -> str:
    return iso_ms(_past_ms(world))


def _date(world: World) -> str:
    return iso_ms(_past_ms(world))[:10]


def _time(world: World) -> str:
    return iso_ms(_past_ms(world))[11:19] + "Z"


def _email(world: World) -> str:
    rng = world.rng
    local = f"{world.word()}.{world.word()}"
    if rng.random() < 0.3:
        local += str(rng.randrange(1, 100))
    return f"{local}@{_DOMAINS[rng.randrange(len(_DOMAINS))]}"


def _hostname(world: World) -> str:
    return f"{world.word()}-{world.word()}.{_TLDS[world.rng.randrange(len(_TLDS))]}"


def _uri(world: World) -> str:
    path = "/".join(world.words(world.rng.randint(1, 3)))
    return f"https://{_hostname(world)}/{path}"


def _ipv6(world: World) -> str:
    groups = [f"{world.rng.getrandbits(16):x}" for _ in range(6)]
    return "2600:1f18:" + ":".join(groups)


def _duration(world: World) -> str:
    rng = world.rng
    return f"P{rng.randrange(0, 30)}DT{rng.randrange(0, 24)}H{rng.randrange(0, 60)}M"


#: format name → generator of a realistic value.
FORMATS: Final[dict[str, Callable[[World], str]]] = {
    "date-time": _date_time,
    "date": _date,
    "time": _time,
    "email": _email,
    "idn-email": _email,
    "uuid": World.uuid4,
    "uri": _uri,
    "iri": _uri,
    "uri-reference": _uri,
    "iri-reference": _uri,
    "hostname": _hostname,
    "idn-hostname": _hostname,
    "ipv4": World.ipv4,
    "ipv6": _ipv6,
    "duration": _duration,
    "json-pointer": lambda w: f"/{w.word()}/{w.word()}",
    "relative-json-pointer": lambda w: f"0/{w.word()}",
    "regex": lambda w: f"^{w.word()}-[0-9]+$",
    "uri-template": lambda w: f"https://{_hostname(w)}/{w.word()}/{{id}}",
}

_FAKER_NAMES: Final[dict[str, str]] = {
    "name": "name",
    "fullname": "name",
    "customername": "name",
    "displayname": "name",
    "firstname": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "city": "city",
    "town": "city",
    "country": "country",
    "countrycode": "country_code",
    "currency": "currency_code",
    "currencycode": "currency_code",
    "phone": "phone_number",
    "phonenumber": "phone_number",
    "mobile": "phone_number",
    "street": "street_address",
    "streetaddress": "street_address",
    "address1": "street_address",
    "line1": "street_address",
    "addressline1": "street_address",
    "zip": "postcode",
    "zipcode": "postcode",
    "postcode": "postcode",
    "postalcode": "postcode",
    "state": "state_abbr",
    "company": "company",
    "companyname": "company",
}
_TEXTS: Final = frozenset(
    {"description", "comment", "comments", "note", "notes", "message", "text", "summary"}
)


def _faker_call(method: str) -> Callable[[World], str]:
    def draw(world: World) -> str:
        return str(getattr(world.faker(), method)())

    return draw


def name_heuristic(name: str | None) -> Callable[[World], str] | None:
    """A generator guessed from a property name (``email``, ``city`` …), or ``None``."""
    if not name:
        return None
    key = name.lower().replace("_", "").replace("-", "")
    if key in _FAKER_NAMES:
        return _faker_call(_FAKER_NAMES[key])
    if "email" in key:
        return _email
    if key in _TEXTS:
        return World.sentence
    if key in ("url", "uri", "website", "homepage", "link"):
        return _uri
    if key in ("ip", "ipaddress", "sourceip", "clientip"):
        return World.ipv4
    if key in ("username", "login", "handle"):
        return lambda w: f"{w.word()}{w.rng.randrange(1, 1000)}"
    if key in ("id", "uuid") or name.endswith(("Id", "ID", "_id", "-id", "Uuid", "_uuid")):
        return World.uuid4
    if key.endswith("at") and key[:-2] in ("created", "updated", "deleted", "modified", "sent"):
        return _date_time
    if key in ("timestamp", "datetime") or name.endswith(("Timestamp", "_timestamp")):
        return _date_time
    if key == "date" or name.endswith(("Date", "_date")):
        return _date
    return None


def plain_text(world: World, lo: int, hi: int | None) -> str:
    """Words, cut or padded to a length in ``[lo, hi]``."""
    rng = world.rng
    if hi is None:
        hi = max(lo, 24) + 16
    target = rng.randint(lo, min(hi, max(lo, 1) + 24))
    text = world.word() if target else ""
    while len(text) < target:
        text += " " + world.word()
    text = text[:target].rstrip() if target else ""
    while len(text) < target:
        text += world.word()[0]
    return text


_INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "age": (18, 90),
    "quantity": (1, 10),
    "qty": (1, 10),
    "count": (1, 20),
    "year": (1990, 2026),
    "month": (1, 12),
    "day": (1, 28),
    "hour": (0, 23),
    "rating": (1, 5),
    "stars": (1, 5),
    "page": (1, 50),
    "port": (1024, 65535),
}


def _bounds(schema: dict[str, Any], where: str) -> tuple[float | None, bool, float | None, bool]:
    lo: float | None = schema.get("minimum")
    hi: float | None = schema.get("maximum")
    lo_x = hi_x = False
    emin, emax = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(emin, bool):  # draft-04 style
        lo_x = emin
    elif emin is not None and (lo is None or emin >= lo):
        lo, lo_x = emin, True
    if isinstance(emax, bool):
        hi_x = emax
    elif emax is not None and (hi is None or emax <= hi):
        hi, hi_x = emax, True
    if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_x or hi_x))):
        raise InvalidEventSpec(f"body schema: the numeric range at {where} is empty ({lo} .. {hi})")
    return lo, lo_x, hi, hi_x


def gen_integer(world: World, schema: dict[str, Any], name: str | None, where: str) -> int:
    lo_f, lo_x, hi_f, hi_x = _bounds(schema, where)
    lo = None if lo_f is None else (math.floor(lo_f) + 1 if lo_x else math.ceil(lo_f))
    hi = None if hi_f is None else (math.ceil(hi_f) - 1 if hi_x else math.floor(hi_f))
    default = _INT_RANGES.get((name or "").lower(), (0, 1000))
    if lo is None and hi is None:
        lo, hi = default
    elif lo is None:
        assert hi is not None
        lo = min(hi, max(hi - 1000, 0)) if hi >= 0 else hi - 1000
    elif hi is None:
        hi = lo + 1000
    mult = schema.get("multipleOf")
    if mult is None:
        if lo > hi:
            raise InvalidEventSpec(f"body schema: no integer fits the range at {where}")
        return world.rng.randint(lo, hi)
    return int(_multiple(world, mult, lo, hi, where, integer=True))


def gen_number(world: World, schema: dict[str, Any], name: str | None, where: str) -> float:
    lo, lo_x, hi, hi_x = _bounds(schema, where)
    if lo is None and hi is None:
        lo, hi = 0.0, 1000.0
    elif lo is None:
        assert hi is not None
        lo = min(hi, 0.0) if hi > 0 else hi - 1000.0
    elif hi is None:
        hi = lo + 1000.0
    mult = schema.get("multipleOf")
    if mult is not None:
        return float(_multiple(world, mult, lo, hi, where, integer=False, lo_x=lo_x, hi_x=hi_x))
    rng = world.rng
    for _ in range(8):
        value = round(rng.uniform(lo, hi), 2)
        if (value > lo if lo_x else value >= lo) and (value < hi if hi_x else value <= hi):
            return value
    return (lo + hi) / 2 if lo_x or hi_x else float(lo)


def _is_multiple(value: float, mult: int | float) -> bool:
    # the test jsonschema applies
    if isinstance(mult, float):
        quotient = value / mult
        return int(quotient) == quotient
    return value % mult == 0


def _multiple(
    world: World,
    mult: int | float,
    lo: float,
    hi: float,
    where: str,
    *,
    integer: bool,
    lo_x: bool = False,
    hi_x: bool = False,
) -> float:
    k_lo, k_hi = math.ceil(lo / mult), math.floor(hi / mult)
    candidates = range(k_lo, k_hi + 1)
    if candidates:
        for _ in range(20):
            k = candidates[world.rng.randrange(len(candidates))]
            value: float = k * mult
            if not integer and isinstance(mult, float):
                value = round(value, max(0, -math.floor(math.log10(mult))) + 2)
            if integer and value != int(value):
                continue
            if (
                _is_multiple(value, mult)
                and (value > lo if lo_x else value >= lo)
                and (value < hi if hi_x else value <= hi)
            ):
                return value
    raise InvalidEventSpec(
        f"body schema: no {'integer' if integer else 'number'} in {lo} .. {hi} is a multiple of "
        f"{mult} at {where}; widen the range or change multipleOf"
    )
