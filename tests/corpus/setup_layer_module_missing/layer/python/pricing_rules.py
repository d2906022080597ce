"""Shared pricing rules, shipped as a Lambda layer (under /opt/python when deployed)."""

from __future__ import annotations

VAT = {"DE": 19, "FR": 20}


def price_with_vat(cents, country):
    return cents + cents * VAT.get(country, 0) // 100
