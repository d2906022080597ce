"""One seeded "world" per generated event: the random source, account, region, time.

Every value of an event is drawn from ``World.rng`` (a private ``random.Random``),
never from the global ``random`` module or a shared ``Faker`` (pytest-randomly
reseeds those per test). Faker supplies the *data* (word lists); user agents come from
a hand-written pool of real ones (``_user_agents``);
draws go through our generator so that one event costs microseconds.
"""

from __future__ import annotations

import base64
import functools
import random
import re
import string
import time as _time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec
from pytest_lambda._events._rng import SeededRandom
from pytest_lambda._events._user_agents import USER_AGENTS

if TYPE_CHECKING:
    from faker import Generator

__all__ = [
    "MAX_EVENT_BYTES",
    "REGIONS",
    "World",
    "clf_time",
    "is_region_name",
    "iso_ms",
    "iso_seconds",
    "parse_time",
]

#: The largest event Lambda's pollers deliver: the synchronous invocation payload, 6 MB.
MAX_EVENT_BYTES: Final = 6 * 1024 * 1024

#: Regions the generator draws from when none is given (all in partition ``aws``).
REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
)
_REGION_RE = re.compile(r"^(us|eu|ap|ca|sa|me|af|il|mx|cn|us-gov)-[a-z]+-\d$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_B64URL = string.ascii_letters + string.digits + "-_"
# A random UUID from 128 random bits: clear the version nibble and the variant's two bits,
# set the version (4, or 5 for SNS ids) and the RFC 4122 variant (10).
_UUID_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET: Final = (0x4000 << 64) | (0x8000 << 48)
_UUID5_SET: Final = (0x5000 << 64) | (0x8000 << 48)
# Default invocation times fall in this window (epoch ms), so a seed fixes the time too.
_TIME_LO = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_TIME_HI = 1_782_864_000_000  # 2026-07-01T00:00:00Z


def is_region_name(name: object) -> bool:
    """Whether ``name`` is spelled like an AWS region (``us-east-1``, ``us-gov-west-1``)."""
    return isinstance(name, str) and _REGION_RE.fullmatch(name) is not None


def iso_ms(ms: int) -> str:
    """``2024-05-01T12:00:00.123Z`` (S3 ``eventTime``, SNS ``Timestamp``)."""
    t = _time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def iso_seconds(ms: int) -> str:
    """``2024-05-01T12:00:00Z`` (EventBridge ``time``)."""
    t = _time.gmtime(ms // 1000)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"


def clf_time(ms: int) -> str:
    """Common Log Format, as API Gateway writes it: ``10/Jul/2026:19:19:04 +0000``."""
    day, sec = divmod(ms // 1000, 86_400)
    two = _TWO_DIGITS
    return f"{_clf_day(day)}{two[sec // 3600]}:{two[sec // 60 % 60]}:{two[sec % 60]} +0000"


#: "00" to "59": indexing is cheaper than formatting with ``:02d``.
_TWO_DIGITS: Final = tuple(f"{i:02d}" for i in range(60))


@functools.lru_cache(maxsize=4096)
def _clf_day(day: int) -> str:
    """``10/Jul/2026:``, the date part of :func:`clf_time` for ``day`` days since the epoch
    (a function of ``day`` alone: events of the same day share it)."""
    t = _time.gmtime(day * 86_400)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year:04d}:"


def parse_time(value: object) -> int:
    """Epoch milliseconds from a datetime, an ISO 8601 string or epoch seconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return round(value.timestamp() * 1000)
    if isinstance(value, bool):
        raise InvalidEventSpec(
            f"time={value!r}: expected a datetime, an ISO 8601 string or epoch seconds"
        )
    if isinstance(value, (int, float)):
        return round(float(value) * 1000)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidEventSpec(
                f"time={value!r} is not an ISO 8601 timestamp; e.g. '2026-11-22T10:00:00Z'"
            ) from None
        return parse_time(parsed)
    raise InvalidEventSpec(
        f"time={value!r}: expected a datetime, an ISO 8601 string or epoch seconds"
    )


@functools.cache
def _words() -> tuple[str, ...]:
    from faker.providers.lorem.en_US import Provider

    return tuple(w for w in Provider.word_list if w.isalpha())


@functools.cache
def _faker_generator() -> Generator:
    """A private Faker generator (never Faker's shared one), created on first use."""
    from faker import Factory

    return Factory.create("en_US")


class World:
    """The random source and the fixed facts (account, region, time) of one event."""

    __slots__ = ("account_id", "now_ms", "region", "rng", "seed")

    def __init__(
        self,
        seed: int | None = None,
        *,
        region: str | None = None,
        account_id: str | None = None,
        time: object = None,
    ) -> None:
        seed_obj: object = seed
        if seed is None:
            seed = random.SystemRandom().getrandbits(32)
        elif not isinstance(seed_obj, int) or isinstance(seed_obj, bool):
            raise ArgumentTypeError(f"seed={seed!r}: expected an int")
        elif seed < 0:
            raise InvalidEventSpec(
                f"seed={seed}: expected an int >= 0 (random.Random(-n) draws the same numbers "
                "as random.Random(n), so a negative seed would repeat another seed's event)"
            )
        self.seed: int = seed
        rng = SeededRandom(seed)
        self.rng: SeededRandom = rng
        below = rng.below  # randrange(n), the same draws
        region_obj: object = region
        if region is None:
            region = REGIONS[below(len(REGIONS))]
        elif not is_region_name(region_obj):
            raise InvalidEventSpec(
                f"region={region!r} is not an AWS region name; e.g. 'us-east-1', 'eu-west-1'"
            )
        self.region: str = region
        account_obj: object = account_id
        if account_id is None:
            account_id = str(100_000_000_000 + below(900_000_000_000))
        elif not isinstance(account_obj, str) or not _ACCOUNT_RE.match(account_obj):
            raise InvalidEventSpec(
                f"account_id={account_id!r}: an AWS account id is a string of 12 digits"
            )
        self.account_id: str = account_id
        self.now_ms: int = (
            _TIME_LO + below(_TIME_HI - _TIME_LO) if time is None else parse_time(time)
        )

    # -- Faker, for the rare values that need its full providers -----------------
    def faker(self) -> Generator:
        """Faker's generator drawing from this world's random source."""
        gen = _faker_generator()
        gen.random = self.rng
        return gen

    # -- identifiers ---------------------------------------------------------------
    def uuid4(self) -> str:
        h = "%032x" % (self.rng.getrandbits(128) & _UUID_CLEAR | _UUID4_SET)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def uuid5_shaped(self) -> str:
        """UUID with version nibble 5, as SNS message ids have."""
        h = "%032x" % (self.rng.getrandbits(128) & _UUID_CLEAR | _UUID5_SET)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def upper_hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}X}"

    def digits(self, n: int) -> str:
        """``n`` decimal digits, the first not zero."""
        return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def upper_alnum(self, n: int) -> str:
        # rng.choices(_UPPER_ALNUM, k=n) inlined: the same draws (floor(random() * 36.0))
        rand = self.rng.random
        return "".join([_UPPER_ALNUM[int(rand() * 36.0)] for _ in range(n)])

    def lower_alnum(self, n: int) -> str:
        rand = self.rng.random
        return "".join([_LOWER_ALNUM[int(rand() * 36.0)] for _ in range(n)])

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(nbytes)).decode("ascii")

    def b64url(self, nchars: int) -> str:
        rand = self.rng.random
        return "".join([_B64URL[int(rand() * 64.0)] for _ in range(nchars)])

    def iam_user_id(self) -> str:
        """``AIDA…`` (21 characters), an IAM user's unique id."""
        return "AIDA" + self.upper_alnum(17)

    def role_id(self) -> str:
        """``AROA…`` (21 characters), an IAM role's unique id."""
        return "AROA" + self.upper_alnum(17)

    def trace_header(self, epoch_ms: int, *, parent: bool = False) -> str:
        """X-Ray ``Root=1-{epoch seconds hex}-{24 hex}`` (optionally with Parent and Sampled)."""
        root = f"Root=1-{epoch_ms // 1000:08x}-{self.rng.getrandbits(96):024x}"  # hex(24) inlined
        if parent:
            return f"{root};Parent={self.hex(16)};Sampled={self.rng.randrange(2)}"
        return root

    # -- realistic text ------------------------------------------------------------
    def word(self) -> str:
        words = _words()
        return words[self.rng.below(len(words))]

    def words(self, n: int) -> list[str]:
        words = _words()
        size = len(words)  # rng.randrange(size) per word, inlined (the same draws)
        bits = size.bit_length()
        getrandbits = self.rng.getrandbits
        out = []
        for _ in range(n):
            r = getrandbits(bits)
            while r >= size:
                r = getrandbits(bits)
            out.append(words[r])
        return out

    def sentence(self, nwords: int | None = None) -> str:
        n = nwords if nwords is not None else self.rng.randint(4, 10)
        text = " ".join(self.words(n))
        return text[0].upper() + text[1:] + "."

    def slug(self, parts: int = 2, sep: str = "-") -> str:
        """A resource-style name such as ``orders-ledger``."""
        return sep.join(self.words(parts))

    def user_agent(self) -> str:
        """A real browser or API client agent from a fixed, hand-written pool."""
        return USER_AGENTS[self.rng.randrange(len(USER_AGENTS))]

    def ipv4(self) -> str:
        """A public IPv4 address (first octet outside private, loopback and multicast ranges)."""
        rng = self.rng
        while True:
            a = rng.randrange(1, 224)
            if a not in (10, 100, 127, 169, 172, 192, 198, 203):
                return f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    def json_payload(self) -> dict[str, Any]:
        """A small realistic JSON object, the default body of messages."""
        rng = self.rng
        items = [
            {"sku": self.upper_alnum(8), "quantity": rng.randint(1, 5)}
            for _ in range(rng.randint(1, 3))
        ]
        return {
            "id": self.uuid4(),
            "type": self.word(),
            "customer": self.word(),
            "amount": rng.randint(100, 99_999) / 100,
            "items": items,
        }

    def json_text(self) -> str:
        """``json_payload()`` as compact JSON, formatted directly (the same draws and text:
        no value in it needs escaping, being a uuid, words, digits and a float's repr).

        Inlined: ``randint(a, b)`` is ``a + below(b - a + 1)``, ``upper_alnum(8)`` and
        ``word()`` as written in their methods; the draws come in the same order."""
        rng = self.rng
        below, rand = rng.below, rng.random
        words = _words()
        items = ",".join(
            [
                f'{{"sku":"{"".join([_UPPER_ALNUM[int(rand() * 36.0)] for _ in range(8)])}",'
                f'"quantity":{1 + below(5)}}}'
                for _ in range(1 + below(3))
            ]
        )
        return (
            f'{{"id":"{self.uuid4()}","type":"{words[below(len(words))]}",'
            f'"customer":"{words[below(len(words))]}",'
            f'"amount":{(100 + below(99_900)) / 100!r},"items":[{items}]}}'
        )

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]
