"""How code treats the data that comes in: prediction requests parsed by a typed model
or schema, pipeline data checked against a declared schema, failures not swallowed.

These detectors recognise behaviour rather than names. A pydantic class is not
request validation; a pydantic class that a route takes as its body, or that
parses the payload a handler received, is. A schema file is not validation; code
that compares a frame's columns or types with a declared list and stops the run
when they differ is. Data is followed inside a function from where it enters (a
route's or a scoring entry point's parameters, `flask.request`) through the names
it is assigned to, and one call deep into the file's own helpers.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Iterable, Iterator

from readycheck.detectors.base import NoParams, file_detector
from readycheck.detectors.common import (
    PYTHON_KINDS,
    exit_status,
    matches_any,
    registered_handlers,
    stands_for_nothing,
)
from readycheck.model import Evidence
from readycheck.parsers.python import FunctionRef, PythonCode, keyword_value, parameter_defaults
from readycheck.workspace import SourceFile

Function = ast.FunctionDef | ast.AsyncFunctionDef

_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket", "api"}
)
#: Modules whose routes parse typed parameters themselves: a class-typed parameter of a
#: route is the request body, validated before the handler runs (422 on a bad payload).
_TYPED_FRAMEWORKS = (
    "fastapi", "litestar", "ninja", "flask_openapi3", "bentoml", "starlite", "robyn",
)  # fmt: skip
#: Where request data comes from when it is not a parameter: the request proxies.
_REQUEST_PROXIES = ("flask.request", "quart.request", "bottle.request", "sanic.request")
#: Types of a parameter that holds the request itself, in any function.
_REQUEST_TYPES = (
    "fastapi.Request", "starlette.requests.Request", "aiohttp.web.Request",
    "django.http.HttpRequest", "rest_framework.request.Request", "flask.Request",
    "falcon.Request", "falcon.request.Request", "falcon.asgi.Request", "sanic.Request",
    "sanic.request.Request", "litestar.Request", "quart.Request",
)  # fmt: skip
#: Parameter types that are the framework's, not a parsed body.
_NOT_A_BODY = frozenset(
    {
        "int", "float", "str", "bool", "bytes", "dict", "list", "tuple", "set", "object",
        "Any", "typing.Any", "Dict", "List", "typing.Dict", "typing.List", "None",
        "Request", "Response", "WebSocket", "BackgroundTasks", "UploadFile", "HTTPConnection",
    }
)  # fmt: skip
#: Keywords that constrain a scalar parameter (`Query(ge=0)`, `Field(max_length=64)`).
_CONSTRAINTS = frozenset(
    {"ge", "gt", "le", "lt", "min_length", "max_length", "regex", "pattern", "multiple_of",
     "max_digits", "decimal_places", "min_items", "max_items"}
)  # fmt: skip
#: Methods that parse data into a typed model (pydantic v1 and v2, its TypeAdapter).
_PARSERS = frozenset(
    {"model_validate", "model_validate_json", "model_validate_strings", "parse_obj", "parse_raw",
     "validate_python", "validate_json"}
)  # fmt: skip
#: Functions of other libraries that parse data into a typed structure.
_PARSER_FUNCTIONS = frozenset(
    {"pydantic.parse_obj_as", "msgspec.json.decode", "msgspec.msgpack.decode", "msgspec.convert",
     "cattrs.structure", "dacite.from_dict"}
)  # fmt: skip
#: Receivers that are not models: `json.loads`, `jwt.decode`, `base64.b64decode`.
_NOT_MODELS = frozenset(
    {"json", "pickle", "base64", "yaml", "codecs", "orjson", "jwt", "ujson", "joblib", "torch",
     "numpy", "pandas", "zlib", "gzip", "urllib", "requests", "httpx"}
)  # fmt: skip
#: Methods that validate a document against a schema, and the libraries they come from.
_VALIDATORS = frozenset({"validate", "iter_errors", "is_valid", "load", "loads", "validated"})
_SCHEMA_LIBS = (
    "jsonschema", "fastjsonschema", "cerberus", "marshmallow", "voluptuous", "trafaret",
    "colander", "openapi_core", "rest_framework",
)  # fmt: skip
#: Decorators that parse and validate a handler's input before it runs.
_VALIDATING_DECORATORS = (
    "flask_pydantic.validate", "webargs.*", "flask_accepts.accepts", "flask_expects_json.expects_json",
    "inference_schema.schema_decorators.input_schema", "inference_schema.*.input_schema",
    "pydantic.validate_call", "pydantic.validate_arguments", "spectree.*", "flask_parameter_validation.*",
    "falcon.media.validators.jsonschema.validate",
)  # fmt: skip
#: Attribute decorators whose meaning depends on the library the file uses.
_LIBRARY_DECORATORS = {
    "arguments": ("flask_smorest",),  # @blp.arguments(Schema)
    "input": ("apiflask",),  # @app.input(Schema)
    "expect": ("flask_restx", "flask_restplus"),  # @api.expect(model, validate=True)
    "validate": ("spectree", "flask_pydantic_spec", "flask_pydantic"),  # @api.validate(json=Model)
}
#: Exceptions that report bad input (by their last name), and HTTP statuses that do.
_CLIENT_ERRORS = ("ValueError", "TypeError", "KeyError", "BadRequest", "UnprocessableEntity",
                  "ValidationError", "InvalidInput", "InvalidRequest", "HTTPException",
                  "RequestValidationError", "AssertionError", "SchemaError")  # fmt: skip
_CLIENT_STATUSES = frozenset({400, 406, 409, 413, 415, 422})
#: Serving entry points by convention: Azure ML scoring scripts (`init`/`run`), SageMaker
#: inference handlers, AWS Lambda handlers; and the methods of model-server classes.
_ENTRY_FUNCTIONS = frozenset({"input_fn", "transform_fn", "predict_fn", "lambda_handler"})
_ENTRY_METHODS = frozenset({"preprocess", "predict", "__call__", "handle", "inference", "score"})
#: Django REST framework's route decorators and the methods its views dispatch to.
_DRF_ROUTES = frozenset({"rest_framework.decorators.action", "rest_framework.decorators.api_view"})
_DRF_METHODS = frozenset({
    "get", "post", "put", "patch", "delete",
    "create", "update", "partial_update", "destroy", "list", "retrieve",
})  # fmt: skip
_SERVER_BASES = (
    "kserve", "ts.torch_handler", "mlflow.pyfunc.PythonModel", "seldon_core", "bentoml",
    "ray.serve", "triton_python_backend_utils", "litserve",
)  # fmt: skip


def _names_in(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of an expression or statement, not descending into nested functions."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)


def _statements(function: Function) -> list[ast.AST]:
    """The function's own nodes in source order (nested functions left out). Several
    checks walk the same function, each with its own idea of what is tainted, so the
    walk is remembered on the node itself (it lives as long as the file's tree)."""
    cached: list[ast.AST] | None = getattr(function, "_readycheck_statements", None)
    if cached is None:
        nodes = [n for stmt in function.body for n in _names_in(stmt)]
        cached = sorted(nodes, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        setattr(function, "_readycheck_statements", cached)  # noqa: B010 - ast nodes take any attribute
    return cached


def _targets(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name):
            yield f"{child.value.id}.{child.attr}"  # self.payload = ...


class _Flow:
    """Which names in one function hold data that entered from outside."""

    def __init__(self, code: PythonCode, function: Function, tainted: Iterable[str]) -> None:
        self.code = code
        self.function = function
        self.names = set(tainted)
        nodes = _statements(function)
        for _round in range(2):  # a loop body may use a name assigned below it
            for node in nodes:
                if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                    value = node.value
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    value, targets = node.iter, [node.target]
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    value, targets = node.context_expr, [node.optional_vars]
                else:
                    continue
                if value is not None and self.holds(value):
                    for target in targets:
                        if target is not None:
                            self.names.update(_targets(target))

    def holds(self, expr: ast.AST) -> bool:
        """Whether the expression reads incoming data."""
        for node in _names_in(expr):
            if isinstance(node, ast.Name) and node.id in self.names:
                return True
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and f"{node.value.id}.{node.attr}" in self.names
            ):
                return True
            if isinstance(node, ast.Attribute | ast.Name):
                resolved = self.code.resolve(node)
                if any(resolved == p or resolved.startswith(p + ".") for p in _REQUEST_PROXIES):
                    return True
        return False


def _imports(code: PythonCode, modules: Iterable[str]) -> bool:
    wanted = tuple(modules)
    return any(
        ref.module == m or ref.module.startswith(m + ".") for ref in code.imports for m in wanted
    )


def _is_route(function: Function) -> bool:
    """Decorated as an HTTP route: `@app.post("/x")`, `@router.get`, `@bp.route`, or a
    team's own route decorator given a URL path (`@json_api(bp, "/v1/predict")`)."""
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        if isinstance(decorator.func, ast.Attribute) and decorator.func.attr in _ROUTE_METHODS:
            return True
        if any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("/")
            for a in decorator.args
        ):
            return True
    return False


def _parameters(function: Function) -> list[ast.arg]:
    args = function.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        params.append(args.vararg)
    if args.kwarg:
        params.append(args.kwarg)
    return [p for p in params if p.arg not in {"self", "cls"}]


def _entry_points(code: PythonCode) -> dict[int, str]:
    """Functions the framework calls with a prediction request (routes, APIs, serving
    handlers), by node id, with what they are."""
    found: dict[int, str] = {}
    top = {f.name for f in code.functions if f.node.col_offset == 0}
    registered = registered_handlers([ref.node for ref in code.calls])
    for ref in code.functions:
        node = ref.node
        if _is_route(node) or node.name in registered:
            found[id(node)] = f"route {node.name}"
        elif any(d.startswith("bentoml.") and d.endswith(".api") for d in ref.decorators):
            found[id(node)] = f"BentoML API {node.name}"
        elif node.col_offset == 0 and node.name in _ENTRY_FUNCTIONS:
            found[id(node)] = f"serving handler {node.name}"
        elif node.col_offset == 0 and node.name == "run" and "init" in top:
            found[id(node)] = "scoring script run()"
        elif node.col_offset == 0 and [p.arg for p in _parameters(node)] == ["event", "context"]:
            found[id(node)] = "Lambda handler"
        elif any(d in _DRF_ROUTES for d in ref.decorators):
            found[id(node)] = f"route {node.name}"
    for cls in code.classes:
        if any(b.startswith("rest_framework.") for b in cls.bases):
            # Django REST framework: a view's handlers and a viewset's actions
            for item in cls.node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    item.name in _DRF_METHODS
                    or any(
                        code.resolve(d.func if isinstance(d, ast.Call) else d) in _DRF_ROUTES
                        for d in item.decorator_list
                    )
                ):
                    found[id(item)] = f"{cls.name}.{item.name}"
        for item in cls.node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                item.name.startswith(("on_get", "on_post", "on_put", "on_patch"))  # Falcon
            ):
                found[id(item)] = f"{cls.name}.{item.name}"
        bases = [
            *cls.bases,
            *(
                code.resolve(d.func if isinstance(d, ast.Call) else d)
                for d in cls.node.decorator_list
            ),
        ]
        if not any(b.startswith(_SERVER_BASES) for b in bases) and not (
            _imports(code, ("kserve", "ts.torch_handler", "seldon_core"))
            and any(b != "object" for b in cls.bases)
        ):
            continue
        for item in cls.node.body:
            if (
                isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and item.name in _ENTRY_METHODS
            ):
                found[id(item)] = f"{cls.name}.{item.name}"
    return found


def _passed_the_request(code: PythonCode, called: dict[int, str]) -> dict[int, str]:
    """Functions other code hands the request to (an exception handler, a helper the
    route calls): they see the request, but no framework parses their other parameters."""
    return {
        id(ref.node): f"handler {ref.node.name}"
        for ref in code.functions
        if id(ref.node) not in called and _request_params(code, ref.node, False)
    }


def _request_params(code: PythonCode, function: Function, entry: bool) -> list[str]:
    """Parameters holding the request: all of an entry point's, else those typed as one."""
    names = []
    for param in _parameters(function):
        if entry:
            names.append(param.arg)
        elif param.annotation is not None:
            annotation = code.resolve(param.annotation) if isinstance(
                param.annotation, ast.Name | ast.Attribute) else ""  # fmt: skip
            if annotation in _REQUEST_TYPES:
                names.append(param.arg)
    return names


def _unwrap(code: PythonCode, annotation: ast.expr) -> tuple[list[ast.expr], list[ast.expr]]:
    """(types, metadata) of an annotation: `Annotated[list[Item], Body(...)]` gives
    ([Item], [Body(...)]); `Optional[X]`, `X | None`, `list[X]` give [X]."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left, lmeta = _unwrap(code, annotation.left)
        right, rmeta = _unwrap(code, annotation.right)
        return left + right, lmeta + rmeta
    if isinstance(annotation, ast.Subscript):
        outer = code.resolve(annotation.value).rsplit(".", 1)[-1]
        inner = annotation.slice
        items = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer == "Annotated" and items:
            types, meta = _unwrap(code, items[0])
            return types, meta + items[1:]
        if outer == "Literal":
            return [annotation], []
        types, meta = [], []
        for item in items:
            t, m = _unwrap(code, item)
            types += t
            meta += m
        return types, meta
    return [annotation], []


def _constrained(call: ast.expr) -> bool:
    return isinstance(call, ast.Call) and any(k.arg in _CONSTRAINTS for k in call.keywords)


def _typed_body(code: PythonCode, function: Function) -> str | None:
    """The parameter a typed framework parses and validates before the handler runs."""
    defaults = dict(parameter_defaults(function.args))
    for param in _parameters(function):
        if param.annotation is None:
            continue
        default = defaults.get(param.arg)
        types, meta = _unwrap(code, param.annotation)
        extras = [*meta, *([default] if default is not None else [])]
        if any(
            isinstance(m, ast.Call)
            and code.resolve(m.func).rsplit(".", 1)[-1] in {"Depends", "Security"}
            and (m.args or m.keywords)
            for m in extras
        ):
            continue  # injected, not sent by the caller
        # a bare `Depends()` builds the annotated class from the request's parameters,
        # validating them (`question: Question = Depends()`): judged by its type below
        if any(_constrained(m) for m in extras):
            return f"{param.arg} (constrained)"
        for kind in types:
            if isinstance(kind, ast.Subscript):  # Literal[...]
                return f"{param.arg}: {ast.unparse(kind)}"
            if not isinstance(kind, ast.Name | ast.Attribute):
                continue
            resolved = code.resolve(kind)
            short = resolved.rsplit(".", 1)[-1]
            if resolved in _NOT_A_BODY or short in _NOT_A_BODY:
                continue
            # the framework's own objects (a request, a session, BentoML's context) carry
            # no payload of the caller's
            if resolved.startswith(
                ("fastapi.", "starlette.", "sqlalchemy.", "typing.", "litestar.", "bentoml.")
            ):
                continue
            return f"{param.arg}: {ast.unparse(kind)}"
    return None


#: Annotations that accept any payload: typing them checks nothing.
_UNCHECKED = frozenset({"dict", "Dict", "Any", "object", "typing.Any", "typing.Dict", "JSON"})


def _fully_typed(function: Function) -> bool:
    """Whether every parameter the caller sends is annotated with a type that checks
    something (not `dict`, `Any` or a bare JSON)."""
    params = _parameters(function)
    return bool(params) and all(
        p.annotation is not None
        and ast.unparse(p.annotation).split("[", 1)[0].rsplit(".", 1)[-1] not in _UNCHECKED
        for p in params
    )


def _declared_body(code: PythonCode, function: Function) -> str | None:
    """A parameter declared as the request's body (`= Body(...)`, `Annotated[T, Body()]`)
    with a type the framework parses it into."""
    defaults = dict(parameter_defaults(function.args))
    for param in _parameters(function):
        if param.annotation is None:
            continue
        types, meta = _unwrap(code, param.annotation)
        extras = [*meta, *([defaults[param.arg]] if param.arg in defaults else [])]
        if not any(
            isinstance(m, ast.Call) and code.resolve(m.func).rsplit(".", 1)[-1] == "Body"
            for m in extras
        ):
            continue
        for kind in types:
            if isinstance(kind, ast.Name | ast.Attribute) and code.resolve(kind).rsplit(".", 1)[
                -1
            ] not in {"dict", "Dict", "Any", "object", "bytes", "str"}:
                return f"{param.arg}: {ast.unparse(kind)} = Body()"
    return None


def _validating_decorator(code: PythonCode, function: Function) -> str | None:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = code.resolve(target)
        if matches_any(resolved, _VALIDATING_DECORATORS):
            return resolved
        library = (
            isinstance(target, ast.Attribute)
            and target.attr in _LIBRARY_DECORATORS
            and _imports(code, _LIBRARY_DECORATORS[target.attr])
        )
        # flask-restx validates only when told to: `@api.expect(model, validate=True)`
        if library and (
            not resolved.endswith(".expect")
            or (isinstance(decorator, ast.Call) and _true(decorator, "validate"))
        ):
            return resolved
    return None


def _call_name(code: PythonCode, call: ast.Call) -> str:
    return code.resolve(call.func)


def _parses(code: PythonCode, call: ast.Call, flow: _Flow, local_models: set[str]) -> str | None:
    """A call that parses incoming data with a typed model or validates it with a schema."""
    name = _call_name(code, call)
    method = name.rsplit(".", 1)[-1]
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    arguments = [*call.args, *(k.value for k in call.keywords)]
    given = any(flow.holds(a) for a in arguments)
    if given and name in _PARSER_FUNCTIONS | {"jsonschema.validate", "fastjsonschema.validate"}:
        return f"{name}()"
    if receiver is None or name.split(".")[0] in _NOT_MODELS:
        return None
    if given and method in _PARSERS:
        return f"{name}()"
    # validator.validate(payload, schema), schema.load(payload); serializer.is_valid() on a
    # serializer built from the payload (Django REST framework)
    if method in _VALIDATORS and _imports(code, _SCHEMA_LIBS) and (given or flow.holds(receiver)):
        return f"{name}()"
    return None


def _constructs(call: ast.Call, flow: _Flow, local_models: set[str]) -> str | None:
    """`SomeModel(**payload)`: a model class of this file built from the payload."""
    target = call.func.id if isinstance(call.func, ast.Name) else None
    if target in local_models and any(k.arg is None and flow.holds(k.value) for k in call.keywords):
        return f"{target}(**...)"
    return None


def _rejects(code: PythonCode, node: ast.If | ast.Try, flow: _Flow) -> str | None:
    """`if <condition on the input>: raise ...` (or abort(400), a 4xx response), or
    `try: <parse the input> except ...: <answer 400>`."""
    if isinstance(node, ast.Try):
        if not any(flow.holds(stmt) for stmt in node.body):
            return None
        for handler in node.handlers:
            answer = _client_error(code, handler.body)
            if answer:
                return f"{answer} when parsing it fails"
        return None
    if not flow.holds(node.test):
        return None
    return _client_error(code, node.body)


def _client_error(code: PythonCode, body: list[ast.stmt]) -> str | None:
    """How a block answers with a client error: raises one, aborts or responds with a 4xx."""
    for stmt in body:
        for child in _names_in(stmt):
            if isinstance(child, ast.Raise) and child.exc is not None:
                exc = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
                name = code.resolve(exc).rsplit(".", 1)[-1]
                if name.endswith(_CLIENT_ERRORS) or name.startswith("HTTPBad"):
                    if name == "HTTPException" and isinstance(child.exc, ast.Call):
                        status = keyword_value(child.exc, "status_code") or (
                            child.exc.args[0] if child.exc.args else None
                        )
                        if not _client_status(status):
                            continue
                    return f"raises {name}"
            if isinstance(child, ast.Call):
                called = code.resolve(child.func)
                if (
                    called.rsplit(".", 1)[-1] == "abort"
                    and child.args
                    and _client_status(child.args[0])
                ):
                    return "aborts with a client error"
                status = keyword_value(child, "status_code") or keyword_value(child, "status")
                if _client_status(status) and called.rsplit(".", 1)[-1].endswith("Response"):
                    return "answers with a client error"
            if (
                isinstance(child, ast.Return)
                and isinstance(child.value, ast.Tuple)
                and any(_client_status(e) for e in child.value.elts[1:])
            ):
                return "answers with a client error"
    return None


def _client_status(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value in _CLIENT_STATUSES
    if isinstance(
        node, ast.Attribute
    ):  # status.HTTP_422_UNPROCESSABLE_ENTITY, HTTPStatus.BAD_REQUEST
        return any(str(s) in node.attr for s in _CLIENT_STATUSES) or node.attr in {
            "BAD_REQUEST", "UNPROCESSABLE_ENTITY", "UNSUPPORTED_MEDIA_TYPE"}  # fmt: skip
    return False


def _model_classes(code: PythonCode) -> set[str]:
    bases = ("pydantic.*", "msgspec.Struct", "marshmallow.*", "attr.*", "attrs.*", "ninja.Schema",
             "sqlmodel.SQLModel")  # fmt: skip
    return {c.name for c in code.classes if any(matches_any(b, bases) for b in c.bases)}


def _serving_signature(source: SourceFile, code: PythonCode) -> Iterator[Evidence]:
    """Typed serving signatures: a TensorFlow model exported with `input_signature`
    TensorSpecs, a logged MLflow model with a signature its server enforces, BentoML IO
    descriptors that enforce a type."""
    has_specs = any(
        c.name
        in {"tensorflow.TensorSpec", "tensorflow.io.FixedLenFeature", "tensorflow.io.parse_example"}
        for c in code.calls
    )
    for ref in code.calls:
        name, call = ref.name, ref.node
        short = name.rsplit(".", 1)[-1]
        detail = None
        if name == "tensorflow.function" and keyword_value(call, "input_signature") is not None:
            detail = "a serving function with a typed input_signature"
        elif has_specs and _given(call, "signatures"):
            detail = "a model exported with typed serving signatures"
        elif (short in {"log_model", "save_model"} and name.startswith("mlflow.")) and _given(
            call, "signature"
        ):
            detail = "an MLflow model logged with an input signature its server enforces"
        elif name == "bentoml.io.JSON" and _given(call, "pydantic_model"):
            detail = "a BentoML JSON input parsed by a pydantic model"
        elif name.startswith("bentoml.io.") and (
            _true(call, "enforce_dtype") or _true(call, "enforce_shape")
        ):
            detail = "a BentoML input that enforces its dtype or shape"
        if detail:
            yield Evidence(source.locate(ref.line), detail, source.snippet(ref.line))


def _input_spec(code: PythonCode, function: Function) -> str | None:
    """The model a BentoML API's decorator gives as its `input_spec`, if any."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and code.resolve(decorator.func).startswith("bentoml."):
            spec = keyword_value(decorator, "input_spec")
            if isinstance(spec, ast.Name | ast.Attribute):
                return ast.unparse(spec)
    return None


def _given(call: ast.Call, keyword: str) -> bool:
    value = keyword_value(call, keyword)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _true(call: ast.Call, keyword: str) -> bool:
    value = keyword_value(call, keyword)
    return isinstance(value, ast.Constant) and value.value is True


@file_detector(*PYTHON_KINDS, params=NoParams)
def request_validation(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """Prediction requests parsed by a typed model or schema before they reach the model:
    a route's typed body (FastAPI and alike), a payload parsed by a pydantic model or
    validated with JSON Schema, Cerberus or marshmallow, a validating decorator, a typed
    serving signature, or a handler that rejects malformed input with a client error."""
    code = source.python
    if code is None:
        return
    called = _entry_points(code)
    passed = _passed_the_request(code, called)
    entries = {**passed, **called}
    typed = _imports(code, _TYPED_FRAMEWORKS)
    models = _model_classes(code)
    functions = {id(f.node): f.node for f in code.functions}
    reported: set[int] = set()

    def emit(line: int, detail: str) -> Iterator[Evidence]:
        if line not in reported:
            reported.add(line)
            yield Evidence(source.locate(line), detail, source.snippet(line))

    proxies = _may_reach_proxies(code)
    for ref in code.functions:
        function = ref.node
        entry = entries.get(id(function))
        routed = entry is not None and id(function) not in passed
        if routed and typed and (body := _typed_body(code, function)):
            yield from emit(
                function.lineno, f"{entry} takes typed input the framework validates ({body})"
            )
            continue
        if routed and entry and entry.startswith("BentoML API") and _fully_typed(function):
            # BentoML builds a pydantic model from the API's signature and answers 400
            # when a field is missing or of the wrong type
            yield from emit(function.lineno, f"{entry} takes typed parameters BentoML validates")
            continue
        if routed and entry and (spec := _input_spec(code, function)):
            # `@bentoml.api(input_spec=TranscriptionRequest)`: BentoML validates the request
            # against that pydantic model before the API runs
            yield from emit(function.lineno, f"{entry} validates its input against {spec}")
            continue
        if entry and (decorator := _validating_decorator(code, function)):
            yield from emit(function.lineno, f"{entry} validates its input with @{decorator}")
            continue
        if entry is None and typed and (body := _declared_body(code, function)):
            # a dependency the routes use (`body: AgentRunCreate = Body()`): FastAPI
            # parses and validates it before any route that depends on it runs
            yield from emit(
                function.lineno,
                f"{function.name}() takes a typed request body the framework validates ({body})",
            )
            continue
        tainted = _request_params(code, function, entry is not None)
        if not tainted and not proxies:
            continue  # nothing can enter: no request parameter, no request global to read
        flow = _Flow(code, function, tainted)
        if not flow.names and not _reads_request(code, function):
            continue
        yield from _judge(code, function, flow, models, entry, functions, emit)

    yield from _serving_signature(source, code)


def _may_reach_proxies(code: PythonCode) -> bool:
    """Whether any name in the module can resolve to a request global (`flask.request`
    and alike): one is imported, or its package's name is used as is. When none can, a
    function with no request parameter holds no incoming data, and its data flow (the
    costliest check here, run on every function of every file) need not be traced."""
    roots = {proxy.split(".")[0] for proxy in _REQUEST_PROXIES}
    return any(target.split(".")[0] in roots for target in code.aliases.values()) or any(
        root in code.identifier_names for root in roots
    )


def _reads_request(code: PythonCode, function: Function) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and any(code.resolve(n).startswith(p + ".") for p in _REQUEST_PROXIES)
        for n in _names_in(function)
    )


def _judge(
    code: PythonCode,
    function: Function,
    flow: _Flow,
    models: set[str],
    entry: str | None,
    functions: dict[int, Function],
    emit: Callable[[int, str], Iterator[Evidence]],
    depth: int = 0,
) -> Iterator[Evidence]:
    """Evidence that `function` parses or rejects the incoming data it holds, following
    calls to this file's own functions one level deep."""
    where = entry or function.name
    for node in _statements(function):
        if isinstance(node, ast.Call):
            parsed = _parses(code, node, flow, models) or _constructs(node, flow, models)
            if parsed:
                yield from emit(node.lineno, f"{where} parses the request with {parsed}")
                continue
            if depth == 0:
                callee = _local_callee(code, node, functions)
                if callee is not None:
                    passed = _passed_params(callee, node, flow)
                    if passed:
                        inner = _Flow(code, callee, passed)
                        yield from _judge(code, callee, inner, models, where, functions, emit, 1)
        elif isinstance(node, ast.If | ast.Try) and entry is not None:
            rejected = _rejects(code, node, flow)
            if rejected:
                yield from emit(node.lineno, f"{where} checks its input and {rejected}")


def _local_callee(
    code: PythonCode, call: ast.Call, functions: dict[int, Function]
) -> Function | None:
    """The function of this file a call reaches: `helper(x)` or `self.helper(x)`."""
    if isinstance(call.func, ast.Name):
        name = call.func.id
    elif (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and (call.func.value.id in {"self", "cls"})
    ):
        name = call.func.attr
    else:
        return None
    matches = [f for f in functions.values() if f.name == name]
    return matches[0] if len(matches) == 1 else None


def _passed_params(callee: Function, call: ast.Call, flow: _Flow) -> list[str]:
    """The callee's parameters that receive incoming data at this call."""
    params = [p.arg for p in [*callee.args.posonlyargs, *callee.args.args]]
    if params and params[0] in {"self", "cls"}:
        params = params[1:]
    names = [p for p, a in zip(params, call.args, strict=False) if flow.holds(a)]
    names += [k.arg for k in call.keywords if k.arg and flow.holds(k.value)]
    return names


#: Calls that only report: they neither handle a failure nor let it escape.
_REPORTERS = ("print", "logging.", "logger.", "log.", "LOGGER.", "LOG.", "_logger.", "_log.",
              "warnings.warn", "traceback.print_exc", "traceback.print_exception",
              "sys.stderr.write", "sys.stdout.write", "st.error", "st.warning", "click.echo",
              "typer.echo", "console.print", "pprint")  # fmt: skip
#: Work a handler may give up on without hiding anything: releasing a resource.
_CLEANUP = frozenset(
    {"close", "remove", "unlink", "rmtree", "rmdir", "delete", "shutdown", "stop", "terminate",
     "kill", "cleanup", "disconnect", "release", "flush", "join", "cancel", "quit", "exit"}
)  # fmt: skip
_BROAD = frozenset({"Exception", "BaseException"})


def _reports_only(code: PythonCode, body: list[ast.stmt]) -> bool:
    """The handler prints or logs, and does nothing else (a bare `return` or `pass`, or
    a clean-up it tries on the way out, aside)."""
    reported = False
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (
            isinstance(stmt, ast.Try) and _is_cleanup(code, stmt.body)
        ):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            name = code.resolve(stmt.value.func)
            if (
                name.startswith(_REPORTERS)
                or name.split(".")[0] in {"logger", "logging", "log"}
                or (
                    name.endswith(
                        (
                            ".error",
                            ".exception",
                            ".warning",
                            ".warn",
                            ".info",
                            ".debug",
                            ".critical",
                            ".log",
                        )
                    )
                    and "log" in name.lower()
                )
            ):
                reported = True
                continue
        return False
    return reported


def _returns_value(function: Function) -> bool:
    return any(
        isinstance(n, ast.Return) and n.value is not None and not stands_for_nothing(n.value)
        for n in _statements(function)
    )


def _releases(name: str) -> bool:
    """`close`, `os.remove`, `client.delete_dataset`: a call that releases or removes."""
    return name in _CLEANUP or name.lstrip("_").split("_", 1)[0] in _CLEANUP


def _is_cleanup(code: PythonCode, body: list[ast.stmt]) -> bool:
    calls = [n for stmt in body for n in _names_in(stmt) if isinstance(n, ast.Call)]
    return (
        bool(calls)
        and all(_releases(code.resolve(c.func).rsplit(".", 1)[-1]) for c in calls)
        and not any(isinstance(s, ast.Assign | ast.Return) for s in body)
    )


@file_detector(*PYTHON_KINDS, params=NoParams)
def swallowed_failure(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """Broad `except` blocks that only print or log the error and let the function return
    None or an empty default (explicitly, or by falling off its end): the caller carries
    on as if the work had succeeded, just as after `except: pass`."""
    code = source.python
    if code is None:
        return
    entry_points = _main_calls(code)
    for ref in code.functions:
        function = ref.node
        if function.name in {"__exit__", "__del__", "__aexit__", "close", "cleanup", "teardown"}:
            continue
        last = function.body[-1] if function.body else None
        for node in _statements(function):
            if not isinstance(node, ast.Try):
                continue
            if _is_cleanup(code, node.body):
                continue
            for handler in node.handlers:
                caught = _caught(handler)
                if caught is not None and not caught & _BROAD:
                    continue  # a specific exception, caught on purpose
                body = handler.body
                final = body[-1] if body else None
                if isinstance(final, ast.Return) and stands_for_nothing(final.value):
                    if _normally_returns(function, final, handler):
                        continue  # the empty answer is one its callers already handle
                    body = body[:-1]
                    ends = "returns " + (ast.unparse(final.value) if final.value else "None")
                elif exit_status(final) is True:
                    # a job that logs its failure and exits 0 tells its scheduler it worked
                    body = body[:-1]
                    ends = "exits with status 0, so the run reports success"
                elif node is last and not any(
                    isinstance(n, ast.Return | ast.Raise)
                    for s in node.finalbody
                    for n in ast.walk(s)
                ):
                    # a function meant to return a value, or a program's or pipeline step's
                    # whole work wrapped in the try: the run ends "successfully"
                    if not _returns_value(function) and not (
                        _only_statement(function, node) and _is_step(code, ref, entry_points)
                    ):
                        continue
                    ends = "falls through, so the function returns None"
                else:
                    continue
                if not _reports_only(code, body):
                    continue
                if _callers_test_result(code, function.name, code.parents):
                    continue
                yield Evidence(
                    source.locate(handler.lineno),
                    f"the error is only {'printed' if _printed(code, body) else 'logged'} and "
                    f"{function.name}() {ends}",
                    source.snippet(handler.lineno),
                )


def _normally_returns(
    function: ast.FunctionDef | ast.AsyncFunctionDef, final: ast.Return, handler: ast.ExceptHandler
) -> bool:
    """Whether the function also returns the handler's empty default where nothing failed
    (`if not settings.enable_cache: return None`, a cache miss's `return None`): the empty
    answer is part of what it promises, so every caller already handles it."""

    def spelled(value: ast.expr | None) -> str:
        return "None" if value is None else ast.unparse(value)

    in_handler = {id(node) for node in ast.walk(handler)}
    for node in _own_nodes(function):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or id(node) in in_handler:
                continue
            for index, statement in enumerate(block):
                if (
                    isinstance(statement, ast.Return)
                    and spelled(statement.value) == spelled(final.value)
                    and not any(_warns(before) for before in block[:index])
                ):
                    return True
    return False


#: Log calls that say something went wrong: an empty answer after one is a failure too
#: (`logging.warning("no data downloaded"); return pd.DataFrame()`), not a normal answer.
_WARNS = frozenset({"warn", "warning", "error", "exception", "critical", "fatal"})


def _warns(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    if isinstance(func, ast.Attribute):
        return func.attr in _WARNS
    return isinstance(func, ast.Name) and func.id == "print"


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's own body, not of the functions and classes it defines."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


def _callers_test_result(code: PythonCode, name: str, parents: dict[int, ast.AST]) -> bool:
    """Whether the module calls `name` and tests what every call returned before using it
    (`contexts = collect(...)` then `if not contexts: contexts = from_metadata(...)`, or
    `collect(...) or fallback()`): the empty default is a signal its callers act on, not a
    failure passed off as a result."""
    calls = [
        node
        for node in code.nodes
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == name
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"self", "cls"}
            )
        )
    ]
    if not calls:
        return False
    return all(_result_tested(call, parents, code) for call in calls)


def _result_tested(call: ast.Call, parents: dict[int, ast.AST], code: PythonCode) -> bool:
    node: ast.AST = call
    parent = parents.get(id(node))
    while isinstance(parent, ast.Await):
        node, parent = parent, parents.get(id(parent))
    if (
        isinstance(parent, ast.BoolOp)
        and isinstance(parent.op, ast.Or)
        and parent.values[0] is node
    ):
        return True  # `collect(...) or fallback()`
    if isinstance(parent, ast.If | ast.While | ast.IfExp) and parent.test is node:
        return True
    if not (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return False
    variable = parent.targets[0].id
    scope: ast.AST | None = parent
    while scope is not None and not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        scope = parents.get(id(scope))
    return any(
        isinstance(test, ast.If | ast.While | ast.IfExp)
        and test.lineno >= parent.lineno
        and _tests(test.test, variable)
        for test in ast.walk(scope if scope is not None else code.tree)
    )


def _tests(expression: ast.expr, variable: str) -> bool:
    """Whether a condition tests a value for emptiness: `x`, `not x`, `x is None`,
    `len(x) == 0`, or one of those joined with `and` / `or`."""
    if isinstance(expression, ast.Name):
        return expression.id == variable
    if isinstance(expression, ast.UnaryOp) and isinstance(expression.op, ast.Not):
        return _tests(expression.operand, variable)
    if isinstance(expression, ast.BoolOp):
        return any(_tests(value, variable) for value in expression.values)
    if isinstance(expression, ast.Compare):
        left = expression.left
        if (
            isinstance(left, ast.Call)
            and isinstance(left.func, ast.Name)
            and left.func.id == "len"
            and left.args
        ):
            left = left.args[0]
        return (
            isinstance(left, ast.Name)
            and left.id == variable
            and all(isinstance(c, ast.Constant) for c in expression.comparators)
        )
    return False


#: Decorators of a pipeline step or task, which an orchestrator runs as a unit of work.
_STEP_DECORATORS = ("prefect.task", "prefect.flow", "airflow.decorators.task", "dagster.op",
                    "dagster.asset", "kfp.dsl.component", "kfp.v2.dsl.component", "zenml.step",
                    "metaflow.step", "flytekit.task", "*.task", "*.step")  # fmt: skip


def _main_calls(code: PythonCode) -> set[str]:
    """Names called under `if __name__ == "__main__":`: the program's entry points."""
    names: set[str] = set()
    for node in code.main_blocks:
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                func = child.func
                names.add(func.attr if isinstance(func, ast.Attribute) else ast.unparse(func))
    return names


def _is_step(code: PythonCode, ref: FunctionRef, entry_points: set[str]) -> bool:
    return (
        ref.name == "main"
        or ref.name in entry_points
        or any(matches_any(d, _STEP_DECORATORS) for d in ref.decorators)
    )


def _only_statement(function: Function, node: ast.Try) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return body == [node]


def _printed(code: PythonCode, body: list[ast.stmt]) -> bool:
    return any(
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and code.resolve(s.value.func) == "print"
        for s in body
    )


def _caught(handler: ast.ExceptHandler) -> set[str] | None:
    """The names a handler catches; None for a bare `except:` (it catches everything)."""
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {
        t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else "?"
        for t in types
    }


#: Attributes that describe a frame's or table's schema.
_SCHEMA_ATTRS = frozenset(
    {"columns", "dtypes", "dtype", "schema", "column_names", "feature_names_in_"}
)
_BUILTINS = frozenset(
    {"set", "len", "list", "str", "sorted", "any", "all", "isinstance", "tuple", "dict", "frozenset",
     "type", "print", "repr", "int", "float", "bool", "map", "zip", "enumerate", "range", "np", "pd"}
)  # fmt: skip


def _schema_side(node: ast.AST, derived: dict[str, str] | None = None) -> dict[int, str] | None:
    """The nodes of a frame's schema attribute (`df.columns`, `df[c].dtype`, or a name
    bound to one) within an operand, each with the frame it belongs to; None when the
    operand reads no schema."""
    derived = derived or {}
    inside: dict[int, str] = {}
    called = {id(c.func) for c in _names_in(node) if isinstance(c, ast.Call)}
    for child in _names_in(node):
        if (
            isinstance(child, ast.Attribute)
            and child.attr in _SCHEMA_ATTRS
            and id(child) not in called
        ):
            root = _root(child.value)
            inside.update((id(n), root) for n in ast.walk(child))
        elif isinstance(child, ast.Name) and child.id in derived:
            inside[id(child)] = derived[child.id]
    return inside or None


def _root(node: ast.AST) -> str:
    """The frame an attribute hangs off: `df` for `df[c].dtype`, `self.config` for
    `self.config.columns`."""
    while isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    return ast.unparse(node)


def _declared(node: ast.AST, skip: dict[int, str]) -> bool:
    """Whether an operand names something declared (a constant, a config value, a loop
    variable over one), rather than a literal."""
    return any(
        isinstance(n, ast.Name) and id(n) not in skip and n.id not in _BUILTINS
        for n in _names_in(node)
    )


def _schema_comparison(expr: ast.AST, derived: dict[str, str] | None = None) -> bool:
    """An expression that compares a frame's columns or types with something declared
    elsewhere: `set(EXPECTED) - set(df.columns)`, `col not in df.columns` (in a loop over
    a declared list), `str(df[c].dtype) != expected`, or with another frame's. A single
    literal column name (`"label" in df.columns`) is an ad hoc check, not a schema."""
    for node in _names_in(expr):
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            pairs = [(node.left, node.comparators[0])]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub | ast.BitXor):
            pairs = [(node.left, node.right)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in {"difference", "issubset", "issuperset", "symmetric_difference", "equals"}
            and node.args
        ):
            pairs = [(node.func.value, node.args[0])]
        for left, right in pairs:
            sides = _schema_side(left, derived), _schema_side(right, derived)
            if sides[0] and sides[1]:
                if not set(sides[0].values()) & set(sides[1].values()):
                    return True
                continue
            if (sides[0] and _declared(right, {})) or (sides[1] and _declared(left, {})):
                return True
    return False


def _stops(body: list[ast.stmt]) -> str | None:
    """How a block stops or flags the run: raises, exits, returns False, sets a flag to False."""
    for stmt in body:
        for node in _names_in(stmt):
            if isinstance(node, ast.Raise):
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if exc is None or "NotImplemented" not in ast.unparse(exc):
                    return "raises"
            if isinstance(node, ast.Call) and ast.unparse(node.func) in {"sys.exit", "exit"}:
                return "exits"
            if (
                isinstance(node, ast.Return)
                and isinstance(node.value, ast.Constant)
                and node.value.value is False
            ):
                return "returns False"
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and node.value.value is False
            ):
                return "marks the data invalid"
    return None


def _recorded(body: list[ast.stmt]) -> set[str]:
    """Names a block collects problems into: `missing.append(col)`, `errors[c] = ...`."""
    names: set[str] = set()
    for stmt in body:
        for node in _names_in(stmt):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"append", "add", "extend", "update"}
                and isinstance(node.func.value, ast.Name)
            ):
                names.add(node.func.value.id)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        names.add(target.value.id)
    return names


def _scopes(code: PythonCode, lines: Iterable[int] | None = None) -> Iterator[list[ast.AST]]:
    """The nodes of each function, and of the module's own statements, in source order.
    Given `lines`, only the functions whose span holds one of them (a function's own
    nodes all lie within its span, so the others hold nothing on those lines)."""
    wanted = sorted(set(lines)) if lines is not None else None
    for ref in code.functions:
        if wanted is not None:
            start, end = ref.node.lineno, ref.node.end_lineno or ref.node.lineno
            at = bisect.bisect_left(wanted, start)
            if at == len(wanted) or wanted[at] > end:
                continue
        yield _statements(ref.node)
    module = [n for stmt in code.tree.body if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
              for n in _names_in(stmt)]  # fmt: skip
    yield sorted(module, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))


@file_detector(*PYTHON_KINDS, params=NoParams)
def data_schema_check(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """A team's own schema check: a frame's columns or types compared with a declared
    list or mapping, and the run stopped (raise, exit, `return False`, a failed status)
    when they differ."""
    code = source.python
    if code is None or not any(name in code.identifier_names for name in _SCHEMA_ATTRS):
        return  # no schema attribute read anywhere: no scope to trace
    seen: set[int] = set()
    reads = [
        n.lineno for n in code.nodes if isinstance(n, ast.Attribute) and n.attr in _SCHEMA_ATTRS
    ]
    for nodes in _scopes(code, reads):
        if not any(isinstance(n, ast.Attribute) and n.attr in _SCHEMA_ATTRS for n in nodes):
            continue  # every schema comparison reads a schema attribute of this scope
        results: set[str] = set()
        # problems are collected into a container that starts empty: `missing = []`
        empties = {
            t
            for node in nodes
            if isinstance(node, ast.Assign)
            and stands_for_nothing(node.value)
            and not isinstance(node.value, ast.Constant)
            for t in _targets(node.targets[0])
        }
        # names bound to the data's schema: `cols = list(df.columns)`, `for c in df.columns`
        derived: dict[str, str] = {}
        for node in nodes:
            if isinstance(node, ast.Assign):
                value = node.value
                found = _schema_side(value, derived)
                if found and not _declared(value, found):
                    derived.update(
                        (t, next(iter(found.values()))) for t in _targets(node.targets[0])
                    )
            elif isinstance(node, ast.For | ast.comprehension):
                found = _schema_side(node.iter, derived)
                if found:
                    derived.update((t, next(iter(found.values()))) for t in _targets(node.target))
        for _round in range(2):
            for node in nodes:
                if isinstance(node, ast.Assign) and _schema_comparison(node.value, derived):
                    results.update(_targets(node.targets[0]))
                elif isinstance(node, ast.If) and _schema_comparison(node.test, derived):
                    results.update(_recorded(node.body) & empties)
        for node in nodes:
            if not isinstance(node, ast.If) or node.lineno in seen:
                continue
            compares = _schema_comparison(node.test, derived) or any(
                isinstance(n, ast.Name) and n.id in results for n in _names_in(node.test)
            )
            if not compares:
                continue
            how = _stops(node.body)
            if how:
                seen.add(node.lineno)
                yield Evidence(
                    source.locate(node.lineno),
                    f"checks the data's columns or types against a declared schema and {how}",
                    source.snippet(node.lineno),
                )


_STATUS_ATTRS = frozenset({"status_code", "status", "ok", "is_success", "is_error"})
#: Openers that raise on an error status themselves (`urllib.error.HTTPError`).
_RAISING_OPENERS = frozenset({"urllib.request.urlopen", "urllib.urlopen"})


@file_detector(*PYTHON_KINDS, params=NoParams)
def response_status_check(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """The team's own check of an HTTP response before its body is used: a condition or an
    assertion on its `status_code`, `status` or `ok` (whatever the branch then does: raise,
    exit, skip the record, return nothing), so an error page is not parsed as data; and
    `urllib.request.urlopen`, which raises on an error status by itself."""
    code = source.python
    if code is None:
        return
    if not any(name in code.identifier_names for name in _STATUS_ATTRS) and not any(
        name in _RAISING_OPENERS for name in code.calls_by_name
    ):
        return  # neither a status read nor a raising opener: nothing to find in any scope
    for nodes in _scopes(code):
        for node in nodes:
            if isinstance(node, ast.Call) and code.resolve(node.func) in _RAISING_OPENERS:
                yield Evidence(
                    source.locate(node.lineno),
                    "opens the URL with urllib, which raises on an error status",
                    source.snippet(node.lineno),
                )
                continue
            if not isinstance(node, ast.If | ast.Assert):
                continue
            reads = any(
                isinstance(n, ast.Attribute)
                and n.attr in _STATUS_ATTRS
                and isinstance(n.value, ast.Name | ast.Attribute)
                for n in _names_in(node.test)
            )
            if reads:
                yield Evidence(
                    source.locate(node.lineno),
                    "checks the response status before using it",
                    source.snippet(node.lineno),
                )


#: A field's keywords that bound it from below and from above.
_LOWER_BOUNDS = frozenset({"ge", "gt"})
_UPPER_BOUNDS = frozenset({"le", "lt"})


def _bounded_field(code: PythonCode, node: ast.expr) -> bool:
    """A pydantic `Field(...)` call with a bound on each side."""
    if not isinstance(node, ast.Call) or code.resolve(node.func) not in (
        "pydantic.Field",
        "pydantic.fields.Field",
        "sqlmodel.Field",
    ):
        return False
    keywords = {k.arg for k in node.keywords}
    return bool(keywords & _LOWER_BOUNDS) and bool(keywords & _UPPER_BOUNDS)


@file_detector(*PYTHON_KINDS, params=NoParams)
def bounded_float_field(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """A float field of a pydantic model bounded on both sides (`amount: float =
    Field(ge=0, le=5000)`, `Annotated[float, Field(gt=0, lt=1)]`): pydantic 2 rejects NaN
    (no comparison holds for it) and each infinity (one bound fails) before the model
    sees the request. An integer field holds no NaN to begin with, so it proves nothing."""
    code = source.python
    if code is None:
        return
    for node in code.bindings:
        if not isinstance(node, ast.AnnAssign):
            continue
        annotation = node.annotation
        if "float" not in ast.unparse(annotation):
            continue
        inner = annotation.slice if isinstance(annotation, ast.Subscript) else None
        parts = inner.elts if isinstance(inner, ast.Tuple) else []
        if (node.value is not None and _bounded_field(code, node.value)) or any(
            _bounded_field(code, part) for part in parts
        ):
            yield Evidence(
                source.locate(node.lineno),
                "a float field bounded on both sides rejects NaN and infinity",
                source.snippet(node.lineno),
            )
