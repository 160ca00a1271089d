"""The versioned JSON API under /api/v1; every module here adds routes to the one blueprint."""

from __future__ import annotations

from functools import wraps
from typing import Any

import quart_schema.conversion
from pydantic import BaseModel, TypeAdapter
from quart import Blueprint, Quart, render_template, request
from quart_schema import QuartSchema, document_request, document_response, hide, validate_querystring
from quart_schema.openapi import OpenAPIProvider

from ..problems import Problem, ProblemBody

bp = Blueprint("api", __name__, url_prefix="/api/v1")


COMPONENTS = "#/components/schemas/{model}"
EVENT_STREAM_ATTRIBUTE = "_travelgo_event_stream"
OPTIONAL_BODY_ATTRIBUTE = "_travelgo_optional_body"


def problems(*statuses: int):
    """Document these problem+json responses on a route (the OpenAPI document lists every outcome)."""

    def decorator(func):
        for status in statuses:
            func = document_response(ProblemBody, status)(func)
        return func

    return decorator


def text_response(media_type: str, description: str):
    """Document a route's 200 as a body of another media type than JSON (a stream, a calendar file)."""

    def decorator(func):
        setattr(func, EVENT_STREAM_ATTRIBUTE, (media_type, description))
        return func

    return decorator


def event_stream(description: str):
    """Document a route's 200 as a `text/event-stream` of server-sent events."""
    return text_response("text/event-stream", description)


def optional_body(model: type[BaseModel]):
    """Document a request body the route may go without (it reads and validates the body itself)."""

    def decorator(func):
        setattr(func, OPTIONAL_BODY_ATTRIBUTE, True)
        return document_request(model)(func)

    return decorator


def validate_query(model: type[BaseModel]):
    """quart-schema's validate_querystring, except that an empty value (`date=`) is a 422 naming the parameter:
    the query models treat blanks as "not given" for the HTML forms (which send empty fields), an API client
    that sends one has made a mistake. Checked where the decorator sits, so 401/403 still come first."""
    names = {field.alias or name for name, field in model.model_fields.items()} | set(model.model_fields)

    def decorator(func):
        validated = validate_querystring(model)(func)

        @wraps(validated)
        async def wrapper(*args, **kwargs):
            blank = {
                key.removesuffix("[]")
                for key, value in request.args.items(multi=True)
                if key.removesuffix("[]") in names and not value.strip()
            }
            if blank:
                msg = "Empty value: give a value or leave the parameter out"
                errors = [{"loc": [key], "field": key, "msg": msg, "type": "blank"} for key in sorted(blank)]
                raise Problem(422, "Invalid input", "; ".join(f"{key}: {msg}" for key in sorted(blank)), errors=errors)
            return await validated(*args, **kwargs)

        return wrapper

    return decorator


def _not_blank(schema: dict) -> None:
    """A free-text query parameter says that it cannot be empty or only spaces (validate_query)."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and "enum" not in option and "format" not in option:
            option["minLength"] = max(1, option.get("minLength", 0))
            option.setdefault("pattern", r"\S")


def component_schemas(model: type[BaseModel]) -> dict[str, dict]:
    """A model's JSON schema (serialized form) and the schemas it refers to, keyed by component name."""
    schema = model.model_json_schema(ref_template=COMPONENTS, mode="serialization")
    definitions = schema.pop("$defs", {})
    return {**definitions, component_name(model): schema}


def component_name(model: type) -> str:
    config = getattr(model, "model_config", {})
    return config.get("title") or model.__name__


def _as_component(model: type, schema: dict, definitions: dict) -> dict:
    """Move a model's inline schema into the components and refer to it: generated clients name a shared
    component once (two inline copies of one model collide), and read a `$ref`'d Problem where they skip an
    inline one."""
    if not isinstance(model, type) or not issubclass(model, BaseModel):
        return schema
    name = component_name(model)
    definitions[name] = schema
    return {"$ref": COMPONENTS.format(model=name)}


class ApiOnlyProvider(OpenAPIProvider):
    """Only /api routes belong in the OpenAPI document, every model is a shared component, every operation
    documents its errors and says whether it needs a bearer token."""

    def generate_rules(self):
        return (rule for rule in super().generate_rules() if rule.rule.startswith("/api/"))

    def build_querystring_parameters(self, model):
        parameters, definitions = super().build_querystring_parameters(model)
        for parameter in parameters:
            _not_blank(parameter["schema"])
        return parameters, definitions

    def build_request_body(self, model, source):
        body, definitions = super().build_request_body(model, source)
        for content in body["content"].values():
            content["schema"] = _as_component(model, content["schema"], definitions)
        body["required"] = True  # unless the route says otherwise (optional_body)
        return body, definitions

    def build_response_object(self, model, headers_model):
        response, definitions = super().build_response_object(model, headers_model)
        content = response["content"]["application/json"]
        content["schema"] = _as_component(model, content["schema"], definitions)
        return response, definitions

    def build_paths(self, rule):
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        stream = getattr(func, EVENT_STREAM_ATTRIBUTE, None)
        for operations in paths.values():
            for operation in operations.values():
                if stream is not None:
                    media_type, description = stream
                    operation["responses"][200] = {
                        "description": description,
                        "content": {media_type: {"schema": {"type": "string"}}},
                    }
                if getattr(func, OPTIONAL_BODY_ATTRIBUTE, False):
                    operation["requestBody"] = {**operation["requestBody"], "required": False}
        return paths, components

    def schema(self) -> dict:
        # Built once per app: the routes and models never change after start-up, and building it walks every
        # model of every operation (seconds on a loaded machine, for each /openapi.json and /docs).
        cached = getattr(self, "_travelgo_document", None)
        if cached is None:
            cached = self._travelgo_document = self._build_schema()
        return cached

    def _build_schema(self) -> dict:
        document = super().schema()
        document["components"]["schemas"].update(component_schemas(ProblemBody))
        error = {
            "description": "Error: 401 no or bad token, 403 not allowed, 404 not found (also another user's "
            "resource), 405 method not allowed (Allow), 409 conflict, 413 body over 1 MB, 422 invalid input, "
            "429 rate limited (Retry-After), 503 busy or database unavailable (Retry-After).",
            "content": {"application/problem+json": {"schema": {"$ref": COMPONENTS.format(model="Problem")}}},
        }
        for operations in document["paths"].values():
            for method, operation in operations.items():
                if isinstance(operation, dict) and "responses" in operation:
                    # status codes as strings, as OpenAPI spells them (and so the keys sort with "default")
                    responses = {str(code): body for code, body in operation["responses"].items()}
                    for code, body in responses.items():
                        content = body.get("content", {}) if code[:1] in ("4", "5") else {}
                        if "application/json" in content:  # errors are sent as problem+json (problems.py)
                            content["application/problem+json"] = content.pop("application/json")
                    if method == "delete" and not any(code.startswith("2") for code in responses):
                        responses["204"] = {"description": "Done; no content."}
                    responses.setdefault("default", error)
                    operation["responses"] = responses
        document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
        return document


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _cached_type_adapter(type_: Any, *args: Any, **kwargs: Any) -> TypeAdapter:
    """pydantic's TypeAdapter, built once per type: quart-schema builds a new one for every validated response
    (about 0.15 ms of a ~2.5 ms search request); adapters are immutable, so reusing them changes nothing."""
    if args or kwargs:
        return TypeAdapter(type_, *args, **kwargs)
    try:
        return _ADAPTERS[type_]
    except KeyError:
        adapter = _ADAPTERS[type_] = TypeAdapter(type_)
        return adapter
    except TypeError:  # an unhashable type: nothing to key the cache on
        return TypeAdapter(type_)


quart_schema.conversion.TypeAdapter = _cached_type_adapter  # the name conversion.py calls for every load


def _make_schema() -> QuartSchema:
    """One QuartSchema per app: its provider holds a weak reference to the app it documents."""
    return QuartSchema(
        openapi_path="/openapi.json",
        swagger_ui_path=None,  # our own /docs page: vendored assets, no inline script
        redoc_ui_path=None,
        scalar_ui_path=None,
        openapi_provider_class=ApiOnlyProvider,
        info={
            "title": "TravelGo API",
            "version": "1.0.0",
            "description": "Search and book bus seats, train berths and seats, flight seats, hotel rooms and restaurant tables. Authenticate with a bearer token from POST /api/v1/auth/token.",
        },
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
    )


def init_app(app: Quart) -> None:
    from . import (  # noqa: F401
        accounts,
        admin,
        bookings,
        itineraries,
        partner,
        payments,
        recommendations,
        restaurants,
        reviews,
        search,
        streams,
        trips,
    )

    _make_schema().init_app(app)
    app.register_blueprint(bp)

    @app.get("/docs")
    @hide
    async def api_docs():
        """Swagger UI for /openapi.json, served from vendored files."""
        return await render_template("api_docs.html")
