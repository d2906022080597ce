"""``--lambda-seed=last``: the previous run's seed, from pytest's cache (pytester)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("_clean_seed_env")

SEED_LINE = re.compile(r"lambda: seed=(\d+) \((.*?)\)")

DUMP_TEST = """
import json

def test_dump(lambda_event):
    print("EVENT=" + json.dumps(lambda_event.sqs(), sort_keys=True))
"""


@pytest.fixture
def _clean_seed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_LAMBDA_SEED", raising=False)


def _header(result: pytest.RunResult) -> tuple[int, str]:
    found = [m for m in map(SEED_LINE.match, result.outlines) if m]
    assert len(found) == 1, result.outlines
    return int(found[0].group(1)), found[0].group(2)


def _events(result: pytest.RunResult) -> list[str]:
    return [line[line.index("EVENT=") :] for line in result.outlines if "EVENT=" in line]


def test_last_reuses_the_previous_runs_random_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DUMP_TEST)
    first = pytester.runpytest("-s", "-p", "no:randomly")
    seed, source = _header(first)
    assert source == "random"
    again = pytester.runpytest("-s", "-p", "no:randomly", "--lambda-seed=last")
    assert _header(again) == (seed, "last run, from command line")
    assert _events(again) == _events(first)
    # 'last' stores the seed it used, so it stays the same run after run
    assert _header(pytester.runpytest("--lambda-seed=LAST"))[0] == seed


def test_last_follows_an_explicit_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=4321").assert_outcomes(passed=1)
    result = pytester.runpytest("--lambda-seed=last")
    assert _header(result) == (4321, "last run, from command line")


def test_lf_with_last_reproduces_the_failure_with_the_same_seed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_fails(lambda_event, lambda_seed):
            lambda_event.sqs()
            assert lambda_seed % 2 == 2

        def test_passes():
            pass
        """
    )
    first = pytester.runpytest("-p", "no:randomly")
    first.assert_outcomes(failed=1, passed=1)
    seed, _ = _header(first)
    rerun = pytester.runpytest("-p", "no:randomly", "--lf", "--lambda-seed=last")
    rerun.assert_outcomes(failed=1)
    assert _header(rerun) == (seed, "last run, from command line")
    rerun.stdout.fnmatch_lines([f"*reproduce with --lambda-seed={seed}"])
    assert "--lambda-seed=last" not in rerun.stdout.str().split("= FAILURES =")[1]


@pytest.mark.parametrize("spelling", ["ini", "env"])
def test_last_from_ini_and_env(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=2468").assert_outcomes(passed=1)
    if spelling == "ini":
        pytester.makeini("[pytest]\nlambda_seed = last\n")
        source = "ini lambda_seed"
    else:
        monkeypatch.setenv("PYTEST_LAMBDA_SEED", " last ")
        source = "env PYTEST_LAMBDA_SEED"
    result = pytester.runpytest()
    assert _header(result) == (2468, f"last run, from {source}")
    # the command line still wins over 'last' in the ini file or the environment
    assert _header(pytester.runpytest("--lambda-seed=5"))[0] == 5


def test_last_without_a_stored_seed_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest("--lambda-seed=last")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --lambda-seed=last (from command line): pytest's cache holds no seed of "
            "an earlier run (none ran tests here yet, or the cache was cleared): run once "
            "without it, or pass the seed itself, --lambda-seed=N; see *reference/options/#seed"
        ]
    )


def test_cache_clear_forgets_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=7").assert_outcomes(passed=1)
    result = pytester.runpytest("--cache-clear", "--lambda-seed=last")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*holds no seed of an earlier run*"])


def test_last_without_the_cache_plugin_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=8").assert_outcomes(passed=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--lambda-seed=last")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --lambda-seed=last (from command line) reads the previous run's seed "
            "from pytest's cache, but the cache plugin is disabled (-p no:cacheprovider): "
            "enable it, or pass the seed itself, --lambda-seed=N; see *reference/options/#seed"
        ]
    )
    # without 'last', a run without the cache plugin works and stores nothing
    pytester.runpytest("-p", "no:cacheprovider", "--lambda-seed=9").assert_outcomes(passed=1)
    assert _header(pytester.runpytest("--lambda-seed=last"))[0] == 8


def test_runs_that_run_no_tests_do_not_store_their_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=11").assert_outcomes(passed=1)
    assert pytester.runpytest("--lambda-seed=12", "--collect-only").ret == pytest.ExitCode.OK
    assert pytester.runpytest("--lambda-seed=13", "--fixtures").ret == pytest.ExitCode.OK
    assert pytester.runpytest("--lambda-seed=14", "--markers").ret == pytest.ExitCode.OK
    assert _header(pytester.runpytest("--lambda-seed=last"))[0] == 11


def test_a_run_with_every_test_deselected_keeps_the_stored_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest("--lambda-seed=20")
    pytester.runpytest("--lambda-seed=21", "-k", "nothing")
    assert _header(pytester.runpytest("--lambda-seed=last"))[0] == 20


def test_lf_replays_the_seed_of_the_failing_run_not_of_a_later_partial_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_s="""
        def test_a(lambda_seed):
            assert lambda_seed % 2 == 0

        def test_b():
            pass
        """
    )
    pytester.runpytest("-p", "no:randomly", "--lambda-seed=1001").assert_outcomes(
        failed=1, passed=1
    )
    pytester.runpytest("-p", "no:randomly", "--lambda-seed=1002", "test_s.py::test_b")
    plain = pytester.runpytest("-p", "no:randomly", "--lambda-seed=last", "-k", "test_b")
    assert _header(plain)[0] == 1002  # without --lf, last is the last run's seed
    rerun = pytester.runpytest("-p", "no:randomly", "--lf", "--lambda-seed=last")
    rerun.assert_outcomes(failed=1)
    assert _header(rerun)[0] == 1001


@pytest.mark.slow
def test_xdist_controller_stores_the_seed_and_workers_get_last(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        def test_a(lambda_seed):
            print("SEED=%d" % lambda_seed)

        def test_b(lambda_seed):
            print("SEED=%d" % lambda_seed)
        """
    )
    first = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly")
    first.assert_outcomes(passed=2)
    seed, _ = _header(first)
    again = pytester.runpytest_subprocess(
        "-n", "2", "-rA", "-p", "no:randomly", "--lambda-seed=last"
    )
    again.assert_outcomes(passed=2)
    assert _header(again) == (seed, "last run, from command line")
    seeds = {line.split("SEED=")[1].strip() for line in again.outlines if "SEED=" in line}
    assert seeds == {str(seed)}
