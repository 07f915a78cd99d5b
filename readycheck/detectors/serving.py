"""Detectors over the code that serves predictions: which requests must authenticate,
and whether a response says which model version produced it.

Both read behaviour, not names of libraries. A route is authenticated when something
on its path checks a credential and turns the request away without one: a FastAPI
dependency (`Depends(verify_api_key)`, a `fastapi.security` scheme), an auth decorator
(`@login_required`, `@jwt_required`), a middleware or `before_request` hook that reads
the Authorization header and answers 401, or a handler that does so itself. Importing
`fastapi.security`, or a handler that only checks that a header is *present*, is not
authentication. A response carries the model version when the value a serving handler
returns (a dict, a response model, a header) has a field that names it; a local
variable called `model_version` is not a response.

Serving handlers are the routes of FastAPI, Starlette, Flask, Quart, Sanic, aiohttp
and Falcon (decorated, or registered with `add_url_rule`, `add_api_route`,
`add_route`), Django REST framework views, the `predict`/`postprocess` methods of
KServe, MLServer and TorchServe model classes, BentoML APIs, Ray Serve deployments,
and the entry points of Azure ML scoring scripts (`run`), SageMaker inference scripts
(`predict_fn`, `output_fn`, `transform_fn`) and AWS Lambda handlers.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import PREDICTION_NAME, ROUTE_REGISTRATIONS, matches_any
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.parsers.python import PythonCode, keyword_value
from readycheck.workspace import SourceFile, clip

#: Notebooks do not serve requests.
PYTHON_ONLY = (FileKind.PYTHON,)
_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket", "view"}
)
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_ROUTER_NAME = re.compile(r"(?i)(.*_)?(app|application|api|router|routes|bp|blueprint|server)")
#: Routes that are not the model: probes, metrics, docs, the landing page.
_INFRASTRUCTURE = re.compile(
    r"(?i)^/?(.*/)?(health|healthz|healthcheck|health_check|livez?|liveness|readyz?|readiness"
    r"|ping|status|metrics|docs|redoc|openapi(\.json)?|swagger(\.json)?|favicon\.ico|version"
    r"|info|heartbeat|__lbheartbeat__|__heartbeat__|__version__|static/.*)/?$"
)
#: Credentials as requests carry them: headers, query parameters, cookies.
_CREDENTIAL_NAMES = re.compile(
    r"(?i)(proxy-)?authorization|([a-z0-9]+-)*(api|auth|access|client)[-_]?(key|token)|x-token|token"
    r"|apikey|x-hub-signature(-256)?|x-[\w-]*signature|x-[\w-]*-key|session(id)?|access_token"
)
#: A constant whose name says it holds a header's name: `API_KEY_HEADER`, `AUTH_HEADER_NAME`.
_HOLDS_HEADER = re.compile(r"(?i)_*([A-Z][A-Z0-9_]*?)_HEADER(?:_NAME)?")
#: Names of things that check credentials: dependencies, decorators, middleware, helpers.
_AUTH_WORDS = frozenset(
    {"auth", "authenticate", "authenticated", "authentication", "authorize", "authorized",
     "authorization", "authorizer", "apikey", "token", "jwt", "bearer", "oauth", "oauth2",
     "credential", "credentials", "login", "permission", "permissions", "principal",
     "signature", "hmac", "basicauth", "oidc", "iap", "scopes", "httpauth"}
)  # fmt: skip
_AUTH_PAIRS = frozenset(
    {("api", "key"), ("current", "user"), ("verify", "key"), ("access", "key"),
     ("require", "user"), ("get", "user"), ("verify", "admin"), ("require", "admin"),
     ("verify", "user"), ("check", "admin")}
)  # fmt: skip
#: A module named for it holds the service's auth dependencies (`core/security.py`);
#: only a dependency may be recognised by its module (a middleware called
#: `SecurityHeadersMiddleware` sets headers, it authenticates nobody).
_SECURITY_MODULES = frozenset({"security", "auth", "authentication", "authorization"})
_NOT_AUTH_MIDDLEWARE = re.compile(
    r"(?i)cors|gzip|trustedhost|proxyheaders|header|session|csrf|https?redirect"
)
#: Exceptions and statuses that turn a request away.
_REJECTION = re.compile(
    r"(?i)unauthori[sz]ed|unauthenticated|forbidden|permissiondenied|notauthenticated"
    r"|authenticationfailed|authenticationerror|autherror|accessdenied|http_40[13]|\b40[13]\b"
)
#: Calls that verify a credential (not merely read it).
_VERIFY = re.compile(
    r"(?i)(^|\.)(compare_digest|decode|verify\w*|validate_?\w*token\w*|check_\w*(password|token|key|signature)\w*"
    r"|authenticate\w*|authori[sz]e\w*|get_current_user|verify_id_token|decode_token|jwt\.\w+)$"
)
_NOT_A_USE = re.compile(
    r"(?i)(^|\.)(debug|info|warning|warn|error|exception|critical|log|print|str|repr|len|bool"
    r"|isinstance|format|capture_message|set_tag|set_context)$"
)
_FRAMEWORK_SECURITY = ("fastapi.security.", "fastapi.security", "starlette.authentication.")
_DEPENDS = re.compile(r"(^|\.)(Depends|Security)$")
_AUTH_DECORATORS = re.compile(
    r"(?i)(^|\.)(\w*login_required|\w*jwt_required|\w*token_required|\w*auth\w*_required"
    r"|requires_?auth\w*|require_?(api_?key|auth\w*|token|login|user|scope\w*)|permission_required"
    r"|permission_classes|authentication_classes|requires|verify_token|login_required|auth_required"
    r"|api_?key_required|protected|authenticated|oidc\w*|\w*\.login_required)$"
)


@dataclass
class Handler:
    """A function that answers requests: where it is registered, its path and method."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    line: int
    path: str | None
    method: str
    kind: Literal["route", "serving"]
    decorators: list[ast.expr] = field(default_factory=list)
    router: str | None = None
    #: What the framework checks before the handler runs, declared on its class or
    #: action (Django REST framework's `permission_classes = [IsAuthenticated]`).
    guard: str | None = None

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def infrastructure(self) -> bool:
        return (self.path is not None and _INFRASTRUCTURE.match(self.path) is not None) or (
            _INFRASTRUCTURE.match(self.name) is not None
        )

    @property
    def predicts(self) -> bool:
        """Whether the route answers with the model's output: a model server's handler,
        or a route named for predicting; a DELETE (`DELETE /chat/history`) removes
        something and answers with no prediction."""
        if self.kind == "serving":
            return True
        return self.method != "delete" and bool(
            PREDICTION_NAME.search(f"{self.path or ''} {self.name}")
        )

    def describe(self) -> str:
        where = f"{self.method.upper()} {self.path}" if self.path else self.method
        return f"{where} ({self.name})"


def _constant_path(call: ast.Call) -> str | None:
    candidates = [*call.args[:2], keyword_value(call, "path"), keyword_value(call, "rule")]
    for node in candidates:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("/")
        ):
            return node.value
    return None


def _method_of(call: ast.Call, attr: str) -> str:
    if attr in _HTTP_METHODS:
        return attr
    methods = keyword_value(call, "methods")
    if isinstance(methods, ast.List | ast.Tuple | ast.Set):
        names = [
            e.value.lower()
            for e in methods.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        if names:
            return "/".join(names)
    return "route"


def _receiver(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def _functions(code: PythonCode) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Top-level and nested functions by name (the first definition wins)."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for ref in code.functions:
        found.setdefault(ref.name, ref.node)
    return found


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        item.name: item
        for item in cls.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _class_decorators(code: PythonCode, cls: ast.ClassDef) -> list[str]:
    return [code.resolve(d.func if isinstance(d, ast.Call) else d) for d in cls.decorator_list]


_DRF_ACTIONS = frozenset({"create", "list", "retrieve", "update", "partial_update", "destroy"})
#: Django REST framework permissions that let only authenticated callers through, the
#: framework's and a team's own named for it (`IsOsmAuthenticated`); AllowAny and the
#: read-only variants let anyone in.
_DRF_AUTHENTICATED = re.compile(
    r"(^|\.)(Is\w*Authenticated\w*|IsAdmin\w*|DjangoModelPermissions|DjangoObjectPermissions"
    r"|TokenHasScope|TokenHasReadWriteScope|TokenHasResourceScope|Has\w*API_?Key\w*)$"
)


def _class_attribute(cls: ast.ClassDef, name: str) -> ast.expr | None:
    """The value a class body assigns to `name` (`permission_classes = [...]`)."""
    for item in cls.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in item.targets
        ):
            return item.value
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and item.target.id == name
        ):
            return item.value
    return None


def _drf_action(
    code: PythonCode, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> ast.Call | None:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and code.resolve(decorator.func) in (
            "rest_framework.decorators.action",
            "rest_framework.decorators.api_view",
        ):
            return decorator
    return None


def _drf_guard(code: PythonCode, value: ast.expr | None) -> str | None:
    """What a `permission_classes` list requires, when it requires an authenticated
    caller: each item must hold; `A | B` holds only if both require one."""

    def requires(node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return requires(node.left) and requires(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
            return requires(node.left) or requires(node.right)
        if isinstance(node, ast.Name | ast.Attribute):
            return _DRF_AUTHENTICATED.search(code.resolve(node)) is not None
        return False

    if isinstance(value, ast.List | ast.Tuple) and any(requires(e) for e in value.elts):
        return f"permission_classes {clip(ast.unparse(value), 60)}"
    return None


_SERVING_BASES = re.compile(
    r"^(kserve(\.model)?\.Model|mlserver(\.model)?\.MLModel|ts\.torch_handler\.\w+(\.\w+)?"
    r"|seldon_core\.\S+|kserve\.\S*Model)$"
)
_SERVING_METHODS = frozenset({"predict", "postprocess", "__call__", "explain", "handle"})
_SCRIPT_ENTRIES = frozenset({"predict_fn", "output_fn", "transform_fn", "lambda_handler"})


def handlers(source: SourceFile) -> list[Handler]:
    """Every function of this module that answers requests (see the module docstring)."""
    code = source.python
    if code is None:
        return []
    functions = _functions(code)
    classes = {ref.name: ref.node for ref in code.classes}
    found: dict[int, Handler] = {}

    def add(handler: Handler) -> None:
        found.setdefault(id(handler.node), handler)

    for ref in code.functions:
        for decorator in ref.node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            func = decorator.func
            path = _constant_path(decorator)
            attr = func.attr if isinstance(func, ast.Attribute) else None
            router = _receiver(func)
            if attr in _ROUTE_METHODS and (
                path is not None or (router and _ROUTER_NAME.fullmatch(router))
            ):
                verb = _method_of(decorator, attr or "")
                add(Handler(ref.node, decorator.lineno, path, verb, "route",
                            ref.node.decorator_list, router))  # fmt: skip
                break
            if path is not None and attr not in ("mark", "parametrize"):
                # a project's own route decorator: `@json_api(blueprint, "/v1/score")`
                add(Handler(ref.node, decorator.lineno, path, _method_of(decorator, ""), "route",
                            ref.node.decorator_list))  # fmt: skip
                break
        resolved = set(ref.decorators)
        if any(name.startswith("bentoml.") and name.endswith(".api") for name in resolved) or (
            "bentoml.api" in resolved
        ):
            add(Handler(ref.node, ref.line, None, "api", "serving", ref.node.decorator_list))
    for call in code.calls:
        last = call.name.rsplit(".", 1)[-1]
        if last not in ROUTE_REGISTRATIONS:
            continue
        path = _constant_path(call.node)
        targets = [keyword_value(call.node, "view_func"), keyword_value(call.node, "endpoint")]
        targets += [arg for arg in call.node.args[1:3]]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in functions:
                add(Handler(functions[target.id], call.line, path, _method_of(call.node, last[4:]),
                            "route"))  # fmt: skip
            if isinstance(target, ast.Call) and isinstance(target.func, ast.Name):
                cls = classes.get(target.func.id)
                for name, fn in _methods(cls).items() if cls is not None else ():
                    if name.startswith("on_"):
                        add(Handler(fn, call.line, path, name[3:].split("_")[0], "route"))
    for cls_ref in code.classes:
        methods = _methods(cls_ref.node)
        decorators = _class_decorators(code, cls_ref.node)
        if any(name.startswith("on_") and name[3:] in _HTTP_METHODS for name in methods):
            for name, fn in methods.items():  # a Falcon resource, wherever it is routed
                if name.startswith("on_") and name[3:].split("_")[0] in _HTTP_METHODS:
                    add(Handler(fn, fn.lineno, None, name[3:], "route"))
        routed = next(  # a flask-restx / flask-smorest resource: `@ns.route("/score")`
            (
                d
                for d in cls_ref.node.decorator_list
                if isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr == "route"
                and _constant_path(d) is not None
            ),
            None,
        )
        if routed is not None:
            for name, fn in methods.items():
                if name in _HTTP_METHODS:
                    add(Handler(fn, routed.lineno, _constant_path(routed), name, "route",
                                cls_ref.node.decorator_list, _receiver(routed.func)))  # fmt: skip
        if any(b.startswith(("rest_framework.", "django.views.")) for b in cls_ref.bases):
            guard = _drf_guard(code, _class_attribute(cls_ref.node, "permission_classes"))
            for name, fn in methods.items():
                action = _drf_action(code, fn)
                if action is not None:  # `@action(detail=True, permission_classes=[...])`
                    own = keyword_value(action, "permission_classes")
                    add(Handler(fn, action.lineno, None, name, "route", cls_ref.node.decorator_list,
                                guard=_drf_guard(code, own) if own is not None else guard))  # fmt: skip
                elif name in _HTTP_METHODS or name in _DRF_ACTIONS:
                    add(Handler(fn, fn.lineno, None, name, "route",
                                cls_ref.node.decorator_list, guard=guard))  # fmt: skip
        serving_class = any(_SERVING_BASES.match(b) for b in cls_ref.bases) or any(
            d.startswith(("ray.serve.deployment", "bentoml.service")) for d in decorators
        )
        if serving_class:
            for name, fn in methods.items():
                if name in _SERVING_METHODS:
                    add(Handler(fn, fn.lineno, None, name, "serving"))
    top_level = {
        node.name: node
        for node in code.tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for name, node in top_level.items():
        scoring_script = name == "run" and "init" in top_level
        lambda_handler = name == "handler" and [a.arg for a in node.args.args] == [
            "event",
            "context",
        ]
        if name in _SCRIPT_ENTRIES or scoring_script or lambda_handler:
            add(Handler(node, node.lineno, None, name, "serving"))
    return sorted(found.values(), key=lambda h: h.line)


# --- authentication ------------------------------------------------------------------


def _words(name: str) -> list[str]:
    """`verify_external_api_key` -> verify, external, api, key; `APIKeyHeader` -> api, key, header."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name))
    return [w for w in re.split(r"[\s_.\-]+", spaced.lower()) if w]


def auth_like(name: str, module_counts: bool = True) -> bool:
    """Whether a (dotted) name says it checks credentials: `require_api_key`,
    `auth.get_current_user`, `JWTBearer`; with `module_counts`, a function of a module
    named for it (`core.security.validate_request`)."""
    if name.startswith(_FRAMEWORK_SECURITY):
        return True
    parts = name.split(".")
    if module_counts and any(p.lower() in _SECURITY_MODULES for p in parts[:-1]):
        return True
    words = _words(parts[-1])
    if any(w in _AUTH_WORDS for w in words):
        return True
    # a pair naming the person (`get_user`, `verify_admin`) must end the name: it returns
    # that person, where `get_user_service` returns a service
    if len(words) > 1 and words[-1] == "user" and "current" in words:
        return True  # `get_current_active_user`
    pairs = list(itertools.pairwise(words))
    return any(
        pair in _AUTH_PAIRS and (pair[1] not in {"user", "admin"} or index == len(pairs) - 1)
        for index, pair in enumerate(pairs)
    )


def _scheme_names(code: PythonCode) -> set[str]:
    """Module-level names bound to a `fastapi.security` scheme: `api_key = APIKeyHeader(...)`."""
    names: set[str] = set()
    for node in code.tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        called = code.resolve(node.value.func)
        if called.startswith(_FRAMEWORK_SECURITY) or auth_like(called, module_counts=False):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _string_constants(code: PythonCode) -> dict[str, str]:
    """Module-level `NAME = "text"` bindings: `API_TOKEN = "X-Api-Key"`."""
    found = {}
    for node in code.tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


class _Auth:
    """What one module knows about authentication: its verifier functions and schemes."""

    def __init__(self, code: PythonCode) -> None:
        self.code = code
        self.functions = _functions(code)
        self.schemes = _scheme_names(code)
        self.constants = _string_constants(code)
        self._verdicts: dict[int, str | None] = {}

    def _text(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return self.constants[node.id]
            # A constant imported from another module (`API_KEY_HEADER`): its name says
            # which header it holds, which is all this module can know of it.
            named = _HOLDS_HEADER.fullmatch(node.id)
            return named.group(1).replace("_", "-") if named else None
        return None

    def _reads_credential(self, node: ast.AST) -> bool:
        """`request.headers.get("Authorization")`, `req.get_header("X-API-Key")`,
        `headers[API_TOKEN]`, `request.authorization`, `request.auth`."""
        if isinstance(node, ast.Attribute) and node.attr in {"authorization", "auth"}:
            return isinstance(node.ctx, ast.Load) and _receiver_named_request(node.value)
        args: list[ast.expr] = []
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in {
                "get", "get_header", "getheader", "get_all", "__getitem__", "getlist", "get_param"
            } and _FROM_REQUEST.search(ast.unparse(func.value)):  # fmt: skip
                args = list(node.args[:1])
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _FROM_REQUEST.search(ast.unparse(node.value))
        ):
            args = [node.slice]
        for arg in args:
            text = self._text(arg)
            if text is not None and _CREDENTIAL_NAMES.fullmatch(text.strip()):
                return True
        return False

    def verdict(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int = 0
    ) -> str | None:
        """'verified' when the function checks a credential and rejects the request without
        a valid one; 'presence' when it only checks that one is there; None otherwise."""
        key = id(function)
        if key in self._verdicts:
            return self._verdicts[key]
        self._verdicts[key] = None  # recursion guard
        reads = rejects = verifies = False
        credential_vars: set[str] = set()
        uses = False
        for param, default in _defaults(function):  # `x_api_key: str = Header(...)`
            if isinstance(default, ast.Call) and self.code.resolve(default.func).endswith(
                ("Header", "Cookie", "Query")
            ):
                alias = keyword_value(default, "alias")
                named = alias.value if isinstance(alias, ast.Constant) else param
                if isinstance(named, str) and _CREDENTIAL_NAMES.fullmatch(named.replace("_", "-")):
                    reads = True
                    credential_vars.add(param)
        for node in ast.walk(function):  # a decorator's wrapper included
            if self._reads_credential(node):
                reads = True
            if isinstance(node, ast.Assign) and (
                self._reads_credential(node.value)
                or (isinstance(node.value, ast.Call) and self._calls_reader(node.value, depth))
            ):
                reads = True
                credential_vars.update(t.id for t in node.targets if isinstance(t, ast.Name))
            if isinstance(node, ast.arg) and self._is_auth_parameter(function, node.arg):
                reads = True  # extracted by a scheme: still to be checked
                credential_vars.add(node.arg)
            if isinstance(node, ast.Raise | ast.Call | ast.Tuple) and self._rejects(node):
                rejects = True
            if isinstance(node, ast.Call):
                name = self.code.resolve(node.func)
                if _VERIFY.search(name) and not name.startswith("base64."):
                    verifies = True
                if self._calls_reader(node, depth):
                    reads = True
        if credential_vars and not verifies:
            uses = self._credential_used(function, credential_vars)
        result = None
        if reads and rejects:
            result = "verified" if (verifies or uses) else "presence"
        self._verdicts[key] = result
        return result

    def _is_auth_parameter(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, arg: str
    ) -> bool:
        """A parameter filled by a security scheme: `key: str = Security(api_key_header)`."""
        for param, default in _defaults(function):
            if param == arg and isinstance(default, ast.Call):
                name = self.code.resolve(default.func)
                if _DEPENDS.search(name) and default.args:
                    target = default.args[0]
                    ref = self.code.resolve(target.func if isinstance(target, ast.Call) else target)
                    if ref in self.schemes or ref.startswith(_FRAMEWORK_SECURITY):
                        return True
        return False

    def _calls_reader(self, call: ast.Call, depth: int) -> bool:
        """A call to a local helper that reads the credential (`parse_auth(req)`)."""
        if depth > 1 or not isinstance(call.func, ast.Name):
            return False
        helper = self.functions.get(call.func.id)
        if helper is None:
            return False
        return any(self._reads_credential(n) for n in ast.walk(helper))

    def _rejects(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Raise) and node.exc is not None:
            return bool(_REJECTION.search(ast.unparse(node.exc)))
        if isinstance(node, ast.Call):
            name = self.code.resolve(node.func)
            if name.endswith("abort") or name.endswith("HTTPException") or "Response" in name:
                return any(
                    _REJECTION.search(ast.unparse(v))
                    for v in [*node.args, *(k.value for k in node.keywords)]
                )
            if _REJECTION.search(name.rsplit(".", 1)[-1]):
                return True
            # A helper the module defines to answer with a status (`_reject(401, ...)`).
            return any(
                isinstance(v, ast.Constant) and v.value in (401, 403)
                for v in [*node.args, *(k.value for k in node.keywords)]
            )
        if isinstance(node, ast.Tuple):  # Flask: `return jsonify(...), 401`
            return any(isinstance(e, ast.Constant) and e.value in (401, 403) for e in node.elts)
        return False

    def _credential_used(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]
    ) -> bool:
        """Whether a credential read into `names` is compared with something or handed to
        a call that can check it (logging it, or testing it for truth, is not a check)."""
        for node in ast.walk(function):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                mentions = any(isinstance(o, ast.Name) and o.id in names for o in operands)
                # A scheme's result holds the credential in a field:
                # `credentials.credentials != BEARER_TOKEN`; its other fields are
                # compared with literals (`credentials.scheme != "Bearer"`), which
                # checks a format, not the credential.
                fields = any(_rooted_at(o, names) for o in operands)
                others = [o for o in operands if not _rooted_at(o, names)]
                trivial = all(
                    isinstance(o, ast.Constant) and o.value in (None, "", 0) for o in others
                )
                if mentions and not trivial:
                    return True
                if fields and any(not isinstance(o, ast.Constant) for o in others):
                    return True
            if isinstance(node, ast.Call):
                name = self.code.resolve(node.func)
                if _NOT_A_USE.search(name):
                    continue
                args = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(a, ast.Name) and a.id in names for a in args):
                    return True
                if (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in names
                ):
                    return True  # `auth.get_username()`: the credential is decoded and used
        return False

    def checks_parameters(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """How a handler checks a credential its caller sends as a request field
        (`def predict(self, data, api_key: str)` in BentoML, a query parameter in FastAPI):
        by comparing it and rejecting the request itself, or by handing it to a local
        function that does (`authenticate(api_key)`). None when it does neither."""
        arguments = function.args
        names = {
            a.arg
            for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            if _CREDENTIAL_NAMES.fullmatch(a.arg.replace("_", "-"))
        }
        if not names:
            return None
        if self._compares_and_rejects(function, names):
            return "the credential it is sent"
        for node in ast.walk(function):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            helper = self.functions.get(node.func.id)
            if helper is None or helper is function:
                continue
            params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]]
            passed = {
                params[i]
                for i, arg in enumerate(node.args[: len(params)])
                if isinstance(arg, ast.Name) and arg.id in names
            } | {
                k.arg
                for k in node.keywords
                if k.arg and isinstance(k.value, ast.Name) and k.value.id in names
            }
            if passed and self._compares_and_rejects(helper, passed):
                return f"the credential it is sent, checked by {node.func.id}()"
        return None

    def _compares_and_rejects(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]
    ) -> bool:
        """Whether a function compares one of `names` with something and rejects the
        request (401/403, an authentication error) somewhere in its body."""
        compares = any(
            isinstance(node, ast.Compare)
            and any(_rooted_at(o, names) for o in [node.left, *node.comparators])
            and not all(
                isinstance(o, ast.Constant) and o.value in (None, "", 0)
                for o in [node.left, *node.comparators]
                if not _rooted_at(o, names)
            )
            for node in ast.walk(function)
        )
        return compares and any(
            isinstance(node, ast.Raise | ast.Call | ast.Tuple) and self._rejects(node)
            for node in ast.walk(function)
        )

    def reference_checks(self, node: ast.expr) -> str | None:
        """How a dependency or decorator reference checks credentials: 'verified' (a local
        function that verifies one, or a name or module that says it does), 'presence' (a
        bare `fastapi.security` scheme, which only extracts the credential), or None."""
        target = node.func if isinstance(node, ast.Call) else node
        name = self.code.resolve(target)
        if name in self.schemes or name.startswith(_FRAMEWORK_SECURITY):
            return "presence"
        local = self.functions.get(name)
        if local is not None:
            return self.verdict(local)
        return "verified" if auth_like(name) else None


def _rooted_at(node: ast.expr, names: set[str]) -> bool:
    """`token` or `token.credentials` for a name in `names`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in names


#: Where a request's credential is read from (not `os.environ`, not a settings object).
_FROM_REQUEST = re.compile(
    r"(?i)header|request|\breq\b|cookie|query|\bargs\b|params|scope|metadata"
)


def _receiver_named_request(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id.lower() in {
        "request",
        "req",
        "r",
        "flask_request",
    }


def _defaults(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[tuple[str, ast.expr]]:
    """(parameter, default or Annotated metadata) for each parameter that has one."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    for arg, default in zip(
        positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
    ):
        yield arg.arg, default
    for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if kw_default is not None:
            yield arg.arg, kw_default
    for arg in [*positional, *arguments.kwonlyargs]:
        annotation = arg.annotation
        if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
            for item in annotation.slice.elts[1:]:  # Annotated[str, Depends(check)]
                yield arg.arg, item


def _dependency_targets(code: PythonCode, values: Iterable[ast.expr]) -> Iterator[ast.expr]:
    """The callables of `Depends(x)` / `Security(x)` among some expressions."""
    for value in values:
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for item in items:
            if isinstance(item, ast.Call) and _DEPENDS.search(code.resolve(item.func)):
                if item.args:
                    yield item.args[0]
                elif (dependency := keyword_value(item, "dependency")) is not None:
                    yield dependency


def _router_dependencies(code: PythonCode) -> dict[str, list[ast.expr]]:
    """`router = APIRouter(dependencies=[...])`: the dependencies each router adds."""
    found: dict[str, list[ast.expr]] = {}
    for node in code.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            dependencies = keyword_value(node.value, "dependencies")
            if dependencies is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = list(_dependency_targets(code, [dependencies]))
    return found


@dataclass(frozen=True)
class EndpointAuthParams:
    #: `route`: each route on its own (a match per authenticated route, a gap per
    #: prediction route served without authentication); `app`: what guards every route
    #: of an application (middleware, before-request hooks, app-wide dependencies).
    scope: Literal["route", "app"] = "route"
    label: str = "authentication"


@file_detector(*PYTHON_ONLY, params=EndpointAuthParams)
def endpoint_auth(source: SourceFile, params: EndpointAuthParams) -> Iterator[Evidence]:
    """Routes that require a credential (scope `route`, with a gap at each prediction
    route that does not), or authentication applied to a whole application (scope `app`)."""
    code = source.python
    if code is None:
        return
    auth = _Auth(code)
    if params.scope == "app":
        yield from _app_auth(source, code, auth, params)
        return
    routers = _router_dependencies(code)
    for handler in handlers(source):
        if handler.infrastructure:
            continue
        how = _route_auth(code, auth, handler, routers)
        if how is not None and how != "presence":
            yield Evidence(
                source.locate(handler.line),
                f"{handler.describe()} requires {how}",
                source.snippet(handler.line),
            )
        # A model server's API (BentoML, KServe, a scoring script) is often guarded by its
        # platform: only a check the handler makes itself is reported, never a gap.
        elif handler.kind == "route" and handler.predicts:
            detail = (
                f"{handler.describe()} only checks that a credential is present, never that it is valid"
                if how == "presence"
                else f"{handler.describe()} is served without authentication"
            )
            yield Evidence(
                source.locate(handler.line), detail, source.snippet(handler.line), missing=True
            )


def _route_auth(
    code: PythonCode, auth: _Auth, handler: Handler, routers: dict[str, list[ast.expr]]
) -> str | None:
    """What authenticates a route ('presence' when something only checks that a
    credential is there), or None."""
    if handler.guard is not None:
        return handler.guard
    dependencies: list[ast.expr] = []
    for decorator in handler.decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = code.resolve(target)
        if _AUTH_DECORATORS.search(name) and not name.endswith(".route"):
            return f"@{name}"
        declared = (
            keyword_value(decorator, "dependencies") if isinstance(decorator, ast.Call) else None
        )
        dependencies.extend(_dependency_targets(code, [declared] if declared else []))
    dependencies.extend(routers.get(handler.router or "", []))
    for _param, default in _defaults(handler.node):
        dependencies.extend(_dependency_targets(code, [default]))
    aliased, injected = _annotated_dependencies(code, handler.node)
    dependencies.extend(aliased)
    if injected is not None:
        return injected
    presence = False
    for dependency in dependencies:
        how = auth.reference_checks(dependency)
        if how == "verified":
            return f"the dependency {ast.unparse(dependency)}"
        presence = presence or how == "presence"
    verdict = auth.verdict(handler.node)
    if verdict == "verified":
        return "a credential it checks"
    sent = auth.checks_parameters(handler.node)
    if sent is not None:
        return sent
    return "presence" if presence else verdict


def _annotated_dependencies(
    code: PythonCode, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> tuple[list[ast.expr], str | None]:
    """FastAPI dependencies a route's parameters declare through a type alias
    (`current_user: UserDep` with `UserDep = Annotated[User, Depends(get_current_user)]`):
    the dependencies of aliases the module defines, and, for an alias imported from
    another module, a description when its name or the parameter's says it injects the
    authenticated user (`CurrentUser`, `user: UserDep`)."""
    aliases: dict[str, list[ast.expr]] = {}
    for statement in code.tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Subscript)
            and code.resolve(statement.value.value).rsplit(".", 1)[-1] == "Annotated"
            and isinstance(statement.value.slice, ast.Tuple)
        ):
            aliases[statement.targets[0].id] = list(statement.value.slice.elts[1:])
    local_classes = {ref.name for ref in code.classes}
    found: list[ast.expr] = []
    arguments = function.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        annotation = arg.annotation
        if not isinstance(annotation, ast.Name):
            continue
        if annotation.id in aliases:
            found.extend(_dependency_targets(code, aliases[annotation.id]))
            continue
        imported = code.resolve(annotation) != annotation.id
        if not imported or annotation.id in local_classes:
            continue
        named = annotation.id.endswith(("Dep", "Dependency")) and (
            "user" in _words(annotation.id) or auth_like(arg.arg, module_counts=False)
        )
        if named or auth_like(annotation.id, module_counts=False):
            return found, f"the injected {arg.arg}: {annotation.id}"
    return found, None


def _app_auth(
    source: SourceFile, code: PythonCode, auth: _Auth, params: EndpointAuthParams
) -> Iterator[Evidence]:
    classes = {ref.name: ref.node for ref in code.classes}

    def found(line: int, what: str) -> Evidence:
        return Evidence(source.locate(line), f"{params.label}: {what}", source.snippet(line))

    for ref in code.functions:
        for decorator in ref.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            attr = target.attr if isinstance(target, ast.Attribute) else ""
            hook = attr in {"middleware", "before_request", "before_app_request", "before_serving"}
            if hook and auth.verdict(ref.node) == "verified":
                yield found(decorator.lineno, f"{ref.name}() checks every request's credential")
    for call in code.calls:
        last = call.name.rsplit(".", 1)[-1]
        node = call.node
        guards: list[ast.expr] = []  # middleware, hooks and interceptors
        dependencies: list[ast.expr] = []  # FastAPI dependencies of a whole app or router
        if last in {
            "add_middleware",
            "add_asgi_middleware",
            "add_wsgi_middleware",
            "before_request",
        }:
            guards = list(node.args[:1])
        elif last in {"FastAPI", "include_router", "Application", "App", "API", "server"}:
            value = keyword_value(node, "dependencies")
            dependencies = list(_dependency_targets(code, [value] if value else []))
            for keyword in ("middleware", "middlewares", "interceptors"):
                value = keyword_value(node, keyword)
                if value is not None:
                    guards.extend(
                        value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
                    )
        for candidate in guards:
            if _app_guard(code, auth, classes, candidate):
                yield found(call.line, f"{ast.unparse(candidate)} guards every request")
        for candidate in dependencies:
            if auth.reference_checks(candidate) == "verified":
                yield found(
                    call.line, f"the dependency {ast.unparse(candidate)} guards every route"
                )
    for statement in code.tree.body:  # Django REST framework: permissions required by default
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
            names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            if "REST_FRAMEWORK" not in names:
                continue
            for key, value in zip(statement.value.keys, statement.value.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "DEFAULT_PERMISSION_CLASSES"
                    and "AllowAny" not in ast.unparse(value)
                    and re.search(
                        r"IsAuthenticated|IsAdminUser|Permissions|TokenHasScope", ast.unparse(value)
                    )
                ):
                    yield found(
                        statement.lineno, "Django REST framework requires permissions by default"
                    )


def _app_guard(
    code: PythonCode, auth: _Auth, classes: dict[str, ast.ClassDef], candidate: ast.expr
) -> bool:
    """Whether a middleware, hook or interceptor checks credentials: a local one by what
    it does, a library's by its name (`JWTAuthMiddleware`, not `SecurityHeadersMiddleware`)."""
    target = candidate.func if isinstance(candidate, ast.Call) else candidate
    name = code.resolve(target)
    local_class = classes.get(name)
    if local_class is not None:
        return any(
            auth.verdict(method) == "verified"
            for method_name, method in _methods(local_class).items()
            if method_name
            in {
                "dispatch",
                "__call__",
                "process_request",
                "process_resource",
                "intercept_service",
                "before_request",
            }
        )
    local = auth.functions.get(name)
    if local is not None:
        return auth.verdict(local) == "verified"
    last = name.rsplit(".", 1)[-1]
    if _NOT_AUTH_MIDDLEWARE.search(last):
        return False
    return auth_like(name, module_counts=False)


# --- the model version in responses ---------------------------------------------------

_VERSION_FIELD = (
    r"(?i)model_?(version|revision|sha|hash|tag|ref|uri|id|version_?id)s?"
    r"|deployed_?model_?id|model_?(name_)?version_?(id|name|number)?"
)


@dataclass(frozen=True)
class ResponseFieldParams:
    #: Field names (keys, keywords, attributes, response-model fields) that carry it.
    fields: str = field(default=_VERSION_FIELD, metadata=REGEX)
    #: A field called only `version` (or `revision`) counts when its value names the model.
    generic: str = field(default=r"(?i)version|revision|ver", metadata=REGEX)
    #: A field naming the model (`"model": llm_name`) counts when its value is a setting
    #: holding the model's identifier (a name spelled `*name*`, `*id*`, `*version*` ...),
    #: not the model object itself.
    named: str = field(default=r"(?i)(llm_?)?model(_?name)?|llm(_?name)?", metadata=REGEX)
    #: HTTP response headers that carry it.
    headers: str = field(default=r"(?i)x-model-(version|revision|id|name)", metadata=REGEX)
    #: Response schemas (pydantic models, dataclasses) are recognised by their class name.
    schemas: str = field(
        default=r"(?i).*(response|result|prediction|output|reply|answer|inference|score)s?(model|schema|out)?",
        metadata=REGEX,
    )
    label: str = "the model version"


@dataclass(frozen=True)
class _Answer:
    """What a handler answers with: whole expressions (a returned dict or response
    model), and single fields set on the response (`response["model_version"] = v`)."""

    expressions: tuple[ast.expr, ...]
    fields: tuple[tuple[int, str, ast.expr], ...]


def _answer(function: ast.FunctionDef | ast.AsyncFunctionDef) -> _Answer:
    """Returned expressions, what the names it returns were built from
    (`response = {...}; response.update({...}); response["x"] = ...`), and what it sets
    on Falcon's or Starlette's response object (`resp.media = {...}`)."""
    expressions: list[ast.expr] = []
    fields: list[tuple[int, str, ast.expr]] = []
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            expressions.append(node.value)
            value = node.value
            if isinstance(value, ast.Tuple) and value.elts:
                value = value.elts[0]
            if isinstance(value, ast.Name):
                names.add(value.id)
            if isinstance(value, ast.Call):  # `jsonify(result)`, `Response(**output)`
                passed = [*value.args, *(k.value for k in value.keywords if k.arg is None)]
                names.update(a.id for a in passed if isinstance(a, ast.Name))
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (isinstance(target, ast.Name) and target.id in names) or (
                    isinstance(target, ast.Attribute) and target.attr in _BODY_ATTRIBUTES
                ):
                    expressions.append(node.value)
                elif isinstance(target, ast.Subscript) and _names_one_of(target.value, names):
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        fields.append((node.lineno, key.value, node.value))
                elif isinstance(target, ast.Attribute) and _names_one_of(target.value, names):
                    fields.append((node.lineno, target.attr, node.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "setdefault"}
            and _names_one_of(node.func.value, names)
        ):
            expressions.append(node)
    return _Answer(tuple(expressions), tuple(fields))


#: What Falcon, Starlette and Flask responses carry their body in.
_BODY_ATTRIBUTES = frozenset({"media", "body", "text", "data", "content"})


def _names_one_of(node: ast.expr, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _mentions_model(node: ast.expr) -> bool:
    return "model" in ast.unparse(node).lower()


_IDENTIFIER_SETTING = re.compile(r"(?i)name|_id\b|^id$|version|revision|tag|deployment|llm")


def _names_identifier(node: ast.expr) -> bool:
    """A name or attribute spelled as a setting that holds an identifier (`llm_name`,
    `settings.MODEL_ID`), which a JSON response can carry; a model object cannot be."""
    spelled = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    if not isinstance(spelled, str) or "embed" in spelled.lower():
        return False  # the embedding model names how documents were indexed, not who answered
    return bool(_IDENTIFIER_SETTING.search(spelled))


def _response_builders(expression: ast.expr) -> set[int]:
    """The calls whose keywords become fields of the answer: the returned call itself and
    the constructors and serialisers it wraps (`JSONResponse(content=Prediction(...))`,
    `jsonify(...)`), not functions it merely calls (`Response(stream(model_id=...))`
    passes the version to a generator, which may never answer with it)."""
    found: set[int] = set()
    pending = [expression]
    while pending:
        node = pending.pop()
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if node is not expression and not (name[:1].isupper() or name in _SERIALISERS):
            continue
        found.add(id(node))
        pending.extend([*node.args, *(k.value for k in node.keywords)])
    return found


_SERIALISERS = frozenset({"jsonify", "dict", "make_response", "json_response", "dumps"})


#: Names of a registry stage or alias: a response saying `model_version="staging"` names
#: where models are promoted, which every version passes through, not the one that answered.
_STAGE_ALIAS = re.compile(
    r"(?i)(staging|production|prod|latest|champion|challenger|stable|current|default|none|unknown)"
)


def _stage_alias(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and _STAGE_ALIAS.fullmatch(value.value.strip()) is not None
    )


def _version_fields(
    answer: _Answer, fields: Matcher, generic: Matcher, headers: Matcher, named: Matcher
) -> Iterator[tuple[int, str, bool]]:
    """(line, field, whether its value is only a stage's name) for each field of the
    response that carries the version."""

    def carries(name: str, value: ast.expr) -> bool:
        return bool(
            fields.fullmatch(name)
            or headers.fullmatch(name)
            or (generic.fullmatch(name) and _mentions_model(value))
            or (named.fullmatch(name) and _names_identifier(value))
        )

    for line, name, value in answer.fields:
        if carries(name, value):
            yield line, name, _stage_alias(value)
    for expression in answer.expressions:
        builders = _response_builders(expression)
        for node in ast.walk(expression):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        continue
                    if carries(key.value, value):
                        yield key.lineno, key.value, _stage_alias(value)
                    elif key.value.lower() == "model" and isinstance(value, ast.Dict):
                        for inner, inner_value in zip(value.keys, value.values, strict=True):
                            if isinstance(inner, ast.Constant) and generic.fullmatch(
                                str(inner.value)
                            ):
                                yield (
                                    inner.lineno,
                                    f"model.{inner.value!s}",
                                    _stage_alias(inner_value),
                                )
            elif isinstance(node, ast.Call) and id(node) in builders:
                for keyword in node.keywords:
                    if keyword.arg is not None and carries(keyword.arg, keyword.value):
                        yield keyword.value.lineno, keyword.arg, _stage_alias(keyword.value)


@file_detector(*PYTHON_ONLY, params=ResponseFieldParams)
def response_field(source: SourceFile, params: ResponseFieldParams) -> Iterator[Evidence]:
    """Fields of what serving handlers return (dict keys, response-model arguments and
    fields, Falcon `resp.media`, response headers) that name the model version."""
    code = source.python
    if code is None:
        return
    fields, generic, headers, named = (
        Matcher(params.fields),
        Matcher(params.generic),
        Matcher(params.headers),
        Matcher(params.named),
    )
    seen: set[int] = set()
    served = [h for h in handlers(source) if not h.infrastructure]
    # where the module serves predictions, it is their answers that must carry the version
    # (an admin route listing releases names versions too, but answers no request)
    predicting = [h for h in served if h.predicts]
    for handler in predicting or served:
        answer = _answer(handler.node)
        for line, name, alias in _version_fields(answer, fields, generic, headers, named):
            if line in seen:
                continue
            seen.add(line)
            if alias and not handler.predicts:
                continue  # a default an assignment or admin route answers with
            detail = (
                f"{handler.describe()} sets `{name}` to a stage's name, not the version that answered"
                if alias
                else f"{handler.describe()} answers with {params.label} (`{name}`)"
            )
            yield Evidence(source.locate(line), detail, source.snippet(line), missing=alias)
    for ref in code.strings:  # `response.headers["X-Model-Version"] = ...`
        if headers.fullmatch(ref.value) and ref.line not in seen:
            seen.add(ref.line)
            yield Evidence(
                source.locate(ref.line), f"response header {ref.value}", source.snippet(ref.line)
            )
    schema = Matcher(params.schemas)
    nested = _model_info_classes(code, generic)
    for cls in code.classes:
        if not schema.fullmatch(cls.name) or not cls.bases:
            continue
        for item in cls.node.body:
            target = item.target if isinstance(item, ast.AnnAssign) else None
            if not isinstance(target, ast.Name):
                continue
            # `model: ModelInfo`, where ModelInfo has a `version` field
            annotation = ast.unparse(item.annotation) if isinstance(item, ast.AnnAssign) else ""
            if annotation in nested and "model" in f"{target.id} {annotation}".lower():
                yield Evidence(
                    source.locate(item.lineno),
                    f"the response schema {cls.name} has {params.label} "
                    f"(`{target.id}.{nested[annotation]}`)",
                    source.snippet(item.lineno),
                )
                continue
            # `llm: str` holds the identifier of the model that answered (not the model)
            identifier = (
                named.fullmatch(target.id) is not None
                and isinstance(item, ast.AnnAssign)
                and ast.unparse(item.annotation) in {"str", "Optional[str]", "str | None"}
            )
            if fields.fullmatch(target.id) or identifier:
                yield Evidence(
                    source.locate(item.lineno),
                    f"the response schema {cls.name} has {params.label} (`{target.id}`)",
                    source.snippet(item.lineno),
                )


def _model_info_classes(code: PythonCode, generic: Matcher) -> dict[str, str]:
    """Classes of the module with a field naming a version (`class ModelInfo(BaseModel):
    version: str`), by name, with that field: a response that nests one carries it."""
    found: dict[str, str] = {}
    for cls in code.classes:
        for item in cls.node.body:
            if (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and generic.fullmatch(item.target.id)
            ):
                found[cls.name] = item.target.id
                break
    return found


@dataclass(frozen=True)
class TextWithoutParams:
    #: What the file does (a line matching it) ...
    pattern: str = field(metadata=REGEX)
    #: ... unless any line of the same file matches this (the flag that undoes it).
    unless: str = field(metadata=REGEX)
    label: str = "matching text"


@file_detector(
    FileKind.YAML, FileKind.OTHER, FileKind.JSON, FileKind.TOML, params=TextWithoutParams
)
def text_without(source: SourceFile, params: TextWithoutParams) -> Iterator[Evidence]:
    """The first line matching `pattern` in a file where no line matches `unless`:
    `gcloud run deploy` in a script that never passes `--allow-unauthenticated`, so the
    service it deploys requires an identity token (comments are not read)."""
    regex, unless = Matcher(params.pattern), Matcher(params.unless)
    first = None
    for number, line in enumerate(source.lines, start=1):
        code = re.sub(r"(?:^|\s)#.*$", "", line)[:2000]
        if unless.search(code):
            return
        if first is None and regex.search(code):
            first = number
    if first is not None:
        yield Evidence(Location(source.path, first), params.label, source.snippet(first))


@dataclass(frozen=True)
class ScoreUseParams:
    #: Calls that compute a probability or score (fnmatch on resolved names).
    calls: tuple[str, ...]
    #: Calls that consume one without handing it on: metrics computed on a test set,
    #: training losses, sampling, and the layers of a network (attention weights).
    consumers: str = field(
        default=(
            r"(?i)(.*_)?(score|auc|loss|curve|error|errors|brier\w*|precision\w*|recall\w*|roc\w*|"
            r"multinomial|choice|sample|categorical|dropout|drop|matmul|bmm|einsum|log|mean|sum|"
            r"cross_entropy|nll_loss|binary_cross_entropy|kl_div|argmax|argsort|print)"
        ),
        metadata=REGEX,
    )
    label: str = "confidence"


def _consumer_name(code: PythonCode, node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        name = code.resolve(node.func)
        return name.rsplit(".", 1)[-1]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return "matmul"
    return None


_ATTENTION = re.compile(r"(?i)(^|_)(attn|attention)(_|$)")
#: Calls that only reshape or retype a tensor: the score goes where their result goes.
_RESHAPES = re.compile(
    r"(rearrange|reshape|view|permute|transpose|squeeze|unsqueeze|contiguous|flatten|to|float"
    r"|half|double|type|detach|clone|repeat|expand|expand_as)"
)


def _reshapes(code: PythonCode, node: ast.expr, name: str) -> bool:
    """`rearrange(w, "b i j -> b j i")` or `w.transpose(1, 2)`: a reshape of `name`."""
    if not isinstance(node, ast.Call):
        return False
    called = _consumer_name(code, node) or ""
    if not _RESHAPES.fullmatch(called):
        return False
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    operands = [receiver, *(node.args[:1])]
    return any(isinstance(o, ast.Name) and o.id == name for o in operands)


def _gates_its_input(call: ast.Call, node: ast.AST) -> bool:
    """`x * torch.sigmoid(x)`: the score multiplies the very tensor it was computed from."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and call.args):
        return False
    other = node.right if node.left is call else node.left if node.right is call else None
    if other is None:
        return False
    if ast.dump(other) == ast.dump(call.args[0]):
        return True
    return isinstance(other, ast.Name) and any(
        isinstance(n, ast.Name) and n.id == other.id for n in ast.walk(call.args[0])
    )


#: An evaluation metric's class (torchmetrics' Metric, a framework's *Metric base): the
#: scores it computes are consumed by the metric.
_METRIC_CLASS = re.compile(r"(^|\.)\w*Metric$")


def _only_consumed(
    code: PythonCode,
    call: ast.Call,
    scope: ast.AST,
    parents: dict[int, ast.AST],
    consumers: Matcher,
) -> bool:
    """Whether a score is only used up where it is computed: fed to a metric, a loss,
    a sampler or the next layer, never returned, stored, compared or handed on."""
    node: ast.AST = call
    parent = parents.get(id(node))
    while isinstance(
        parent, ast.Subscript | ast.Attribute | ast.Call | ast.keyword | ast.BinOp | ast.UnaryOp
    ) and (
        not isinstance(parent, ast.Call) or parent.func is node
    ):  # `model.predict_proba(X)[:, 1]`, `(...).softmax(0).tolist()`, `f(y_score=...)`,
        # `softmax(logits) / temperature`: arithmetic on a score goes where its result goes
        node, parent = parent, parents.get(id(parent))
    if parent is None:
        return False
    if _gates_its_input(call, node):
        return True  # `x * sigmoid(x)`: an activation (SiLU, GLU), not a probability
    used_by = _consumer_name(code, parent)
    if used_by is not None:
        return bool(consumers.fullmatch(used_by))
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1):
        return False
    target = parent.targets[0]
    # a slot of a local container (`oof_preds.iloc[val_idx] = proba`): the container holds
    # it, and where the container goes the score goes (an attribute of `self` is kept)
    if isinstance(target, ast.Subscript):
        while isinstance(target, ast.Subscript | ast.Attribute):
            target = target.value
    if not isinstance(target, ast.Name) or target.id in ("self", "cls"):
        return False
    if _ATTENTION.search(target.id):
        return True  # a layer's attention weights, however the layer hands them on
    after = parent.end_lineno or parent.lineno
    # the name holds the score until it is bound again (`w = w.softmax(-1)` then
    # `w = einsum(..., w, v)`): later uses are of the new value; a reshape bound back to
    # the name (`w = rearrange(w, ...)`) still holds the score
    rebound = min(
        (
            n.end_lineno or n.lineno
            for n in ast.walk(scope)
            if isinstance(n, ast.Assign)
            and n.lineno > after
            and any(isinstance(t, ast.Name) and t.id == target.id for t in n.targets)
            and not _reshapes(code, n.value, target.id)
        ),
        default=None,
    )
    uses = [
        n
        for n in ast.walk(scope)
        if isinstance(n, ast.Name)
        and n.id == target.id
        and isinstance(n.ctx, ast.Load)
        and n.lineno > after
        and (rebound is None or n.lineno <= rebound)
    ]
    if not uses:
        return True  # computed and dropped
    for use in uses:
        holder = parents.get(id(use))
        while isinstance(holder, ast.Subscript | ast.Attribute | ast.keyword | ast.Starred):
            holder = parents.get(id(holder))
        if (
            isinstance(holder, ast.Call)
            and _reshapes(code, holder, target.id)
            and isinstance(bound := parents.get(id(holder)), ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == target.id for t in bound.targets)
        ):
            continue  # reshaped in place: its later uses decide
        if isinstance(holder, ast.Compare) and all(
            isinstance(o, ast.Constant) and o.value is None
            for o in [holder.left, *holder.comparators]
            if o is not use
        ):
            continue  # `if proba is None`
        name = _consumer_name(code, holder) if holder is not None else None
        if name is None or not consumers.fullmatch(name):
            return False
    return True


@file_detector(FileKind.PYTHON, FileKind.NOTEBOOK, params=ScoreUseParams)
def score_output(source: SourceFile, params: ScoreUseParams) -> Iterator[Evidence]:
    """Calls that compute a probability or score whose value goes on somewhere (returned,
    stored, compared, written out), not only into a metric, a loss, a sampler or the next
    layer of a network: `predict_proba` behind a response, not behind `roc_auc_score`."""
    code = source.python
    if code is None:
        return
    calls = code.calls_matching(lambda name: matches_any(name, params.calls))
    if not calls:
        return  # most files compute no score: no need to map the tree's parents
    consumers = Matcher(params.consumers)
    parents = code.parents
    scopes = sorted(
        ((f.node.lineno, f.node.end_lineno or f.node.lineno, f.node) for f in code.functions),
        key=lambda s: s[1] - s[0],
    )
    metric_names: set[str] = set()
    for _ in range(3):  # a metric's subclasses in the same module are metrics too
        metric_names |= {
            c.name
            for c in code.classes
            if any(_METRIC_CLASS.search(b) or b.rsplit(".", 1)[-1] in metric_names for b in c.bases)
        }
    metrics = [
        (c.node.lineno, c.node.end_lineno or c.node.lineno)
        for c in code.classes
        if c.name in metric_names
    ]
    # a network layer's forward pass: its scores are the next layer's input (gates,
    # router weights, attention), not the confidence of a prediction
    metrics += [
        (f.lineno, f.end_lineno or f.lineno)
        for c in code.classes
        for f in c.node.body
        if isinstance(f, ast.FunctionDef) and f.name == "forward"
    ]
    for ref in calls:
        scope: ast.AST = next(
            (node for start, end, node in scopes if start <= ref.line <= end), code.tree
        )
        if _only_consumed(code, ref.node, scope, parents, consumers):
            continue
        if any(start <= ref.line <= end for start, end in metrics):
            continue  # a metric's own computation (torchmetrics' update), a layer's forward
        yield Evidence(
            source.locate(ref.line), f"{params.label}: {ref.name}()", source.snippet(ref.line)
        )
