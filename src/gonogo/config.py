"""Settings and their defaults, from ``gonogo.toml`` or ``pyproject.toml`` ``[tool.gonogo]``.

The file is parsed once, here, and validated by pydantic with unknown keys forbidden, so a typo
(``threshholds``) is an error that names the file and the key instead of a setting silently ignored.

A ``gonogo.toml`` or ``--config`` that cannot be used stops the scan (exit 2): someone wrote it for
gonogo. The scanned project's own ``pyproject.toml`` is different: when it cannot be read or is not
TOML, that is the project's defect (DEP007 reports it), so ``load_project_config`` falls back to the
defaults and says so in a note instead of refusing to judge the project.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import typing
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from gonogo.ignorefiles import pattern_problem
from gonogo.model import Area, Operator, Waiver
from gonogo.safe_read import FileReadError, read_regular_file
from gonogo.service_settings import ServiceSetting

MAX_CONFIG_BYTES = 10 * 1024 * 1024


CLI_OPTIONS = {"select": "--select", "ignore": "--ignore", "profile": "--profile", "fail_on": "--fail-on"}
"""Settings the command line can give: a bad value there is blamed on the option, not on the file."""


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file (or the command line), the
    key and why. ``problems`` lists every one found, so a user fixes them in one pass; ``path``,
    ``key`` and ``problem`` are the first."""

    def __init__(self, path: Path | str, key: str, problem: str,
                 more: tuple[tuple[str, str, str], ...] = ()) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        self.problems = ((self.path, key, problem), *more)
        super().__init__("\n".join(f"{where}: {k}: {p}" if k else f"{where}: {p}" for where, k, p in self.problems))


class ConfigUnreadable(ConfigError):
    """The file could not be read or is not TOML (as opposed to a setting that is wrong)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Numbers checks judge by. Gate thresholds live with the gates (``[gates.NAME]``)."""

    max_function_lines: int = Field(60, ge=1)
    max_module_lines: int = Field(1000, ge=1)
    max_complexity: int = Field(15, ge=1)


class ConditionSetting(_Strict):
    metric: str
    operator: Literal["==", "!=", "<", "<=", ">", ">="]
    threshold: float

    @property
    def op(self) -> Operator:
        return Operator(self.operator)


class GateSetting(_Strict):
    """Changes a default gate (``blocking``, its conditions), or declares a new one."""

    blocking: bool | None = None
    conditions: list[ConditionSetting] | None = None
    enabled: bool = True


class WaiverSetting(_Strict):
    check: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    path: str | None = None
    until: date | None = None

    @field_validator("reason")
    @classmethod
    def _reason_is_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a waiver needs a reason")
        return value.strip()

    def to_waiver(self) -> Waiver:
        return Waiver(check=self.check, reason=self.reason, path=self.path, until=self.until)


class Config(_Strict):
    """A project's ``[tool.gonogo]`` table or ``gonogo.toml``, validated: the profile, which checks
    run, what is excluded, gate and threshold settings, waivers, deliverables and services."""

    profile: Literal["critical", "standard", "prototype"] = "standard"
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    fail_on: Literal["no-go", "conditional"] = "no-go"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    gates: dict[str, GateSetting] = Field(default_factory=dict)
    waivers: list[WaiverSetting] = Field(default_factory=list)
    deliverables: dict[str, list[str]] = Field(default_factory=dict)
    services: dict[str, ServiceSetting] = Field(default_factory=dict)
    history: str | None = None
    """Where runs are remembered: a SQLite path, a database URL, or "off" (``gonogo history``)."""
    valid_days: int | None = Field(default=None, ge=1, le=365)
    """How long a decision holds; by default 7 days critical, 30 standard, 90 prototype."""
    score_weights: dict[str, float] = Field(default_factory=dict)
    """Weight of each area in the overall readiness score (``security = 3``); an area left out
    keeps its default weight (``gonogo.certification.DEFAULT_WEIGHTS``), 0 leaves it out."""
    levels: dict[str, list[str]] | None = None
    """Maturity levels, lowest first, each the gates it adds (``Bronze = ["Security"]``); replaces
    the defaults (``gonogo.policy.DEFAULT_LEVELS``) as a whole."""
    source: str | None = Field(default=None, exclude=True)
    base_dir: str | None = Field(default=None, exclude=True)
    _notes: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("exclude")
    @classmethod
    def _patterns_are_usable(cls, value: list[str]) -> list[str]:
        for index, pattern in enumerate(value):
            problem = pattern_problem(pattern)
            if problem:
                raise ValueError(f"item {index} ({pattern[:80]!r}): {problem}")
        return value

    @field_validator("score_weights")
    @classmethod
    def _weights_name_areas(cls, value: dict[str, float]) -> dict[str, float]:
        areas = {area.value for area in Area}
        for name, weight in value.items():
            if name not in areas:
                raise ValueError(f"{name!r} is not an area; choose from {', '.join(sorted(areas))}")
            if not 0 <= weight <= 100:
                raise ValueError(f"{name}: a weight is a number from 0 to 100, not {weight}")
        return value

    @property
    def notes(self) -> tuple[str, ...]:
        """What loading had to work around (a project pyproject.toml that is not TOML), for the report."""
        return self._notes

    @property
    def base_path(self) -> Path | None:
        return Path(self.base_dir) if self.base_dir else None


def find_config_file(root: Path) -> Path | None:
    """``gonogo.toml`` wins over ``pyproject.toml``; a pyproject without ``[tool.gonogo]`` is none."""
    folder = root if root.is_dir() else root.parent
    candidate = folder / "gonogo.toml"
    if candidate.is_file():
        return candidate
    candidate = folder / "pyproject.toml"
    if os.path.lexists(candidate):
        try:
            data = _parse(candidate, follow_links=False)
        except ConfigError:
            return candidate  # let load_config report the problem with its file name
        if isinstance(data.get("tool"), dict) and "gonogo" in data["tool"]:
            return candidate
    return None


def load_project_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """The configuration found in the scanned project, or the defaults (with a note saying why)
    when its ``pyproject.toml`` cannot be read or is not TOML. Links are not followed there: the
    project's files are read as untrusted, a link to ``/dev/zero`` included."""
    path = find_config_file(root)
    try:
        return load_config(path, overrides, follow_links=False)
    except ConfigUnreadable as exc:
        if path is None or path.name != "pyproject.toml":
            raise
        config = load_config(None, overrides)
        config._notes = (f"{exc}; gonogo's default configuration is used instead",)
        return config


def load_config(path: Path | None, overrides: dict[str, Any] | None = None, *, follow_links: bool = True) -> Config:
    """Read and validate ``path`` (``None``: defaults), then apply command-line ``overrides``."""
    raw: dict[str, Any] = {}
    prefix = ""
    if path is not None:
        raw, prefix = _read_table(path, follow_links)
    merged = {**raw, **(overrides or {})}
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        problems = [_problem(error, path, prefix, set(overrides or ())) for error in exc.errors()]
        raise ConfigError(*problems[0], more=tuple(problems[1:])) from exc
    if path is not None:
        config = config.model_copy(update={"source": str(path), "base_dir": str(path.parent)})
    return config


def _problem(error: Any, path: Path | None, prefix: str, given: set[str]) -> tuple[str, str, str]:
    """(where, key, why) for one validation error: a value from the command line is blamed on its
    option; a misspelt key or an unknown choice gets the closest valid one."""
    loc = tuple(error["loc"])
    if loc and loc[0] in given:
        return "command line", CLI_OPTIONS.get(str(loc[0]), str(loc[0])), error["msg"] + _did_you_mean(error)
    key = ".".join(str(part) for part in (prefix, *loc) if part != "")
    return str(path or "<command line>"), key, error["msg"] + _did_you_mean(error)


def _did_you_mean(error: Any) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and loc:
        choices = _fields_at(loc[:-1])
        asked = str(loc[-1])
    elif error["type"] == "literal_error":
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        asked = str(error.get("input", ""))
    else:
        return ""
    close = difflib.get_close_matches(asked, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the settings model accepts at ``loc`` (through lists, tables and optionals)."""
    node: Any = Config
    for part in loc:
        node = _step(node, part)
        if node is None:
            return []
    model = _model_in(node)
    return list(model.model_fields) if model else []


def _step(node: Any, part: Any) -> Any:
    model = _model_in(node)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
    args = [a for a in typing.get_args(node) if a is not type(None)]
    origin = typing.get_origin(node)
    if origin is list:
        return args[0]
    if origin is dict:
        return args[-1]
    return _step(args[0], part) if len(args) == 1 else None


def _model_in(node: Any) -> type[BaseModel] | None:
    if isinstance(node, type) and issubclass(node, BaseModel):
        return node
    args = [a for a in typing.get_args(node) if a is not type(None)]
    if typing.get_origin(node) not in (list, dict) and len(args) == 1:
        return _model_in(args[0])
    return None


def _parse(path: Path, follow_links: bool) -> dict[str, Any]:
    """The TOML document at ``path``, read with the scanned-file reader's bounds."""
    try:
        text = read_regular_file(path, MAX_CONFIG_BYTES, follow_links=follow_links).decode("utf-8")
    except FileReadError as exc:
        raise ConfigUnreadable(path, "", f"cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigUnreadable(path, "", f"not valid UTF-8 at byte {exc.start}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigUnreadable(path, "", f"invalid TOML: {exc}") from exc
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for reading one
        raise ConfigUnreadable(path, "", f"invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise ConfigUnreadable(path, "", "invalid TOML: nested too deeply to parse") from exc


def _read_table(path: Path, follow_links: bool = True) -> tuple[dict[str, Any], str]:
    data = _parse(path, follow_links)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("gonogo", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(path, "tool.gonogo", "must be a table")
        return table, "tool.gonogo"
    return data, ""
