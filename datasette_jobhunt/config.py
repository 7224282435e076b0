"""The plugin configuration (``plugins: datasette-jobhunt:``), validated once."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .clock import ClockError, local_zone
from .scoring import DEFAULT_HORIZON, MAX_HORIZON, MAX_WEIGHT

if TYPE_CHECKING:
    from datasette.app import Datasette

PLUGIN = "datasette-jobhunt"
KEYS = (
    "currency",
    "timezone",
    "horizon_years",
    "equity_discount_pct",
    "weights",
    "writers",
    "share",
    "me",
)
SHARE_KEYS = ("drop_tables", "drop_columns")


class ConfigError(ValueError):
    """A configuration mistake, said in one line."""


@dataclass(frozen=True)
class Config:
    currency: str = "USD"
    timezone: str | None = None
    horizon_years: float = DEFAULT_HORIZON
    equity_discount_pct: float = 0.0
    weights: dict[str, float] = field(default_factory=dict)
    writers: tuple[str, ...] | None = None
    drop_tables: tuple[str, ...] = ()
    drop_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The job seeker's own e-mail addresses: left out of an invitation's
    # interviewers, and a message from one of them is a reply.
    me: tuple[str, ...] = ()

    @property
    def tz(self):
        return local_zone(self.timezone)


def _number(where: str, value: Any, low: float, high: float, *, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if value < low or value > high or (low_open and value == low):
        bound = f"more than {low}" if low_open else f"at least {low}"
        raise ConfigError(f"{where} must be {bound} and at most {high}, got {value!r}")
    return float(value)


def _names(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where} must be a list of names, got {value!r}")
    return tuple(value)


def addresses(where: str, value: Any) -> tuple[str, ...]:
    """E-mail addresses, compared ignoring case: a list, or one address."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v.strip()) for v in value
    ):
        raise ConfigError(f"{where} must be a list of e-mail addresses such as me@example.com, got {value!r}")
    return tuple(v.strip().lower() for v in value)


def validate(raw: Any, where: str = f"plugins: {PLUGIN}") -> Config:
    """Check the raw config block; raise ConfigError with one clear line."""
    if raw is None:
        return Config()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping of settings, got {raw!r}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; valid keys are {', '.join(KEYS)}"
        )
    values: dict[str, Any] = {}
    if "currency" in raw:
        currency = raw["currency"]
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise ConfigError(
                f"{where}: currency must be an ISO 4217 code such as USD or EUR, got {currency!r}"
            )
        values["currency"] = currency.upper()
    if "timezone" in raw:
        tz = raw["timezone"]
        if not isinstance(tz, str):
            raise ConfigError(f"{where}: timezone must be an IANA name such as Europe/Berlin")
        try:
            local_zone(tz)
        except ClockError as e:
            raise ConfigError(f"{where}: timezone: {e}")
        values["timezone"] = tz
    if "horizon_years" in raw:
        values["horizon_years"] = _number(
            f"{where}: horizon_years", raw["horizon_years"], 0, MAX_HORIZON, low_open=True
        )
    if "equity_discount_pct" in raw:
        values["equity_discount_pct"] = _number(
            f"{where}: equity_discount_pct", raw["equity_discount_pct"], 0, 100
        )
    if "weights" in raw:
        weights = raw["weights"]
        if not isinstance(weights, dict):
            raise ConfigError(
                f"{where}: weights must be a mapping of factor: weight, got {weights!r}"
            )
        values["weights"] = {
            str(k): _number(f"{where}: weights: {k}", v, 0, MAX_WEIGHT)
            for k, v in weights.items()
        }
    if "writers" in raw and raw["writers"] is not None:
        values["writers"] = _names(f"{where}: writers", raw["writers"])
    if "me" in raw:
        values["me"] = addresses(f"{where}: me", raw["me"])
    if "share" in raw:
        share = raw["share"] or {}
        if not isinstance(share, dict):
            raise ConfigError(f"{where}: share must be a mapping with drop_tables and drop_columns")
        bad = sorted(set(share) - set(SHARE_KEYS))
        if bad:
            raise ConfigError(
                f"{where}: share: unknown key {bad[0]!r}; valid keys are {', '.join(SHARE_KEYS)}"
            )
        if "drop_tables" in share:
            values["drop_tables"] = _names(f"{where}: share: drop_tables", share["drop_tables"])
        if "drop_columns" in share:
            columns = share["drop_columns"]
            if not isinstance(columns, dict):
                raise ConfigError(
                    f"{where}: share: drop_columns must be a mapping of table: [column, ...]"
                )
            values["drop_columns"] = {
                str(t): _names(f"{where}: share: drop_columns: {t}", c)
                for t, c in columns.items()
            }
    return Config(**values)


def from_datasette(datasette: "Datasette") -> Config:
    """The validated config of a running instance (cached on it)."""
    cached = getattr(datasette, "_jobhunt_config", None)
    if cached is None:
        cached = validate(datasette.plugin_config(PLUGIN))
        datasette._jobhunt_config = cached
    return cached


def from_metadata_file(path: str | Path | None) -> Config:
    """The config block of a metadata.yml/.json file, for the CLI's -m option."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the metadata file ({e.strerror})")
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML or JSON; check the indentation")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the metadata file must be a mapping")
    plugins = data.get("plugins") or {}
    if not isinstance(plugins, dict):
        raise ConfigError(f"{path}: plugins must be a mapping")
    return validate(plugins.get(PLUGIN), where=f"{path}: plugins: {PLUGIN}")
