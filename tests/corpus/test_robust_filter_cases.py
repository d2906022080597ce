"""The robust/filter corpus cases (issue 17, part 17c), checked with the suite's library calls.

Each case's ``case.json`` labels the codes the checks must and must not produce. Until the
corpus runner (``tests/corpus/test_corpus.py``, part 17b) covers them through
``pytest-lambda check --json``, this runs every check of the case and compares the findings
with codes (the robust check's) and the verdicts with the labels.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pytest_lambda._suite.engine import SuiteOptions, run_checks
from pytest_lambda._suite.filtering import load_filter

HERE = Path(__file__).parent
CASES = (
    "s3_thumbnailer_undecoded_key",
    "s3_indexer_unquote_plus",
    "kinesis_clickstream_ascii",
    "sqs_orders_no_partial_batch",
    "kinesis_wrong_item_identifier",
    "sqs_filtered_orders",
)


def _options(args: list[str], root: Path) -> tuple[str, list[str], SuiteOptions]:
    parser = argparse.ArgumentParser()
    parser.add_argument("handler")
    parser.add_argument("--events")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--moto-setup")
    parser.add_argument("--filter")
    ns = parser.parse_args(args)
    kinds = ns.events.split(",")
    from pytest_lambda._suite.config import load_event_params

    filters = load_filter(ns.filter, kinds, "--filter")[0] if ns.filter else ()
    opts = SuiteOptions(
        seed=ns.seed, root=str(root), moto_setup=ns.moto_setup, filters=filters,
        filter_arg=ns.filter, params_by_kind=load_event_params(root / "pyproject.toml"),
    )  # fmt: skip
    return ns.handler, kinds, opts


@pytest.mark.parametrize("name", CASES)
def test_case(name: str) -> None:
    folder = HERE / name
    case = json.loads((folder / "case.json").read_text())
    handler, kinds, opts = _options(case["args"], folder)
    results = run_checks(handler, kinds, opts)
    errors = {f.code for r in results for f in r.findings if f.severity == "error"}
    warnings = {f.code for r in results for f in r.findings if f.severity == "warning"}
    report = "\n\n".join(r.report for r in results)
    assert set(case["expect"]) <= errors, report
    assert set(case["expect_warnings"]) <= warnings, report
    assert not set(case["must_not"]) & (errors | warnings), report
    if not case["expect"]:  # a correct handler: no check may fail
        assert [r.nodeid for r in results if r.outcome == "failed"] == [], report
