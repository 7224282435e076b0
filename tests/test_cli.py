"""What every jobhunt command shares: one line and exit 1 for an expected mistake."""
import pytest
from click.testing import CliRunner

from datasette_jobhunt.cli import cli


@pytest.mark.parametrize("command", ["compare", "deadlines", "share"])
def test_missing_database_is_one_line(tmp_path, command):
    missing = tmp_path / "nope.db"
    args = [command, str(missing)] + (["--out", str(tmp_path / "out")] if command == "share" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "nope.db" in lines[0]
    assert "Traceback" not in result.output
    assert not missing.exists()


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0
    for command in ("init", "demo", "ingest", "compare", "deadlines", "share"):
        assert command in result.output
