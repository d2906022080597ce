"""Side-effect points: botocore calls and user fault points are recorded and failed on demand."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import pytest

from pytest_lambda import InjectedFault, InvalidOption, LambdaTestError
from pytest_lambda._checks.fault_points import fault_point_hook
from pytest_lambda._checks.faults import Fault, Recorder, botocore_hook
from pytest_lambda._checks.statediff import diff, mask, render_diff


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pkg = tmp_path / "faultapp"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "db.py").write_text(
        textwrap.dedent(
            """
            ROWS = []
            def insert(row):
                ROWS.append(row)
                return len(ROWS)
            class Repo:
                def save(self, x):
                    ROWS.append(("save", x))
            """
        )
    )
    (pkg / "handler.py").write_text(
        textwrap.dedent(
            """
            from faultapp.db import insert, Repo
            def handler(event, context=None):
                insert(event)
                Repo().save(event)
                return "ok"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m.split(".")[0] == "faultapp"]:
        del sys.modules[name]


def _fresh_handler():
    for name in [m for m in sys.modules if m.split(".")[0] == "faultapp"]:
        del sys.modules[name]
    import faultapp.handler

    return faultapp.handler


@pytest.mark.usefixtures("app")
def test_user_points_are_recorded_and_failed_in_modules_imported_later() -> None:
    rec = Recorder()
    with fault_point_hook(["faultapp.db.insert", "faultapp.db.Repo.save"], rec):
        mod = _fresh_handler()  # imported while the hook is installed: a new environment
        rec.start()
        assert mod.handler({"a": 1}) == "ok"
        assert [c.point for c in rec.stop()] == ["faultapp.db.insert", "faultapp.db.Repo.save"]

        rec.start(Fault(0, "before", "faultapp.db.insert"))
        with pytest.raises(InjectedFault, match=r"before faultapp\.db\.insert was called") as info:
            mod.handler({"b": 1})
        rec.stop()
        # public: pytest_lambda.InjectedFault, a LambdaTestError and still a RuntimeError
        assert isinstance(info.value, LambdaTestError)
        assert isinstance(info.value, RuntimeError)
        assert type(info.value).__module__ == "pytest_lambda"
        rows = sys.modules["faultapp.db"].ROWS
        assert {"b": 1} not in rows

        rec.start(Fault(1, "after", "faultapp.db.Repo.save"))
        with pytest.raises(
            InjectedFault, match=r"after faultapp.db.Repo.save returned \(a lost acknowledgement\)"
        ):
            mod.handler({"c": 1})
        rec.stop()
        assert rows[-1] == ("save", {"c": 1})
        assert rec.fired is not None
        assert rec.fired.point == "faultapp.db.Repo.save"
    # uninstalled: the aliases point at the original function again
    assert not hasattr(mod.insert, "__pytest_lambda_point__")
    assert not hasattr(sys.modules["faultapp.db"].insert, "__pytest_lambda_point__")


@pytest.mark.usefixtures("app")
def test_points_in_already_imported_modules_and_their_aliases() -> None:
    mod = _fresh_handler()
    rec = Recorder()
    with fault_point_hook(["faultapp.db.insert"], rec):
        rec.start(Fault(0, "after", "faultapp.db.insert"))
        with pytest.raises(InjectedFault):
            mod.handler({"x": 1})
        rec.stop()
    assert sys.modules["faultapp.db"].ROWS == [{"x": 1}]


def test_bad_fault_point_names() -> None:
    with (
        pytest.raises(InvalidOption, match="fault point 'insert' is not a dotted name"),
        fault_point_hook(["insert"], Recorder()),
    ):
        pass


def test_botocore_calls_are_points_and_faults_look_like_network_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    rec = Recorder()
    with moto.mock_aws():
        # a shared library's module-level client, created before the hook
        before_hook = boto3.client("sqs", region_name="us-east-1")
        lib = types.ModuleType("shared_lib")
        lib.SQS = before_hook  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "shared_lib", lib)
        url = before_hook.create_queue(QueueName="q")["QueueUrl"]
        with botocore_hook(rec) as installed:
            assert installed
            during = boto3.resource("sqs", region_name="us-east-1").Queue(url)
            rec.start()
            before_hook.send_message(QueueUrl=url, MessageBody="one")
            during.send_message(MessageBody="two")
            calls = rec.stop()
            assert [c.point for c in calls] == ["sqs.SendMessage", "sqs.SendMessage"]
            assert "'MessageBody': 'two'" in calls[1].detail

            rec.start(Fault(0, "before", "sqs.SendMessage"))
            with pytest.raises(
                EndpointConnectionError, match=r"injected a fault before sqs\.SendMessage"
            ) as refused:
                before_hook.send_message(QueueUrl=url, MessageBody="never")
            rec.stop()
            rec.start(Fault(0, "after", "sqs.SendMessage"))
            with pytest.raises(ReadTimeoutError, match="lost acknowledgement") as lost:
                during.send_message(MessageBody="lost ack")
            rec.stop()
            # botocore's types for the handler, and ours like every error raised on purpose
            assert isinstance(refused.value, LambdaTestError)
            assert isinstance(lost.value, LambdaTestError)
        bodies = [
            m["Body"]
            for m in before_hook.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        ]
        assert sorted(bodies) == ["lost ack", "one", "two"]
        # uninstalled: nothing is recorded or failed any more
        rec.start(Fault(0, "before", "sqs.SendMessage"))
        before_hook.send_message(QueueUrl=url, MessageBody="free")
        assert rec.stop() == []


def test_diff_renders_added_removed_and_changed() -> None:
    changes = diff({"orders": ["a"], "n": 1, "gone": True}, {"orders": ["a", "a"], "n": 2})
    assert render_diff(changes).splitlines() == [
        "  + state['orders'][1]: 'a'",
        "  ~ state['n']: 1 → 2",
        "  - state['gone']: True",
    ]


def test_mask_hides_request_ids_in_json_bodies_and_timestamps() -> None:
    body = '{"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "at": "2026-01-02T03:04:05Z"}'
    masked, used = mask(
        {"statusCode": 200, "body": body},
        [("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "aws_request_id")],
    )
    assert masked == {
        "statusCode": 200,
        "body": '{"requestId": "<aws_request_id>", "at": "<timestamp>"}',
    }
    assert used == {"aws_request_id", "timestamp"}


def test_marker_options_validate_and_merge() -> None:
    from pytest_lambda._checks.idempotency.options import IdempotencyOptions

    opts = IdempotencyOptions.from_marker((), {"retries": 1, "fault_points": ["app.db.f"]})
    assert opts.keywords(faults=False) == {
        "retries": 1,
        "faults": False,
        "fault_points": ("app.db.f",),
        "seed": None,
        "partial_batch": True,
        "bisect": False,
    }
    with pytest.raises(
        TypeError, match="unexpected keyword\\(s\\) 'retry'; valid keywords: retries"
    ):
        IdempotencyOptions.from_marker((), {"retry": 1})
    with pytest.raises(TypeError, match="takes keywords only"):
        IdempotencyOptions.from_marker((1,), {})
    with pytest.raises(InvalidOption, match="retries=-1: expected an int >= 0"):
        IdempotencyOptions(retries=-1)
    with pytest.raises(InvalidOption, match=r"fault_points='app\.db\.f'"):
        IdempotencyOptions(fault_points="app.db.f")  # type: ignore[arg-type]
