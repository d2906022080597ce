"""DynamoDB Streams batches (``eventSource`` ``aws:dynamodb``): records of ONE shard.

Independent facts: table, stream label, view type, key schema, and per record the
change (INSERT / MODIFY / REMOVE) and the item. Built from them: ``Keys`` copied from
the item's key attributes, the images the view type keeps (KEYS_ONLY: none; NEW_IMAGE:
the new one; OLD_IMAGE: the old one; NEW_AND_OLD_IMAGES: both, an INSERT has no old
image and a REMOVE no new one), ``SizeBytes`` = DynamoDB's item size of ``Keys`` +
images, strictly increasing ``SequenceNumber``s (one shard), whole-second
``ApproximateCreationDateTime``s that never decrease, the stream ARN
``arn:aws:dynamodb:{region}:{account}:table/{table}/stream/{label}`` whose label (the
stream's creation time) precedes every record, and for a TTL deletion a REMOVE with
``userIdentity`` ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``.
Cost: linear in the batch's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._ddb_json import item_size, marshal_item
from ._dynamodb_checks import invariants
from ._fastdraw import between, pick, word
from ._overrides import Path
from ._world import World, iso_ms

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "records": "number of records in the batch, 1..10000 (default 1; set by items)",
    "event_name": "INSERT, MODIFY or REMOVE for every record, or a list, one per record "
    "(default: drawn, mostly MODIFY)",
    "view_type": "stream view type: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES "
    "(default NEW_AND_OLD_IMAGES)",
    "table": "table name, 3..255 of [A-Za-z0-9_.-] (default: a realistic name)",
    "key_schema": "the table's key: {partition key name: 'S'|'N'|'B'} plus optionally a sort key "
    "(default {'pk': 'S', 'sk': 'S'})",
    "item": "the item of every record, a plain dict (str, numbers, bytes, bool, None, dict, list, "
    "sets) marshalled to DynamoDB JSON; missing key attributes are drawn",
    "items": "list of items, one record each (as item); sets the record count",
    "item_schema": "JSON Schema (dict, or path of a .json file) each item is generated from",
    "ttl": "bool: every REMOVE is a TTL deletion by the DynamoDB service (default False)",
}

_MAX_RECORDS: Final = 10_000
_EVENT_NAMES: Final = ("INSERT", "MODIFY", "REMOVE")
_VIEW_TYPES: Final = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_TABLE_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_ARN_RE = re.compile(
    r"^arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]{3,255})"
    r"/stream/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$"
)
_SEQ_RE = re.compile(r"^\d{1,40}$")
_SERVICE: Final = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
_STATUSES: Final = ("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")


# -- parameters ----------------------------------------------------------------------
def _choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidEventSpec(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def _key_schema(params: dict[str, Any]) -> dict[str, str]:
    ks = params.get("key_schema")
    if ks is None:
        return {"pk": "S", "sk": "S"}
    if (
        not isinstance(ks, Mapping)
        or not 1 <= len(ks) <= 2
        or not all(isinstance(k, str) and k and t in ("S", "N", "B") for k, t in ks.items())
    ):
        raise InvalidEventSpec(
            f"key_schema={ks!r:.80}: expected a partition key and optionally a sort key, "
            "name → 'S', 'N' or 'B', e.g. {'pk': 'S', 'sk': 'N'}"
        )
    return dict(ks)


def _items(world: World, params: dict[str, Any]) -> list[dict[str, Any] | None]:
    records = params.get("records")
    if records is not None and (
        not isinstance(records, int)
        or isinstance(records, bool)
        or not 1 <= records <= _MAX_RECORDS
    ):
        raise InvalidEventSpec(
            f"records={records!r}: a DynamoDB Streams batch holds 1 to {_MAX_RECORDS} records (an int)"
        )
    given = [n for n in ("item", "items", "item_schema") if params.get(n) is not None]
    if len(given) > 1:
        raise InvalidEventSpec(
            f"{' and '.join(given)} given together: pass one item (item), one per record "
            "(items) or a schema to generate them from (item_schema)"
        )
    if "items" in given:
        items = params["items"]
        if not isinstance(items, (list, tuple)) or not items or len(items) > _MAX_RECORDS:
            raise InvalidEventSpec(
                f"items={items!r:.80}: expected a list of 1 to {_MAX_RECORDS} dicts, one per record"
            )
        if records is not None and records != len(items):
            raise InvalidEventSpec(
                f"records={records} but items has {len(items)} items; drop records= or make them agree"
            )
        for i, it in enumerate(items):
            if not isinstance(it, Mapping):
                raise InvalidEventSpec(f"items[{i}]={it!r:.80}: expected a dict (one item)")
        return [dict(it) for it in items]
    names = params.get("event_name")
    count = records or (len(names) if isinstance(names, (list, tuple)) and names else 1)
    if "item" in given:
        if not isinstance(params["item"], Mapping):
            raise InvalidEventSpec(f"item={params['item']!r:.80}: expected a dict (the item)")
        return [dict(params["item"])] * count
    if "item_schema" in given:
        from ._payload import payload_from_schema

        out: list[dict[str, Any] | None] = []
        for _ in range(count):
            value = payload_from_schema(params["item_schema"], world)
            if not isinstance(value, dict):
                raise InvalidEventSpec(
                    f"item_schema generated {value!r:.60}; an item is an object: give the schema "
                    "'type': 'object'"
                )
            out.append(value)
        return out
    return [None] * count


def _names(world: World, params: dict[str, Any], n: int) -> list[str]:
    value = params.get("event_name")
    if value is None:
        return [
            pick(world.rng, ("INSERT", "MODIFY", "MODIFY", "MODIFY", "REMOVE")) for _ in range(n)
        ]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise InvalidEventSpec(
                f"event_name has {len(value)} names for {n} records; give one per record or a single name"
            )
        return [_choice(v, f"event_name[{i}]", _EVENT_NAMES) for i, v in enumerate(value)]
    return [_choice(value, "event_name", _EVENT_NAMES)] * n


def _table(world: World, params: dict[str, Any]) -> str:
    table = params.get("table")
    if table is None:
        return f"{word(world.rng).capitalize()}{pick(world.rng, ('Orders', 'Users', 'Sessions', 'Inventory', 'Events'))}"
    if not isinstance(table, str) or not _TABLE_RE.match(table):
        raise InvalidEventSpec(
            f"table={table!r}: a table name has 3 to 255 characters of [A-Za-z0-9_.-]"
        )
    return table


def _bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if not isinstance(value, bool):
        raise InvalidEventSpec(f"{name}={value!r}: expected True or False")
    return value


# -- drawing -------------------------------------------------------------------------
def _key_value(world: World, kind: str, name: str) -> Any:
    rng = world.rng
    if kind == "N":
        return between(rng, 1, 10**9)
    if kind == "B":
        return rng.randbytes(16)
    if name in ("sk", "SK", "sort"):
        return f"ORDER#{iso_ms(world.now_ms - between(rng, 0, 86_400_000))}"
    return f"CUSTOMER#{world.uuid4()}"


def _default_item(world: World) -> dict[str, Any]:
    """An order row using every attribute type (S N B BOOL NULL M L SS NS BS)."""
    rng = world.rng
    return {
        "status": pick(rng, _STATUSES),
        "total": between(rng, 100, 99_999) / 100,
        "quantity": between(rng, 1, 12),
        "checksum": rng.randbytes(between(rng, 4, 12)),
        "gift": rng.random() < 0.2,
        "cancelledAt": None,
        "shipping": {"city": word(rng).capitalize(), "zip": f"{between(rng, 10000, 99999)}"},
        "lines": [{"sku": f"SKU-{between(rng, 1000, 9999)}", "qty": between(rng, 1, 3)}],
        "tags": {word(rng), f"{word(rng)}-{between(rng, 1, 99)}"},
        "ratings": {between(rng, 1, 5), between(rng, 6, 10)},
        "thumbnails": {rng.randbytes(6), rng.randbytes(7)},
    }


def _modified(world: World, item: dict[str, Any]) -> dict[str, Any]:
    """The item before a MODIFY: the same keys, some attributes different."""
    old = dict(item)
    rng = world.rng
    if "status" in old and isinstance(old["status"], str):
        old["status"] = pick(rng, [s for s in _STATUSES if s != old["status"]] or ["PENDING"])
    else:
        old["version"] = between(rng, 1, 50)
    return old


def _images(name: str, view: str) -> tuple[bool, bool]:
    """(new image present, old image present) for ``name`` under ``view``."""
    new = name != "REMOVE" and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old = name != "INSERT" and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    return new, old


# -- build ---------------------------------------------------------------------------
def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """A batch of stream records from one shard of one table's stream, in shard order."""
    rng = world.rng
    items = _items(world, params)
    n = len(items)
    names = _names(world, params, n)
    view = _choice(params.get("view_type", "NEW_AND_OLD_IMAGES"), "view_type", _VIEW_TYPES)
    table = _table(world, params)
    keys = _key_schema(params)
    ttl = _bool(params, "ttl")
    # Record creation times, newest last, in whole seconds; the stream is older than all.
    created = (world.now_ms - between(rng, 200, 3_000)) // 1000
    times = [0] * n
    for i in range(n - 1, -1, -1):
        times[i] = created
        created -= between(rng, 0, 1) if rng.random() < 0.5 else 0
    label_ms = times[0] * 1000 - between(rng, 3_600_000, 400 * 86_400_000)
    arn = f"arn:aws:dynamodb:{world.region}:{world.account_id}:table/{table}/stream/{iso_ms(label_ms)[:-1]}"
    seq = between(rng, 10**20, 9 * 10**26)
    records: list[dict[str, Any]] = []
    for i, given in enumerate(items):
        rest = dict(given) if given is not None else _default_item(world)
        if ttl and names[i] == "REMOVE" and given is None:
            # the TTL attribute (epoch seconds) expired before the deletion
            rest["expiresAt"] = times[i] - between(rng, 60, 2 * 86_400)
        plain = {k: rest.pop(k) if k in rest else _key_value(world, t, k) for k, t in keys.items()}
        plain.update(rest)
        item = marshal_item(plain, f"items[{i}]" if given is not None else "item")
        key = {}
        for k, t in keys.items():
            if t not in item[k]:
                raise InvalidEventSpec(
                    f"item key attribute {k!r} is {item[k]!r:.60} but key_schema says {t!r}; "
                    "key attributes are S, N or B as the table declares"
                )
            key[k] = dict(item[k])
        name = names[i]
        has_new, has_old = _images(name, view)
        ddb: dict[str, Any] = {"ApproximateCreationDateTime": times[i], "Keys": key}
        if has_new:
            ddb["NewImage"] = item
        if has_old:
            ddb["OldImage"] = _old(world, plain, name, f"items[{i}]")
        seq += between(rng, 1, 10**9)
        ddb["SequenceNumber"] = str(seq)
        ddb["SizeBytes"] = _size_bytes(ddb)
        ddb["StreamViewType"] = view
        record: dict[str, Any] = {
            "eventID": world.hex(32),
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": world.region,
            "dynamodb": ddb,
            "eventSourceARN": arn,
        }
        if ttl and name == "REMOVE":
            record["userIdentity"] = dict(_SERVICE)
        records.append(record)
    return {"Records": records}


def _old(world: World, plain: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    return marshal_item(_modified(world, plain) if name == "MODIFY" else plain, where)


def _size_bytes(ddb: Mapping[str, Any]) -> int:
    return sum(item_size(ddb.get(f)) for f in ("Keys", "NewImage", "OldImage"))


# -- derive --------------------------------------------------------------------------
def _set_by_user(is_protected: Callable[[Path], bool], path: Path) -> bool:
    """Whether an override set ``path`` or a type tag below it (a dict override merges)."""
    return is_protected(path) or any(is_protected((*path, tag)) for tag in ("S", "N", "B"))


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Recompute Keys from the images, SizeBytes, and the ARN's region from awsRegion."""
    records = event.get("Records")
    if not isinstance(records, list):
        return
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        ddb = rec.get("dynamodb")
        if isinstance(ddb, dict):
            keys = ddb.get("Keys")
            image = ddb.get("NewImage") or ddb.get("OldImage")
            if isinstance(keys, dict) and isinstance(image, dict):
                for k in list(keys):
                    if (
                        k in image
                        and isinstance(image[k], dict)
                        and not _set_by_user(is_protected, ("Records", i, "dynamodb", "Keys", k))
                    ):
                        keys[k] = dict(image[k])
            if not is_protected(("Records", i, "dynamodb", "SizeBytes")):
                ddb["SizeBytes"] = _size_bytes(ddb)
        arn, region = rec.get("eventSourceARN"), rec.get("awsRegion")
        m = _ARN_RE.match(arn) if isinstance(arn, str) else None
        if m and isinstance(region, str) and not is_protected(("Records", i, "eventSourceARN")):
            rec["eventSourceARN"] = (
                f"arn:{m[1]}:dynamodb:{region}:{m[3]}:table/{m[4]}/stream/{m[5]}"
            )
