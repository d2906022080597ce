from __future__ import annotations


def lambda_handler(event, context):
    return None
