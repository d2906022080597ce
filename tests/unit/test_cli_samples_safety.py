"""``events samples`` never destroys a file it did not write (issue 15, data safety).

Each test guards one way today's main lost a user's file: replacing files in a folder
that merely has the right names, following a symbolic link out of the output folder,
leaving a half-written file, or ``--check`` advising the command that destroys a file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pytest_lambda._cli.samples import SAMPLES, render
from pytest_lambda._cli.samples_disk import MANIFEST, manifest_text
from pytest_lambda.cli import main

ROOT = Path(__file__).resolve().parents[2]
WHO = "'pytest-lambda events samples'"
NOT_OURS = f"not written by {WHO}, or changed since"
USER_README = "# My project\n\nHand-written notes.\n"
USER_EVENT = '{"Records": [{"body": "my captured event"}]}\n'

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs, /dev/null")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listing(directory):
    return {p.name: p.read_bytes() for p in Path(directory).iterdir()}


def temps(directory):
    return [p.name for p in Path(directory).iterdir() if p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def rendered():
    return render()


def test_a_users_files_in_the_folder_are_refused_and_nothing_is_written(
    capsys, tmp_path, monkeypatch
):
    """Guards: a user's event_samples/sqs_single.json and README.md were replaced, exit 0."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "event_samples"
    folder.mkdir()
    (folder / "sqs_single.json").write_text(USER_EVENT, "utf-8")
    (folder / "README.md").write_text(USER_README, "utf-8")
    before = listing(folder)
    assert run(capsys, "events", "samples") == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {os.path.join('event_samples', 'README.md')}: "
        f"{NOT_OURS} "
        "(1 more: sqs_single.json); move them away, or pass --force to replace them\n",
    )
    assert listing(folder) == before  # not one file written, not even the other samples
    # --check used to advise exactly the command that destroyed them
    code, out, _ = run(capsys, "events", "samples", "--check")
    assert code == 1
    assert out.startswith("event_samples is out of date (stale: README.md, sqs_single.json; ")
    assert out.splitlines()[1] == (
        f"README.md, sqs_single.json: not written by {WHO}, or changed since, so it will not "
        "overwrite them; move them out of event_samples, then regenerate with: "
        "pytest-lambda events samples (or destroy their contents with: "
        "pytest-lambda events samples --force)"
    )
    assert len(out.splitlines()) == 2


def test_out_dot_in_a_project_root_keeps_the_projects_readme(capsys, tmp_path, monkeypatch):
    """Guards: ``--out .`` in a project root replaced the project's README.md."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text(USER_README, "utf-8")
    (tmp_path / "package.json").write_text('{"name": "app"}\n', "utf-8")
    before = listing(tmp_path)
    assert run(capsys, "events", "samples", "--out", ".") == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {os.path.join('.', 'README.md')}: {NOT_OURS}; "
        "move it away, or pass --force to replace it\n",
    )
    assert listing(tmp_path) == before


@posix_only
def test_a_symlinked_readme_is_never_written_through(capsys, tmp_path, rendered):
    """Guards: with DIR/README.md a symlink, the file outside DIR was overwritten."""
    outside = tmp_path / "outside.md"
    outside.write_text(USER_README, "utf-8")
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "README.md").symlink_to(outside)
    assert run(capsys, "events", "samples", "--out", str(folder)) == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {folder / 'README.md'}: a symbolic link "
        "(--force replaces the link, never its target); move it away, or pass --force to "
        "replace it\n",
    )
    assert outside.read_text("utf-8") == USER_README
    assert [p.name for p in folder.iterdir()] == ["README.md"]
    # --force replaces the link itself; the file it pointed to is still untouched
    assert run(capsys, "events", "samples", "--out", str(folder), "--force")[0] == 0
    assert not (folder / "README.md").is_symlink()
    assert (folder / "README.md").read_text("utf-8") == rendered["README.md"]
    assert outside.read_text("utf-8") == USER_README


def test_force_replaces_the_users_files(capsys, tmp_path, rendered):
    """Guards: --force is the one way to replace files the command did not write."""
    (tmp_path / "sqs_single.json").write_text(USER_EVENT, "utf-8")
    (tmp_path / "README.md").write_text(USER_README, "utf-8")
    code, out, err = run(capsys, "events", "samples", "--out", str(tmp_path), "--force")
    assert (code, err) == (0, "")
    assert (
        out == f"{tmp_path}: wrote {len(SAMPLES)} samples and README.md ({len(rendered)} changed)\n"
    )
    assert (tmp_path / "sqs_single.json").read_text("utf-8") == rendered["sqs_single.json"]
    assert (tmp_path / "README.md").read_text("utf-8") == rendered["README.md"]
    # from now on the files are the command's: a plain rerun needs no --force
    assert run(capsys, "events", "samples", "--out", str(tmp_path))[0] == 0


def test_a_generated_file_edited_since_is_refused_and_check_says_force_destroys_it(
    capsys, tmp_path, rendered
):
    """Guards: --check advised exactly the command that destroys the edited file."""
    folder = tmp_path / "samples"
    assert run(capsys, "events", "samples", "--out", str(folder))[0] == 0
    (folder / "sqs_single.json").write_text(USER_EVENT, "utf-8")
    command = f"pytest-lambda events samples --out {folder}"
    assert run(capsys, "events", "samples", "--check", "--out", str(folder)) == (
        1,
        f"{folder} is out of date (stale: sqs_single.json)\n"
        f"sqs_single.json: not written by {WHO}, or changed since, so it will not overwrite "
        f"it; move it out of {folder}, then regenerate with: {command} (or destroy its "
        f"contents with: {command} --force)\n",
        "",
    )
    # the advice holds: the plain command refuses and keeps the edit ...
    assert run(capsys, "events", "samples", "--out", str(folder)) == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {folder / 'sqs_single.json'}: {NOT_OURS}; "
        "move it away, or pass --force to replace it\n",
    )
    assert (folder / "sqs_single.json").read_text("utf-8") == USER_EVENT
    # ... and works once the file is moved away
    (folder / "sqs_single.json").rename(tmp_path / "mine.json")
    assert run(capsys, "events", "samples", "--out", str(folder))[0] == 0
    assert (folder / "sqs_single.json").read_text("utf-8") == rendered["sqs_single.json"]


def test_rerun_over_its_own_output_replaces_and_removes_only_unchanged_files(capsys, tmp_path):
    """Guards: stale files the command wrote are replaced; extra files are removed only if ours."""
    folder = tmp_path / "samples"
    assert run(capsys, "events", "samples", "--out", str(folder))[0] == 0
    on_disk = listing(folder)
    del on_disk[MANIFEST]
    # an older version wrote a different sqs_single.json and two files since dropped
    older = {"sqs_single.json": b"{}\n", "dropped.json": b"{}\n", "edited.json": b"{}\n"}
    (folder / MANIFEST).write_bytes(manifest_text({**on_disk, **older}))
    for name, data in older.items():
        (folder / name).write_bytes(data)
    (folder / "edited.json").write_text(USER_EVENT, "utf-8")  # changed by the user since
    code, out, err = run(capsys, "events", "samples", "--out", str(folder))
    assert (code, out, err) == (
        0,
        f"{folder}: wrote {len(SAMPLES)} samples and README.md (1 changed, removed dropped.json)\n",
        "pytest-lambda: note: left files not in the sample set: edited.json\n",
    )
    assert (folder / "edited.json").read_text("utf-8") == USER_EVENT
    assert not (folder / "dropped.json").exists()
    # --check does not advise deleting the user's file either
    assert run(capsys, "events", "samples", "--check", "--out", str(folder))[1] == (
        f"{folder} is out of date (unexpected: edited.json)\n"
        f"regenerate with: pytest-lambda events samples --out {folder}\n"
        f"not in the sample set and not written by {WHO}, so it leaves them in place: "
        "edited.json\n"
    )


def test_a_folder_without_a_manifest_is_adopted_when_its_files_are_already_right(
    capsys, tmp_path, rendered
):
    """Guards: a folder an older version wrote (no manifest) reruns cleanly; nothing replaced."""
    for name, text in rendered.items():
        (tmp_path / name).write_text(text, "utf-8")
    code, out, _ = run(capsys, "events", "samples", "--out", str(tmp_path))
    assert (code, out) == (
        0,
        f"{tmp_path}: wrote {len(SAMPLES)} samples and README.md (0 changed)\n",
    )
    assert (tmp_path / MANIFEST).read_bytes() == manifest_text(
        {n: t.encode() for n, t in rendered.items()}
    )


@pytest.mark.parametrize("text", ['{"mine": true}\n', "[1, 2]\n", "not json\n"])
def test_a_file_of_the_manifests_name_that_is_not_one_is_refused(capsys, tmp_path, text):
    """Guards: the manifest's own name is not a licence to overwrite a user's file."""
    (tmp_path / MANIFEST).write_text(text, "utf-8")
    code, _, err = run(capsys, "events", "samples", "--out", str(tmp_path))
    assert code == 2
    assert err == (
        f"pytest-lambda: error: not overwriting {tmp_path / MANIFEST}: {NOT_OURS}; "
        "move it away, or pass --force to replace it\n"
    )
    assert listing(tmp_path) == {MANIFEST: text.encode()}


def test_a_directory_in_the_way_is_refused_even_with_force(capsys, tmp_path):
    """Guards: --force never removes a directory; nothing is written."""
    (tmp_path / "sqs_single.json").mkdir()
    assert run(capsys, "events", "samples", "--out", str(tmp_path), "--force") == (
        2,
        "",
        f"pytest-lambda: error: cannot write {tmp_path / 'sqs_single.json'}: it is a directory; "
        "move it away\n",
    )
    assert [p.name for p in tmp_path.iterdir()] == ["sqs_single.json"]


def test_a_failure_mid_write_leaves_no_half_file_and_no_temp(capsys, tmp_path, monkeypatch):
    """Guards: an interrupted write left a truncated sample; now the old file stays whole."""
    folder = tmp_path / "samples"
    assert run(capsys, "events", "samples", "--out", str(folder))[0] == 0
    stale = {"sqs_single.json": b'{"old": "generation"}\n'}
    on_disk = listing(folder)
    del on_disk[MANIFEST]
    (folder / "sqs_single.json").write_bytes(stale["sqs_single.json"])
    (folder / MANIFEST).write_bytes(manifest_text({**on_disk, **stale}))
    before = listing(folder)

    def failing_fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    assert run(capsys, "events", "samples", "--out", str(folder)) == (
        2,
        "",
        f"pytest-lambda: error: cannot write samples to {folder}: Input/output error\n",
    )
    assert listing(folder) == before
    assert temps(folder) == []


def test_the_repository_manifest_is_current(rendered):
    """Guards: the repository's event_samples/ can be regenerated without --force."""
    expected = manifest_text({n: t.encode("utf-8") for n, t in rendered.items()})
    assert (ROOT / "event_samples" / MANIFEST).read_bytes() == expected


def test_out_naming_a_file_is_refused_and_the_file_kept(capsys, tmp_path):
    """Guards: --out FILE is a usage error naming it; the file is not touched."""
    target = tmp_path / "notes.txt"
    target.write_text("mine\n", "utf-8")
    assert run(capsys, "events", "samples", "--out", str(target), "--force") == (
        2,
        "",
        f"pytest-lambda: error: cannot write samples to {target}: it is not a directory\n",
    )
    assert listing(tmp_path) == {"notes.txt": b"mine\n"}
