"""FileBatch: files appear whole, together, after one sync; unchanged files are left alone."""

from __future__ import annotations

import os

import pytest

from monitor.publish.file_batch import FileBatch


@pytest.fixture
def syncs(monkeypatch):
    """Count the syncs (a sync leaves no trace a test could read back)."""
    calls = []
    real = os.sync
    monkeypatch.setattr(os, "sync", lambda: (calls.append(1), real())[1])
    return calls


def test_files_appear_only_at_commit_after_one_sync(tmp_path, syncs):
    batch = FileBatch(tmp_path)
    for n in range(50):
        batch.write(f"petitions/{n}.atom", f"<feed>{n}</feed>".encode())
    batch._finish_staging()  # every temporary file is written...
    assert not list(tmp_path.rglob("*.atom"))  # ...and no reader sees any of them yet
    assert len(batch.commit()) == 50
    assert syncs == [1]
    assert (tmp_path / "petitions" / "7.atom").read_bytes() == b"<feed>7</feed>"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_a_file_that_already_holds_the_bytes_is_not_rewritten(tmp_path, syncs):
    (tmp_path / "all.atom").write_bytes(b"same")
    os.utime(tmp_path / "all.atom", ns=(1, 1))
    batch = FileBatch(tmp_path)
    batch.write("all.atom", b"same")
    assert batch.commit() == [] and syncs == []
    assert (tmp_path / "all.atom").stat().st_mtime_ns == 1


def test_an_alias_is_the_same_file_and_follows_its_target(tmp_path):
    batch = FileBatch(tmp_path)
    batch.write("petitions/1.atom", b"one")
    batch.link("watches/1.atom", "petitions/1.atom")
    assert batch.commit() == ["petitions/1.atom", "watches/1.atom"]
    assert os.path.samefile(tmp_path / "watches/1.atom", tmp_path / "petitions/1.atom")
    batch.write("petitions/1.atom", b"two")
    batch.link("watches/1.atom", "petitions/1.atom")
    batch.commit()
    assert (tmp_path / "watches/1.atom").read_bytes() == b"two"
    batch.link("watches/1.atom", "petitions/1.atom")
    assert batch.commit() == []  # already the same file


def test_abort_leaves_the_old_files_and_no_temporary_file(tmp_path):
    (tmp_path / "all.atom").write_bytes(b"old")
    batch = FileBatch(tmp_path)
    batch.write("all.atom", b"new")
    batch.abort()
    assert (tmp_path / "all.atom").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["all.atom"]
