"""An S3 thumbnail indexer: a module-level boto3 client and a lazily loaded config.

Both globals are what Lambda's guidance recommends: the client is created at init and
reused; the config is read once on first use and never changes. Each record writes an
index object under a key derived from the source key (a retry overwrites it).
"""

from __future__ import annotations

import json
import os

import boto3

s3 = boto3.client("s3")
_config = None


def config():
    global _config
    if _config is None:
        _config = {"bucket": os.environ.get("INDEX_BUCKET", "thumb-index"), "sizes": [64, 256]}
    return _config


def handler(event, context):
    cfg = config()
    written = []
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        body = json.dumps({"source": key, "sizes": cfg["sizes"]})
        s3.put_object(Bucket=cfg["bucket"], Key=f"index/{key}.json", Body=body)
        written.append(f"index/{key}.json")
    return {"written": written}
