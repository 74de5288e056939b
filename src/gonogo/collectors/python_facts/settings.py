"""One pass of the per-file visitor: module-level settings (``DEBUG = True``) and CORS set-ups."""

from __future__ import annotations

import ast

from gonogo.collectors.python_facts.model import (
    CorsCall,
    Setting,
)
from gonogo.collectors.python_facts.predicates import (
    SETTING_NAME,
    keyword_arg,
    literal_value,
    names_any,
)
from gonogo.collectors.python_facts.scope import VisitorState

CORS_CALLS = ("add_middleware", "CORS")
"""The last part of the name of every call ``_record_cors`` reads."""


class SettingsPass(VisitorState):
    """Module-level settings (``DEBUG = True``) and CORS set-ups."""

    def _record_settings(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and SETTING_NAME.match(target.id):
                value, literal = literal_value(node.value)
                self.settings.append(Setting(name=target.id, line=node.lineno, value=value, literal=literal,
                                             conditional=bool(self._conditions)))
    def _record_cors(self, node: ast.Call, name: str) -> None:
        """``app.add_middleware(CORSMiddleware, allow_origins=..., allow_credentials=...)`` (Starlette,
        FastAPI) and ``CORS(app, origins=..., supports_credentials=...)`` (Flask-CORS, whose
        origins default to every origin)."""
        last = name.rsplit(".", 1)[-1]
        if last == "add_middleware" and node.args and (self.resolve(node.args[0]) or "").endswith("CORSMiddleware"):
            origins = keyword_arg(node, "allow_origins")
            credentials = keyword_arg(node, "allow_credentials")
            any_origin = origins is not None and names_any(origins)
        elif last == "CORS" and (name or "").startswith("flask_cors."):
            origins = keyword_arg(node, "origins") or keyword_arg(node, "resources")
            credentials = keyword_arg(node, "supports_credentials")
            any_origin = origins is None or names_any(origins)
        else:
            return
        granted = credentials is not None and literal_value(credentials) == (True, True)
        self.cors.append(CorsCall(line=node.lineno, any_origin=any_origin, credentials=granted,
                                  snippet=self.snippet(node.lineno)))
