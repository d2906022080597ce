"""``pytest-lambda check``: set-up problems, --env/--layer/--path, --json, and reproduce lines that reproduce."""

from __future__ import annotations

import json
import shlex
import textwrap
from pathlib import Path

import pytest

from pytest_lambda.cli import main

READS_ENV = """
import os

def handler(event, context):
    table = os.environ["TABLE_NAME"]
    return {"batchItemFailures": [], "table": table}
"""

NEEDS_LIB = """
import layerlib

def handler(event, context):
    return {"batchItemFailures": [], "lib": layerlib.NAME}
"""

LEAKS_USER = """
_last_user = None

def handler(event, context):
    global _last_user
    previous = _last_user
    _last_user = event["Records"][0]["messageId"]
    return {"batchItemFailures": [], "previous": previous}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TABLE_NAME", raising=False)

    def write(source: str, name: str = "app") -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))

    return write


def test_a_missing_environment_variable_is_one_set_up_problem(project, tmp_path, capsys):
    project(READS_ENV)
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "3"]) == 1
    out = capsys.readouterr().out
    assert out == (
        "FAILED app.handler::sqs::invokes\n"
        "app.handler: a set-up problem, not a bug of the handler (setup.missing-env-var), so "
        "the checks on sqs events did not run\n"
        "every event (2 of 2) failed the same way:\n"
        "  KeyError: 'TABLE_NAME'\n"
        "the handler reads the environment variable TABLE_NAME with os.environ['TABLE_NAME'] "
        "and it is not set\n"
        "\n"
        "Fix: give the function the variable: pytest-lambda check --env TABLE_NAME=VALUE; for "
        "the pytest suite, set it where pytest runs (TABLE_NAME=VALUE pytest ...); in your own "
        "tests, LambdaRunner(env={'TABLE_NAME': VALUE}) or monkeypatch.setenv('TABLE_NAME', "
        "VALUE)\n"
        "reproduce with --lambda-seed=3: pytest --lambda-handler=app.handler "
        "--lambda-events=sqs --lambda-seed=3 -k 'sqs and invokes'  (or: pytest-lambda check "
        f"app.handler --events sqs --seed 3 --root {tmp_path})\n"
        "\n"
        "app.handler (seed 3)\n"
        "  kind      invokes     idempotent  warm-reuse  robust    invocations\n"
        "  sqs       failed      skipped     skipped     skipped   2\n"
        "1 failed, 3 skipped\n"
        f"reproduce with: pytest-lambda check app.handler --events sqs --seed 3 --root {tmp_path}\n"
    )


def test_env_supplies_the_variable(project, capsys):
    project(READS_ENV)
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "3", "--env", "TABLE_NAME=t"]
    assert main(argv) == 0, capsys.readouterr().out


def test_a_variable_read_at_import_is_the_same_set_up_problem(project, capsys):
    project('import os\nTABLE = os.environ["TABLE_NAME"]\n\ndef handler(e, c):\n    return {}\n')
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "3", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["handler"] == "app.handler"
    assert [(r["check"], r["verdict"]) for r in doc["results"]] == [
        ("invokes", "failed"),
        ("idempotent", "not-run"),
        ("warm-reuse", "not-run"),
        ("robust", "not-run"),
    ]
    assert doc["results"][0]["findings"] == [
        {
            "code": "setup.missing-env-var",
            "severity": "error",
            "message": "the handler reads the environment variable TABLE_NAME with "
            "os.environ['TABLE_NAME'] and it is not set; fix: give the function the variable: "
            "pytest-lambda check --env TABLE_NAME=VALUE; for the pytest suite, set it where "
            "pytest runs (TABLE_NAME=VALUE pytest ...); in your own tests, "
            "LambdaRunner(env={'TABLE_NAME': VALUE}) or monkeypatch.setenv('TABLE_NAME', VALUE)",
        }
    ]


def test_a_handler_that_fails_on_some_events_only_is_not_a_set_up_problem(project, capsys):
    project(
        """
        import os

        def handler(event, context):
            if event["Records"][0]["messageId"] < "8":
                return {"batchItemFailures": []}
            return {"t": os.environ["TABLE_NAME"]}
        """
    )
    main(["check", "app.handler", "--events", "sqs", "--seed", "3"])
    assert "set-up problem" not in capsys.readouterr().out


def test_layer_and_path_put_folders_on_the_import_path(project, tmp_path, capsys, monkeypatch):
    import sys

    # another test's layer module may still be in sys.modules (random order): not imported here
    monkeypatch.delitem(sys.modules, "layerlib", raising=False)
    project(NEEDS_LIB)
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "layerlib.py").write_text("NAME = 'from the layer'\n")
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "3"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "(setup.import-error)" in out
    assert (
        "  Runtime.ImportModuleError: Unable to import module 'app': No module named 'layerlib'\n"
        in out
    )
    assert main([*argv, "--layer", str(layer)]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main([*argv, "--path", str(layer / "python")]) == 0, capsys.readouterr().out


def test_a_layer_with_site_packages_puts_them_first(project, tmp_path, capsys):
    import sys

    project(NEEDS_LIB)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = tmp_path / "layer" / "python" / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (site / "layerlib.py").write_text("NAME = 'site'\n")
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "3", "--layer", "layer"]
    assert main(argv) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--layer", "nowhere"], "--layer nowhere: not a directory"),
        (
            ["--layer", "."],
            "--layer .: not a Lambda layer folder (no python/ in it); give the folder that "
            "holds python/, or the folder itself with --path",
        ),
        (["--path", "nowhere"], "--path nowhere: not a directory"),
        (
            ["--env", "NOEQUALS"],
            "argument --env: expected NAME=VALUE, got 'NOEQUALS' (see 'pytest-lambda check --help')",
        ),
        (
            ["--env", "AWS_REGION=eu-west-1"],
            "--env: env['AWS_REGION']: Lambda reserves this variable (CreateFunction rejects "
            "it); set it with --region",
        ),
    ],
)
def test_bad_set_up_flags_exit_2_with_one_line(project, capsys, extra, error):
    project(READS_ENV)
    assert main(["check", "app.handler", "--events", "sqs", *extra]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"pytest-lambda: error: {error}"


def test_json_lists_every_check_with_its_findings_codes(project, capsys):
    project(LEAKS_USER)
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "3", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"handler", "seed", "results"}
    assert doc["seed"] == 3
    by_check = {r["check"]: r for r in doc["results"]}
    assert {r["kind"] for r in doc["results"]} == {"sqs"}
    assert by_check["invokes"] == {
        "kind": "sqs", "check": "invokes", "verdict": "passed", "findings": [], "note": "",
    }  # fmt: skip
    assert by_check["idempotent"]["note"].startswith("state not observed")  # passed*
    warm = by_check["warm-reuse"]
    assert warm["verdict"] == "failed"
    codes = {(f["code"], f["severity"]) for f in warm["findings"]}
    assert ("leaks.module-global", "error") in codes
    assert all(set(f) == {"code", "severity", "message"} for f in warm["findings"])


def test_a_printed_reproduce_line_reproduces_the_failure(project, tmp_path, capsys, monkeypatch):
    project(
        """
        import os
        import layerlib

        _last_user = None

        def handler(event, context):
            global _last_user
            previous = _last_user
            _last_user = event["Records"][0]["messageId"] + os.environ["SUFFIX"]
            return {"batchItemFailures": [], "previous": previous, "lib": layerlib.NAME}
        """
    )
    layer = tmp_path / "layer" / "python"
    layer.mkdir(parents=True)
    (layer / "layerlib.py").write_text("NAME = 'x'\n")
    argv = [
        "check", "app.handler", "--events", "sqs", "--seed", "11", "--env", "SUFFIX=-a b",
        "--layer", "layer", "--timeout", "2", "--memory", "256",
    ]  # fmt: skip
    assert main(argv) == 1
    first = capsys.readouterr().out
    line = first.splitlines()[-1]
    assert line == (
        f"reproduce with: pytest-lambda check app.handler --events sqs --seed 11 --root {tmp_path} "
        f"--env 'SUFFIX=-a b' --layer {tmp_path / 'layer'} --timeout 2 --memory 256"
    )
    words = shlex.split(line.removeprefix("reproduce with: "))
    assert "FAILED app.handler::sqs::warm-reuse\n" in first
    monkeypatch.chdir("/")  # the line carries --root: it runs from anywhere
    assert main(words[1:]) == 1
    assert capsys.readouterr().out == first


def test_a_layer_module_is_forgotten_after_the_run_that_had_the_layer(project, tmp_path, capsys):
    project(NEEDS_LIB)
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "layerlib.py").write_text("NAME = 'from the layer'\n")
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "3"]
    assert main([*argv, "--layer", str(layer)]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(argv) == 1  # without the layer, as on Lambda: layerlib cannot be imported
    assert "No module named 'layerlib'" in capsys.readouterr().out
