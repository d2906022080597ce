"""Generated User-Agent values: real formats, current versions, seeded."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from pytest_lambda import events

_CHROME = r"Chrome/1[2-4]\d\.0\.0\.0"
_FIREFOX = r"rv:(1[2-4]\d)\.0\) Gecko/20100101 Firefox/\1\.0"
_IOS = r"like Mac OS X\) AppleWebKit/605\.1\.15 \(KHTML, like Gecko\) "
# The shapes real clients send (2024-2026), written independently of the pool.
REAL_FORMATS = [
    re.compile(p)
    for p in (
        rf"Mozilla/5\.0 \(Windows NT 10\.0; Win64; x64\) AppleWebKit/537\.36 \(KHTML, like Gecko\) {_CHROME} Safari/537\.36( Edg/1[2-4]\d\.0\.0\.0)?",
        rf"Mozilla/5\.0 \(Macintosh; Intel Mac OS X 10_15_7\) AppleWebKit/537\.36 \(KHTML, like Gecko\) {_CHROME} Safari/537\.36( Edg/1[2-4]\d\.0\.0\.0)?",
        rf"Mozilla/5\.0 \(X11; Linux x86_64\) AppleWebKit/537\.36 \(KHTML, like Gecko\) {_CHROME} Safari/537\.36",
        rf"Mozilla/5\.0 \(Linux; Android 10; K\) AppleWebKit/537\.36 \(KHTML, like Gecko\) {_CHROME} Mobile Safari/537\.36( EdgA/1[2-4]\d\.0\.0\.0)?",
        rf"Mozilla/5\.0 \(Linux; Android 1[45]; SAMSUNG SM-S9\d\dB\) AppleWebKit/537\.36 \(KHTML, like Gecko\) SamsungBrowser/2\d\.0 {_CHROME} Mobile Safari/537\.36",
        rf"Mozilla/5\.0 \((?:Windows NT 10\.0; Win64; x64|Macintosh; Intel Mac OS X 10\.15|X11; Linux x86_64|X11; Ubuntu; Linux x86_64); {_FIREFOX}",
        r"Mozilla/5\.0 \(Android 1[45]; Mobile; rv:(1[2-4]\d)\.0\) Gecko/\1\.0 Firefox/\1\.0",
        r"Mozilla/5\.0 \(Macintosh; Intel Mac OS X 10_15_7\) AppleWebKit/605\.1\.15 \(KHTML, like Gecko\) Version/1[78](\.\d){1,2} Safari/605\.1\.15",
        rf"Mozilla/5\.0 \(iPhone; CPU iPhone OS 1[78](_\d){{1,2}} {_IOS}(Version/1[78](\.\d){{1,2}}|CriOS/1[2-4]\d(\.\d+){{3}}|FxiOS/1[2-4]\d\.0) Mobile/15E148 Safari/604\.1",
        rf"Mozilla/5\.0 \(iPad; CPU OS 1[78](_\d){{1,2}} {_IOS}Version/1[78](\.\d){{1,2}} Mobile/15E148 Safari/604\.1",
        r"curl/8\.\d+\.\d+",
        r"python-requests/2\.3\d\.\d+",
        r"okhttp/4\.1\d\.\d+",
        r"PostmanRuntime/7\.\d+\.\d+",
        r"axios/1\.\d+\.\d+",
        r"Go-http-client/(1\.1|2\.0)",
        r"aws-sdk-js/3\.\d+\.\d+ ua/2\.1 os/linux#\S+ lang/js md/nodejs#2\d\.\d+\.\d+",
        r"Boto3/1\.3\d\.\d+ md/Botocore#1\.3\d\.\d+ ua/2\.0 os/linux#\S+ md/arch#x86_64 lang/python#3\.1\d\.\d+ md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1\.3\d\.\d+",
        r"Amazon CloudFront",
    )
]

HEADER = {"apigw_v1": "User-Agent", "apigw_v2": "user-agent"}


def _drawn(kind: str, seeds: range) -> list[str]:
    return [events.generate(kind, seed=s)["headers"][HEADER[kind]] for s in seeds]


@pytest.mark.parametrize("kind", sorted(HEADER))
def test_every_drawn_agent_has_a_real_format(kind: str) -> None:
    unreal = sorted(
        {ua for ua in _drawn(kind, range(300)) if not any(f.fullmatch(ua) for f in REAL_FORMATS)}
    )
    assert unreal == []


@pytest.mark.parametrize("kind", sorted(HEADER))
def test_draws_mix_browsers_and_api_clients(kind: str) -> None:
    agents = _drawn(kind, range(300))
    browsers = sum(ua.startswith("Mozilla/") for ua in agents)
    assert 0.5 < browsers / len(agents) < 0.95
    assert len(set(agents)) > 60
    families = Counter(ua.split("/")[0] for ua in agents)
    assert {"Mozilla", "curl", "python-requests", "PostmanRuntime"} <= set(families)


@pytest.mark.parametrize("kind", sorted(HEADER))
def test_agent_is_fixed_by_the_seed(kind: str) -> None:
    assert _drawn(kind, range(40)) == _drawn(kind, range(40))


def test_pool_has_no_duplicates_and_every_entry_is_real() -> None:
    from pytest_lambda._events._user_agents import USER_AGENTS

    assert len(set(USER_AGENTS)) == len(USER_AGENTS)
    assert [ua for ua in USER_AGENTS if not any(f.fullmatch(ua) for f in REAL_FORMATS)] == []


def test_mobile_browsers_are_mobile_edge_viewers() -> None:
    for seed in range(200):
        event = events.generate("apigw_v1", seed=seed, endpoint="edge")
        headers = event["headers"]
        ua = headers["User-Agent"]
        mobile = any(m in ua for m in ("iPhone", "iPad", "Android"))
        assert headers["CloudFront-Is-Mobile-Viewer"] == str(mobile).lower(), ua
