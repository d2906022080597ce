"""``pytest_lambda._cli.safe_write``: atomic writes that never follow a link or leave a part file."""

from __future__ import annotations

import errno
import os

import pytest

from pytest_lambda._cli.safe_write import Existing, inspect, write_atomic

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs, /dev/null")


@posix_only
def test_inspect_never_follows_a_link(tmp_path):
    (tmp_path / "file").write_bytes(b"data")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    os.mkfifo(tmp_path / "fifo")
    mode = (tmp_path / "file").stat().st_mode & 0o777
    assert inspect(str(tmp_path / "file")) == Existing("file", b"data", mode)
    assert inspect(str(tmp_path / "link")) == Existing("symlink")
    assert inspect(str(tmp_path / "fifo")) == Existing("stream")  # not opened: no hang
    assert inspect(str(tmp_path)) == Existing("directory")
    assert inspect(str(tmp_path / "none")) == Existing("missing")
    assert inspect(str(tmp_path / "file" / "below")) == Existing("missing")


def test_an_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    """Guards: Ctrl-C during a write must not leave a half file or a temporary file."""
    target = tmp_path / "event.json"
    target.write_bytes(b"old\n")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), b"new\n" * 1000, replace=True)
    assert os.listdir(tmp_path) == ["event.json"]
    assert target.read_bytes() == b"old\n"


def test_a_new_file_never_replaces_one_that_appeared(tmp_path):
    """Guards: replace=False (the target was missing when checked) cannot clobber a file."""
    target = tmp_path / "event.json"
    target.write_bytes(b"appeared\n")
    with pytest.raises(FileExistsError):
        write_atomic(str(target), b"new\n", replace=False)
    assert target.read_bytes() == b"appeared\n"
    assert os.listdir(tmp_path) == ["event.json"]


def test_without_hard_links_a_checked_rename_stands_in(tmp_path, monkeypatch):
    def no_link(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_link)
    target = tmp_path / "event.json"
    write_atomic(str(target), b"new\n", replace=False)
    assert target.read_bytes() == b"new\n"
    with pytest.raises(FileExistsError):
        write_atomic(str(target), b"other\n", replace=False)
    assert target.read_bytes() == b"new\n"
    assert os.listdir(tmp_path) == ["event.json"]


@posix_only
def test_replacing_keeps_the_permission_bits_given(tmp_path):
    target = tmp_path / "run.sh"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    write_atomic(str(target), b"new\n", replace=True, mode=inspect(str(target)).mode)
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes() == b"new\n"
