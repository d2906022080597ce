"""Strings matching a JSON Schema ``pattern``: a practical regular-expression subset.

Supported: literal characters and escapes (``\\.``, ``\\-``, ``\\n``, ``\\xHH``, ``\\uHHHH``),
``.``, character classes (``[a-z0-9_]``, ``[^...]``), ``\\d \\w \\s \\D \\W \\S``,
quantifiers ``{n} {n,} {n,m} + * ?`` (lazy and possessive forms too), groups
``( )``, ``(?: )``, ``(?P<name> )`` with alternation ``|``, and the anchors ``^``/``$``
at the ends of an alternative. Anything else (lookaround, back-references,
``\\b``, ``\\p{..}``, inline flags) raises :class:`InvalidEventSpec` naming the pattern.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from random import Random
from typing import Union

from pytest_lambda._core.errors import InvalidEventSpec

__all__ = ["CompiledPattern", "compile_pattern"]

_UNBOUNDED_EXTRA = 6  # an unbounded quantifier repeats min..min+6 times unless a length is aimed at
_DIGITS = tuple(string.digits)
_WORD = tuple(string.ascii_letters + string.digits + "_")
_SPACE = (" ",)
_PRINTABLE = tuple(string.ascii_letters + string.digits + string.punctuation + " ")
_DOT = tuple(string.ascii_letters + string.digits)
_QUANT = re.compile(r"\{(\d*)(,?)(\d*)\}")
_CLASS_ESCAPES = {"d": _DIGITS, "w": _WORD, "s": _SPACE}
_LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}


@dataclass(frozen=True)
class _Chars:
    chars: tuple[str, ...]


@dataclass(frozen=True)
class _Repeat:
    atom: _Node
    lo: int
    hi: int | None  # None: unbounded


@dataclass(frozen=True)
class _Alt:
    seqs: tuple[tuple[_Repeat, ...], ...]
    anchored_start: tuple[bool, ...]
    anchored_end: tuple[bool, ...]


_Node = Union[_Chars, _Alt]  # noqa: UP007 (a runtime alias: `|` needs 3.10 types)


class _Unsupported(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def alt(self, top: bool) -> _Alt:
        seqs: list[tuple[_Repeat, ...]] = []
        starts: list[bool] = []
        ends: list[bool] = []
        while True:
            start = False
            if self.peek() == "^":
                if not top:
                    raise _Unsupported("'^' inside a group")
                self.take()
                start = True
            items: list[_Repeat] = []
            end = False
            while self.peek() not in ("", "|", ")"):
                if self.peek() == "$":
                    self.take()
                    if not top or self.peek() not in ("", "|"):
                        raise _Unsupported("'$' before the end of the pattern")
                    end = True
                    break
                items.append(self.repeat(self.atom()))
            seqs.append(tuple(items))
            starts.append(start)
            ends.append(end)
            if self.peek() != "|":
                return _Alt(tuple(seqs), tuple(starts), tuple(ends))
            self.take()

    def atom(self) -> _Node:
        ch = self.take()
        if ch == "(":
            if self.peek() == "?":
                self.take()
                kind = self.take() if self.peek() else ""
                if kind == "P" and self.peek() == "<":
                    self.pos = self.text.index(">", self.pos) + 1
                elif kind != ":":
                    raise _Unsupported(f"'(?{kind}' (lookaround, flags and named references)")
            inner = self.alt(top=False)
            self.take()  # ')', guaranteed by re.compile having accepted the pattern
            return inner
        if ch == "[":
            return self.klass()
        if ch == ".":
            return _Chars(_DOT)
        if ch == "\\":
            return self.escape(in_class=False)
        if ch in "*+?":
            raise _Unsupported(f"quantifier {ch!r} with nothing to repeat")
        return _Chars((ch,))

    def escape(self, *, in_class: bool) -> _Chars:
        ch = self.take()
        if ch in _CLASS_ESCAPES:
            return _Chars(_CLASS_ESCAPES[ch])
        if ch in "DWS":
            excluded = set(_CLASS_ESCAPES[ch.lower()])
            return _Chars(tuple(c for c in _PRINTABLE if c not in excluded))
        if ch in _LITERAL_ESCAPES:
            return _Chars((_LITERAL_ESCAPES[ch],))
        if ch in "xu":
            width = 2 if ch == "x" else 4
            code = self.text[self.pos : self.pos + width]
            self.pos += width
            return _Chars((chr(int(code, 16)),))
        if ch.isalnum():
            what = "back-reference" if ch.isdigit() else f"'\\{ch}'"
            raise _Unsupported(what)
        return _Chars((ch,))

    def klass(self) -> _Chars:
        negate = self.peek() == "^"
        if negate:
            self.take()
        chars: list[str] = []
        first = True
        while first or self.peek() != "]":
            first = False
            ch = self.take()
            if ch == "[" and self.peek() == ":":
                raise _Unsupported("POSIX class '[:'")
            if ch == "\\":
                esc = self.escape(in_class=True)
                if len(esc.chars) != 1:
                    chars.extend(esc.chars)
                    continue
                ch = esc.chars[0]
            if self.peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.take()
                hi = self.take()
                if hi == "\\":
                    hi = self.escape(in_class=True).chars[0]
                chars.extend(chr(c) for c in range(ord(ch), ord(hi) + 1))
            else:
                chars.append(ch)
        self.take()
        if negate:
            excluded = set(chars)
            chars = [c for c in _PRINTABLE if c not in excluded]
            if not chars:
                raise _Unsupported("a negated class that excludes every printable character")
        return _Chars(tuple(dict.fromkeys(chars)))

    def repeat(self, atom: _Node) -> _Repeat:
        ch = self.peek()
        lo: int
        hi: int | None
        if ch in ("*", "+", "?"):
            self.take()
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
        elif ch == "{" and (m := _QUANT.match(self.text, self.pos)) and (m.group(1) or m.group(3)):
            self.pos = m.end()
            lo = int(m.group(1) or 0)
            hi = int(m.group(3)) if m.group(3) else (None if m.group(2) else lo)
        else:
            return _Repeat(atom, 1, 1)
        if self.peek() in ("?", "+"):  # lazy / possessive: same strings
            self.take()
        return _Repeat(atom, lo, hi)


def _min_len(node: _Node) -> int:
    if isinstance(node, _Chars):
        return 1
    return min(sum(r.lo * _min_len(r.atom) for r in seq) for seq in node.seqs)


class CompiledPattern:
    """A parsed pattern that generates matching strings, aiming at a length when asked."""

    __slots__ = ("_ast", "_re", "pattern")

    def __init__(self, pattern: str, ast: _Alt) -> None:
        self.pattern = pattern
        self._ast = ast
        self._re = re.compile(pattern)

    def matches(self, text: str) -> bool:
        return self._re.search(text) is not None

    @property
    def min_len(self) -> int:
        return _min_len(self._ast)

    def anchored(self) -> tuple[bool, bool]:
        """(every alternative starts with ^, every alternative ends with $)."""
        return all(self._ast.anchored_start), all(self._ast.anchored_end)

    def generate(self, rng: Random, target: int | None = None) -> str:
        out: list[str] = []
        self._alt(self._ast, rng, target, out)
        return "".join(out)

    def _alt(self, node: _Alt, rng: Random, target: int | None, out: list[str]) -> None:
        seq = node.seqs[rng.randrange(len(node.seqs))]
        extra: list[int] = [0] * len(seq)
        if target is not None:
            slack = target - sum(r.lo * _min_len(r.atom) for r in seq)
            open_items = [i for i, r in enumerate(seq) if r.hi is None or r.hi > r.lo]
            while slack > 0 and open_items:
                i = open_items[rng.randrange(len(open_items))]
                r = seq[i]
                extra[i] += 1
                slack -= max(_min_len(r.atom), 1)
                if r.hi is not None and r.lo + extra[i] >= r.hi:
                    open_items.remove(i)
        for i, r in enumerate(seq):
            if target is not None:
                count = r.lo + extra[i]
            else:
                hi = r.lo + _UNBOUNDED_EXTRA if r.hi is None else r.hi
                count = rng.randint(r.lo, hi)
            if isinstance(r.atom, _Chars):
                out.extend(rng.choices(r.atom.chars, k=count))
            else:
                for _ in range(count):
                    self._alt(r.atom, rng, None, out)


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str, where: str) -> CompiledPattern:
    """Parse ``pattern`` (at schema location ``where``) or raise InvalidEventSpec."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidEventSpec(
            f"body schema: pattern {pattern!r} at {where} is not a valid regular expression ({exc})"
        ) from None
    parser = _Parser(pattern)
    try:
        ast = parser.alt(top=True)
        if parser.pos != len(pattern):
            raise _Unsupported(f"unbalanced ')' at offset {parser.pos}")
    except _Unsupported as exc:
        raise InvalidEventSpec(
            f"body schema: pattern {pattern!r} at {where} uses {exc}, which the payload generator "
            "does not support; supported: literals, [classes], \\d \\w \\s, . , quantifiers "
            "{n} {n,m} + * ?, groups with |, and ^/$ at the ends. Simplify the pattern or use enum"
        ) from None
    return CompiledPattern(pattern, ast)
