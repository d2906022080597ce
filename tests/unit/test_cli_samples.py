"""``pytest-lambda events samples``: the event_samples/ set, its README and --check."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pytest_lambda import events
from pytest_lambda._cli.samples import SAMPLES, render
from pytest_lambda._cli.samples_disk import MANIFEST, manifest_text
from pytest_lambda.cli import main

ROOT = Path(__file__).resolve().parents[2]
REPO_SAMPLES = ROOT / "event_samples"

#: The samples issue 7 asks for, at least.
REQUIRED = {
    "apigw_v1_get_query", "apigw_v1_post_json", "apigw_v1_binary_upload",
    "apigw_v1_cognito_authorizer", "apigw_v2_get_cookies", "apigw_v2_post",
    "apigw_v2_jwt_authorizer", "s3_put", "s3_put_encoded_key", "s3_delete", "sns_plain",
    "sns_attributes", "sqs_single", "sqs_batch", "sqs_fifo_batch", "sqs_attributes",
    "sqs_sns_envelope", "kinesis_single", "kinesis_batch",
}  # fmt: skip


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def rendered():
    return render()


def _record(out_dir, files):
    """Write ``files`` (name → bytes) into ``out_dir`` as the command would have: manifest too."""
    on_disk = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.name != MANIFEST}
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    (out_dir / MANIFEST).write_bytes(manifest_text({**on_disk, **files}))


def test_the_repository_samples_are_up_to_date(capsys):
    code, out, _ = run(capsys, "events", "samples", "--check", "--out", str(REPO_SAMPLES))
    assert code == 0, out
    assert out == f"{REPO_SAMPLES}: {len(SAMPLES)} samples and README.md up to date\n"


def test_the_set_covers_the_issue(rendered):
    names = {s.name for s in SAMPLES}
    assert names >= REQUIRED
    assert len(names) == len(SAMPLES)
    assert set(rendered) == {f"{n}.json" for n in names} | {"README.md"}


def test_every_sample_is_a_valid_realistic_event_of_its_kind(rendered):
    for sample in SAMPLES:
        event = json.loads(rendered[sample.filename])
        assert events.validate(event, invariants=True) == sample.kind, sample.name
        assert sample.name.startswith(sample.kind), sample.name


def test_samples_show_what_their_names_say(rendered):
    def load(name):
        return json.loads(rendered[f"{name}.json"])

    v1 = load("apigw_v1_get_query")
    assert v1["multiValueQueryStringParameters"]["tag"] == ["gift", "express"]
    assert v1["queryStringParameters"]["tag"] == "express"
    assert load("apigw_v1_binary_upload")["isBase64Encoded"] is True
    assert "claims" in load("apigw_v1_cognito_authorizer")["requestContext"]["authorizer"]
    assert load("apigw_v2_get_cookies")["cookies"] == ["session=7f3a9c", "theme=dark"]
    assert "jwt" in load("apigw_v2_jwt_authorizer")["requestContext"]["authorizer"]
    assert load("s3_put_encoded_key")["Records"][0]["s3"]["object"]["key"] == (
        "holiday+photos/caf%C3%A9+%2B+beach+%281%29.jpg"
    )
    assert load("s3_delete")["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert load("sns_attributes")["Records"][0]["Sns"]["MessageAttributes"]
    assert len(load("sqs_batch")["Records"]) == 5
    fifo = load("sqs_fifo_batch")["Records"]
    assert len(fifo) == 3
    assert all("SequenceNumber" in r["attributes"] for r in fifo)
    assert load("sqs_attributes")["Records"][0]["messageAttributes"]
    envelope = json.loads(load("sqs_sns_envelope")["Records"][0]["body"])
    assert envelope["Type"] == "Notification"
    assert len(load("kinesis_batch")["Records"]) == 5


def test_readme_has_one_line_per_sample(rendered):
    readme = rendered["README.md"]
    assert readme.startswith("# Event samples\n")
    assert "Regenerate: `pytest-lambda events samples`." in readme
    for sample in SAMPLES:
        lines = [line for line in readme.splitlines() if f"`{sample.filename}`" in line]
        assert lines == [
            f"- `{sample.filename}` ({sample.kind}, seed {sample.seed}): {sample.shows}."
        ]


def test_render_is_deterministic(rendered):
    assert render() == rendered


def test_write_then_check(capsys, tmp_path, rendered):
    out_dir = tmp_path / "samples"
    code, out, err = run(capsys, "events", "samples", "--out", str(out_dir))
    assert (code, err) == (0, "")
    assert (
        out == f"{out_dir}: wrote {len(SAMPLES)} samples and README.md ({len(rendered)} changed)\n"
    )
    assert {p.name: p.read_text("utf-8") for p in out_dir.iterdir() if p.name != MANIFEST} == (
        rendered
    )
    assert run(capsys, "events", "samples", "--out", str(out_dir))[1] == (
        f"{out_dir}: wrote {len(SAMPLES)} samples and README.md (0 changed)\n"
    )
    assert run(capsys, "events", "samples", "--check", "--out", str(out_dir)) == (
        0,
        f"{out_dir}: {len(SAMPLES)} samples and README.md up to date\n",
        "",
    )


def test_check_names_stale_missing_and_unexpected_files(capsys, tmp_path):
    out_dir = tmp_path / "samples"
    assert run(capsys, "events", "samples", "--out", str(out_dir))[0] == 0
    # what an older version of the command wrote: stale, but the manifest says it is ours
    stale = {"sqs_single.json": b"{}\n", "old.json": b"{}\n", "s3_put.json": b""}
    _record(out_dir, stale)
    (out_dir / "s3_put.json").unlink()
    assert run(capsys, "events", "samples", "--check", "--out", str(out_dir)) == (
        1,
        f"{out_dir} is out of date (stale: sqs_single.json; missing: s3_put.json; "
        "unexpected: old.json)\n"
        f"regenerate with: pytest-lambda events samples --out {out_dir}\n",
        "",
    )
    # regenerating fixes all three, and removes the unexpected file the command wrote
    code, out, _ = run(capsys, "events", "samples", "--out", str(out_dir))
    assert code == 0
    assert (
        out
        == f"{out_dir}: wrote {len(SAMPLES)} samples and README.md (2 changed, removed old.json)\n"
    )
    assert run(capsys, "events", "samples", "--check", "--out", str(out_dir))[0] == 0


def test_check_of_the_default_directory_names_the_plain_command(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "event_samples").mkdir()
    code, out, _ = run(capsys, "events", "samples", "--check")
    assert code == 1
    assert out.endswith("\nregenerate with: pytest-lambda events samples\n")
    assert out.startswith("event_samples is out of date (missing: README.md, alb_get.json, ")


def test_write_keeps_foreign_files_in_a_directory_it_did_not_create(capsys, tmp_path):
    (tmp_path / "mine.json").write_text("{}", "utf-8")
    code, _, err = run(capsys, "events", "samples", "--out", str(tmp_path))
    assert code == 0
    assert (tmp_path / "mine.json").exists()
    assert err == "pytest-lambda: note: left files not in the sample set: mine.json\n"


def test_unwritable_out_is_a_usage_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    code, out, err = run(capsys, "events", "samples", "--out", str(blocker / "sub"))
    assert (code, out) == (2, "")
    assert err.startswith(f"pytest-lambda: error: cannot write samples to {blocker / 'sub'}: ")
    assert err.count("\n") == 1


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal(capsys, tmp_path, monkeypatch):
    assert run(capsys, "events", "samples", "--check", "--out", str(tmp_path))[2] == ""
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["events", "samples", "--check", "--out", str(tmp_path)]) == 1
    shown = tty.getvalue()
    assert f"[1/{len(SAMPLES)}] {SAMPLES[0].name}" in shown
    assert f"[{len(SAMPLES)}/{len(SAMPLES)}] {SAMPLES[-1].name}" in shown
    assert shown.endswith("\r\x1b[K")  # the line is cleared at the end


def test_check_without_the_directory_says_so(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["events", "samples", "--check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"event_samples/ does not exist here ({tmp_path}): ")
    assert out.rstrip().endswith("create it with: pytest-lambda events samples")
