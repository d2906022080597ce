"""Lean builders: the least work that gives each event kind's fields and invariants.

The second floor of ``benchmarks/events.py`` (issue 19): like ``_floors.py`` (same fields,
same key order, the same optional parts about as often), but every value is drawn from
one ``random.Random`` (``getrandbits`` for ids, no ``uuid``/``os.urandom``, no wall
clock), and the cross-field rules the kind's ``check_invariants`` checks hold (md5 of the
body, CLF time of the epoch, X-Ray root second, DynamoDB ``SizeBytes``...). Nothing else:
no word lists, no parameters, no validation.

``builder(seed)`` reseeds the one ``random.Random`` first, as ``events.generate(kind,
seed=...)`` must (a seeded event is a function of its seed); ``builder(None)`` skips that
(``benchmarks/events.py`` prints both, and the cost of seeding itself).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import time
from collections.abc import Callable
from typing import Any

from pytest_lambda._events._ddb_json import item_size

__all__ = ["LEAN"]

_R = random.Random(0)
_REGION = "us-east-1"
_ACCOUNT = "123456789012"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _reseed(seed: int | None) -> None:
    if seed is not None:
        _R.seed(seed)


def _hex32() -> str:
    return f"{_R.getrandbits(128):032x}"


def _uuid() -> str:
    n = (_R.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _now_ms() -> int:
    return 1_704_067_200_000 + _R.getrandbits(36)  # 2024 to early 2026


def _b64url(n: int) -> str:
    return base64.urlsafe_b64encode(_R.randbytes(n)).decode()


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def _clf(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{time.strftime('%H:%M:%S', t)} +0000"
    )


def _body() -> str:
    return f'{{"id": "{_uuid()}", "amount": {_R.randint(100, 99999) / 100}}}'


def _b64(n: int) -> str:
    return base64.b64encode(_R.randbytes(n)).decode()


def sqs(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    body = _body()
    return {
        "Records": [
            {
                "messageId": _uuid(),
                "receiptHandle": "AQEB" + _b64(240),
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(now - 30),
                    "SenderId": "AIDA" + _hex32()[:17].upper(),
                    "ApproximateFirstReceiveTimestamp": str(now),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{_REGION}:{_ACCOUNT}:orders",
                "awsRegion": _REGION,
            }
        ]
    }


def sns(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    topic = f"arn:aws:sns:{_REGION}:{_ACCOUNT}:orders"
    sub = f"{topic}:{_uuid()}"
    host = f"https://sns.{_REGION}.amazonaws.com"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": sub,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": _uuid(),
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": _body(),
                    "Timestamp": _iso(now),
                    "SignatureVersion": "1",
                    "Signature": _b64(256),
                    "SigningCertUrl": f"{host}/SimpleNotificationService-{_hex32()}.pem",
                    "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={sub}",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def s3(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    bucket = f"bucket-{_R.randrange(10**6)}"
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": _REGION,
                "eventTime": _iso(now),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDA" + _hex32()[:17].upper()},
                "requestParameters": {
                    "sourceIPAddress": f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
                },
                "responseElements": {
                    "x-amz-request-id": _hex32()[:16].upper(),
                    "x-amz-id-2": _b64(57),
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "on-upload",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": _hex32()[:13].upper()},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": f"uploads/{_hex32()}.json",
                        "size": _R.randrange(1, 10**6),
                        "eTag": _hex32(),
                        "sequencer": f"00{now // 1000:08X}{_R.getrandbits(32):08X}",
                    },
                },
            }
        ]
    }


def kinesis(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    seq = str(_R.getrandbits(184))[:56].rjust(56, "4")
    shard = "shardId-000000000000"
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": _uuid(),
                    "sequenceNumber": seq,
                    "data": base64.b64encode(_body().encode()).decode(),
                    "approximateArrivalTimestamp": (now - 50) / 1000,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard}:{seq}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{_ACCOUNT}:role/consumer",
                "awsRegion": _REGION,
                "eventSourceARN": f"arn:aws:kinesis:{_REGION}:{_ACCOUNT}:stream/orders",
            }
        ]
    }


def _ddb_item(pk: str, sk: str, status: str) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "status": {"S": status},
        "total": {"N": f"{_R.randrange(100, 99999) / 100}"},
        "quantity": {"N": str(_R.randrange(1, 12))},
        "checksum": {"B": base64.b64encode(_R.randbytes(8)).decode()},
        "gift": {"BOOL": _R.random() < 0.2},
        "cancelledAt": {"NULL": True},
        "shipping": {
            "M": {"city": {"S": "Springfield"}, "zip": {"S": str(_R.randrange(10000, 99999))}}
        },
        "lines": {
            "L": [{"M": {"sku": {"S": f"SKU-{_R.randrange(1000, 9999)}"}, "qty": {"N": "2"}}}]
        },
        "tags": {"SS": ["gift", f"promo-{_R.randrange(1, 99)}"]},
        "ratings": {"NS": [str(_R.randrange(1, 5)), str(_R.randrange(6, 10))]},
        "thumbnails": {"BS": [base64.b64encode(_R.randbytes(6)).decode()]},
    }


def dynamodb(seed: int | None = None) -> dict[str, Any]:
    """One MODIFY record of a NEW_AND_OLD_IMAGES stream (the generator's usual default)."""
    _reseed(seed)
    now = _now_ms() // 1000
    pk, sk = f"CUSTOMER#{_uuid()}", f"ORDER#{now}"
    new, old = _ddb_item(pk, sk, "PAID"), _ddb_item(pk, sk, "PENDING")
    keys = {"pk": new["pk"], "sk": new["sk"]}
    size = item_size(keys) + item_size(new) + item_size(old)  # the SizeBytes invariant
    return {
        "Records": [
            {
                "eventID": _hex32(),
                "eventName": "MODIFY",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": _REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": now,
                    "Keys": keys,
                    "NewImage": new,
                    "OldImage": old,
                    "SequenceNumber": str(_R.getrandbits(80)),
                    "SizeBytes": size,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": f"arn:aws:dynamodb:{_REGION}:{_ACCOUNT}:table/Orders/stream/2024-01-01T00:00:00.000",
            }
        ]
    }


def _optional_parts() -> tuple[bool, bool, bool]:
    """(path parameters, query string, JSON body): present about as often as in the
    generator's default API Gateway events (measured: ~2/3, ~1/3, ~2/5)."""
    return _R.random() < 0.65, _R.random() < 0.32, _R.random() < 0.4


def _headers(host: str, ip: str, trace: str) -> dict[str, str]:
    return {
        "accept": "application/json",
        "accept-encoding": "gzip, deflate, br",
        "host": host,
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": trace,
        "x-forwarded-for": ip,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }


def apigw_v1(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    api_id = _hex32()[:10]
    host = f"{api_id}.execute-api.{_REGION}.amazonaws.com"
    ip = f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
    trace = f"Root=1-{now // 1000:08x}-{_hex32()[:24]}"
    headers = _headers(host, ip, trace)
    item = str(_R.randrange(10**6))
    with_path, with_query, with_body = _optional_parts()
    method = "POST" if with_body else "GET"
    resource = "/items/{id}" if with_path else "/items"
    path = f"/items/{item}" if with_path else "/items"
    query = {"page": str(_R.randrange(1, 10))} if with_query else None
    body = _body() if with_body else None
    if with_body:
        headers["content-type"] = "application/json"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"id": item} if with_path else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": _ACCOUNT,
            "apiId": api_id,
            "domainName": host,
            "domainPrefix": api_id,
            "extendedRequestId": _b64url(11)[:15] + "=",
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": ip,
                "user": None,
                "userAgent": headers["user-agent"],
                "userArn": None,
            },
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": _uuid(),
            "requestTime": _clf(now),
            "requestTimeEpoch": now,
            "resourceId": _hex32()[:6],
            "resourcePath": resource,
            "stage": "prod",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def apigw_v2(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    api_id = _hex32()[:10]
    host = f"{api_id}.execute-api.{_REGION}.amazonaws.com"
    ip = f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
    trace = f"Root=1-{now // 1000:08x}-{_hex32()[:24]}"
    item = str(_R.randrange(10**6))
    with_path, with_query, with_body = _optional_parts()
    method = "POST" if with_body else "GET"
    route = "/items/{id}" if with_path else "/items"
    path = f"/items/{item}" if with_path else "/items"
    page = str(_R.randrange(1, 10))
    body = _body() if with_body else None
    headers = _headers(host, ip, trace)
    headers["content-length"] = str(len(body)) if body else "0"
    if body:
        headers["content-type"] = "application/json"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": f"page={page}" if with_query else "",
    }
    if _R.random() < 0.25:
        event["cookies"] = ["session=" + _hex32()]
    event["headers"] = headers
    if with_query:
        event["queryStringParameters"] = {"page": page}
    if with_path:
        event["pathParameters"] = {"id": item}
    event["requestContext"] = {
        "accountId": _ACCOUNT,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": api_id,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": ip,
            "userAgent": headers["user-agent"],
        },
        "requestId": _b64url(11)[:15] + "=",
        "routeKey": f"{method} {route}",
        "stage": "$default",
        "time": _clf(now),
        "timeEpoch": now,
    }
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = False
    return event


def alb(seed: int | None = None) -> dict[str, Any]:
    """Single-value headers (the generator's default mode)."""
    _reseed(seed)
    now = _now_ms()
    ip = f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
    trace = f"Root=1-{now // 1000:08x}-{_hex32()[:24]}"
    host = f"my-alb-{_R.randrange(10**9, 2 * 10**9)}.{_REGION}.elb.amazonaws.com"
    headers = _headers(host, ip, trace)
    _, with_query, with_body = _optional_parts()
    body = _body() if with_body else ""
    if with_body:
        headers["content-length"] = str(len(body))
        headers["content-type"] = "application/json"
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:{_REGION}:{_ACCOUNT}:"
                f"targetgroup/my-tg/{_hex32()[:16]}"
            }
        },
        "httpMethod": "POST" if with_body else "GET",
        "path": f"/items/{_R.randrange(10**6)}",
        "queryStringParameters": {"page": str(_R.randrange(1, 10))} if with_query else {},
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
    }


def function_url(seed: int | None = None) -> dict[str, Any]:
    _reseed(seed)
    now = _now_ms()
    url_id = _hex32()
    host = f"{url_id}.lambda-url.{_REGION}.on.aws"
    ip = f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
    trace = f"Root=1-{now // 1000:08x}-{_hex32()[:24]}"
    _, with_query, with_body = _optional_parts()
    method = "POST" if with_body else "GET"
    path = f"/items/{_R.randrange(10**6)}"
    page = str(_R.randrange(1, 10))
    body = _body() if with_body else None
    headers = _headers(host, ip, trace)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": f"page={page}" if with_query else "",
        "headers": headers,
    }
    if with_query:
        event["queryStringParameters"] = {"page": page}
    event["requestContext"] = {
        "accountId": _ACCOUNT,
        "apiId": url_id,
        "domainName": host,
        "domainPrefix": url_id,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": ip,
            "userAgent": headers["user-agent"],
        },
        "requestId": _uuid(),
        "routeKey": "$default",
        "stage": "$default",
        "time": _clf(now),
        "timeEpoch": now,
    }
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = False
    return event


def websocket(seed: int | None = None) -> dict[str, Any]:
    """A message, a $connect or a $disconnect about as often as the generator draws them."""
    _reseed(seed)
    now = _now_ms()
    api_id = _hex32()[:10]
    host = f"{api_id}.execute-api.{_REGION}.amazonaws.com"
    ip = f"54.{_R.randrange(256)}.{_R.randrange(256)}.{_R.randrange(1, 255)}"
    r = _R.random()
    route = "$connect" if r < 0.25 else "$disconnect" if r < 0.4 else "sendMessage"
    event: dict[str, Any] = {}
    if route == "$connect":
        headers = {
            "Host": host,
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
            "Sec-WebSocket-Key": _b64(16),
            "Sec-WebSocket-Version": "13",
            "User-Agent": "curl/8.5.0",
            "X-Amzn-Trace-Id": f"Root=1-{now // 1000:08x}-{_hex32()[:24]}",
            "X-Forwarded-For": ip,
            "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https",
        }
        event["headers"] = headers
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    elif route == "$disconnect":
        headers = {"Host": host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        event["headers"] = headers
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    request_id = _b64url(11)[:15] + "="
    rc: dict[str, Any] = {"routeKey": route}
    if route == "sendMessage":
        rc["messageId"] = _b64url(11)[:15] + "="
    if route == "$disconnect":
        rc["disconnectStatusCode"] = 1001
    rc["eventType"] = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    rc["extendedRequestId"] = request_id
    rc["requestTime"] = _clf(now)
    rc["messageDirection"] = "IN"
    if route == "$disconnect":
        rc["disconnectReason"] = ""
    rc["stage"] = "prod"
    rc["connectedAt"] = now - _R.randrange(1000, 600_000)
    rc["requestTimeEpoch"] = now
    rc["identity"] = {"sourceIp": ip}
    rc["requestId"] = request_id
    rc["domainName"] = host
    rc["connectionId"] = _b64url(11)[:15] + "="
    rc["apiId"] = api_id
    event["requestContext"] = rc
    if route == "sendMessage":
        event["body"] = f'{{"action": "sendMessage", "message": "{_uuid()}"}}'
    event["isBase64Encoded"] = False
    return event


def eventbridge(seed: int | None = None) -> dict[str, Any]:
    """A custom event with a small JSON detail (the generator's default variant)."""
    _reseed(seed)
    ms = _now_ms()
    return {
        "version": "0",
        "id": _uuid(),
        "detail-type": "OrderPlaced",
        "source": "com.example.orders",
        "account": _ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000)),
        "region": _REGION,
        "resources": [],
        "detail": {
            "orderId": _uuid(),
            "customer": f"c-{_R.randrange(10**6)}",
            "amount": round(_R.random() * 1000, 2),
            "items": [{"sku": f"SKU-{_R.randrange(10**4)}", "quantity": _R.randrange(1, 5)}],
        },
    }


def firehose(seed: int | None = None) -> dict[str, Any]:
    """A direct-PUT transformation invocation of one record."""
    _reseed(seed)
    ms = _now_ms()
    payload = f'{{"id":"{_uuid()}","amount":{_R.randrange(10**5) / 100}}}'
    return {
        "invocationId": _uuid(),
        "deliveryStreamArn": f"arn:aws:firehose:{_REGION}:{_ACCOUNT}:deliverystream/clicks",
        "region": _REGION,
        "records": [
            {
                "recordId": f"49{_R.getrandbits(180) % 10**54:054d}000000",
                "approximateArrivalTimestamp": ms - _R.randrange(60_000),
                "data": base64.b64encode(payload.encode()).decode(),
            }
        ],
    }


def cloudwatch_logs(seed: int | None = None) -> dict[str, Any]:
    """A DATA_MESSAGE of three log lines, gzip + base64 as CloudWatch Logs sends it."""
    _reseed(seed)
    ms = _now_ms()
    request_id = _uuid()
    low = _R.getrandbits(112) << 16
    powertools = {
        "level": "INFO",
        "location": "handler:42",
        "message": f"processed order {_R.randrange(10**6)}",
        "timestamp": f"{_iso(ms)[:10]} {_iso(ms)[11:19]},{ms % 1000:03d}+0000",
        "service": "orders",
        "cold_start": False,
        "function_name": "orders",
        "function_memory_size": "128",
        "function_arn": f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:orders",
        "function_request_id": request_id,
        "xray_trace_id": f"1-{ms // 1000:08x}-{_hex32()[:24]}",
    }
    lines = [  # the default event mixes runtime lines and Powertools Logger JSON lines
        f"START RequestId: {request_id} Version: $LATEST\n",
        json.dumps(powertools, separators=(",", ":")) + "\n",
        f"REPORT RequestId: {request_id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t\n",
    ]
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": _ACCOUNT,
        "logGroup": "/aws/lambda/orders",
        "logStream": f"2026/11/22/[$LATEST]{_hex32()}",
        "subscriptionFilters": ["errors"],
        "logEvents": [
            {"id": str(((ms + i) << 144) | low | i), "timestamp": ms + i, "message": line}
            for i, line in enumerate(lines)
        ],
    }
    raw = gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), mtime=0)
    return {"awslogs": {"data": base64.b64encode(raw).decode()}}


def kafka(seed: int | None = None) -> dict[str, Any]:
    """One Amazon MSK record in one topic-partition: the key ``topic-partition``, brokers of
    one cluster in the ARN's region, base64 key and value, headers as byte lists."""
    _reseed(seed)
    ms = _now_ms()
    cluster_id = f"{_R.getrandbits(24):06x}"
    servers = ",".join(
        f"b-{b}.orders-cluster-1.{cluster_id}.c3.kafka.{_REGION}.amazonaws.com:9098" for b in (1, 2)
    )
    value = f'{{"id":"{_uuid()}","amount":{_R.randrange(10**5) / 100}}}'
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": f"arn:aws:kafka:{_REGION}:{_ACCOUNT}:cluster/orders-cluster-1/{_uuid()}-3",
        "bootstrapServers": servers,
        "records": {
            "orders-0": [
                {
                    "topic": "orders",
                    "partition": 0,
                    "offset": _R.randrange(5_000_000),
                    "timestamp": ms - _R.randrange(3_000),
                    "timestampType": "CREATE_TIME",
                    "key": base64.b64encode(f"orders-{_R.randrange(10**5)}".encode()).decode(),
                    "value": base64.b64encode(value.encode()).decode(),
                    "headers": [
                        {"content-type": list(b"application/json")},
                        {"traceparent": list(f"00-{_hex32()}-{_hex32()[:16]}-01".encode())},
                    ],
                }
            ]
        },
    }


LEAN: dict[str, Callable[[int | None], dict[str, Any]]] = {
    "apigw_v1": apigw_v1,
    "apigw_v2": apigw_v2,
    "s3": s3,
    "sns": sns,
    "sqs": sqs,
    "kinesis": kinesis,
    "dynamodb": dynamodb,
    "alb": alb,
    "function_url": function_url,
    "websocket": websocket,
    "eventbridge": eventbridge,
    "firehose": firehose,
    "cloudwatch_logs": cloudwatch_logs,
    "kafka": kafka,
}
