"""The fast paths of HTTP event generation keep behaviour (no timing here).

* ``quote_segment``/``quote_path`` skip ``urllib.parse.quote`` for a string it would return
  unchanged, and give exactly what it gives for every other string (non-ASCII, spaces,
  ``%``, ``/``, ``~``, controls, lone surrogates);
* ``clf_time`` caches the date part per day: the right date on both sides of midnight,
  of a month's and a year's end, whatever the wall clock says (freezegun);
* the per-agent client hints and the REST API's binary-type decision are cached by
  everything they depend on (the agent; the content type *and* the API's binary types);
* the default JSON body is ``json_payload()`` as compact JSON, drawn the same way; ids
  (uuid4, uuid5-shaped, hex, the X-Ray root) are formatted in one step from the same
  random bits, and query decoding skips ``unquote_plus`` when there is no ``%`` escape;
* the seeded events themselves do not move (a digest of the first 40 seeds of each kind).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote, unquote_plus
from uuid import UUID

import pytest
from freezegun import freeze_time

from pytest_lambda import events
from pytest_lambda._events import _apigw_v1
from pytest_lambda._events._apigw_common import _SEG_SAFE, quote_path, quote_segment
from pytest_lambda._events._apigw_http import _unquote_plus, decode_pairs
from pytest_lambda._events._user_agents import (
    USER_AGENTS,
    browser_headers,
    client_hints,
)
from pytest_lambda._events._world import World, clf_time

TRICKY = [
    "",
    "plain",
    "a b",
    "a+b",
    "100%",
    "%20",
    "%2F",
    "a/b",
    "/a/b/",
    "~user",
    "caf\u00e9",
    "\u00fcber/stra\u00dfe",
    "\u65e5\u672c",
    "emoji\U0001f600",
    "tab\there",
    "new\nline",
    "trailing\n",
    "nul\x00",
    "del\x7f",
    "quote\"'",
    "<>[]{}|\\^`",
    "?#",
    "a:b@c!d$e&f'g(h)i*j+k,l;m=n-o.p_q~r",
    "\ud800",  # a lone surrogate: quote() raises, so must the fast path's fallback
]


def _same(func: Callable[..., str], *args: object) -> object:
    try:
        return func(*args)
    except Exception as exc:  # the error is behaviour too
        return type(exc)


@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize("greedy", [False, True])
def test_quote_segment_equals_urllib_quote(value: str, greedy: bool) -> None:
    expected = _same(quote, value, _SEG_SAFE + ("/" if greedy else ""))
    assert _same(quote_segment, value, greedy) == expected


@pytest.mark.parametrize("value", TRICKY)
def test_quote_path_equals_urllib_quote(value: str) -> None:
    assert _same(quote_path, value) == _same(quote, value, "/" + _SEG_SAFE)


def test_quote_fast_path_every_character() -> None:
    """Every code point below 0x3000 alone and between letters, as a segment and a path."""
    for code in range(0x3000):
        if 0xD800 <= code < 0xE000:
            continue
        for text in (chr(code), f"a{chr(code)}b", f"/{chr(code)}/"):
            assert quote_segment(text, False) == quote(text, safe=_SEG_SAFE), repr(text)
            assert quote_segment(text, True) == quote(text, safe=_SEG_SAFE + "/"), repr(text)
            assert quote_path(text) == quote(text, safe="/" + _SEG_SAFE), repr(text)


def _clf_slow(ms: int) -> str:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_mday:02d}/{months[t.tm_mon - 1]}/{t.tm_year:04d}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2026-07-10T23:59:59.999", "10/Jul/2026:23:59:59 +0000"),
        ("2026-07-11T00:00:00.000", "11/Jul/2026:00:00:00 +0000"),
        ("2025-12-31T23:59:59.500", "31/Dec/2025:23:59:59 +0000"),
        ("2026-01-01T00:00:00.001", "01/Jan/2026:00:00:00 +0000"),
        ("2024-02-28T23:59:59.000", "28/Feb/2024:23:59:59 +0000"),
        ("2024-02-29T00:00:00.000", "29/Feb/2024:00:00:00 +0000"),
        ("2024-03-01T12:34:56.789", "01/Mar/2024:12:34:56 +0000"),
    ],
)
def test_clf_time_across_day_changes(iso: str, expected: str) -> None:
    ms = round(datetime.fromisoformat(iso).replace(tzinfo=timezone.utc).timestamp() * 1000)
    assert clf_time(ms) == expected
    assert clf_time(ms) == expected  # the second call comes from the per-day cache


def test_clf_time_day_cache_ignores_the_wall_clock() -> None:
    """The cache is keyed by the event's day: frozen clocks on two days change nothing."""
    before = 1_783_727_999_999  # 2026-07-10T23:59:59.999Z
    after = before + 1
    with freeze_time("2026-07-10 23:59:59"):
        first = (clf_time(before), clf_time(after))
    with freeze_time("2026-07-11 00:00:01"):
        second = (clf_time(before), clf_time(after))
    with freeze_time("1999-01-01"):
        third = (clf_time(after), clf_time(before))[::-1]
    expected = ("10/Jul/2026:23:59:59 +0000", "11/Jul/2026:00:00:00 +0000")
    assert first == second == third == expected


def test_clf_time_matches_gmtime_on_many_instants() -> None:
    rng = random.Random(19)
    for _ in range(5000):
        ms = rng.randrange(1_388_534_400_000, 4_102_444_800_000)
        assert clf_time(ms) == _clf_slow(ms)
    for ms in (0, 999, 1000, 86_399_999, 86_400_000, -1, -86_400_001):
        assert clf_time(ms) == _clf_slow(ms)


def test_seeded_http_event_time_under_freezegun() -> None:
    """A seeded event does not read the clock: the same event under any frozen time."""
    plain = events.generate("apigw_v1", seed=3)
    with freeze_time("2030-01-01"):
        frozen = events.generate("apigw_v1", seed=3)
    assert frozen == plain
    rc = plain["requestContext"]
    assert rc["requestTime"] == _clf_slow(rc["requestTimeEpoch"])


def test_client_hints_are_keyed_by_agent() -> None:
    client_hints.cache_clear()
    seen: dict[str, tuple[tuple[str, str], ...]] = {}
    for ua in USER_AGENTS:
        seen[ua] = client_hints(ua)
    for ua in reversed(USER_AGENTS):  # again, from the cache, in another order
        assert client_hints(ua) == seen[ua]
    edge = next(a for a in USER_AGENTS if "Edg/" in a)
    chrome = next(a for a in USER_AGENTS if "Chrome/" in a and "Edg" not in a)
    firefox = next(a for a in USER_AGENTS if "Firefox/" in a)
    assert '"Microsoft Edge"' in dict(client_hints(edge))["sec-ch-ua"]
    assert '"Google Chrome"' in dict(client_hints(chrome))["sec-ch-ua"]
    assert client_hints(firefox) == ()
    assert client_hints("Mozilla/5.0 (X11; CrOS x86_64) Chrome/99.0 Safari") == (
        ("sec-ch-ua", '"Google Chrome";v="99", "Chromium";v="99", "Not_A Brand";v="24"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Chrome OS"'),
    )


def test_browser_headers_draw_site_then_add_cached_hints() -> None:
    ua = next(a for a in USER_AGENTS if "Chrome/" in a and "Android" in a)
    first = browser_headers(ua, random.Random(1))
    again = browser_headers(ua, random.Random(1))
    assert first == again
    assert first[:2] == [("sec-fetch-dest", "empty"), ("sec-fetch-mode", "cors")]
    assert dict(first)["sec-ch-ua-mobile"] == "?1"
    first.append(("x", "y"))  # the caller's list is its own, the cache is untouched
    assert ("x", "y") not in browser_headers(ua, random.Random(1))


def test_binary_decision_is_keyed_by_type_and_api_types() -> None:
    is_binary = _apigw_v1._is_binary
    assert is_binary("image/png", ("image/*",)) is True
    assert is_binary("image/png", ("application/octet-stream",)) is False  # other API
    assert is_binary("IMAGE/PNG; q=1", ("image/*",)) is True
    assert is_binary("text/plain", ("image/*",)) is False
    assert is_binary("text/plain", ("*/*",)) is True
    assert is_binary(None, ("*/*",)) is False
    assert is_binary("", ("*/*",)) is False


def test_binary_body_follows_binary_media_types_in_events() -> None:
    text = events.generate(
        "apigw_v1", seed=1, body=b"PNG", content_type="image/png", binary_media_types=[]
    )
    assert text["isBase64Encoded"] is False
    assert text["body"] == "PNG"
    png = events.generate(
        "apigw_v1",
        seed=1,
        body=b"\x89PNG",
        content_type="image/png",
        binary_media_types=["image/*"],
    )
    assert png["isBase64Encoded"] is True


@pytest.mark.parametrize("kind", ["apigw_v1", "apigw_v2", "function_url"])
def test_query_decoding_fast_path_matches_unquote_plus(kind: str) -> None:
    """Decoded query values: '+' is a space only when the client sent it (a raw query)."""
    pairs = [("a b", "c+d"), ("e%20f", "100%"), ("caf\u00e9", "x~y"), ("q", "one two")]
    event = events.generate(kind, seed=4, query=pairs)
    assert event["queryStringParameters"] == dict(pairs)
    raw = "a+b=c%2Bd&e%2520f=100%25&q=one+two&plain=x~y&bare"
    event = events.generate(kind, seed=4, query=raw)
    sent = [p.partition("=") for p in raw.split("&")]
    assert event["queryStringParameters"] == {unquote_plus(k): unquote_plus(v) for k, _, v in sent}


#: sha256 (first 32 hex) of the JSON of seeds 0..39 of each kind, as generated before the
#: fast paths: a seeded event is a function of its seed (users snapshot them).
PINNED = {
    "apigw_v1": "3fc3476b59d6d95f1078f5d0891b23d6",
    "apigw_v2": "57246b4eaeb9859e2849e1504447a7ad",
    "function_url": "8c0e76c190fcad69ea1e6800f3412ec8",
    "alb": "dcd2b552bd241dacdcfda028881af52b",
    "websocket": "0963235f483458578504f7deeacd7b31",
}


@pytest.mark.parametrize("kind", sorted(PINNED))
def test_seeded_events_are_pinned(kind: str) -> None:
    digest = hashlib.sha256()
    for seed in range(40):
        digest.update(json.dumps(events.generate(kind, seed=seed)).encode() + b"\n")
    assert digest.hexdigest()[:32] == PINNED[kind]


def _uuid_slow(rng: random.Random, version: int) -> str:
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64) | (version << 76)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def test_world_ids_draw_and_format_as_before() -> None:
    """uuid4/uuid5_shaped/hex/trace_header: the same bits drawn, the same text."""
    for seed in range(300):
        world, rng = World(seed), random.Random(seed)
        for _ in range(4):  # World draws region, account and time first
            rng.getrandbits(1)
        world.rng.setstate(rng.getstate())
        assert world.uuid4() == _uuid_slow(rng, 4)
        assert world.uuid5_shaped() == _uuid_slow(rng, 5)
        for n in (1, 7, 16, 24, 32):
            assert world.hex(n) == f"{rng.getrandbits(4 * n):0{n}x}"
            assert world.upper_hex(n) == f"{rng.getrandbits(4 * n):0{n}X}"
        ms = 1_700_000_000_123 + seed
        assert world.trace_header(ms) == f"Root=1-{ms // 1000:08x}-{rng.getrandbits(96):024x}"
    assert UUID(World(1).uuid4()).version == 4


@pytest.mark.parametrize(
    "text", ["", "a", "a+b", "a%20b", "a%2Bb", "%", "%zz", "caf%C3%A9", "+%2B+", "caf\u00e9+x"]
)
def test_query_unquote_fast_path(text: str) -> None:
    assert _unquote_plus(text) == unquote_plus(text)
    assert decode_pairs([(text, text), (text, None)]) == [
        (unquote_plus(text), unquote_plus(text)),
        (unquote_plus(text), ""),
    ]


def test_json_text_is_json_payload_as_compact_json() -> None:
    """The default HTTP body: the same draws as json_payload(), the same text as json.dumps."""
    for seed in range(2000):
        text = World(seed).json_text()
        assert text == json.dumps(World(seed).json_payload(), separators=(",", ":"))
        after_text, after_payload = World(seed), World(seed)
        after_text.json_text()
        after_payload.json_payload()
        assert after_text.rng.getstate() == after_payload.rng.getstate()
