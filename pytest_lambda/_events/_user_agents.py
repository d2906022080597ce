"""The pool of User-Agent values generated API Gateway events draw from.

Written by hand in the formats real clients send (2024-2026 versions): browsers with
Chrome's reduced User-Agent (``Chrome/N.0.0.0``, ``Android 10; K``), Firefox's frozen
``Gecko/20100101``, Safari's ``Version/N``; and the API clients that call Lambda-backed
APIs. Order matters: an event picks ``USER_AGENTS[i]`` with ``i`` drawn from its seed, so
editing this tuple changes generated events (regenerate event_samples/ and the golden
files). Browser agents start with ``Mozilla/`` (the generators add browser headers for
those: ``Sec-Fetch-*`` from every browser, ``Sec-Ch-Ua*`` client hints from Chromium-based
ones only, see :func:`browser_headers`); mobile ones contain ``Mobile`` (edge-optimized REST
events mark them as mobile viewers). :data:`SIGNING_AGENTS` are the clients that sign requests
with SigV4 (IAM authorization): SDKs and tools, never a browser.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Final

__all__ = [
    "API_CLIENT_AGENTS",
    "BROWSER_AGENTS",
    "SIGNING_AGENTS",
    "USER_AGENTS",
    "browser_headers",
    "client_hints",
    "signing_agent",
]

_WIN: Final = "Windows NT 10.0; Win64; x64"
_MAC: Final = "Macintosh; Intel Mac OS X 10_15_7"
_LINUX: Final = "X11; Linux x86_64"
_BLINK: Final = "AppleWebKit/537.36 (KHTML, like Gecko)"
_WEBKIT: Final = "AppleWebKit/605.1.15 (KHTML, like Gecko)"


def _chrome(platform: str, major: int, suffix: str = "") -> str:
    return f"Mozilla/5.0 ({platform}) {_BLINK} Chrome/{major}.0.0.0 Safari/537.36{suffix}"


def _chrome_android(major: int, suffix: str = "") -> str:
    return f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} Chrome/{major}.0.0.0 Mobile Safari/537.36{suffix}"


def _firefox(platform: str, major: int) -> str:
    return f"Mozilla/5.0 ({platform}; rv:{major}.0) Gecko/20100101 Firefox/{major}.0"


def _safari_mac(version: str) -> str:
    return f"Mozilla/5.0 ({_MAC}) {_WEBKIT} Version/{version} Safari/605.1.15"


def _ios(device: str, os_version: str, browser: str) -> str:
    os_name = "CPU iPhone OS" if device == "iPhone" else "CPU OS"
    return (
        f"Mozilla/5.0 ({device}; {os_name} {os_version} like Mac OS X) {_WEBKIT} "
        f"{browser} Mobile/15E148 Safari/604.1"
    )


BROWSER_AGENTS: Final[tuple[str, ...]] = (
    # Chrome
    _chrome(_WIN, 120),
    _chrome(_WIN, 124),
    _chrome(_WIN, 126),
    _chrome(_WIN, 128),
    _chrome(_WIN, 130),
    _chrome(_WIN, 131),
    _chrome(_WIN, 133),
    _chrome(_WIN, 135),
    _chrome(_WIN, 137),
    _chrome(_WIN, 138),
    _chrome(_WIN, 140),
    _chrome(_MAC, 122),
    _chrome(_MAC, 127),
    _chrome(_MAC, 131),
    _chrome(_MAC, 134),
    _chrome(_MAC, 136),
    _chrome(_MAC, 139),
    _chrome(_LINUX, 125),
    _chrome(_LINUX, 131),
    _chrome(_LINUX, 137),
    _chrome_android(121),
    _chrome_android(126),
    _chrome_android(130),
    _chrome_android(132),
    _chrome_android(135),
    _chrome_android(138),
    _chrome_android(140),
    # Edge
    _chrome(_WIN, 122, " Edg/122.0.0.0"),
    _chrome(_WIN, 129, " Edg/129.0.0.0"),
    _chrome(_WIN, 131, " Edg/131.0.0.0"),
    _chrome(_WIN, 136, " Edg/136.0.0.0"),
    _chrome(_WIN, 139, " Edg/139.0.0.0"),
    _chrome(_MAC, 133, " Edg/133.0.0.0"),
    _chrome_android(134, " EdgA/134.0.0.0"),
    # Samsung Internet
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 15; SAMSUNG SM-S931B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
    # Firefox
    _firefox(_WIN, 121),
    _firefox(_WIN, 128),
    _firefox(_WIN, 132),
    _firefox(_WIN, 135),
    _firefox(_WIN, 139),
    _firefox(_WIN, 141),
    _firefox("Macintosh; Intel Mac OS X 10.15", 127),
    _firefox("Macintosh; Intel Mac OS X 10.15", 133),
    _firefox("Macintosh; Intel Mac OS X 10.15", 140),
    _firefox(_LINUX, 128),
    _firefox(_LINUX, 136),
    _firefox("X11; Ubuntu; Linux x86_64", 131),
    _firefox("X11; Ubuntu; Linux x86_64", 138),
    "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    "Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0",
    # Safari on macOS
    _safari_mac("17.2.1"),
    _safari_mac("17.4.1"),
    _safari_mac("17.6"),
    _safari_mac("18.1"),
    _safari_mac("18.3"),
    _safari_mac("18.5"),
    # Safari, Chrome and Firefox on iOS / iPadOS
    _ios("iPhone", "17_1_2", "Version/17.1.2"),
    _ios("iPhone", "17_5", "Version/17.5"),
    _ios("iPhone", "17_6_1", "Version/17.6"),
    _ios("iPhone", "18_0", "Version/18.0"),
    _ios("iPhone", "18_1_1", "Version/18.1.1"),
    _ios("iPhone", "18_3", "Version/18.3"),
    _ios("iPhone", "18_5", "Version/18.5"),
    _ios("iPhone", "18_6", "Version/18.6"),
    _ios("iPad", "17_4", "Version/17.4"),
    _ios("iPad", "18_2", "Version/18.2"),
    _ios("iPhone", "17_5", "CriOS/126.0.6478.153"),
    _ios("iPhone", "18_1", "CriOS/131.0.6778.73"),
    _ios("iPhone", "18_4", "CriOS/137.0.7151.51"),
    _ios("iPhone", "18_2", "FxiOS/134.0"),
)

API_CLIENT_AGENTS: Final[tuple[str, ...]] = (
    "curl/8.4.0",
    "curl/8.5.0",
    "curl/8.7.1",
    "curl/8.11.1",
    "curl/8.14.1",
    "python-requests/2.31.0",
    "python-requests/2.32.3",
    "python-requests/2.32.4",
    "okhttp/4.11.0",
    "okhttp/4.12.0",
    "PostmanRuntime/7.36.3",
    "PostmanRuntime/7.39.0",
    "PostmanRuntime/7.43.0",
    "axios/1.6.8",
    "axios/1.7.9",
    "axios/1.9.0",
    "Go-http-client/2.0",
    "Go-http-client/1.1",
    "aws-sdk-js/3.621.0 ua/2.1 os/linux#5.10.223-211.872.amzn2.x86_64 lang/js md/nodejs#20.15.1",
    "aws-sdk-js/3.787.0 ua/2.1 os/linux#5.10.235-227.919.amzn2.x86_64 lang/js md/nodejs#22.14.0",
    "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 "
    "md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
    "Amazon CloudFront",
)

#: Every agent, browsers first; about three in four events get a browser.
USER_AGENTS: Final[tuple[str, ...]] = (*BROWSER_AGENTS, *API_CLIENT_AGENTS)

#: Clients that sign requests with SigV4 (``authorizer='iam'``): the AWS SDKs, curl's
#: ``--aws-sigv4``, Postman's AWS signature, requests with an auth plugin.
SIGNING_AGENTS: Final[tuple[str, ...]] = tuple(
    a
    for a in API_CLIENT_AGENTS
    if a.startswith(("aws-sdk-js/", "Boto3/", "curl/", "PostmanRuntime/"))
)


def signing_agent(rng: random.Random) -> str:
    """The agent of a SigV4-signed (IAM) request: one of :data:`SIGNING_AGENTS`."""
    return SIGNING_AGENTS[int(rng.random() * len(SIGNING_AGENTS))]


_CHROME_MAJOR: Final = re.compile(r"Chrome/(\d+)\.")


def browser_headers(ua: str, rng: random.Random) -> list[tuple[str, str]]:
    """The fetch-metadata and client-hint headers a browser with agent ``ua`` sends with an
    API call (``fetch``/XHR from a page of another origin): lower-case names.

    ``Sec-Fetch-Dest: empty``, ``Sec-Fetch-Mode: cors``, ``Sec-Fetch-Site`` (every current
    browser: Chrome 76+, Firefox 90+, Safari 16.4+); ``Sec-Ch-Ua``, ``Sec-Ch-Ua-Mobile``,
    ``Sec-Ch-Ua-Platform`` only from Chromium-based browsers (not Firefox, not Safari, not any
    iOS browser, which are WebKit), with the brand and major version of the agent.
    """
    site = "cross-site" if rng.random() < 0.7 else "same-site"
    out = [("sec-fetch-dest", "empty"), ("sec-fetch-mode", "cors"), ("sec-fetch-site", site)]
    hints = client_hints(ua)
    if hints:
        out += hints
    return out


@functools.lru_cache(maxsize=256)
def client_hints(ua: str) -> tuple[tuple[str, str], ...]:
    """The ``Sec-Ch-Ua*`` headers of agent ``ua`` (none for non-Chromium browsers): a
    function of the agent alone, so computed once per agent."""
    major = _CHROME_MAJOR.search(ua)
    if major is None or "like Mac OS X" in ua:
        return ()
    m = major.group(1)
    if "Edg/" in ua or "EdgA/" in ua:
        brand = "Microsoft Edge"
    elif "SamsungBrowser/" in ua:
        brand = "Samsung Internet"
    else:
        brand = "Google Chrome"
    platform = next(
        (name for key, name in _PLATFORMS if key in ua),
        "Unknown",
    )
    return (
        ("sec-ch-ua", f'"{brand}";v="{m}", "Chromium";v="{m}", "Not_A Brand";v="24"'),
        ("sec-ch-ua-mobile", "?1" if "Mobile" in ua else "?0"),
        ("sec-ch-ua-platform", f'"{platform}"'),
    )


_PLATFORMS: Final = (
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Android", "Android"),
    ("CrOS", "Chrome OS"),
    ("Linux", "Linux"),
)
