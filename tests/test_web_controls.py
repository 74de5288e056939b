"""SEC033-SEC035: unauthenticated state-changing routes, unlimited sign-in routes, SSRF candidates,
on applications laid out like the corpus's (the FastAPI template's ``Annotated`` aliases and
routers, mealie's guarded router classes and controllers, healthchecks' dispatching Django views,
pygoat's views with their decorator commented out, Vulnerable-Flask-App's JWT checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.web_code import web_module
from tests.helpers import make_repo, result_of, scan_repo


def _messages(repo: Path, check_id: str) -> list[str]:
    return sorted(f.message for f in result_of(scan_repo(repo, select=check_id), check_id).findings)


_DEPS = '''
from typing import Annotated
from fastapi import Depends
def get_db(): ...
def get_current_user(): ...
SessionDep = Annotated[object, Depends(get_db)]
CurrentUser = Annotated[object, Depends(get_current_user)]
'''

_ITEMS = '''
from fastapi import APIRouter
from app.deps import CurrentUser, SessionDep
router = APIRouter()

@router.get("/items")
def read_items(session: SessionDep, current_user: CurrentUser): ...

@router.post("/items")
def create_item(session: SessionDep, current_user: CurrentUser): ...

@router.delete("/items/{id}")
def delete_item(session: SessionDep, id: int): ...

@router.post("/login/access-token")
def login_access_token(session: SessionDep): ...
'''


def test_fastapi_route_without_the_alias_is_reported_and_its_guarded_twin_is_not(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/deps.py": _DEPS, "app/routes/items.py": _ITEMS})
    assert _messages(repo, "SEC033") == [
        "DELETE /items/{id} (delete_item) changes state with no authentication, while 2 of 4 routes in this "
        "application require it"
    ]


@pytest.mark.parametrize(
    ("router", "flagged"),
    [
        ("router = APIRouter()\n", True),
        ("router = APIRouter(dependencies=[Depends(get_current_user)])\n", False),
        ("router = UserAPIRouter()\n", False),
        ("router = ImportedRouter()\n", False),
    ],
    ids=["plain router", "router with an auth dependency", "router class that adds one", "router class not seen"],
)
def test_router_dependencies_guard_their_routes(tmp_path: Path, router: str, flagged: bool) -> None:
    routers = '''
from fastapi import APIRouter, Depends
def get_current_user(): ...
class UserAPIRouter(APIRouter):
    def __init__(self, **kwargs):
        super().__init__(dependencies=[Depends(get_current_user)], **kwargs)
'''
    module = ("from fastapi import APIRouter, Depends\nfrom app.routers import UserAPIRouter, ImportedRouter, "
              "get_current_user\n" + router + '@router.put("/recipes/{slug}")\ndef update(slug: str): ...\n'
              '@router.get("/me")\ndef me(user=Depends(get_current_user)): ...\n')
    repo = make_repo(tmp_path, {"app/routers.py": routers, "app/recipes.py": module})
    assert bool(_messages(repo, "SEC033")) is flagged


def test_include_router_with_a_dependency_guards_the_included_routes(tmp_path: Path) -> None:
    main = '''
from fastapi import FastAPI, Depends
from app import private, public
from app.auth import get_current_user
app = FastAPI()
app.include_router(private.router, dependencies=[Depends(get_current_user)])
app.include_router(public.router)
'''
    private = ('from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/notes")\ndef add_note(text: str): ...\n'
               '@router.get("/notes")\ndef notes(): ...\n')
    public = 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/feedback")\ndef feedback(text: str): ...\n'
    repo = make_repo(tmp_path, {"app/main.py": main, "app/private.py": private, "app/public.py": public})
    assert [m.split(" changes")[0] for m in _messages(repo, "SEC033")] == ["POST /feedback (feedback)"]


_FLASK = '''
from flask import Flask, request, abort
from flask_login import login_required
app = Flask(__name__)

@app.route("/fetch", methods=["POST"])
@login_required
def fetch(): ...

@app.route("/search", methods=["POST"])
def search():
    if not verify_jwt(request.headers.get("Authorization")):
        abort(401)

@app.route("/upload", methods=["GET", "POST"])
def upload(): ...

@app.route("/register", methods=["POST"])
def register(): ...

@app.route("/about")
def about(): ...
'''


def test_flask_route_without_a_decorator_or_check_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/app.py": _FLASK})
    assert [m.split(" changes")[0] for m in _messages(repo, "SEC033")] == ["POST /upload (upload)"]


@pytest.mark.parametrize(
    ("source", "method", "path"),
    [
        ('from fastapi import FastAPI\napp = FastAPI()\n@app.post("/items")\ndef create(item: dict) -> dict:\n'
         "    return item\n", "POST", "/items"),
        ('import flask\napp = flask.Flask(__name__)\n@app.put("/items/<name>")\ndef put(name): ...\n',
         "PUT", "/items/<name>"),
        ('from quart import Quart\napp = Quart(__name__)\n@app.delete("/items/<name>")\nasync def drop(name): ...\n',
         "DELETE", "/items/<name>"),
    ],
    ids=["fastapi", "flask", "quart"],
)
def test_a_decorated_route_is_read_in_a_file_with_no_word_but_its_framework(source: str, method: str, path: str) -> None:
    # no request, route, Depends, View, limit...: the framework's import is the file's only marker
    routes = web_module(source.encode()).routes
    assert [(r.methods, r.path) for r in routes] == [((method,), path)]


def test_an_application_without_any_authentication_has_nothing_to_be_inconsistent_with(tmp_path: Path) -> None:
    source = 'from flask import Flask\napp = Flask(__name__)\n@app.post("/echo")\ndef echo(): ...\n'
    repo = make_repo(tmp_path, {"app.py": source})
    report = scan_repo(repo, select="SEC033")
    assert result_of(report, "SEC033").findings == ()


_DJANGO_VIEWS = '''
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST
from django.views.generic import View
from django.contrib.auth.mixins import LoginRequiredMixin

@login_required
def index(request): ...

@require_POST
def evaluate(request): ...

def checks(request):
    if request.method == "POST":
        return create_check(request)

@authorize
def create_check(request): ...

def _helper(request):
    if request.method == "POST": ...

def helper_not_routed(request):
    if request.method == "POST": ...

class Profile(LoginRequiredMixin, View):
    def post(self, request): ...

class Comment(View):
    def post(self, request):
        Comment.objects.create(text=request.POST["text"])
'''
_DJANGO_URLS = '''
from django.urls import path
from . import views
urlpatterns = [
    path("", views.index),
    path("evaluate/", views.evaluate),
    path("checks/", views.checks),
    path("profile/", views.Profile.as_view()),
    path("comment/", views.Comment.as_view()),
]
'''


def test_django_views_routed_by_the_url_conf_are_judged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site/views.py": _DJANGO_VIEWS, "site/urls.py": _DJANGO_URLS})
    assert [m.split(" changes")[0] for m in _messages(repo, "SEC033")] == ["POST Comment", "POST evaluate"]


@pytest.mark.parametrize(
    ("settings", "view", "flagged"),
    [
        ("", "class Notes(ModelViewSet):\n    queryset = None\n", True),
        ('REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\n',
         "class Notes(ModelViewSet):\n    queryset = None\n", False),
        ("", "class Notes(ModelViewSet):\n    permission_classes = [AllowAny]\n", False),
        ("", "class Notes(ModelViewSet):\n    permission_classes = [IsOwner]\n", False),
    ],
    ids=["viewset with the default AllowAny", "project default permission", "declared public", "own permission"],
)
def test_drf_viewsets_follow_permission_classes(tmp_path: Path, settings: str, view: str, flagged: bool) -> None:
    views = ("from rest_framework.viewsets import ModelViewSet\nfrom rest_framework.permissions import "
             "IsAuthenticated, AllowAny\n" + view +
             "class Tags(ModelViewSet):\n    permission_classes = [IsAuthenticated]\n")
    urls = ("from rest_framework.routers import DefaultRouter\nfrom .views import Notes, Tags\n"
            "router = DefaultRouter()\nrouter.register('notes', Notes)\nrouter.register('tags', Tags)\n")
    files = {"api/views.py": views, "api/urls.py": urls}
    if settings:
        files["proj/settings.py"] = "INSTALLED_APPS = []\n" + settings
    assert bool(_messages(make_repo(tmp_path, files), "SEC033")) is flagged


# SEC034 ---------------------------------------------------------------------------------------


def test_sign_in_routes_without_a_limit_are_reported_and_the_limited_twin_is_not(tmp_path: Path) -> None:
    source = '''
from flask import Flask
from flask_login import login_required
app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login(): ...

@app.route("/password/reset", methods=["POST"])
@limits.ratelimit("5/minute")
def reset(): ...

@app.route("/account/password", methods=["POST"])
@login_required
def change_password(): ...
'''
    repo = make_repo(tmp_path, {"app.py": source})
    assert _messages(repo, "SEC034") == [
        "POST /login (login) is not rate limited, and no limit is set up for the application or at a proxy"
    ]


@pytest.mark.parametrize(
    "files",
    [
        {"app/limits.py": "from slowapi import Limiter\nlimiter = Limiter(key_func=None, default_limits=['1/s'])\n"},
        {"deploy/nginx.conf": "http {\n  limit_req_zone $binary_remote_addr zone=one:10m rate=1r/s;\n}\n"},
        {"app/models.py": "from django.db import models\nclass TokenBucket(models.Model):\n    pass\n"},
    ],
    ids=["slowapi set up", "nginx limit_req", "the application's own token bucket"],
)
def test_a_limit_for_the_application_or_the_proxy_counts(tmp_path: Path, files: dict[str, str]) -> None:
    source = 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/login")\ndef login(): ...\n'
    repo = make_repo(tmp_path, {"app/auth.py": source, **files})
    assert _messages(repo, "SEC034") == []


def test_a_proxy_comment_naming_a_limit_is_not_a_limit(tmp_path: Path) -> None:
    source = 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/login")\ndef login(): ...\n'
    repo = make_repo(tmp_path, {"app/auth.py": source, "nginx.conf": "# TODO: limit_req here\nserver {}\n"})
    assert len(_messages(repo, "SEC034")) == 1


# SEC035 ---------------------------------------------------------------------------------------

_SSRF = '''
import requests
import httpx
from flask import Flask, request
app = Flask(__name__)

@app.post("/fetch")
def fetch():
    url = request.form["url"]
    target = url.strip()
    return requests.get(target).text

@app.post("/avatar")
def avatar():
    name = request.args.get("user")
    return requests.get(f"https://api.github.com/users/{name}").json()

@app.post("/proxy")
async def proxy():
    async with httpx.AsyncClient() as client:
        return await client.get(request.json["next"])

def refresh(feed_url):
    return requests.get(feed_url)
'''


def test_outbound_urls_from_request_input_are_reported_with_their_flow(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"app.py": _SSRF}), select="SEC035")
    findings = sorted(result_of(report, "SEC035").findings, key=lambda f: f.location.line if f.location else 0)
    assert [f.message for f in findings] == [
        "requests.get() in fetch takes its URL from request.form",
        "client.get() in proxy takes its URL from request.json",
    ]
    assert findings[0].evidence == (
        'line 8: url = request.form["url"] -> line 9: target = url.strip() -> '
        "line 10: return requests.get(target).text"
    )


def test_fastapi_route_parameters_are_input_but_dependencies_are_not(tmp_path: Path) -> None:
    source = '''
import httpx
from fastapi import APIRouter, Depends
router = APIRouter()
def get_settings(): ...

@router.post("/scrape")
async def scrape(url: str, settings=Depends(get_settings)):
    await httpx.AsyncClient().get(settings.base_url)
    return httpx.get(url)
'''
    assert _messages(make_repo(tmp_path, {"app/scrape.py": source}), "SEC035") == [
        "httpx.get() in scrape takes its URL from parameter url of route scrape"
    ]


@pytest.mark.parametrize(
    "source",
    [
        b"\x00\xff not python",
        b"def f(:\n",
        b"@app.route(\n" * 50,
        b"x = " + b"(" * 5000 + b")" * 5000,
        b"request = 1\n" + b"a = request.args\n" * 2000,
        b"import fastapi\n" + b"@app.post(\n" * 50,
        b"from flask import Flask\nx = " + b"(" * 5000 + b")" * 5000,
    ],
    ids=["binary", "syntax error", "unclosed decorators", "deep nesting", "many lines",
         "a framework's only marker, unclosed decorators", "a framework's only marker, deep nesting"],
)
def test_hostile_sources_give_empty_or_partial_facts(source: bytes) -> None:
    facts = web_module(source)
    assert facts.routes == ()


def test_every_route_of_a_function_under_many_decorators_has_its_parameters_dependencies() -> None:
    source = (
        b"from fastapi import Depends, FastAPI\napp = FastAPI()\ndef auth(): ...\n"
        + b'@app.post("/x")\n' * 20_000
        + b"def f(user=Depends(auth)): ...\n"
    )
    routes = web_module(source).routes
    # each route, not only the first, reads the handler's parameters; and 20,000 decorators are
    # read once each (this was quadratic: minutes, where it is now under a second)
    assert len(routes) == 20_000
    assert {(r.dependencies, r.guards) for r in routes} == {(("auth",), ("auth",))}


# SEC036 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "flagged"),
    [
        ({"app/main.py": "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
          "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origin_regex='.*', allow_credentials=True)\n"},
         True),
        ({"app/main.py": "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
          "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origin_regex=r'^https://(\\w+\\.)?example\\.com$',"
          " allow_credentials=True)\n"}, False),
        ({"site/settings.py": "INSTALLED_APPS = []\nCORS_ALLOWED_ORIGIN_REGEXES = [r'^https?://.*$']\n"
          "CORS_ALLOW_CREDENTIALS = True\n"}, True),
        ({"site/settings.py": "INSTALLED_APPS = []\nCORS_ALLOWED_ORIGIN_REGEXES = [r'^https?://.*$']\n"}, False),
        ({"app/views.py": "def add_cors(request, response):\n"
          "    response['Access-Control-Allow-Origin'] = request.headers.get('Origin')\n"
          "    response['Access-Control-Allow-Credentials'] = 'true'\n"}, True),
        ({"app/views.py": "def add_cors(request, response):\n"
          "    response['Access-Control-Allow-Origin'] = request.headers.get('Origin')\n"}, False),
        ({"app/views.py": "def add_cors(request, response):\n    response['Access-Control-Allow-Origin'] = '*'\n"
          "    response['Access-Control-Allow-Credentials'] = 'true'\n"}, False),
        ({"app/main.py": "app.add_middleware(CORSMiddleware, allow_origin_regex='([', allow_credentials=True)\n"},
         False),
        ({"app/main.py": "app.add_middleware(CORSMiddleware, allow_origin_regex=r'https?://(\\w+\\.)*\\w+',"
          " allow_credentials=True)\n"}, True),
    ],
    ids=["regex for any origin with credentials", "anchored regex", "django regex with credentials",
         "django regex without credentials", "origin echoed with credentials", "origin echoed without credentials",
         "literal star is SEC032's", "invalid regex", "nested regex for any origin"],
)
def test_cors_trusting_any_origin(tmp_path: Path, files: dict[str, str], flagged: bool) -> None:
    assert bool(_messages(make_repo(tmp_path, files), "SEC036")) is flagged


def test_an_origin_pattern_that_cannot_be_judged_is_said_so_in_a_note(tmp_path: Path) -> None:
    """A pattern that backtracks exponentially used to pass SEC036 in silence: one nested group was
    enough to hide an any-origin pattern from it. Now the report says which pattern was not judged."""
    repo = make_repo(tmp_path, {"app/main.py": "app.add_middleware(CORSMiddleware, allow_origin_regex=r'(.*.*)*x',"
                                               " allow_credentials=True)\n"})
    report = scan_repo(repo, select="SEC036")
    assert result_of(report, "SEC036").findings == ()
    notes = [n for n in report.notes if n.source == "web"]
    assert [n.path for n in notes] == ["app/main.py"]
    assert "line 1 not judged (SEC036)" in notes[0].message


@pytest.mark.parametrize(
    ("put", "flagged"),
    [
        ("        # TODO: implement flag checking\n        return 'not implemented'\n", False),
        ("        Flag.objects.filter(user=request.user).update(done=True)\n", True),
    ],
    ids=["a writer that is a stub changes nothing", "the same writer doing work"],
)
def test_stub_writers_are_not_reported(tmp_path: Path, put: str, flagged: bool) -> None:
    views = ("from django.views.generic import View\nfrom django.contrib.auth.mixins import LoginRequiredMixin\n\n"
             "class Profile(LoginRequiredMixin, View):\n    def post(self, request): ...\n\nclass Challenge(View):\n"
             "    def post(self, request):\n        if not request.user.is_authenticated:\n            return None\n"
             "    def put(self, request):\n" + put)
    urls = ("from django.urls import path\nfrom .views import Challenge, Profile\n"
            "urlpatterns = [path('c/', Challenge.as_view()), path('p/', Profile.as_view())]\n")
    repo = make_repo(tmp_path, {"site/views.py": views, "site/urls.py": urls})
    assert _messages(repo, "SEC033") == (
        ["PUT Challenge changes state with no authentication, while 1 of 2 routes in this application require it"]
        if flagged else [])


@pytest.mark.parametrize(
    ("include", "flagged"),
    [
        ("api.include_router(private.router)\n", True),
        ("if settings.ENVIRONMENT == 'local':\n    api.include_router(private.router)\n", False),
    ],
    ids=["router always mounted", "router mounted only in development"],
)
def test_routers_mounted_under_a_condition_are_not_judged(tmp_path: Path, include: str, flagged: bool) -> None:
    main = ("from fastapi import APIRouter, Depends\nfrom app import private, users\nfrom app.config import settings\n"
            "api = APIRouter()\napi.include_router(users.router)\n" + include)
    users = ("from fastapi import APIRouter, Depends\nrouter = APIRouter()\ndef get_current_user(): ...\n"
             '@router.post("/items")\ndef add(user=Depends(get_current_user)): ...\n')
    private = 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/users/")\ndef create_user(): ...\n'
    repo = make_repo(tmp_path, {"app/main.py": main, "app/users.py": users, "app/private.py": private})
    assert bool(_messages(repo, "SEC033")) is flagged
