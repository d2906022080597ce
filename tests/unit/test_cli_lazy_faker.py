"""Faker is imported only by commands that draw Faker values (issue 19).

``pytest-lambda --help``, ``events list``, ``events validate FILE`` and ``invoke`` with an
event file generate nothing, so they must not pay Faker's import (~70 ms of a ~200 ms
start); ``events generate`` draws words from Faker's lists and does import it (the control
that shows the probe can see Faker).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROBE = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from pytest_lambda.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(json.loads(sys.argv[1]))
        except SystemExit as exc:
            code = exc.code
    print(json.dumps({"code": code, "faker": "faker" in sys.modules,
                      "jsonschema": "jsonschema" in sys.modules}))
    """
)


def _probe(argv: list[str], cwd: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    probed: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return probed


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return len(event)\n")
    from pytest_lambda import events

    (tmp_path / "event.json").write_text(json.dumps(events.sqs(seed=1)))
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["events", "list"],
        ["events", "list", "sqs"],
        ["events", "validate", "event.json"],
        ["invoke", "app.handler", "--event", "event.json"],
    ],
    ids=["help", "events-list", "events-list-kind", "events-validate", "invoke-file"],
)
def test_commands_that_generate_nothing_do_not_import_faker(argv: list[str], app: Path) -> None:
    probed = _probe(argv, app)
    assert probed["code"] in (0, None)
    assert probed["faker"] is False


def test_generate_imports_faker(app: Path) -> None:
    probed = _probe(["events", "generate", "sqs", "--seed", "1"], app)
    assert (probed["code"], probed["faker"]) == (0, True)
