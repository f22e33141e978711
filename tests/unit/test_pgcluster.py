"""The throwaway PostgreSQL helper: what it says when the server binaries are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pgcluster import PostgresUnavailable, find_bindir


def test_missing_server_binaries_name_the_package_to_install(tmp_path: Path):
    with pytest.raises(PostgresUnavailable) as raised:
        find_bindir(path=str(tmp_path), candidates=[str(tmp_path)])
    assert "apt-get install postgresql" in str(raised.value)
    assert "TAP_AMAZON_SP_E2E_POSTGRES_URL" in str(raised.value)


def test_server_binaries_are_found_in_a_versioned_folder(tmp_path: Path):
    folder = tmp_path / "lib" / "postgresql" / "16" / "bin"
    folder.mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (folder / name).write_text("")
    assert find_bindir(path=str(tmp_path / "empty"), candidates=[str(tmp_path / "nothing"), str(folder)]) == folder
