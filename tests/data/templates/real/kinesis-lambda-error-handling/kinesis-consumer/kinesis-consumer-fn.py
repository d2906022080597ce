"""Kinesis consumer that fails the batch when a record is not a JSON object with the
expected typed fields (so the mapping's retries and bisection come into play).

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import base64
import json
from typing import Any

EXPECTED: dict[str, type | tuple[type, ...]] = {
    "AtomicNumber": int,
    "Element": str,
    "Symbol": str,
    "AtomicMass": (int, float),
}


def lambda_handler(event: dict[str, Any], context: object) -> None:
    for record in event["Records"]:
        seq = record["kinesis"]["sequenceNumber"]
        doc = json.loads(base64.b64decode(record["kinesis"]["data"]))
        if not isinstance(doc, dict):
            raise ValueError(f"record {seq}: expected a JSON object, got {type(doc).__name__}")
        for field, kind in EXPECTED.items():
            if not isinstance(doc.get(field), kind):
                raise ValueError(f"record {seq}: field {field} missing or of the wrong type")
