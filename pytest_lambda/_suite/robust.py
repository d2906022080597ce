"""The suite's ``robust`` check: realistic but unusual events, and what a failure costs.

For each parameter set, one seeded event of the kind is changed into each variant of
:func:`~pytest_lambda._suite.variants.variants` (S3 keys with spaces, ``+`` and unicode as S3
encodes them, non-ASCII and non-UTF-8 payloads, empty and large bodies...) and the handler
is invoked once per variant. Findings (:class:`~pytest_lambda._suite.finding.Finding`):

* ``robust.unhandled-exception``: the handler raised. An **error** where the source retries
  the whole batch (SQS, Kinesis, DynamoDB Streams) or the client gets a 5xx (the API kinds);
  a **warning** for the asynchronous sources (S3, SNS, EventBridge, CloudWatch Logs) and
  Firehose, with what happens to the event. A warning alone passes the check with a note.
* ``robust.partial-batch-contract``: a ``batchItemFailures`` answer the source cannot read.
* ``robust.timeout``, ``robust.runtime-failure``, ``robust.bad-response``,
  ``robust.response-contract`` (Firehose): errors.

With a filter (``--lambda-filter``) the base events pass it and a variant the filter would
not deliver is not sent (the note counts them). With moto, the S3 object each record names
exists (under the decoded key, as S3 stores it) before the call, as it would in AWS: an
object the moto set-up made is kept, a variant's new key gets the same bytes.
Cost: one invocation per variant and parameter set (3 to 8 variants per kind).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_lambda._core.docs import doc_url
from pytest_lambda._events._factory import derive_seed
from pytest_lambda._suite.config import param_sets
from pytest_lambda._suite.finding import Finding
from pytest_lambda._suite.runners import aws_for, runner_for_suite
from pytest_lambda._suite.s3_objects import object_refs, put_objects
from pytest_lambda._suite.variants import (
    API_KINDS,
    BATCH_KINDS,
    answer_finding,
    apply,
    contract_problem,
    raise_consequence,
    variants,
)

__all__ = ["check_robust", "no_route_note"]

DOCS_SUITE: Final = doc_url("how-to/conformance-suite")
_RAISED: Final = "robust.unhandled-exception"


def no_route_note(kind: str, by_set: list[set[object]]) -> str:
    """The note for API parameter sets whose every answer was 404/405 (no route), or ""."""
    if kind not in API_KINDS or kind == "websocket":
        return ""
    refused = [
        (n, codes) for n, codes in enumerate(by_set)
        if codes and all(isinstance(c, int) and 400 <= c <= 499 for c in codes)
    ]  # fmt: skip
    if not refused:
        return ""
    codes = "/".join(sorted({str(c) for _, c_set in refused for c in c_set}))
    which = (
        "the generated requests"
        if len(by_set) == 1
        else f"the requests of parameter set {', '.join(str(n + 1) for n, _ in refused)}"
    )
    route = {
        "apigw_v1": "resource and path_parameters",
        "apigw_v2": "route_key and path_parameters",
    }
    if all(c_set <= {404, 405} for _, c_set in refused):
        return (
            f"every answer was {codes}: {which} found no route of the handler, or nothing at "
            f"the route (an unknown id), so their handling was not tested; set method, "
            f"{route.get(kind, 'path')} in [tool.pytest_lambda.events.{kind}] (several "
            f"routes: [[tool.pytest_lambda.events.{kind}]])"
        )
    return (
        f"every answer was {codes}: the handler refused {which} (a method, content type, "
        "header or body it requires?), so their handling was not tested; set method, headers "
        f"and body in [tool.pytest_lambda.events.{kind}] (several kinds of request: "
        f"[[tool.pytest_lambda.events.{kind}]])"
    )


def _s3_body(s3: Any, event: dict[str, Any]) -> bytes | None:
    """The bytes of the un-varied event's object when it exists (the moto set-up's, or the
    one put for it: a variant changes the key or the size, not what the uploads are)."""
    refs = object_refs(event)
    if not refs:
        return None
    try:
        return bytes(s3.get_object(Bucket=refs[0][0], Key=refs[0][1])["Body"].read())
    except Exception:
        return None


def _put_s3_objects(event: dict[str, Any], region: str, base: dict[str, Any]) -> None:
    """Inside moto: the objects of ``event`` (a variant of ``base``) with the bytes of
    ``base``'s object, which is put first (by its key's suffix) when missing."""
    import boto3

    put_objects([base], region)
    put_objects([event], region, _s3_body(boto3.client("s3", region_name=region), base))


def _records(event: Mapping[str, Any]) -> int:
    records = event.get("Records")
    return len(records) if isinstance(records, list) else 0


def _verdict(handler: str, kind: str, errors: Sequence[Finding]) -> str:
    if kind in API_KINDS:
        rule = "must answer with a status code (a 4xx for a bad request) and never time out"
        return f"{handler} is not robust to unexpected {kind} input: it {rule}"
    codes = {f.code for f in errors}
    rules = []
    if codes & {"robust.timeout", "robust.runtime-failure", "robust.response-contract"}:
        rules.append("must never time out or fail in the runtime")
    if _RAISED in codes:
        rules.append(
            f"raised on {sum(f.code == _RAISED for f in errors)} realistic {kind} "
            f"input{'s' * (sum(f.code == _RAISED for f in errors) > 1)}, and "
            f"{raise_consequence(kind)[1]}"
        )
    if "robust.partial-batch-contract" in codes:
        rules.append("must answer batchItemFailures with identifiers Lambda can read")
    return f"{handler} is not robust to unexpected {kind} input: it " + "; it ".join(rules)


def _fix(kind: str, codes: set[str]) -> str:
    if kind in API_KINDS:
        return (
            "Fix: validate the input and return an error response (for API Gateway) or fail "
            f"fast; see {DOCS_SUITE}#robust"
        )
    hints = []
    if _RAISED in codes and kind == "s3":
        hints.append(
            "decode the key with urllib.parse.unquote_plus(record['s3']['object']['key']) "
            "before using it"
        )
    if _RAISED in codes and kind in ("sqs", "kinesis", "dynamodb"):
        hints.append(
            "catch the failure per record and report it in batchItemFailures "
            "(ReportBatchItemFailures on the mapping), or send the record to a dead-letter "
            "queue, so one bad record does not fail the batch"
        )
    if "robust.partial-batch-contract" in codes:
        from pytest_lambda._suite.variants import ID_FIELD

        hints.append(
            f'report each failed record as {{"itemIdentifier": {ID_FIELD.get(kind, "its id")}}}'
        )
    if _RAISED in codes and not hints:
        hints.append("handle the input, or configure an on-failure destination")
    if not hints:
        hints.append("validate the input and fail fast")
    return f"Fix: {'; '.join(hints)}; see {DOCS_SUITE}#robust"


_SAME: Final = "the same error whatever the input"


def _same_error(
    found: list[tuple[str, Finding]], sent: int, label: str, kind: str
) -> list[tuple[str, Finding]]:
    """One finding when every variant of a set raised the very same error: the input's
    shape is not the cause (a missing variable, a broken dependency), and seven lines
    saying so would drown the other findings."""
    texts = {f.message.partition(": raised ")[2] for _, f in found if f.code == _RAISED}
    if sent < 3 or len(found) != sent or len(texts) != 1 or "" in texts:
        return found
    if any(f.code != _RAISED for _, f in found):
        return found
    text = "raised " + texts.pop()
    line = (
        f"{label}every one of the {sent} variants {text} ({_SAME}, so its shape is not the "
        "cause: see the invokes check)"
    )
    return [(line, Finding(_RAISED, found[0][1].severity, line))]


def check_robust(
    handler: str, kind: str, opts: Any
) -> tuple[str, str, int, str, tuple[Finding, ...]]:
    """Run the check: ``(outcome, report, invocations, note, findings)``."""
    from pytest_lambda._suite.filtering import FILTERABLE, filter_event, generate_matching

    sets = param_sets(opts.params_by_kind, kind)
    patterns = list(opts.filters) if kind in FILTERABLE else []
    found: list[tuple[str, Finding]] = []  # (evidence line, finding)
    by_set: list[set[object]] = [set() for _ in sets]
    sent = not_delivered = alone = 0
    with aws_for(opts) as state, runner_for_suite(handler, opts) as runner:
        for n, params in enumerate(sets):
            params.setdefault("region", opts.region)
            if kind in BATCH_KINDS:
                # the hostile record first, with a well-formed one after it: raising then
                # fails the good record too (a finding), reporting the bad one does not. In a
                # batch of the hostile record alone, both come to the same retry.
                params.setdefault("records", 2)
            seed = derive_seed(opts.seed, f"{handler}::{kind}::robust", n)
            base = generate_matching(kind, seed, params, patterns)
            label = f"set {n + 1}: " if len(sets) > 1 else ""
            start, sent_before = len(found), sent
            for what, transform in variants(kind):
                made = apply(base, transform)
                hostile: dict[str, Any] | None = made
                if patterns:
                    records = made.get("Records")
                    first = records[0] if isinstance(records, list) and records else None
                    hostile = filter_event(made, patterns)
                    kept = hostile.get("Records") if hostile is not None else None
                    if hostile is None or (first is not None and first not in (kept or ())):
                        not_delivered += 1  # the hostile record itself would not be delivered
                        continue
                assert hostile is not None
                if kind == "s3" and state is not None:
                    _put_s3_objects(hostile, opts.region, base)
                inv = runner.invoke(hostile)
                sent += 1
                if isinstance(inv.response, dict):
                    by_set[n].add(inv.response.get("statusCode"))
                problem = answer_finding(kind, inv, hostile)
                if problem is None and (broken := contract_problem(kind, hostile, inv)):
                    problem = ("robust.response-contract", broken)
                if problem is None:
                    continue
                code, text = problem
                if code == _RAISED and kind in BATCH_KINDS and _records(hostile) == 1:
                    alone += 1  # raising retries the one record, as reporting it would
                    continue
                severity = raise_consequence(kind)[0] if code == _RAISED else "error"
                line = f"{label}{what}: {text}"
                found.append((line, Finding(code, severity, line)))
                if code == "robust.timeout":
                    break
            found[start:] = _same_error(found[start:], sent - sent_before, label, kind)
    notes = []
    if alone:  # said, not hidden: the handler raised, and that was not called handled
        notes.append(
            f"{alone} variant{'s' * (alone > 1)} raised in a batch of the bad record alone: no "
            "finding, as Lambda retries that one record just as it would a reported one"
        )
    if not_delivered:
        notes.append(
            f"{not_delivered} variant{'s' * (not_delivered > 1)} not sent: the filter would "
            "not deliver them"
        )
    if sent == 0:  # every input dropped by the filter: nothing was tested, say so
        text = (
            f"robust: the filter would deliver none of the {not_delivered} unexpected {kind} "
            "inputs, so none was sent and nothing was tested; the filter's own rules keep "
            "malformed records away from the handler"
        )
        return "skipped", text, 0, "", ()
    findings = tuple(f for _, f in found)
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    if not errors:
        route = no_route_note(kind, by_set)
        if route:
            notes.insert(0, route)
        text = f"{handler} handled {sent} {kind} events with unexpected input"
        if warnings:
            severity, consequence = raise_consequence(kind)
            notes.insert(0, (
                f"{len(warnings)} of {sent} realistic {kind} variants raised ({severity} "
                f"{_RAISED}: {consequence}): {warnings[0].message}"
            ))  # fmt: skip
            text = (
                f"{handler} raised on {len(warnings)} of {sent} realistic {kind} events ("
                f"warning: {consequence})\n\n"
                + "\n".join(f"  {f.message}" for f in warnings)
                + f"\n\n{_fix(kind, {_RAISED})}"
            )
        note = "; ".join(notes)
        return "passed", text + (f"\n{note}" if note and not warnings else ""), sent, note, findings
    evidence = "\n".join(f"  {line}" for line, _ in found)
    verdict = _verdict(handler, kind, errors)
    fix = _fix(kind, {f.code for f in findings})
    if all(_SAME in f.message for f in errors):  # nothing about the input: say so
        fix = (
            "Fix: the error does not depend on the input: fix its cause on the plain events "
            f"first (the invokes check shows them), then run the check again; see {DOCS_SUITE}#robust"
        )
    text = f"{verdict}\n\n{evidence}\n\n{fix}\n"
    note = "; ".join(notes)
    return "failed", text + (f"{note}\n" if note else ""), sent, note, findings
