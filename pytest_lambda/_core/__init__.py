"""Leaf layer, standard library only: the exception tree, doc links, shared text and JSON rules."""

from __future__ import annotations
