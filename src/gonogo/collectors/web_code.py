"""What one Python file says about its web surface, read from its syntax tree alone.

``web_module(source)`` records, without judging: the routes it declares (FastAPI and Flask
decorators, Django and DRF function views, and view classes with their bases) with the
authentication and rate-limiting evidence each carries itself; the routers it makes and includes
with the dependencies they add; ``Annotated`` aliases that carry a dependency
(``CurrentUser = Annotated[User, Depends(get_current_user)]``); rate-limiting set-up; Django's
REST framework defaults; and outbound HTTP requests whose URL is built, inside one function, from
request input (the steps of that flow, line by line). What a name means across files (an alias,
a base class, a router included elsewhere) is resolved by the checks over every file's facts.

It depends only on the file's bytes, so the result is cached by content hash. Nothing from the
file is imported or run.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gonogo import bounded_match
from gonogo.collectors.syntax_nodes import SyntaxNodes, single_assignment, walk_list
from gonogo.regex_literals import may_backtrack_exponentially
from gonogo.source_lines import python_lines

WEB_CODE_VERSION = 7
"""Bump when the facts below change shape or meaning, so cached facts are rebuilt (they are cached
with each file's Python facts, under a key that holds this version)."""

MARKERS = (
    b"request", b"route", b"Depends", b"View", b"limit", b"throttl", b"REST_FRAMEWORK", b"MIDDLEWARE", b"httpx",
    b"aiohttp", b"urlopen", b"Blueprint", b"urlpatterns", b"as_view", b"register(", b"Bucket", b"bucket", b"Limit",
    b"Throttl", b"CORS", b"Access-Control", b"fastapi", b"starlette", b"flask", b"quart",
)
"""A cheap test on the bytes: only files that hold one of these strings may declare a route, a limit
or a request (a substring test per string, faster than one alternation tried at every position).
A route declared by a decorator is read only in a file that imports its framework (fastapi,
starlette, flask, quart): their import names are markers, so ``@app.post("/items")`` under
``app = FastAPI()`` is a route with no other marker in the file."""
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
SNIPPET_CHARS = 120

GUARD_NAME = re.compile(
    r"(?i)(auth|login|logged_?in|permission|perms?(_|$)|current_?user|active_?user|superuser|admin|staff|token|jwt|"
    r"api_?key|oauth|principal|signed_?in|credential|require_?user|user_?required|passes_?test|protected|"
    r"is_authenticated)"
)
"""A decorator, dependency, mixin or permission class named for authentication or access control
(``login_required``, ``Depends(get_current_user)``, ``LoginRequiredMixin``, ``IsAuthenticated``)."""
LIMIT_NAME = re.compile(
    r"([Rr]ate_?[Ll]imit|RATE_?LIMIT|[Rr]atelimit|[Tt]hrottl|THROTTL|(?<![a-z])[Ll]imiter|[Tt]oken_?[Bb]ucket|"
    r"[Bb]rute|[Ll]ock(ed)?_?[Oo]ut|\.limit$)"
)
"""A decorator, call, class or setting named for rate limiting (``@limiter.limit``,
``@ratelimit``, ``throttle_classes``, healthchecks' ``TokenBucket``)."""
LIMIT_MODULES = ("slowapi", "flask_limiter", "django_ratelimit", "ratelimit", "fastapi_limiter", "axes",
                 "defender", "limits", "throttled")
_BODY_GUARDS = re.compile(
    r"^(HTTP_40[13]_\w+|PermissionDenied|NotAuthenticated|HttpResponseForbidden|Unauthorized|Forbidden|"
    r"is_authenticated|is_anonymous|has_perms?|has_permission|check_object_permissions|check_permissions|"
    r"redirect_to_login)$"
)
_CHECK_CALL = re.compile(
    r"(?i)^(check|verify|require|ensure|assert|validate|authori[sz]e|has_|is_|get_current|current_user|"
    r"login_required|permission_required|decode)"
)
"""A call that checks who the caller is (``authorize(request)``, ``check_permission(...)``,
``jwt.decode(token)``), when its dotted name is also named for authentication; not one that signs a
user in or makes a credential (``authenticate``, ``create_access_token``, ``Token(...)``)."""
_HOOKS = ("before_request", "before_app_request")
"""Flask's request hooks: what a decorator or a registering call is named."""
_LIMIT_SETTINGS = (
    "DEFAULT_THROTTLE_CLASSES", "axes", "axes.middleware.AxesMiddleware", "defender",
    "slowapi.middleware.SlowAPIMiddleware", "django_ratelimit", "allauth.account",
)
"""String constants that set up rate limiting (DRF's throttles, an app or middleware of a limiter)."""
_DENYING = ("abort", "HTTPException", "HTTPError", "Response", "JSONResponse")
"""What a call is named when its 401 or 403 status code denies the caller (``abort(403)``)."""
_AUTH_HEADERS = frozenset({"authorization", "http_authorization", "x-api-key", "x-auth-token"})
_REQUEST_PARTS = frozenset({
    "args", "form", "values", "json", "data", "get_json", "headers", "cookies", "files", "GET", "POST", "FILES",
    "query_params", "body", "META", "COOKIES", "query", "match_info", "path_params", "query_string", "text",
})
"""What a request object exposes of the caller's input (Flask, Django, DRF, Starlette, aiohttp)."""
CLIENT_MODULES = ("requests", "httpx", "urllib.request", "urllib3", "aiohttp")
"""Modules whose ``get``/``post``/... send an HTTP request (``requests.post(url, ...)``)."""
_CLIENT_FACTORIES = frozenset({
    "requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession",
    "urllib3.PoolManager",
})
SEND_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}%]+/")
"""A URL template that starts with a scheme, a literal host and a slash: the host is fixed."""
_VIEW_METHOD_DECORATORS = {
    "require_POST": ("POST",), "require_GET": ("GET",), "require_safe": ("GET", "HEAD"),
}
_WEB_FRAMEWORKS = {"fastapi": "fastapi", "starlette": "fastapi", "flask": "flask", "quart": "flask",
                   "django": "django", "rest_framework": "drf", "aiohttp": "aiohttp"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A function that answers HTTP requests, declared by a decorator or as a Django view."""

    line: int
    handler: str
    """``create_user``, or ``ItemController.create`` for a method."""
    framework: str
    """``fastapi``, ``flask``, ``django`` or ``drf``."""
    methods: tuple[str, ...]
    """Upper-case HTTP methods; empty when the code does not say (a Django view answering any)."""
    path: str | None = None
    router: str | None = None
    """The name whose decorator registers it (``router``, ``app``, ``bp``)."""
    class_name: str | None = None
    guards: tuple[str, ...] = ()
    """Authentication the route declares: decorators and dependencies."""
    checks: tuple[str, ...] = ()
    """Authentication checked in its body (``is_authenticated``, ``abort(401)``)."""
    dependencies: tuple[str, ...] = ()
    """Parameter annotations and ``Depends`` targets to resolve through the project's aliases."""
    limits: tuple[str, ...] = ()
    """Rate-limiting evidence on the route itself."""
    public: bool = False
    """Declared public on purpose (``permission_classes = [AllowAny]``, ``@login_not_required``)."""
    calls: tuple[str, ...] = ()
    """Functions of the same module it calls by name: a dispatcher (``if request.method == "POST":
    return create_check(request)``) is guarded by what it calls."""

    @property
    def changes_state(self) -> bool:
        return bool(STATE_CHANGING & set(self.methods))


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewClass:
    """A class, with what it says about access control at class level."""

    name: str
    line: int
    bases: tuple[str, ...]
    """The last part of each base's dotted name."""
    methods: tuple[str, ...]
    guards: tuple[str, ...] = ()
    """Class-level evidence: a guarding mixin is read from ``bases`` by the check; here
    ``permission_classes``, ``decorators``, ``method_decorator(login_required, name=...)``,
    ``Depends(get_current_user)`` anywhere in the class body, a ``get_permissions`` method."""
    method_guards: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(method, evidence) for methods guarded by their own decorators."""
    method_checks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(method, evidence) for methods that check authentication in their body."""
    actions: tuple[str, ...] = ()
    """HTTP methods of DRF ``@action(methods=[...])`` handlers."""
    stub_methods: tuple[str, ...] = ()
    """Methods whose body does nothing: a writer that is a stub changes nothing."""
    public: bool = False
    limits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RouterDef:
    """``router = APIRouter(dependencies=[Depends(auth)])``, ``bp = Blueprint(...)``, ``app = FastAPI()``."""

    name: str
    line: int
    constructor: str
    guards: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Include:
    """``app.include_router(users.router, dependencies=[Depends(auth)])``: what it includes, guarded how."""

    line: int
    target: str
    parent: str
    """The router or app it is included into (``api_router`` in ``api_router.include_router(...)``)."""
    guards: tuple[str, ...]
    conditional: bool = False
    """Under an ``if`` (``if settings.ENVIRONMENT == "local":``): mounted in some deployments only."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Hook:
    """A Flask ``before_request`` hook on ``router`` whose body or name checks authentication."""

    router: str
    line: int
    app_wide: bool
    guards: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowStep:
    line: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundFlow:
    """An outbound request whose URL comes from request input, with the steps in between."""

    function: str
    line: int
    sink: str
    source: str
    steps: tuple[FlowStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CorsTrust:
    """CORS that trusts any origin together with credentials by a route other than SEC032's
    literal ``"*"``: a pattern that matches any origin, or the request's ``Origin`` echoed back."""

    line: int
    how: str
    snippet: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WebModule:
    frameworks: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()
    classes: tuple[ViewClass, ...] = ()
    routers: tuple[RouterDef, ...] = ()
    includes: tuple[Include, ...] = ()
    hooks: tuple[Hook, ...] = ()
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(name, dependency targets) of ``Name = Annotated[T, Depends(target)]``."""
    limiters: tuple[tuple[int, str], ...] = ()
    """(line, evidence) of rate limiting set up in this module: an import, a limiter, a setting."""
    drf_permissions: tuple[str, ...] | None = None
    """``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` when this module sets it."""
    middleware: tuple[str, ...] = ()
    """``MIDDLEWARE`` entries when this module sets it."""
    flows: tuple[OutboundFlow, ...] = ()
    guarded_functions: tuple[str, ...] = ()
    """Module-level functions that declare or check authentication (for dispatching views)."""
    url_targets: tuple[str, ...] = ()
    """Views a Django URL conf routes to: ``path("x/", views.x)``, ``X.as_view()``,
    ``router.register("x", XViewSet)``."""
    cors_trust: tuple[CorsTrust, ...] = ()
    unjudged_origins: tuple[int, ...] = ()
    """Lines of origin patterns, with credentials allowed, that could not be judged: each could
    backtrack exponentially and did not finish on the probe origins (``bounded_match``)."""
    parse_error: bool = False


def has_marker(source: bytes) -> bool:
    """The file holds one of the ``MARKERS``: only such a file can have web facts."""
    return any(marker in source for marker in MARKERS)


def web_module(source: bytes) -> WebModule:
    """The web facts of one file's bytes; empty for files with no marker or that do not parse."""
    if not has_marker(source):
        return WebModule()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return WebModule(parse_error=True)
    lines = python_lines(source.decode("utf-8", errors="replace"))
    return web_module_in(tree, source, lines, SyntaxNodes(tree))


def web_module_in(tree: ast.Module, source: bytes, lines: list[str], nodes: SyntaxNodes) -> WebModule:
    """As :func:`web_module`, on the tree the per-file pass has parsed already, with its nodes by
    kind (``nodes``) shared with the other rules of that pass."""
    if not has_marker(source):
        return WebModule()
    try:
        return _Module(tree, lines, nodes).facts()
    except RecursionError:
        return WebModule(parse_error=True)


def dotted(node: ast.AST | None) -> str:
    """``a.b.c`` for a name or attribute chain (calls and subscripts see through); ``""`` else."""
    match node:
        case ast.Name(id=name):
            return name
        case ast.Attribute(value=value, attr=attr):
            base = dotted(value)
            return f"{base}.{attr}" if base else attr
        case ast.Call(func=func):
            return dotted(func)
        case ast.Subscript(value=value):
            return dotted(value)
    return ""


def _last(node: ast.AST | None) -> str:
    return dotted(node).rsplit(".", 1)[-1]


def _strings(node: ast.AST | None) -> tuple[str, ...]:
    """The string constants of a literal list, tuple or set (``methods=["POST", "PUT"]``)."""
    match node:
        case ast.List(elts=items) | ast.Tuple(elts=items) | ast.Set(elts=items):
            return tuple(i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str))
        case ast.Constant(value=str() as value):
            return (value,)
    return ()


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _depends_targets(node: ast.AST | None) -> Iterator[str]:
    """The callables ``Depends(x)`` / ``Security(x)`` name anywhere inside ``node``."""
    if node is None:
        return
    for inner in walk_list(node):
        if isinstance(inner, ast.Call) and _last(inner.func) in ("Depends", "Security"):
            target = inner.args[0] if inner.args else _keyword(inner, "dependency")
            if target is not None:
                yield dotted(target) or "?"


def _guards(names: Iterator[str] | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(sorted({n for n in names if GUARD_NAME.search(n)}))


class _Module:
    """One pass over a module's top level and the functions and classes it defines.

    The module's nodes are listed once, by kind (``SyntaxNodes``), instead of walked once per
    rule. A rule that reads a function's or a class's whole subtree runs only when some node of
    the module could make it find something (``_may_check``, ``_may_send``, ``_has_depends``):
    a subtree's nodes are among the module's, so where the module has none, the subtree has none
    either, and the facts are the same without the walk."""

    def __init__(self, tree: ast.Module, lines: list[str], nodes: SyntaxNodes) -> None:
        self.tree = tree
        self.lines = lines
        self.nodes = nodes
        self.frameworks = sorted(self._frameworks())
        # what each call calls, worked out once: several rules below read it of every call
        self._calls: list[ast.Call] = nodes.of(ast.Call)
        self._called = [dotted(call.func) for call in self._calls]
        self._called_last = [name.rsplit(".", 1)[-1] for name in self._called]
        # the names a guard could be told by, each matched once however often it is used
        named = {n.id for n in nodes.of(ast.Name)} | {n.attr for n in nodes.of(ast.Attribute)}
        self._guarding = {name for name in named if _BODY_GUARDS.match(name)}
        self._checking = {name for name in set(self._called)
                          if _CHECK_CALL.match(name.rsplit(".", 1)[-1]) and GUARD_NAME.search(name)}
        # the module's string constants, each once: several rules below ask whether one is there
        self._texts = {c.value for c in nodes.of(ast.Constant) if isinstance(c.value, str)}
        self._may_check = _may_find_guards(nodes, self._guarding, self._checking, self._texts)
        self._has_depends = any(last in ("Depends", "Security") for last in self._called_last)
        self._places: tuple[list[tuple[int, int]], list[str]] | None = None
        self._unjudged: list[int] = []
        self._forked = 0

    def _body_guards(self, node: ast.FunctionDef | ast.AsyncFunctionDef | None) -> tuple[str, ...]:
        """``_body_guards(node)``, told from the module's evidence by line (``_guard_places``)
        instead of a walk of the function: a node that starts on a line strictly inside the
        function's lines (its first decorator to its end) is one of its nodes. Evidence on its
        first or last line may belong to a neighbour on the same line, so there the walk decides."""
        if node is None or not self._may_check:
            return ()
        places, items = self._guard_places()
        first = min(d.lineno for d in (node, *node.decorator_list))
        last = node.end_lineno or node.lineno
        low = bisect.bisect_left(places, (first, -1))
        high = bisect.bisect_left(places, (last + 1, -1))
        if low == high:
            return ()
        if places[low][0] == first or places[high - 1][0] == last:
            return _body_guards(node)
        return tuple(sorted(set(items[low:high])))

    def _guard_places(self) -> tuple[list[tuple[int, int]], list[str]]:
        """Every piece of ``_guard_evidence`` the module holds, with where its node starts, in
        order of place: the module's nodes are listed already, and most functions hold none."""
        if self._places is None:
            nodes, guarding, checking = self.nodes, self._guarding, self._checking
            # the nodes ``_guard_evidence`` could find something in; every other node it passes by
            candidates: list[ast.expr] = [n for n in nodes.of(ast.Name) if n.id in guarding]
            candidates += [n for n in nodes.of(ast.Attribute) if n.attr in guarding]
            candidates += [call for call, name, last in zip(self._calls, self._called, self._called_last, strict=True)
                           if name in checking or last in _DENYING]
            candidates += [c for c in nodes.of(ast.Constant)
                           if isinstance(c.value, str) and c.value.lower() in _AUTH_HEADERS]
            found = sorted(((n.lineno, n.col_offset), item) for n in candidates for item in _guard_evidence([n]))
            self._places = [place for place, _ in found], [item for _, item in found]
        return self._places

    def _depends_in(self, node: ast.AST | None) -> Iterator[str]:
        return _depends_targets(node) if self._has_depends else iter(())

    def facts(self) -> WebModule:
        routes: list[Route] = []
        flows: list[OutboundFlow] = []
        if self._may_send():
            functions: list[ast.FunctionDef | ast.AsyncFunctionDef]
            functions = self.nodes.of(ast.FunctionDef, ast.AsyncFunctionDef)
            for function in functions:
                flows.extend(self._flows(function))
        # a class with no base is left out of the facts, so it is not read at all
        classes = [self._class(node) for node in self.nodes.of(ast.ClassDef) if _bases(node)]
        for node in self.tree.body:
            match node:
                case ast.FunctionDef() | ast.AsyncFunctionDef():
                    routes.extend(self._routes(node, None))
                case ast.ClassDef():
                    routes.extend(r for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                                  for r in self._routes(item, node.name) if r.framework in ("fastapi", "flask"))
        cors = tuple(self._cors_trust())  # before the patterns it could not judge are read
        return WebModule(
            frameworks=tuple(self.frameworks),
            routes=tuple(routes),
            classes=tuple(classes),
            routers=tuple(self._routers()),
            includes=tuple(self._includes()),
            hooks=tuple(self._hooks()),
            aliases=tuple(self._aliases()),
            limiters=tuple(self._limiters()),
            drf_permissions=self._drf_permissions(),
            middleware=self._middleware(),
            flows=tuple(flows),
            guarded_functions=tuple(self._guarded_functions()),
            url_targets=tuple(sorted(set(self._url_targets()))),
            cors_trust=cors,
            unjudged_origins=tuple(self._unjudged),
        )

    def _may_send(self) -> bool:
        """Some call of the module could be an outbound request ``_outbound_url`` reads: a call of
        a client module, of ``urlopen``/``Request``, or a client made by a factory."""
        for name in self._called:
            owner, _, method = name.rpartition(".")
            if name in _CLIENT_FACTORIES or (owner in CLIENT_MODULES and method in SEND_METHODS) or (
                method in ("urlopen", "Request") and owner in ("urllib.request", "request", "")
            ):
                return True
        return False

    def _cors_trust(self) -> Iterator[CorsTrust]:
        # an echoed Origin counts only with credentials allowed, which a string constant names
        echoes = any(text.lower() == "access-control-allow-credentials" for text in self._texts)
        # a call is read only when some keyword of the module is ``allow_origin_regex`` (most
        # modules have none, and most calls then cost nothing), the functions only with an echo
        regex = any(keyword.arg == "allow_origin_regex" for keyword in self.nodes.of(ast.keyword))
        kinds = ((ast.Call,) if regex else ()) + ((ast.FunctionDef, ast.AsyncFunctionDef) if echoes else ())
        for node in self.nodes.of(*kinds) if kinds else ():
            if isinstance(node, ast.Call) and _keyword(node, "allow_origin_regex") is not None:
                pattern = _keyword(node, "allow_origin_regex")
                credentials = _keyword(node, "allow_credentials")
                # without credentials no pattern is a finding: it is not run at all
                if _is_true(credentials) and self._any_origin(
                        [_text(pattern) if pattern is not None else ""], node.lineno):
                    yield CorsTrust(line=node.lineno, how="allow_origin_regex matches any origin",
                                    snippet=self._snippet(node.lineno))
            elif echoes and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from self._origin_echoes(node)
        regexes = [*_strings(self._setting("CORS_ALLOWED_ORIGIN_REGEXES")),
                   *_strings(self._setting("CORS_ORIGIN_REGEX_WHITELIST"))]
        if regexes and _is_true(self._setting("CORS_ALLOW_CREDENTIALS")):
            line = next(n.lineno for n in self.tree.body if single_assignment(n)[0] in (
                "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"))
            if self._any_origin(regexes, line):
                yield CorsTrust(line=line, how="an origin pattern matches any origin, with credentials",
                                snippet=self._snippet(line))

    def _any_origin(self, patterns: list[str], line: int) -> bool:
        """Some pattern accepts origins nobody listed (``_origin_verdict``); one that could not be
        judged is kept by its line (``unjudged_origins``), and judges nothing either way."""
        unjudged = False
        for pattern in patterns:
            verdict = self._origin_verdict(pattern)
            if verdict:
                return True
            unjudged = unjudged or verdict is None
        if unjudged:
            self._unjudged.append(line)
        return False

    def _origin_verdict(self, pattern: str) -> bool | None:
        """Whether the pattern accepts the probe origins: run here when it cannot backtrack
        exponentially, else in a child stopped after a moment (``bounded_match``), at most
        ``PER_FILE`` times a file; ``None`` when not judged."""
        try:
            compiled = re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            return False  # Starlette and django-cors-headers fail to start on it: nothing is trusted
        if not pattern:
            return False
        if not may_backtrack_exponentially(pattern):
            return all(compiled.match(origin) for origin in _ANY_ORIGIN_PROBES)
        if self._forked >= bounded_match.PER_FILE:
            return None
        self._forked += 1
        return bounded_match.matches_every(compiled, _ANY_ORIGIN_PROBES)

    def _origin_echoes(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[CorsTrust]:
        """``response["Access-Control-Allow-Origin"] = request.headers["Origin"]`` in a function
        that also allows credentials."""
        echoes: list[int] = []
        credentials = False
        for inner in walk_list(node):
            header, value = _header_set(inner)
            if header == "access-control-allow-origin" and value is not None and _reads_origin(value):
                echoes.append(getattr(inner, "lineno", node.lineno))
            elif header == "access-control-allow-credentials" and isinstance(value, ast.Constant) and str(
                    value.value).lower() == "true":
                credentials = True
        if credentials:
            for line in echoes:
                yield CorsTrust(line=line, how="the request's Origin is echoed back, with credentials",
                                snippet=self._snippet(line))

    def _guarded_functions(self) -> Iterator[str]:
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                _guards([dotted(d) for d in node.decorator_list]) or self._body_guards(node)
            ):
                yield node.name

    def _url_targets(self) -> Iterator[str]:
        for node, name in zip(self._calls, self._called_last, strict=True):
            if name == "as_view" and isinstance(node.func, ast.Attribute) and _last(node.func.value):
                yield _last(node.func.value)
            elif name in ("path", "re_path", "url") and len(node.args) > 1:
                view = node.args[1]
                if isinstance(view, ast.Call) and _last(view.func) in ("as_view", "login_required", "csrf_exempt"):
                    view = view.func.value if _last(view.func) == "as_view" and isinstance(
                        view.func, ast.Attribute) else (view.args[0] if view.args else view)
                if _last(view):
                    yield _last(view)
            elif name == "register" and len(node.args) > 1 and _last(node.args[1]):
                yield _last(node.args[1])

    # what the module is ---------------------------------------------------------------------

    def _frameworks(self) -> set[str]:
        found = set()
        for node in self.nodes.of(ast.Import, ast.ImportFrom):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top in _WEB_FRAMEWORKS:
                    found.add(_WEB_FRAMEWORKS[top])
        return found

    def _snippet(self, line: int) -> str:
        return self.lines[line - 1].strip()[:SNIPPET_CHARS] if 0 < line <= len(self.lines) else ""

    # routes ---------------------------------------------------------------------------------

    def _routes(self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None) -> Iterator[Route]:
        handler = f"{class_name}.{node.name}" if class_name else node.name
        declared = [route for route in map(self._decorated_route, node.decorator_list) if route is not None]
        if not declared and (class_name is not None or not _takes_request(node) or node.name.startswith("_")
                             or ("django" not in self.frameworks and "drf" not in self.frameworks)):
            return  # not a route: its body is not read
        decorators = [dotted(d) for d in node.decorator_list]
        body_guards = self._body_guards(node)
        inner = walk_list(node)
        limits = tuple(d for d in decorators if LIMIT_NAME.search(d))
        limits += tuple(sorted({c for c in (*_calls(inner), *_names(inner)) if LIMIT_NAME.search(c)}))
        calls = tuple(sorted({dotted(c.func) for c in inner
                              if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}))
        public = any(d.endswith("login_not_required") for d in decorators)
        # worked out once per function, not once per route it declares: a function under
        # thousands of route decorators made this quadratic (20,000 took minutes)
        decorator_guards, parameters = _guards(decorators), tuple(_param_dependencies(node))
        framework = self._framework_for_decorator()
        for methods, path, router, extra in declared:
            dependencies = tuple(sorted({*extra, *parameters}))
            yield Route(
                line=node.lineno, handler=handler, framework=framework, methods=methods,
                path=path, router=router, class_name=class_name,
                guards=tuple(sorted({*decorator_guards, *_guards(dependencies)})), checks=body_guards,
                dependencies=dependencies, limits=limits, public=public, calls=calls,
            )
        if declared:
            return
        methods = _view_methods(node)
        framework = "drf" if any(d.endswith("api_view") for d in decorators) else "django"
        yield Route(
            line=node.lineno, handler=handler, framework=framework, methods=methods, class_name=None,
            guards=_guards(decorators), checks=body_guards, limits=limits, public=public, calls=calls,
        )

    def _framework_for_decorator(self) -> str:
        for name in ("fastapi", "flask"):
            if name in self.frameworks:
                return name
        return "unknown"

    def _decorated_route(
        self, decorator: ast.expr
    ) -> tuple[tuple[str, ...], str | None, str, tuple[str, ...]] | None:
        """(methods, path, router, dependencies) of ``@router.post("/x")`` or ``@app.route(...)``."""
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            return None
        if "fastapi" not in self.frameworks and "flask" not in self.frameworks:
            return None
        attr = decorator.func.attr
        router = dotted(decorator.func.value)
        first = decorator.args[0] if decorator.args else _keyword(decorator, "path") or _keyword(decorator, "rule")
        path = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if path is None or not router:
            return None
        extra = tuple(_depends_targets(_keyword(decorator, "dependencies")))
        if attr in HTTP_METHODS:
            return (attr.upper(),), path, router, extra
        if attr in ("route", "api_route"):
            given = _keyword(decorator, "methods")
            methods = tuple(m.upper() for m in _strings(given)) if given is not None else ("GET",)
            return methods, path, router, extra
        return None

    # classes --------------------------------------------------------------------------------

    def _class(self, node: ast.ClassDef) -> ViewClass:
        methods: list[str] = []
        method_guards: list[tuple[str, tuple[str, ...]]] = []
        method_checks: list[tuple[str, tuple[str, ...]]] = []
        actions: set[str] = set()
        guards: set[str] = set(_guards([dotted(d) for d in node.decorator_list]))
        guards.update(_guards(list(self._depends_in(node))))
        public = False
        limits: set[str] = set()
        for item in node.body:
            match item:
                case ast.FunctionDef() | ast.AsyncFunctionDef():
                    methods.append(item.name)
                    declared = _guards([dotted(d) for d in item.decorator_list])
                    checked = self._body_guards(item)
                    if item.name == "get_permissions":
                        guards.add(item.name)
                    elif item.name == "dispatch" and (declared or checked):
                        guards.add(f"dispatch: {(declared or checked)[0]}")
                    if declared:
                        method_guards.append((item.name, declared))
                    if checked:
                        method_checks.append((item.name, checked))
                    actions.update(_action_methods(item))
                case ast.Assign(targets=[ast.Name(id=name)], value=value):
                    public, guards, limits = _class_setting(name, value, public, guards, limits)
                case ast.AnnAssign(target=ast.Name(id=name), value=value) if value is not None:
                    public, guards, limits = _class_setting(name, value, public, guards, limits)
        limits.update(b for b in (_last(b) for b in node.bases) if LIMIT_NAME.search(b))
        return ViewClass(
            name=node.name, line=node.lineno, bases=_bases(node),
            methods=tuple(methods), guards=tuple(sorted(guards)), method_guards=tuple(method_guards),
            method_checks=tuple(method_checks),
            stub_methods=tuple(i.name for i in node.body
                               if isinstance(i, ast.FunctionDef | ast.AsyncFunctionDef) and _is_stub(i)),
            actions=tuple(sorted(actions)), public=public, limits=tuple(sorted(limits)),
        )

    # routers, includes, hooks, aliases --------------------------------------------------------

    def _routers(self) -> Iterator[RouterDef]:
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        yield RouterDef(
                            name=target.id, line=node.lineno, constructor=_last(node.value.func),
                            guards=_guards(list(_depends_targets(_keyword(node.value, "dependencies")))),
                        )

    def _includes(self) -> Iterator[Include]:
        included = [node for node, last in zip(self._calls, self._called_last, strict=True)
                    if last in ("include_router", "register_blueprint") and node.args]
        if not included:
            return  # the nodes under an ``if`` are listed only for a module that includes a router
        conditional = {id(inner) for node in self.nodes.of(ast.If)
                       for branch in (node.body, node.orelse) for statement in branch for inner in walk_list(statement)}
        for node in included:
            parent = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            yield Include(line=node.lineno, target=dotted(node.args[0]), parent=parent,
                          conditional=id(node) in conditional,
                          guards=_guards(list(_depends_targets(_keyword(node, "dependencies")))))

    def _hooks(self) -> Iterator[Hook]:
        functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        # the calls are merged in (in walk order) only when one of them could register a hook
        calls = (ast.Call,) if any(last in _HOOKS for last in self._called_last) else ()
        for node in self.nodes.of(ast.FunctionDef, ast.AsyncFunctionDef, *calls):
            hooked: list[tuple[str, str, ast.FunctionDef | ast.AsyncFunctionDef | None]] = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hooked = [(dotted(d.func if isinstance(d, ast.Call) else d), node.name, node)
                          for d in node.decorator_list]
            elif isinstance(node, ast.Call) and _last(node.func) in _HOOKS and node.args:
                name = dotted(node.args[0])
                hooked = [(dotted(node.func), name, functions.get(name))]
            for decorator, name, function in hooked:
                router, _, kind = decorator.rpartition(".")
                if kind not in _HOOKS:
                    continue
                evidence = {*_guards([name]), *(self._body_guards(function) if function else ())}
                if evidence:
                    yield Hook(router=router, line=getattr(function, "lineno", 0) or 0,
                               app_wide=kind == "before_app_request", guards=tuple(sorted(evidence)))

    def _aliases(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        for node in self.tree.body:
            target, value = single_assignment(node)
            if target and isinstance(value, ast.Subscript) and _last(value.value) == "Annotated":
                found = tuple(_depends_targets(value))
                if found:
                    yield target, found

    # rate limits and settings -------------------------------------------------------------------

    def _limiters(self) -> Iterator[tuple[int, str]]:
        # the constants are merged in (in walk order) only when one of them names a limiter
        named = not self._texts.isdisjoint(_LIMIT_SETTINGS)
        for node in self.nodes.of(ast.Import, ast.ImportFrom, *((ast.Constant,) if named else ())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(m.split(".")[0] in LIMIT_MODULES for m in modules) and not getattr(node, "level", 0):
                    yield node.lineno, self._snippet(node.lineno)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in _LIMIT_SETTINGS:
                yield node.lineno, self._snippet(node.lineno)

    def _setting(self, name: str) -> ast.expr | None:
        found = None
        for node in self.tree.body:
            target, value = single_assignment(node)
            if target == name:
                found = value
        return found

    def _drf_permissions(self) -> tuple[str, ...] | None:
        value = self._setting("REST_FRAMEWORK")
        if not isinstance(value, ast.Dict):
            return None
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "DEFAULT_PERMISSION_CLASSES":
                return tuple(s.rsplit(".", 1)[-1] for s in _strings(item)) or ("?",)
        return None

    def _middleware(self) -> tuple[str, ...]:
        return tuple(s.rsplit(".", 1)[-1] for s in _strings(self._setting("MIDDLEWARE")))

    # outbound requests from request input -------------------------------------------------------

    def _flows(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[OutboundFlow]:
        tainted = self._sources(node)
        clients: set[str] = set()
        for statement in _own_statements(node):
            for target, value in _bindings(statement):
                if isinstance(value, ast.Call) and dotted(value) in _CLIENT_FACTORIES:
                    clients.add(target)
                    continue
                origin = self._tainted_by(value, tainted)
                if origin is not None:
                    source, steps = origin
                    tainted[target] = (source, (*steps, FlowStep(line=statement.lineno,
                                                                 text=self._snippet(statement.lineno))))
                elif target in tainted and not isinstance(statement, ast.AugAssign):
                    del tainted[target]  # rebound to something else
            for call in _calls_in(statement):
                url = self._outbound_url(call, clients)
                if url is None or _fixed_host(url):
                    continue
                origin = self._tainted_by(url, tainted)
                if origin is None:
                    continue
                source, steps = origin
                sink = FlowStep(line=call.lineno, text=self._snippet(call.lineno))
                yield OutboundFlow(function=node.name, line=call.lineno, sink=dotted(call.func), source=source,
                                   steps=(*steps, sink) if not steps or steps[-1].line != sink.line else steps)

    def _sources(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, tuple[str, tuple[FlowStep, ...]]]:
        """Parameters that carry the caller's input into a FastAPI route handler (not its dependencies)."""
        found: dict[str, tuple[str, tuple[FlowStep, ...]]] = {}
        if not any(self._decorated_route(d) for d in node.decorator_list):
            return found
        arguments = node.args
        defaults = [None] * (len(arguments.args) - len(arguments.defaults)) + list(arguments.defaults)
        pairs = [*zip(arguments.args, defaults, strict=True),
                 *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)]
        for argument, default in pairs:
            if argument.arg in ("self", "cls", "request") or _param_is_dependency(argument, default):
                continue
            found[argument.arg] = (f"parameter {argument.arg} of route {node.name}",
                                   (FlowStep(line=argument.lineno, text=self._snippet(argument.lineno)),))
        return found

    def _tainted_by(
        self, value: ast.AST, tainted: dict[str, tuple[str, tuple[FlowStep, ...]]]
    ) -> tuple[str, tuple[FlowStep, ...]] | None:
        for inner in ast.walk(value):
            match inner:
                case ast.Name(id=name) if name in tainted:
                    return tainted[name]
                case ast.Attribute(value=base, attr=attr) if attr in _REQUEST_PARTS and self._is_request(base):
                    return f"request.{attr}", ()
        return None

    @staticmethod
    def _is_request(node: ast.expr) -> bool:
        """Flask's and Quart's ``request``, a Django or aiohttp view's ``request``, a class view's."""
        return dotted(node) in ("request", "self.request")

    def _outbound_url(self, call: ast.Call, clients: set[str]) -> ast.expr | None:
        name = dotted(call.func)
        owner, _, method = name.rpartition(".")
        is_module_call = owner in CLIENT_MODULES and method in SEND_METHODS
        is_client_call = owner in clients and method in SEND_METHODS
        is_urlopen = method in ("urlopen", "Request") and (owner in ("urllib.request", "request", "") )
        if not (is_module_call or is_client_call or is_urlopen):
            return None
        url = _keyword(call, "url")
        if url is not None:
            return url
        index = 1 if method in ("request", "stream") and not is_urlopen else 0
        return call.args[index] if len(call.args) > index else None


def _class_setting(
    name: str, value: ast.expr, public: bool, guards: set[str], limits: set[str]
) -> tuple[bool, set[str], set[str]]:
    """A class attribute that sets access control or throttling, read into the running evidence."""
    names = [s.rsplit(".", 1)[-1] for s in _strings(value)] or [
        _last(e) for e in getattr(value, "elts", []) if _last(e)
    ]
    if name == "permission_classes":
        if names and all(n == "AllowAny" for n in names):
            public = True
        elif names:
            guards.add(f"permission_classes: {', '.join(names)}")
    elif name in ("decorators", "method_decorators"):
        guards.update(_guards(names))
    elif name in ("throttle_classes", "throttle_scope") and (names or isinstance(value, ast.Constant)):
        limits.add(f"{name}: {', '.join(names) or _text(value)}")
    elif name == "ratelimit_key" or LIMIT_NAME.search(name):
        limits.add(name)
    return public, guards, limits


_ANY_ORIGIN_PROBES = ("https://attacker.example", "http://evil.test:8080")


def _is_true(node: ast.expr | None) -> bool:
    """The literal ``True`` (``allow_credentials=True``, ``CORS_ALLOW_CREDENTIALS = True``)."""
    return isinstance(node, ast.Constant) and node.value is True


def _header_set(node: ast.AST) -> tuple[str | None, ast.expr | None]:
    """(header name, value) of ``x["Header"] = v``, ``x.headers["Header"] = v`` or
    ``x.headers.set("Header", v)`` / ``add``."""
    match node:
        case ast.Assign(targets=[ast.Subscript(slice=ast.Constant(value=str() as name))], value=value):
            return name.lower(), value
        case ast.Call(func=ast.Attribute(attr="set" | "add" | "__setitem__" | "setdefault"),
                      args=[ast.Constant(value=str() as name), value, *_]):
            return name.lower(), value
    return None, None


def _reads_origin(value: ast.expr) -> bool:
    """The value reads the request's ``Origin`` header (``request.headers.get("Origin")``,
    ``request.META["HTTP_ORIGIN"]``), directly or as a fallback."""
    return any(isinstance(inner, ast.Constant) and isinstance(inner.value, str)
               and inner.value.lower() in ("origin", "http_origin") for inner in ast.walk(value))


def _text(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _param_dependencies(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """What a handler's parameters depend on: ``Depends`` targets, and annotation names that may be
    ``Annotated`` aliases defined elsewhere (``current_user: CurrentUser``)."""
    arguments = node.args
    for argument in (*arguments.args, *arguments.kwonlyargs):
        if argument.annotation is not None:
            yield from _depends_targets(argument.annotation)
            if isinstance(argument.annotation, ast.Name | ast.Attribute):
                yield dotted(argument.annotation)
    for default in (*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)):
        yield from _depends_targets(default)


def _param_is_dependency(argument: ast.arg, default: ast.expr | None) -> bool:
    if default is not None and any(True for _ in _depends_targets(default)):
        return True
    annotation = argument.annotation
    if annotation is None:
        return False
    if any(True for _ in _depends_targets(annotation)):
        return True
    # an alias (``SessionDep``) or a framework object (``Request``, ``BackgroundTasks``) is not input
    name = _last(annotation)
    return name.endswith(("Dep", "Deps")) or name in ("Request", "BackgroundTasks", "Response", "WebSocket")


def _is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of ``pass``, ``...``, a docstring, a returned constant or ``raise NotImplementedError``."""
    body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    match body:
        case [] | [ast.Pass()] | [ast.Return(value=ast.Constant() | None)]:
            return True
        case [ast.Raise(exc=exc)] if _last(exc) == "NotImplementedError":
            return True
    return False


def _takes_request(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return bool(node.args.args) and node.args.args[0].arg == "request"


def _view_methods(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The methods a Django view handles, when its decorators or body say so."""
    found: set[str] = set()
    for decorator in node.decorator_list:
        name = _last(decorator.func if isinstance(decorator, ast.Call) else decorator)
        found.update(_VIEW_METHOD_DECORATORS.get(name, ()))
        if name in ("require_http_methods", "api_view") and isinstance(decorator, ast.Call) and decorator.args:
            found.update(m.upper() for m in _strings(decorator.args[0]))
        elif name == "api_view" and not (isinstance(decorator, ast.Call) and decorator.args):
            found.add("GET")
    for inner in ast.walk(node):
        match inner:
            case ast.Compare(left=left, comparators=comparators) if dotted(left) == "request.method":
                found.update(m.upper() for c in comparators for m in _strings(c))
            case ast.Attribute(value=ast.Name(id="request"), attr="POST" | "FILES"):
                found.add("POST")
    return tuple(sorted(found))


def _action_methods(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and _last(decorator.func) == "action":
            given = _keyword(decorator, "methods")
            yield from (m.upper() for m in _strings(given)) if given is not None else ("GET",)


def _body_guards(node: ast.FunctionDef | ast.AsyncFunctionDef | None) -> tuple[str, ...]:
    """Authentication checked in the body: ``request.user.is_authenticated``, ``abort(401)``,
    ``raise PermissionDenied``, a call named for it (``authorize(request)``), the
    ``Authorization`` header read."""
    if node is None:
        return ()
    return tuple(sorted(_guard_evidence(walk_list(node))))


def _guard_evidence(nodes: Iterable[ast.AST]) -> set[str]:
    """What of ``_body_guards``' evidence these nodes hold."""
    found: set[str] = set()
    for inner in nodes:
        match inner:
            case ast.Name(id=name) | ast.Attribute(attr=name) if _BODY_GUARDS.match(name):
                found.add(name)
            case ast.Call(func=func, args=args, keywords=keywords):
                name = dotted(func)
                if _CHECK_CALL.match(name.rsplit(".", 1)[-1]) and GUARD_NAME.search(name):
                    found.add(f"{name}()")
                codes = [*args, *(k.value for k in keywords if k.arg in ("status_code", "status", "code"))]
                denied = [c.value for c in codes if isinstance(c, ast.Constant) and isinstance(c.value, int)
                          and c.value in (401, 403)]
                if denied and _last(func) in _DENYING:
                    found.add(f"{_last(func)}({denied[0]})")
            case ast.Constant(value=str() as text) if text.lower() in _AUTH_HEADERS:
                found.add(f"{text} header")
    return found


def _may_find_guards(nodes: SyntaxNodes, guarding: set[str], checking: set[str], texts: set[str]) -> bool:
    """``_guard_evidence`` finds something among the module's nodes: a name that guards
    (``guarding``), a call that checks (``checking``), an authentication header (among the
    module's string constants, ``texts``), or a denial code written where a call denies with it."""
    if guarding or checking:
        return True
    if any(text.lower() in _AUTH_HEADERS for text in texts):
        return True
    if any(type(c.value) is int and c.value in (401, 403) for c in nodes.of(ast.Constant)):
        return any(_guard_evidence([call]) for call in nodes.of(ast.Call))
    return False


def _bases(node: ast.ClassDef) -> tuple[str, ...]:
    """The last part of each base's dotted name; empty for a class with no base."""
    return tuple(b for b in (_last(b) for b in node.bases) if b)


def _names(nodes: list[ast.AST]) -> Iterator[str]:
    for inner in nodes:
        match inner:
            case ast.Name(id=name) | ast.Attribute(attr=name):
                yield name


def _calls(nodes: list[ast.AST]) -> Iterator[str]:
    for inner in nodes:
        if isinstance(inner, ast.Call):
            yield dotted(inner.func)


def _own_statements(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.stmt]:
    """The function's statements in order, nested blocks included, nested functions not."""
    pending: list[ast.stmt] = list(reversed(node.body))
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield statement
        children: list[ast.stmt] = []
        for name in ("body", "orelse", "finalbody", "handlers"):
            for child in getattr(statement, name, []) or []:
                if isinstance(child, ast.ExceptHandler):
                    children.extend(child.body)
                elif isinstance(child, ast.stmt):
                    children.append(child)
        if isinstance(statement, ast.Match):
            for case in statement.cases:
                children.extend(case.body)
        pending.extend(reversed(children))


def _bindings(statement: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    """(name, value) this statement binds itself (not its nested blocks)."""
    match statement:
        case ast.Assign(targets=targets, value=value):
            for target in targets:
                if isinstance(target, ast.Name):
                    yield target.id, value
                elif isinstance(target, ast.Tuple):
                    yield from ((e.id, value) for e in target.elts if isinstance(e, ast.Name))
        case ast.AnnAssign(target=ast.Name(id=name), value=value) if value is not None:
            yield name, value
        case ast.AugAssign(target=ast.Name(id=name), value=value):
            yield name, value
        case ast.With(items=items) | ast.AsyncWith(items=items):
            for item in items:
                if isinstance(item.optional_vars, ast.Name):
                    yield item.optional_vars.id, item.context_expr
        case ast.For(target=ast.Name(id=name), iter=value) | ast.AsyncFor(target=ast.Name(id=name), iter=value):
            yield name, value
    for inner in _own_expressions(statement):
        if isinstance(inner, ast.NamedExpr) and isinstance(inner.target, ast.Name):
            yield inner.target.id, inner.value


def _own_expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """The expressions of the statement itself, not of the blocks it holds."""
    for name, value in ast.iter_fields(statement):
        if name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, ast.AST):
                yield from ast.walk(item)


def _calls_in(statement: ast.stmt) -> Iterator[ast.Call]:
    for inner in _own_expressions(statement):
        if isinstance(inner, ast.Call):
            yield inner


def _fixed_host(url: ast.expr) -> bool:
    """The URL starts with a literal scheme and host, so input can only choose the path or query."""
    match url:
        case ast.JoinedStr(values=[ast.Constant(value=str() as head), *_]):
            return bool(_FIXED_HOST.match(head))
        case ast.BinOp(left=left, op=ast.Add() | ast.Mod()):
            return _fixed_host(left) if not isinstance(left, ast.Constant) else bool(
                isinstance(left.value, str) and _FIXED_HOST.match(left.value))
        case ast.Call(func=ast.Attribute(value=ast.Constant(value=str() as template), attr="format")):
            return bool(_FIXED_HOST.match(template))
    return False


__all__ = [
    "HTTP_METHODS", "STATE_CHANGING", "WEB_CODE_VERSION", "CorsTrust", "FlowStep", "Hook", "Include",
    "OutboundFlow", "Route", "RouterDef", "ViewClass", "WebModule", "dotted", "web_module",
]
