"""What the environment contract and the secret-default rule both read from a pydantic
``BaseSettings`` class: whether a class is one, and the ``env_prefix`` its field names take."""

from __future__ import annotations

import ast

from gonogo.collectors.syntax_nodes import last_name


def is_settings_class(node: ast.ClassDef) -> bool:
    """A class deriving from ``BaseSettings`` (or a project's ``*Settings`` base)."""
    return any(last_name(base).endswith("Settings") for base in node.bases)


def env_prefix(node: ast.ClassDef) -> str:
    """The ``env_prefix`` of ``model_config = SettingsConfigDict(env_prefix=...)`` or of a v1
    ``class Config: env_prefix = ...``; pydantic puts it before every field's name."""
    for item in ast.walk(node):
        if isinstance(item, ast.keyword) and item.arg == "env_prefix" and isinstance(item.value, ast.Constant):
            return str(item.value.value)
        if (
            isinstance(item, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "env_prefix" for t in item.targets)
            and isinstance(item.value, ast.Constant)
        ):
            return str(item.value.value)
    return ""
