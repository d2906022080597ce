"""An S3 ingestion consumer that keeps a "checkpoint" of the last batch in /tmp.

It was written for a batch job: the digest of the last batch's keys is saved to
/tmp/checkpoint.sha256 and read back on start, to skip a batch seen just before and to log
where it resumed. Under Lambda the file survives into the next invocation of a warm
environment, so the answer to one notification carries the previous notification's digest.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

CHECKPOINT = os.path.join(tempfile.gettempdir(), "checkpoint.sha256")


def handler(event, context):
    keys = sorted(r["s3"]["object"]["key"] for r in event["Records"])
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    previous = None
    if os.path.exists(CHECKPOINT):
        with open(CHECKPOINT) as f:
            previous = f.read()
    if previous == digest:
        return {"processed": 0, "resumed_after": previous}
    with open(CHECKPOINT, "w") as f:
        f.write(digest)
    return {"processed": len(keys), "resumed_after": previous}
