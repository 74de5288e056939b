"""Web security controls read from the code: routes that change state without the authentication
the rest of the application uses, authentication routes without a rate limit, and outbound
requests whose URL comes from request input (SSRF candidates).

Each file's routes, routers, view classes and flows come from ``collectors/web_code.py``; what a
name means across files is resolved here, per scanned root (one application): an ``Annotated``
alias (``CurrentUser``), a router's class (mealie's ``UserAPIRouter``), a view's base classes
(``LoginRequiredMixin``, a project's own guarded base), ``include_router(..., dependencies=...)``,
Flask ``before_request`` hooks, Django's ``LoginRequiredMiddleware`` and REST framework's
``DEFAULT_PERMISSION_CLASSES``. A route whose protection cannot be seen (a router made by a class
defined elsewhere, a FastAPI router imported from another package) is not judged.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.collectors.web import WebFacts, WebFile
from gonogo.collectors.web_code import GUARD_NAME, LIMIT_NAME, STATE_CHANGING, Route, ViewClass
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail

_AUTH_FLOW = re.compile(
    r"(?i)(log_?in|logon|log_?out|sign_?in|sign_?up|sign_?out|register|registration|password|passwd|reset|forgot|"
    r"recover|token|otp|2fa|mfa|two_factor|totp|verify|verification|confirm|activate|invit|oauth|sso|saml|"
    r"openid|callback|webhook|magic|unsubscribe|csp_report|csp-report)"
)
"""Routes that serve people who are not signed in yet, or machines that sign their calls: signing
in and up, password resets, e-mail confirmation, OAuth callbacks, webhooks. Public by design."""
_CREDENTIAL_ROUTE = re.compile(
    r"(?i)(log_?in|logon|sign_?in|sign_?up|register|password|passwd|reset|forgot|recover|otp|2fa|mfa|two_factor|"
    r"totp|access[-_]?token|obtain|token/?$|/token|_token$)"
)
"""Routes that check a credential or a secret code, or create accounts: what brute force and
credential stuffing aim at."""
_LOGIN_BASES = frozenset({"LoginView", "ObtainAuthToken", "TokenObtainPairView", "TokenObtainSlidingView",
                          "PasswordResetView", "PasswordResetConfirmView", "KnoxLoginView", "SignupView"})
_PLAIN_ROUTERS = frozenset({"APIRouter", "FastAPI", "Blueprint", "Flask", "Quart", "Starlette"})
_VIEW_BASES = frozenset({
    "View", "APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet",
    "ViewSetMixin", "TemplateView", "FormView", "CreateView", "UpdateView", "DeleteView", "RedirectView",
    "MethodView", "Resource", "CreateAPIView", "ListCreateAPIView", "UpdateAPIView", "DestroyAPIView",
    "RetrieveUpdateAPIView", "RetrieveDestroyAPIView", "RetrieveUpdateDestroyAPIView", "ListAPIView",
    "RetrieveAPIView", "DetailView", "ListView", "ProcessFormView", "BaseFormView", "BaseCreateView",
    "BaseUpdateView", "BaseDeleteView",
})
_WRITING_BASES = {
    "ModelViewSet": ("POST", "PUT", "PATCH", "DELETE"), "CreateAPIView": ("POST",),
    "ListCreateAPIView": ("POST",), "UpdateAPIView": ("PUT", "PATCH"), "DestroyAPIView": ("DELETE",),
    "RetrieveUpdateAPIView": ("PUT", "PATCH"), "RetrieveDestroyAPIView": ("DELETE",),
    "RetrieveUpdateDestroyAPIView": ("PUT", "PATCH", "DELETE"), "CreateModelMixin": ("POST",),
    "UpdateModelMixin": ("PUT", "PATCH"), "DestroyModelMixin": ("DELETE",), "CreateView": ("POST",),
    "UpdateView": ("POST",), "DeleteView": ("POST",), "FormView": ("POST",), "ProcessFormView": ("POST",),
}
_WRITING_METHODS = {"post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "create": "POST",
                    "update": "PUT", "partial_update": "PATCH", "destroy": "DELETE"}
_LOGIN_MIDDLEWARE = re.compile(r"LoginRequired|AuthRequired|RequireLogin")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Endpoint:
    """A route or a view class, as judged: where, what it answers, and how it is protected."""

    where: WebFile
    line: int
    name: str
    methods: tuple[str, ...]
    path: str | None
    guarded: bool | None
    """``None`` when its protection cannot be seen."""
    public: bool
    declared: bool | None = None
    """Guarded by what it declares (a decorator, a dependency, a class, a router), not by a check
    in its body: a sign-in route checks a password in its body and is still reached by anyone."""
    limits: tuple[str, ...] = ()
    login_view: bool = False

    @property
    def label(self) -> str:
        methods = "/".join(m for m in self.methods if m in STATE_CHANGING) or "/".join(self.methods) or "ANY"
        return f"{methods} {self.path} ({self.name})" if self.path else f"{methods} {self.name}"

    @property
    def changes_state(self) -> bool:
        return bool(STATE_CHANGING & set(self.methods))


@dataclass(slots=True)
class _App:
    """One scanned root's web facts, indexed to resolve names across its files."""

    files: list[WebFile]
    aliases: dict[str, set[str]] = field(default_factory=dict)
    classes: dict[str, list[ViewClass]] = field(default_factory=dict)
    subclassed: set[str] = field(default_factory=set)
    guarded_routers: set[str] = field(default_factory=set)
    conditional_routers: set[str] = field(default_factory=set)
    """Routers included only under an ``if``: mounted in some deployments (development) only."""
    app_wide_hook: bool = False
    drf_guard: bool = False
    django_guard: bool = False
    limits: list[str] = field(default_factory=list)
    url_targets: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, files: list[WebFile]) -> _App:
        app = cls(files=files)
        for item in files:
            facts = item.facts
            for name, targets in facts.aliases:
                app.aliases.setdefault(name, set()).update(targets)
            for view in facts.classes:
                app.classes.setdefault(view.name, []).append(view)
                app.subclassed.update(view.bases)
            app.app_wide_hook |= any(h.app_wide for h in facts.hooks)
            if facts.drf_permissions is not None and any(p != "AllowAny" for p in facts.drf_permissions):
                app.drf_guard = True
            app.django_guard |= any(_LOGIN_MIDDLEWARE.search(m) for m in facts.middleware)
            app.url_targets.update(facts.url_targets)
        app.guarded_routers = app._guarded_routers()
        app.conditional_routers = app._conditional_routers()
        return app

    def _guarded_routers(self) -> set[str]:
        """Keys (``users.router``: module, then name) of routers that carry an auth dependency, by
        their own constructor or by an ``include_router`` that adds one, followed through
        routers included into guarded routers."""
        guarded: set[str] = set()
        edges: list[tuple[str, str]] = []
        for item in self.files:
            stem = _stem(item)
            for router in item.facts.routers:
                made_guarded = router.constructor not in _PLAIN_ROUTERS and self.class_guarded(router.constructor)
                if router.guards or made_guarded:
                    guarded.add(f"{stem}.{router.name}")
            for include in item.facts.includes:
                parts = include.target.split(".")
                child = ".".join(parts[-2:]) if len(parts) > 1 else f"{stem}.{include.target}"
                if include.guards:
                    guarded.add(child)
                elif include.parent:
                    edges.append((f"{stem}.{include.parent}", child))
        for _ in range(len(edges)):
            grown = {child for parent, child in edges if parent in guarded} - guarded
            if not grown:
                break
            guarded |= grown
        return guarded

    def _conditional_routers(self) -> set[str]:
        included: dict[str, bool] = {}
        for item in self.files:
            for include in item.facts.includes:
                parts = include.target.split(".")
                child = ".".join(parts[-2:]) if len(parts) > 1 else f"{_stem(item)}.{include.target}"
                included[child] = included.get(child, True) and include.conditional
        return {child for child, only_conditional in included.items() if only_conditional}

    def chain(self, name: str, seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, ViewClass | None]]:
        """``name`` and its ancestors: (name, the project's class or ``None`` for an outside one)."""
        if name in seen:
            return
        found = self.classes.get(name)
        if not found:
            yield name, None
            return
        view = found[0]
        yield name, view
        for base in view.bases:
            yield from self.chain(base, seen | {name})

    def class_guarded(self, name: str) -> bool:
        return any(view.guards if view else GUARD_NAME.search(n) for n, view in self.chain(name))

    def class_public(self, name: str) -> bool:
        return any(view is not None and view.public for _, view in self.chain(name))

    def known_router_class(self, name: str) -> bool:
        return name in _PLAIN_ROUTERS or name in self.classes


def _stem(item: WebFile) -> str:
    stem = posixpath.basename(item.file.relpath).removesuffix(".py")
    if stem == "__init__":
        stem = posixpath.basename(posixpath.dirname(item.file.relpath))
    return stem


_FAMILIES = {"fastapi": "fastapi", "flask": "flask", "django": "django", "drf": "django"}


def _apps(web: WebFacts) -> Iterator[_App]:
    """One application per scanned root and framework: a Flask lab beside a Django site in one
    repository (pygoat) is a second application with its own rules. A file that names no framework
    (a settings module, a mixin) belongs to every application of its root."""
    groups: dict[tuple[Path, str], list[WebFile]] = {}
    shared: dict[Path, list[WebFile]] = {}
    for item in web.files:
        families = {_FAMILIES[f] for f in item.facts.frameworks if f in _FAMILIES}
        for family in families:
            groups.setdefault((item.file.root, family), []).append(item)
        if not families:
            shared.setdefault(item.file.root, []).append(item)
    for (root, _), files in groups.items():
        app = _App.of([*files, *shared.get(root, [])])
        # a rate limiter is a service of the deployment: one set up anywhere in the root counts
        app.limits = _root_limits([f for f in web.files if f.file.root == root])
        yield app


def _root_limits(files: list[WebFile]) -> list[str]:
    found = [f"{item.file.display}:{line} {text}" for item in files for line, text in item.facts.limiters]
    found.extend(f"{item.file.display}:{v.line} class {v.name}" for item in files for v in item.facts.classes
                 if LIMIT_NAME.search(v.name))
    return found


def _endpoints(app: _App) -> Iterator[_Endpoint]:
    """Routes and routed view classes; a Django view only when a URL conf routes to it (a
    function taking ``request`` may be a helper a view calls)."""
    for item in app.files:
        for route in item.facts.routes:
            if route.framework in ("django", "drf") and route.handler not in app.url_targets:
                continue
            yield _route_endpoint(app, item, route)
        for view in item.facts.classes:
            endpoint = _class_endpoint(app, item, view)
            if endpoint is not None:
                yield endpoint


def _route_endpoint(app: _App, item: WebFile, route: Route) -> _Endpoint:
    declared = _route_guarded(app, item, route)
    return _Endpoint(
        where=item, line=route.line, name=route.handler, methods=route.methods, path=route.path,
        guarded=True if route.checks else declared, public=route.public, limits=route.limits, declared=declared,
    )


def _route_guarded(app: _App, item: WebFile, route: Route) -> bool | None:
    if route.guards or set(route.calls) & set(item.facts.guarded_functions):
        return True
    if route.framework in ("django", "drf"):
        return app.django_guard or (route.framework == "drf" and app.drf_guard)
    if any(GUARD_NAME.search(t) for d in route.dependencies for t in app.aliases.get(d.rsplit(".", 1)[-1], ())):
        return True
    if route.class_name and app.class_guarded(route.class_name):
        return True
    if f"{_stem(item)}.{route.router}" in app.guarded_routers:
        return True
    if f"{_stem(item)}.{route.router}" in app.conditional_routers:
        return None  # mounted only under a condition (a development flag): not judged
    if app.app_wide_hook or any(h.router == route.router for h in item.facts.hooks):
        return True
    made = next((r for r in item.facts.routers if r.name == route.router), None)
    if made is None:
        return None if route.framework == "fastapi" else False
    if made.guards:
        return True
    if not app.known_router_class(made.constructor):
        return None
    return made.constructor not in _PLAIN_ROUTERS and app.class_guarded(made.constructor)


def _class_endpoint(app: _App, item: WebFile, view: ViewClass) -> _Endpoint | None:
    """A view class that is routed (a leaf of the project's class tree with a view base)."""
    if view.name in app.subclassed or view.name not in app.url_targets:
        return None
    chain = list(app.chain(view.name))
    outside = {name for name, found in chain if found is None}
    if not outside & _VIEW_BASES and not any(n.endswith(("View", "ViewSet")) for n in outside):
        return None
    viewset = any(n.endswith("ViewSet") or n in ("CreateModelMixin", "UpdateModelMixin", "DestroyModelMixin")
                  for n in outside)
    writers = {m: verb for m, verb in _WRITING_METHODS.items() if viewset or m in ("post", "put", "patch", "delete")}
    methods: set[str] = set()
    for name, found in chain:
        methods.update(_WRITING_BASES.get(name, ()))
        if found is not None:
            methods.update(writers[m] for m in found.methods if m in writers)
            methods.update(found.actions)
            if "get" in found.methods:
                methods.add("GET")
    own_writers = [m for m in view.methods if m in writers and m not in view.stub_methods]
    methods -= {writers[m] for m in view.stub_methods if m in writers} - {writers[m] for m in own_writers}
    declared_methods = dict(view.method_guards)
    checked_methods = {**declared_methods, **dict(view.method_checks)}
    method_declared = bool(own_writers) and all(m in declared_methods for m in own_writers)
    method_checked = bool(own_writers) and all(m in checked_methods for m in own_writers)
    drf = bool(outside & {"APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet",
                           "ReadOnlyModelViewSet", "CreateAPIView", "ListCreateAPIView"}) or any(
        n.endswith("APIView") or n.endswith("ViewSet") for n in outside)
    public = app.class_public(view.name)
    declared = app.class_guarded(view.name) or method_declared or app.django_guard or (
        drf and app.drf_guard and not public)
    limits = tuple(limit for _, found in chain if found is not None for limit in found.limits)
    if any(m in checked_methods for m in own_writers):  # some are checked: name the others
        methods = {writers[m] for m in own_writers if m not in checked_methods}
    return _Endpoint(
        where=item, line=view.line, name=view.name, methods=tuple(sorted(methods)), path=None,
        guarded=declared or method_checked, public=public, limits=limits, login_view=bool(outside & _LOGIN_BASES),
        declared=declared,
    )


@check("SEC033", "Routes that change state require the authentication the application uses",
       category=Category.SECURITY, severity=Severity.LOW, counts="web.unauthenticated_writes")
def unauthenticated_writes(web: WebFacts) -> Iterator[CheckOutput]:
    """Why: when most of an application's routes require a signed-in user, a POST, PUT, PATCH or
    DELETE route without that requirement is usually a forgotten decorator or dependency, and lets
    anyone change data (OWASP A01, broken access control). The rule: in an application where at
    least one route requires authentication, a route that changes state, shows none (no
    authentication dependency or ``Depends``/``Security``, decorator such as ``login_required``,
    permission class or mixin, router or ``include_router`` dependency, ``before_request`` hook,
    Django login middleware or REST framework default permission, nor a check in its body such as
    ``is_authenticated`` or ``abort(401)``), and is not declared public (``AllowAny``,
    ``login_not_required``) is reported. Routers included only under an ``if`` (mounted in
    development) and view methods that are stubs are not judged. Routes for signing in and up, password resets,
    confirmations, OAuth callbacks and webhooks are public by design and not reported. What
    protects a route is read from names, so a custom guard with a neutral name is missed and a
    route may be reported that is protected elsewhere: low, and outside every blocking gate.
    Fix: add the application's authentication to the route (``Depends(get_current_user)``,
    ``@login_required``, ``permission_classes``), or declare it public on purpose
    (``permission_classes = [AllowAny]``, ``@login_not_required``)."""
    apps = [(app, list(_endpoints(app))) for app in _apps(web)]
    if not any(endpoints for _, endpoints in apps):
        raise NotApplicable("no web routes found (FastAPI, Flask, Django, REST framework)")
    yield Metric(name="web.state_changing_routes", value=sum(e.changes_state for _, es in apps for e in es))
    for _, endpoints in apps:
        yield from _inconsistent(endpoints)


def _inconsistent(endpoints: list[_Endpoint]) -> Iterator[CheckOutput]:
    guarded = [e for e in endpoints if e.guarded]
    if not guarded:
        return  # an application with no authentication at all has nothing to be inconsistent with
    for endpoint in endpoints:
        if not endpoint.changes_state or endpoint.guarded is not False or endpoint.public:
            continue
        if _AUTH_FLOW.search(f"{endpoint.name} {endpoint.path}"):
            continue
        yield fail(
            f"{endpoint.label} changes state with no authentication, while {len(guarded)} of {len(endpoints)} "
            f"routes in this application require it",
            at=endpoint.where.file.at(endpoint.line),
            key=f"auth:{endpoint.name}:{endpoint.path}",
        )


@check("SEC034", "Authentication routes are rate limited", category=Category.SECURITY, severity=Severity.LOW,
       counts="web.unlimited_auth_routes")
def auth_routes_rate_limited(web: WebFacts) -> Iterator[CheckOutput]:
    """Why: a sign-in, sign-up, token or password-reset route that answers as fast as it is called
    lets an attacker try passwords and reset codes by the million (credential stuffing, OWASP
    A07). Counted as limited: a limit on the route (``@limiter.limit``, ``@ratelimit``,
    ``throttle_classes``, a call named for one such as healthchecks' ``TokenBucket``), one set up
    for the application (slowapi, flask-limiter, django-ratelimit, django-axes, REST framework's
    ``DEFAULT_THROTTLE_CLASSES``, django-allauth's built-in limits), or one declared at a proxy in
    the repository (nginx ``limit_req``, Traefik ``rateLimit``, Caddy ``rate_limit``,
    ingress-nginx ``limit-rps``). A limit set in a proxy or gateway outside the repository is
    invisible here: low, and outside every blocking gate.
    Fix: limit attempts per client and per account on these routes (slowapi's
    ``@limiter.limit("5/minute")``, flask-limiter, django-ratelimit or django-axes, DRF
    ``throttle_classes``), or at the proxy."""
    apps = list(_apps(web))
    targets = [(app, e) for app in apps for e in _endpoints(app) if _credential_route(e)]
    if not targets:
        raise NotApplicable("no sign-in, sign-up, token or password-reset route found")
    proxy = web.proxy_limits[0] if web.proxy_limits else None
    for app, endpoint in targets:
        if endpoint.limits or app.limits or proxy is not None:
            continue
        yield fail(
            f"{endpoint.label} is not rate limited, and no limit is set up for the application or at a proxy",
            at=endpoint.where.file.at(endpoint.line),
            key=f"limit:{endpoint.name}:{endpoint.path}",
        )


def _credential_route(endpoint: _Endpoint) -> bool:
    """Reached before signing in, and checks a credential or code, or makes an account."""
    if endpoint.login_view:
        return True
    if not endpoint.changes_state or endpoint.declared is not False:
        return False
    return bool(_CREDENTIAL_ROUTE.search(f"{endpoint.name} {endpoint.path or ''}")) and "logout" not in \
        endpoint.name.lower()


@check("SEC035", "Outbound requests do not take their URL from request input", category=Category.SECURITY,
       severity=Severity.LOW, counts="web.ssrf_candidates")
def ssrf_candidates(web: WebFacts) -> Iterator[CheckOutput]:
    """Why: a server that fetches a URL its caller chose can be made to call internal services,
    cloud metadata endpoints (``169.254.169.254``) and ports behind the firewall (server-side
    request forgery, OWASP A10). Reported: a call to requests, httpx, urllib or aiohttp (or a
    session or client they made) whose URL is, within the same function, built from request
    input (Flask's ``request.args``/``form``/``json``, Django's ``request.GET``/``POST``, DRF's
    ``request.data``, a FastAPI route's parameters), with each step of the flow. A URL whose
    scheme and host are fixed text (``f"https://api.example.com/{id}"``) is not reported. Flows
    through other functions are not followed, and a URL checked against an allow-list in between
    is still reported: low, and outside every blocking gate.
    Fix: fetch only from an allow-list of hosts, resolve the host and refuse private, loopback
    and link-local addresses, and disable redirects (or re-check each one)."""
    flows = [(item, flow) for item in web.files for flow in item.facts.flows]
    if not web.files:
        raise NotApplicable("no web code found")
    for item, flow in flows:
        steps = " -> ".join(f"line {s.line}: {s.text}" for s in flow.steps)
        yield fail(
            f"{flow.sink}() in {flow.function} takes its URL from {flow.source}",
            at=item.file.at(flow.line),
            evidence=steps,
            key=f"ssrf:{flow.function}:{flow.sink}",
        )


@check("SEC036", "CORS does not trust every origin by pattern or by echoing it", category=Category.SECURITY,
       severity=Severity.MEDIUM, counts="web.cors_trusts_any_origin")
def cors_trusts_any_origin(web: WebFacts) -> Iterator[CheckOutput]:
    """Why: SEC032 finds ``allow_origins=["*"]`` with credentials; the same hole is opened by an
    origin pattern that matches every origin (Starlette's ``allow_origin_regex=".*"``,
    django-cors-headers' ``CORS_ALLOWED_ORIGIN_REGEXES``) with credentials allowed, or by code
    that copies the request's ``Origin`` header into ``Access-Control-Allow-Origin`` and also sends
    ``Access-Control-Allow-Credentials: true``: any web page a signed-in user visits can then call
    the API as that user and read the answers. A pattern is judged by whether it accepts two
    origins nobody would list; only literal values are read. One that could backtrack
    exponentially is run in a child process stopped after 50 ms of processor time; one that does
    not finish is named in a note, never passed in silence. Not part of a blocking gate.
    Fix: list the trusted origins (or anchor the pattern to your own domain,
    ``^https://([a-z0-9-]+\\.)?example\\.com$``), and echo an origin only after checking it
    against that list."""
    if not web.files:
        raise NotApplicable("no web code found")
    for item in web.files:
        for trust in item.facts.cors_trust:
            yield fail(f"CORS: {trust.how}", at=item.file.at(trust.line), evidence=trust.snippet,
                       key=f"cors-trust:{trust.line}")
