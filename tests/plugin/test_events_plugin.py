"""The lambda_event / lambda_seed fixtures, seed options, header and replay line (pytester)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.usefixtures("_clean_seed_env")


@pytest.fixture
def _clean_seed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTEST_LAMBDA_SEED", "PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_REGION"):
        monkeypatch.delenv(name, raising=False)


DUMP_TEST = """
import json

def test_dump(lambda_event):
    print("EVENT=" + json.dumps(lambda_event.sqs(records=2), sort_keys=True))
"""


def _dumped(result: pytest.RunResult) -> str:
    lines = [line[line.index("EVENT=") :] for line in result.outlines if "EVENT=" in line]
    assert len(lines) == 1, result.outlines
    return lines[0]


def test_header_shows_seed_from_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest("--lambda-seed=1234")
    result.stdout.fnmatch_lines(["lambda: seed=1234 (command line)"])
    result.assert_outcomes(passed=1)


def test_seed_precedence_cli_env_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nlambda_seed = 11\n")
    pytester.makepyfile("def test_ok(): pass")
    pytester.runpytest().stdout.fnmatch_lines(["lambda: seed=11 (ini lambda_seed)"])
    monkeypatch.setenv("PYTEST_LAMBDA_SEED", "22")
    pytester.runpytest().stdout.fnmatch_lines(["lambda: seed=22 (env PYTEST_LAMBDA_SEED)"])
    pytester.runpytest("--lambda-seed=33").stdout.fnmatch_lines(["lambda: seed=33 (command line)"])


def test_random_seed_is_printed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest()
    result.stdout.re_match_lines([r"lambda: seed=\d+ \(random\)"])


def test_bad_seed_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest("--lambda-seed=abc")
    result.stderr.fnmatch_lines(
        [
            "*--lambda-seed='abc' is not an integer, nor 'last' (the previous run's seed) "
            "(from command line)*"
        ]
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_same_seed_same_events_different_seed_different(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DUMP_TEST)
    first = _dumped(pytester.runpytest("-s", "--lambda-seed=5"))
    again = _dumped(pytester.runpytest("-s", "--lambda-seed=5"))
    other = _dumped(pytester.runpytest("-s", "--lambda-seed=6"))
    assert first == again
    assert first != other
    event = json.loads(first.removeprefix("EVENT="))
    assert len(event["Records"]) == 2


def test_events_differ_between_tests_and_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        seen = []

        def test_a(lambda_event):
            seen.append(lambda_event.sqs()["Records"][0]["messageId"])
            seen.append(lambda_event("sqs")["Records"][0]["messageId"])

        def test_b(lambda_event):
            seen.append(lambda_event.sqs()["Records"][0]["messageId"])
            assert len(set(seen)) == 3
        """
    )
    # test_b checks what test_a saw: the inner run keeps the file's order under pytest-randomly
    pytester.runpytest("--lambda-seed=1", "-p", "no:randomly").assert_outcomes(passed=2)


def test_failing_test_that_used_events_shows_replay_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails(lambda_event):
            lambda_event.sqs()
            assert False

        def test_fails_without_events():
            assert False
        """
    )
    result = pytester.runpytest("--lambda-seed=4242")
    result.assert_outcomes(failed=2)
    assert result.stdout.str().count("reproduce with --lambda-seed=4242") == 1


def test_lambda_seed_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json
        import pytest

        @pytest.fixture
        def lambda_seed():
            return 99

        def test_dump(lambda_event):
            assert lambda_event.seed == 99
            print("EVENT=" + json.dumps(lambda_event.sqs(), sort_keys=True))
        """
    )
    first = _dumped(pytester.runpytest("-s", "--lambda-seed=1"))
    second = _dumped(pytester.runpytest("-s", "--lambda-seed=2"))
    assert first == second


def test_configured_region_applies_to_events(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_region(lambda_event):
            assert lambda_event.sqs()["Records"][0]["awsRegion"] == "eu-west-1"
            assert lambda_event.sqs(region="ap-south-1")["Records"][0]["awsRegion"] == "ap-south-1"
        """
    )
    pytester.runpytest("--lambda-region=eu-west-1").assert_outcomes(passed=1)


@pytest.mark.slow
def test_xdist_workers_use_the_controllers_seed(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        test_one=DUMP_TEST,
        test_two=DUMP_TEST.replace("test_dump", "test_dump_two"),
    )
    serial = pytester.runpytest("-s", "--lambda-seed=77", "-p", "no:randomly")
    serial.assert_outcomes(passed=2)
    parallel = pytester.runpytest_subprocess(
        "-n", "2", "--lambda-seed=77", "-p", "no:randomly", "-rA"
    )
    parallel.assert_outcomes(passed=2)
    # Workers report the seed they got from the controller; the events are the same as serial.
    serial_events = sorted(
        line[line.index("EVENT=") :] for line in serial.outlines if "EVENT=" in line
    )
    parallel_events = sorted(
        line.split("EVENT=", 1)[1] for line in parallel.outlines if "EVENT=" in line
    )
    assert [e.removeprefix("EVENT=") for e in serial_events] == parallel_events


@pytest.mark.slow
def test_xdist_random_seed_is_shared(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        def test_a(lambda_seed, request):
            print("SEED=%d" % lambda_seed)

        def test_b(lambda_seed):
            print("SEED=%d" % lambda_seed)
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "-rA", "-p", "no:randomly")
    seeds = {line.split("SEED=")[1].strip() for line in result.outlines if "SEED=" in line}
    header = [line for line in result.outlines if line.startswith("lambda: seed=")]
    assert len(seeds) == 1, result.outlines
    assert header
    assert header[0].startswith(f"lambda: seed={seeds.pop()} (random)")


def test_events_come_from_the_functions_region_and_account(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_default(lambda_event, lambda_context):
            record = lambda_event.sqs()["Records"][0]
            assert record["awsRegion"] == "us-east-1"
            assert record["eventSourceARN"].split(":")[4] == "123456789012"
            assert lambda_context.invoked_function_arn.split(":")[4] == "123456789012"

        @pytest.mark.lambda_handler("app.handler", region="eu-west-1")
        def test_marker_region(lambda_event):
            assert lambda_event.kinesis()["Records"][0]["awsRegion"] == "eu-west-1"

        def test_explicit_wins(lambda_event):
            event = lambda_event.sqs(region="ap-south-1", account_id="210987654321")
            assert event["Records"][0]["eventSourceARN"].startswith(
                "arn:aws:sqs:ap-south-1:210987654321:"
            )
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)
    pytester.runpytest(
        "-p", "no:randomly", "--lambda-region=eu-central-1", "-k", "explicit"
    ).assert_outcomes(passed=1)


CLOCK_TESTS = """
import pytest
from datetime import datetime, timezone

FROZEN_MS = int(datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp() * 1000)


@pytest.mark.lambda_clock("2024-05-01T12:00:00Z")
def test_events_happen_at_the_frozen_clock(lambda_event):
    sqs = lambda_event.sqs()
    sent = int(sqs["Records"][0]["attributes"]["SentTimestamp"])
    assert FROZEN_MS - 60_000 < sent <= FROZEN_MS
    http = lambda_event.apigw_v2()
    assert FROZEN_MS - 1000 < http["requestContext"]["timeEpoch"] <= FROZEN_MS


@pytest.mark.lambda_clock("2024-05-01T12:00:00Z")
def test_an_explicit_time_wins(lambda_event):
    http = lambda_event.apigw_v2(time="2025-01-01T00:00:00Z")
    assert 1735689600000 - 1000 < http["requestContext"]["timeEpoch"] <= 1735689600000


def test_the_clock_moved_in_the_test(lambda_event, lambda_clock):
    lambda_clock.move_to("2030-02-03T04:05:06Z")
    http = lambda_event.apigw_v2()
    assert 1896321906000 - 1000 < http["requestContext"]["timeEpoch"] <= 1896321906000


def test_a_real_clock_leaves_seeded_times(lambda_event, lambda_clock):
    first = lambda_event.apigw_v2(seed=5)["requestContext"]["timeEpoch"]
    assert first == lambda_event.apigw_v2(seed=5)["requestContext"]["timeEpoch"]


@pytest.mark.lambda_clock("1999-01-01T00:00:00Z")
def test_a_clock_before_the_generators_range_is_a_clear_error(lambda_event):
    from pytest_lambda import InvalidEventSpec

    with pytest.raises(InvalidEventSpec, match="frozen at 1999-01-01T00:00:00Z, outside the years"):
        lambda_event.sqs()
    assert lambda_event.sqs(time="2024-01-01T00:00:00Z")["Records"]
"""


def test_events_follow_a_frozen_lambda_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_clock_events=CLOCK_TESTS)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


RANDOMLY_TESTS = """
import json, random

import faker
import pytest

SCHEMA = {
    "type": "object",
    "required": ["name", "city", "email", "amount"],
    "properties": {
        "name": {"type": "string"}, "city": {"type": "string"},
        "email": {"type": "string"}, "amount": {"type": "integer"},
    },
}

def dump(name, event):
    print(f"EVENT {name}=" + json.dumps(event, sort_keys=True))

def test_sqs(lambda_event):
    random.random()
    dump("sqs", lambda_event.sqs(records=3))

def test_schema_bodies(lambda_event):
    faker.Faker().name()
    dump("apigw_v2", lambda_event.apigw_v2(body_schema=SCHEMA))
    dump("sqs_schema", lambda_event.sqs(records=2, body_schema=SCHEMA))

@pytest.mark.parametrize("kind", ["s3", "sns", "kinesis", "apigw_v1"])
def test_kinds(lambda_event, kind):
    random.seed()
    dump(kind, lambda_event(kind))
"""


@pytest.mark.slow
def test_the_same_lambda_seed_gives_the_same_events_whatever_pytest_randomly_does(
    pytester: pytest.Pytester,
) -> None:
    """pytest-randomly reseeds ``random`` and Faker before every test and shuffles the order:
    the events of a ``--lambda-seed`` must not depend on its seed, on the order, or on its
    presence (guards the plugin next to pytest-randomly, issue 15)."""
    pytest.importorskip("pytest_randomly")
    pytester.makepyfile(test_randomly=RANDOMLY_TESTS)

    def events(*args: str) -> dict[str, str]:
        result = pytester.runpytest("-s", "-p", "no:cacheprovider", "--lambda-seed=4242", *args)
        result.assert_outcomes(passed=6)
        dumped = dict(
            line[line.index("EVENT ") + 6 :].split("=", 1)
            for line in result.outlines
            if "EVENT " in line
        )
        assert len(dumped) == 7, result.outlines
        return dumped

    plain = events("-p", "no:randomly")
    assert events("-p", "randomly", "--randomly-seed=1") == plain
    assert events("-p", "randomly", "--randomly-seed=2") == plain
    assert events("-p", "randomly", "--randomly-seed=3", "--randomly-dont-reorganize") == plain
    assert events("-p", "no:randomly", "--lambda-seed=4243") != plain
