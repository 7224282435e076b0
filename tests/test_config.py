"""The plugin configuration: defaults, one-line refusals, startup, registration."""
import subprocess
import sys

import pytest
import yaml
from builders import ROOT, make_datasette, write_metadata
from click.testing import CliRunner

from datasette_jobhunt import config
from datasette_jobhunt.cli import cli


def shipped_block():
    return yaml.safe_load((ROOT / "metadata.yml").read_text())["plugins"]["datasette-jobhunt"]


def test_shipped_defaults_validate_to_the_spec_defaults():
    cfg = config.validate(shipped_block())
    assert cfg.currency == "USD"
    assert cfg.horizon_years == 4
    assert cfg.equity_discount_pct == 0
    assert cfg.weights == {"annual_comp": 50, "pto": 10, "remote": 10, "commute": 10}
    assert cfg.writers is None and cfg.timezone is None
    assert cfg.drop_tables == () and cfg.drop_columns == {}


def test_no_config_means_the_defaults():
    assert config.validate(None) == config.Config()
    assert config.validate({}) == config.Config()


def test_valid_values_are_normalised():
    cfg = config.validate(
        {
            "currency": "eur",
            "timezone": "Europe/Berlin",
            "horizon_years": 2.5,
            "weights": {"rating:growth": 20},
            "writers": ["me"],
            "share": {"drop_tables": ["ratings"], "drop_columns": {"offers": ["notes"]}},
        }
    )
    assert cfg.currency == "EUR"
    assert cfg.writers == ("me",)
    assert cfg.drop_columns == {"offers": ("notes",)}


@pytest.mark.parametrize(
    "raw,names",
    [
        ({"colour": "blue"}, "colour"),
        ({"curency": "USD"}, "curency"),
        ({"currency": 5}, "currency"),
        ({"currency": "dollars"}, "currency"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": 3}, "timezone"),
        ({"horizon_years": "4"}, "horizon_years"),
        ({"horizon_years": True}, "horizon_years"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"equity_discount_pct": 150}, "equity_discount_pct"),
        ({"equity_discount_pct": None}, "equity_discount_pct"),
        ({"weights": ["annual_comp"]}, "weights"),
        ({"weights": {"annual_comp": "high"}}, "annual_comp"),
        ({"weights": {"pto": 2000}}, "pto"),
        ({"writers": "me"}, "writers"),
        ({"writers": [1]}, "writers"),
        ({"share": ["contacts"]}, "share"),
        ({"share": {"drop": ["contacts"]}}, "drop"),
        ({"share": {"drop_tables": "contacts"}}, "drop_tables"),
        ({"share": {"drop_columns": ["notes"]}}, "drop_columns"),
        ({"share": {"drop_columns": {"offers": "notes"}}}, "offers"),
        ("USD", "datasette-jobhunt"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(raw, names):
    with pytest.raises(config.ConfigError) as info:
        config.validate(raw)
    message = str(info.value)
    assert "\n" not in message
    assert names in message


def test_metadata_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("plugins:\n  datasette-jobhunt:\n    currency: [USD\n")
    with pytest.raises(config.ConfigError, match="bad.yml:"):
        config.from_metadata_file(bad)
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.from_metadata_file(tmp_path / "missing.yml")
    assert config.from_metadata_file(ROOT / "metadata.yml") == config.validate(shipped_block())


def write_bad_metadata(tmp_path):
    return write_metadata(tmp_path / "bad.yml", horizon_years="soon")


def test_datasette_serve_refuses_a_bad_config_in_one_line(db_path, tmp_path):
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--get", "/"]
    good = subprocess.run(
        command + ["-m", str(ROOT / "metadata.yml")], capture_output=True, text=True, timeout=60
    )
    assert good.returncode == 0, good.stderr
    bad = subprocess.run(
        command + ["-m", str(write_bad_metadata(tmp_path))], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0
    output = (bad.stdout + bad.stderr).strip().splitlines()
    assert len(output) == 1, output
    assert output[0].startswith("Error: ") and "horizon_years" in output[0]


def test_the_cli_refuses_a_bad_config_in_one_line(tmp_path):
    result = CliRunner().invoke(
        cli, ["demo", str(tmp_path / "jobs.db"), "-m", str(write_bad_metadata(tmp_path))]
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "horizon_years" in result.output
    assert not (tmp_path / "jobs.db").exists()


@pytest.mark.asyncio
async def test_the_plugin_is_registered(db_path):
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    response = await ds.client.get("/-/plugins.json")
    assert response.status_code == 200
    names = {p["name"] for p in response.json()}
    assert "datasette-jobhunt" in names


def test_me_is_a_list_of_addresses_compared_ignoring_case():
    from datasette_jobhunt.config import ConfigError, validate

    assert validate({"me": ["Me@Example.com", " other@mail.example "]}).me == (
        "me@example.com", "other@mail.example",
    )
    assert validate({"me": "me@example.com"}).me == ("me@example.com",)
    for bad in (["not an address"], [3], {"a": 1}):
        with pytest.raises(ConfigError, match="me must be a list of e-mail addresses"):
            validate({"me": bad})
