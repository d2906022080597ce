"""The suite's checks driven directly (``run_check``/``run_checks``), without pytest items."""

from __future__ import annotations

import sys

import pytest

from pytest_lambda._suite.engine import CHECKS, SuiteOptions, run_check, run_checks


@pytest.fixture
def root(tmp_path):
    def write(source: str) -> str:
        (tmp_path / "app.py").write_text(source)
        return str(tmp_path)

    return write


def test_warm_reuse_is_skipped_with_a_reason_without_the_leak_module(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "pytest_lambda._checks.leaks.check", None)
    opts = SuiteOptions(seed=1, root=root("def handler(e, c):\n    return {}\n"))
    result = run_check("app.handler", "sqs", "warm-reuse", opts)
    assert result.outcome == "skipped"
    assert result.report == (
        "warm-reuse: the warm-reuse check (pytest_lambda._checks.leaks.check) is not available in this version"
    )
    assert result.invocations == 0


def test_rest_api_answer_without_status_code_is_not_robust(root):
    opts = SuiteOptions(seed=4, root=root("def handler(e, c):\n    return 'ok'\n"))
    result = run_check("app.handler", "apigw_v1", "robust", opts)
    assert result.outcome == "failed"
    assert result.report.splitlines()[:3] == [
        "app.handler is not robust to unexpected apigw_v1 input: it must answer with a status "
        "code (a 4xx for a bad request) and never time out",
        "",
        "  body is not JSON: the client would get 502: malformed response for API Gateway "
        "(REST API): the response is not a JSON object: 'ok'",
    ]
    assert result.report.splitlines()[-1].startswith("reproduce with --lambda-seed=4: ")


def test_an_sqs_handler_that_takes_any_body_passes_robust(root):
    source = "def handler(e, c):\n    return [r['body'].upper() for r in e['Records']]\n"
    result = run_check("app.handler", "sqs", "robust", SuiteOptions(seed=2, root=root(source)))
    assert result.outcome == "passed"


def test_bad_generator_params_fail_the_check_with_the_message(root):
    opts = SuiteOptions(
        seed=1,
        root=root("def handler(e, c):\n    return {}\n"),
        params_by_kind={"sqs": {"records": "many"}},
    )
    result = run_check("app.handler", "sqs", "invokes", opts)
    assert result.outcome == "failed"
    assert result.report.startswith(
        "invokes could not run: ArgumentTypeError: records='many': expected an int; "
    )
    assert "[tool.pytest_lambda.events.sqs]" in result.report


def test_run_checks_order_and_progress(root):
    seen = []
    opts = SuiteOptions(seed=5, root=root("def handler(e, c):\n    return {}\n"))
    results = run_checks("app.handler", ["s3", "sns"], opts, on_result=seen.append)
    assert [r.nodeid for r in results] == [
        f"app.handler::{kind}::{check}" for kind in ("s3", "sns") for check in CHECKS
    ]
    assert seen == results
    assert {r.seed for r in results} == {5}


# A REST handler written as teams write them: it trusts API Gateway for the event's shape
# (httpMethod, requestContext) and handles what clients control.
CAREFUL_REST = """
import json

def handler(event, context):
    method = event["httpMethod"]
    stage = event["requestContext"]["stage"]
    query = event.get("queryStringParameters") or {}
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 400, "body": "bad json"}
    if not isinstance(body, dict):
        return {"statusCode": 400, "body": "expected an object"}
    return {"statusCode": 200, "body": json.dumps([method, stage, sorted(query), body.get("id")])}
"""

CAREFUL_HTTP = """
import base64, json

def handler(event, context):
    method = event["requestContext"]["http"]["method"]
    raw = event.get("body") or "{}"
    if event["isBase64Encoded"]:
        raw = base64.b64decode(raw).decode("utf-8", "replace")
    try:
        body = json.loads(raw)
    except ValueError:
        return {"statusCode": 400, "body": "bad json"}
    if not isinstance(body, dict):
        return {"statusCode": 400}
    return {"statusCode": 200, "body": json.dumps([method, event.get("queryStringParameters")])}
"""


@pytest.mark.parametrize(
    ("kind", "source"), [("apigw_v1", CAREFUL_REST), ("apigw_v2", CAREFUL_HTTP)]
)
def test_a_handler_that_trusts_api_gateway_for_the_shape_is_robust(root, kind, source):
    result = run_check("app.handler", kind, "robust", SuiteOptions(seed=3, root=root(source)))
    assert result.outcome == "passed", result.report


def test_http_api_base64_body_and_missing_keys_are_caught(root):
    naive = (
        "import json\n"
        "def handler(event, context):\n"
        "    body = json.loads(event['body'])\n"
        "    return {'statusCode': 200, 'body': json.dumps(body.get('id'))}\n"
    )
    result = run_check("app.handler", "apigw_v2", "robust", SuiteOptions(seed=3, root=root(naive)))
    assert result.outcome == "failed"
    lines = result.report.splitlines()
    assert any(line.startswith("  body is not JSON: raised JSONDecodeError") for line in lines)
    assert any(
        line.startswith("  no body (no body key, as for a GET): raised KeyError") for line in lines
    )
    assert any(
        line.startswith(
            "  JSON body without a Content-Type (API Gateway base64-encodes it): raised"
        )
        for line in lines
    )


def test_a_handler_that_does_not_load_fails_invokes_once_and_skips_the_rest(root):
    opts = SuiteOptions(
        seed=1, root=root("import nomodule_here\n\ndef handler(e, c):\n    return 1\n")
    )
    robust = run_check("app.handler", "sqs", "robust", opts)
    assert (robust.outcome, robust.report) == (
        "skipped",
        "not run: a set-up problem (setup.import-error), reported by app.handler::sqs::invokes",
    )
    result = run_check("app.handler", "sqs", "invokes", opts)
    assert result.outcome == "failed"
    assert result.report == (
        "app.handler: a set-up problem, not a bug of the handler (setup.import-error), so the "
        "invokes check on sqs events did not run\n"
        "its init (the import of its module) failed:\n"
        "  Runtime.ImportModuleError: Unable to import module 'app': No module named "
        "'nomodule_here'\n"
        "the module 'nomodule_here' the handler imports is not installed where the function "
        "imports from\n\n"
        "Fix: install it into the root directory (pip install --target DIR), or add the Lambda "
        "layer or folder that provides it: pytest-lambda check --layer DIR (a layer folder "
        "holding python/) or --path DIR"
    )
    assert [f.code for f in result.findings] == ["setup.import-error"]


def test_a_handler_raising_at_import_for_its_own_reason_is_not_a_set_up_problem(root):
    opts = SuiteOptions(seed=1, root=root("raise ValueError('bad config')\n"))
    result = run_check("app.handler", "sqs", "robust", opts)
    assert result.report.startswith("app.handler could not be loaded, so the robust check")
    assert "Fix: the error is raised while the handler's module is imported" in result.report
    assert result.findings == ()


def test_reproduce_line_repeats_non_default_settings():
    from pytest_lambda._suite.engine import reproduce_line

    opts = SuiteOptions(seed=5, timeout=1.5, region="eu-west-1", moto=True, moto_setup="t.aws:mk")
    line = reproduce_line("app.handler", "sqs", "idempotent", 5, opts)
    assert line == (
        "reproduce with --lambda-seed=5: pytest --lambda-handler=app.handler --lambda-events=sqs "
        "--lambda-seed=5 --lambda-timeout=1.5 --lambda-region=eu-west-1 "
        "--lambda-moto-setup=t.aws:mk -k 'sqs and idempotent'  (or: pytest-lambda check "
        "app.handler --events sqs --seed 5 --timeout 1.5 --region eu-west-1 --moto-setup t.aws:mk)"
    )
    plain = reproduce_line("app.handler", "sqs", "robust", 5, SuiteOptions(seed=5, moto=True))
    assert "--lambda-seed=5 --lambda-moto -k" in plain
    assert plain.endswith("--seed 5 --moto)")


def test_a_handler_failing_every_event_is_not_called_not_idempotent(root):
    source = "def handler(e, c):\n    raise ValueError('bad order')\n"
    result = run_check("app.handler", "sqs", "idempotent", SuiteOptions(seed=2, root=root(source)))
    assert result.outcome == "failed"
    assert result.report.startswith(
        "app.handler could not be checked for idempotency on sqs events: the first delivery "
        "never succeeded (it raised, answered an HTTP 5xx, or its response reported failed "
        "records, on every attempt)"
    )


ROUTER = """
import json

def handler(event, context):
    route = (event["httpMethod"], event["resource"])
    if route == ("GET", "/items/{item_id}"):
        return {"statusCode": 200, "body": event["pathParameters"]["item_id"]}
    if route == ("POST", "/items"):
        return {"statusCode": 201, "body": json.dumps(json.loads(event["body"])["name"])}
    return {"statusCode": 404, "body": "no route"}
"""

SETS = """
[[tool.pytest_lambda.events.apigw_v1]]
method = "GET"
resource = "/items/{item_id}"

[[tool.pytest_lambda.events.apigw_v1]]
method = "POST"
resource = "/items"
"""


def test_requests_that_match_no_route_pass_robust_with_a_note(root):
    opts = SuiteOptions(seed=11, root=root(ROUTER))
    result = run_check("app.handler", "apigw_v1", "robust", opts)
    assert result.outcome == "passed"
    assert result.note.startswith(
        "every answer was 404: the generated requests found no route of the handler, or "
        "nothing at the route (an unknown id)"
    )
    assert "[[tool.pytest_lambda.events.apigw_v1]]" in result.note


def test_parameter_sets_reach_each_route(root, tmp_path):
    from pytest_lambda._suite.config import load_event_params, param_sets

    (tmp_path / "pyproject.toml").write_text(SETS)
    params = load_event_params(tmp_path / "pyproject.toml")
    assert [s["resource"] for s in param_sets(params, "apigw_v1")] == ["/items/{item_id}", "/items"]
    opts = SuiteOptions(seed=11, root=root(ROUTER), params_by_kind=params)
    robust = run_check("app.handler", "apigw_v1", "robust", opts)
    assert robust.outcome == "failed"
    assert "  set 2: body is not JSON: raised JSONDecodeError" in robust.report
    assert "set 1: " not in robust.report  # the GET route ignores the body
    assert robust.invocations == 2 * 7


def test_a_bad_parameter_set_names_its_position(tmp_path):
    from pytest_lambda import InvalidOption
    from pytest_lambda._suite.config import load_event_params

    (tmp_path / "pyproject.toml").write_text(SETS + 'colour = "red"\n')
    with pytest.raises(
        InvalidOption, match=r"apigw_v1\] in .* \(set 2\): unknown parameter 'colour'"
    ):
        load_event_params(tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('records = "three"', r"records='three': expected an int"),
        ('body_schema = "missing.json"', r"missing\.json"),
        ('region = "moon"', r"moon"),
    ],
)
def test_a_bad_parameter_value_is_a_usage_error_at_load(tmp_path, table, message):
    from pytest_lambda import InvalidOption
    from pytest_lambda._suite.config import load_event_params

    (tmp_path / "pyproject.toml").write_text(f"[tool.pytest_lambda.events.sqs]\n{table}\n")
    with pytest.raises(InvalidOption, match=r"events\.sqs\] in .*pyproject\.toml: .*" + message):
        load_event_params(tmp_path / "pyproject.toml")


def test_invokes_that_match_no_route_pass_with_the_same_note(root):
    result = run_check(
        "app.handler", "apigw_v1", "invokes", SuiteOptions(seed=11, root=root(ROUTER))
    )
    assert result.outcome == "passed"
    assert result.note.startswith("every answer was 404: ")


def test_a_parameter_set_that_reaches_no_route_is_named(root, tmp_path):
    from pytest_lambda._suite.config import load_event_params

    (tmp_path / "pyproject.toml").write_text(
        SETS.replace('resource = "/items"', 'resource = "/nothere"').replace('"POST"', '"DELETE"')
    )
    params = load_event_params(tmp_path / "pyproject.toml")
    opts = SuiteOptions(seed=11, root=root(ROUTER), params_by_kind=params)
    for check in ("robust", "invokes"):
        result = run_check("app.handler", "apigw_v1", check, opts)
        assert result.outcome == "passed", result.report
        assert result.note.startswith(
            "every answer was 404: the requests of parameter set 2 found no route of the handler"
        )


def test_an_empty_list_of_parameter_sets_says_so(tmp_path):
    from pytest_lambda import InvalidOption
    from pytest_lambda._suite.config import load_event_params

    (tmp_path / "pyproject.toml").write_text("[tool.pytest_lambda.events]\napigw_v1 = []\n")
    with pytest.raises(InvalidOption, match="an empty list; give at least one"):
        load_event_params(tmp_path / "pyproject.toml")


BOOM = "raise RuntimeError('config missing')\ndef handler(e, c):\n    return {}\n"


@pytest.mark.parametrize("check", ["invokes", "idempotent", "warm-reuse", "robust"])
def test_a_handler_failing_at_import_fails_every_check_with_that_cause(root, check):
    result = run_check("app.handler", "s3", check, SuiteOptions(seed=2, root=root(BOOM)))
    assert result.outcome == "failed"
    assert result.invocations == 0
    assert result.report.startswith(
        f"app.handler could not be loaded, so the {check} check on s3 events did not run:\n"
        "RuntimeError: config missing"
    )
    assert "raised while the handler's module is imported" in result.report
    assert "[tool.pytest_lambda" not in result.report  # no advice about events


def test_a_misspelt_handler_is_named_as_such(root):
    source = "def handler(e, c):\n    return {}\n"
    result = run_check("app.handlr", "sqs", "robust", SuiteOptions(seed=2, root=root(source)))
    assert result.outcome == "failed"
    assert "Runtime.HandlerNotFound" in result.report
    assert "Fix: give the handler as 'module.function'" in result.report


def test_robust_counts_an_init_failure_after_a_fresh_start(root):
    # A handler that exits brings a new environment, whose init then fails: not robust.
    from pytest_lambda import InvocationFailure
    from pytest_lambda._suite.variants import answer_problem

    class Inv:
        timed_out = False
        error = InvocationFailure(type="RuntimeError", message="config missing", kind="init")

    assert answer_problem("sqs", Inv()) == "failed in the runtime (RuntimeError: config missing)"


def test_a_response_the_gateway_would_replace_with_502_is_not_robust(root):
    source = "def handler(e, c):\n    return {'statusCode': 200, 'body': {'ok': True}}\n"
    result = run_check("app.handler", "apigw_v1", "robust", SuiteOptions(seed=4, root=root(source)))
    assert result.outcome == "failed"
    assert result.report.splitlines()[2] == (
        "  body is not JSON: the client would get 502: malformed response for API Gateway "
        "(REST API): body is not a string but dict: \"{'ok': True}\""
    )


def test_http_api_responses_without_status_code_are_robust(root):
    source = "def handler(e, c):\n    return {'ok': True}\n"
    result = run_check("app.handler", "apigw_v2", "robust", SuiteOptions(seed=4, root=root(source)))
    assert result.outcome == "passed"
    bad = "def handler(e, c):\n    return {'statusCode': 'fine'}\n"
    result = run_check("app.handler", "apigw_v2", "robust", SuiteOptions(seed=4, root=root(bad)))
    assert result.outcome == "failed"
    assert (
        "the client would get 500: malformed response for API Gateway (HTTP API): statusCode "
        "is not an HTTP status number: 'fine'" in result.report
    )


# -- issue 18: the ALB, Function URL and WebSocket kinds in the suite ------------------------

_ALB_GOOD = """
import json
def handler(e, c):
    try:
        json.loads(e["body"])
        status = 200
    except ValueError:
        status = 400
    field = "multiValueHeaders" if "multiValueHeaders" in e else "headers"
    value = ["text/plain"] if field == "multiValueHeaders" else "text/plain"
    return {"statusCode": status, field: {"content-type": value}, "body": "x"}
"""


@pytest.mark.parametrize("multi", [False, True], ids=["single-value", "multi-value"])
def test_alb_handler_answering_in_the_events_header_mode_is_robust(root, tmp_path, multi):
    opts = SuiteOptions(
        seed=3, root=root(_ALB_GOOD), params_by_kind={"alb": {"multi_value_headers": multi}}
    )
    result = run_check("app.handler", "alb", "robust", opts)
    assert result.outcome == "passed", result.report


def test_alb_answer_with_the_other_header_mode_is_not_robust(root):
    source = "def handler(e, c):\n    return {'statusCode': 200, 'headers': {'a': 'b'}}\n"
    opts = SuiteOptions(
        seed=3, root=root(source), params_by_kind={"alb": {"multi_value_headers": True}}
    )
    result = run_check("app.handler", "alb", "robust", opts)
    assert result.outcome == "failed"
    assert result.report.splitlines()[2] == (
        "  body is not JSON: the client would get 502: malformed response for the load "
        "balancer: the target group has multi-value headers on, so the response must use "
        "multiValueHeaders, not headers"
    )


def test_alb_answer_without_status_code_is_not_robust(root):
    opts = SuiteOptions(seed=3, root=root("def handler(e, c):\n    return 'ok'\n"))
    result = run_check("app.handler", "alb", "robust", opts)
    assert result.outcome == "failed"
    assert result.report.splitlines()[2] == (
        "  body is not JSON: the client would get 502: malformed response for the load "
        "balancer: the response is not a JSON object: 'ok'"
    )


@pytest.mark.parametrize("kind", ["function_url", "websocket"])
def test_new_http_kinds_run_every_check_and_a_raising_handler_is_not_robust(root, kind):
    source = "import json\ndef handler(e, c):\n    json.loads(e.get('body') or 'x')\n    return {'statusCode': 200}\n"
    result = run_check("app.handler", kind, "robust", SuiteOptions(seed=5, root=root(source)))
    assert result.outcome == "failed"
    assert "raised JSONDecodeError" in result.report
    ok = "def handler(e, c):\n    return {'statusCode': 200}\n"
    for check in CHECKS:
        outcome = run_check("app.handler", kind, check, SuiteOptions(seed=5, root=root(ok)))
        assert outcome.outcome in ("passed", "skipped"), (check, outcome.report)
