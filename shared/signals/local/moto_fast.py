"""Faster DynamoDB request parsing and response serialising for the local moto server (same answers).

A profile of the demo's moto process put ~30% of its CPU in two generic walks of botocore's model:
parsing each DynamoDB request (moto builds a new ``ServiceModel`` per request, so every operation
and shape is resolved again, then walks the JSON body shape by shape through ``getattr`` dispatch)
and serialising each response (the same per-request model, plus six alias lookups per structure
member). The answers only depend on the operation's shapes, which do not change while running.

This module compiles each DynamoDB operation's input and output shapes once into plain functions
that do exactly what moto's walks do for the data DynamoDB handlers use (JSON bodies in, plain
dicts out): the same members kept, the same names, blobs base64-decoded/encoded, numbers and
timestamps converted the same way, the same key order. Anything else -- an error result, a value
that is not a dict where a structure is, a shape kind the compiler does not know, or any exception
in the fast walk -- goes through moto's own code, which then answers (or fails) as before.
Also installed here, each giving moto's own answer: the item size limit checked once per item
(below), parsed expressions kept (``moto_expressions``, ``moto_conditions``), the handler's method
list kept. (Simple updates are applied directly by ``moto_updates``, which ``moto_patches`` installs.)
``tests/integration/test_moto_fast.py`` compares both paths on the same requests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto import settings
from moto.core.request import determine_request_protocol

from signals.local import moto_conditions, moto_expressions

_PATCHED = False
ENABLED = True  # tests switch the fast path off to get stock moto's answers in the same process


class _Unsupported(Exception):
    """A shape or value the compiled walk does not handle: moto's own walk answers instead."""


def install() -> None:
    """Route DynamoDB request parsing and response serialising through the compiled walks (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    assert "parse_parameters" not in vars(DynamoHandler) and "serialized" not in vars(DynamoHandler)

    # server mode only (a werkzeug request): moto in process (the tests' mock_aws) is left as it is
    def parse_parameters(self: Any, request: Any) -> None:
        if ENABLED and self.is_werkzeug_request:
            parsed = _fast_parse(self, request)
            if parsed is not None:
                self.params = parsed
                return
        super(DynamoHandler, self).parse_parameters(request)

    def serialized(self: Any, action_result: Any) -> Any:
        if ENABLED and self.is_werkzeug_request and type(action_result) in (ActionResult, DynamoResult):
            answer = _fast_serialized(self, action_result.result)
            if answer is not None:
                return answer
        return super(DynamoHandler, self).serialized(action_result)

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]
    DynamoHandler.serialized = serialized  # type: ignore[method-assign]
    _install_item_size_check_once()
    moto_expressions.install(lambda: ENABLED)
    moto_conditions.install(lambda: ENABLED)
    _install_method_names_cache()
    _PATCHED = True


def _install_item_size_check_once() -> None:
    """``Item(...)``: moto's ``LimitedSizeDict`` sums the sizes of every attribute already set each
    time one is set, so building an item of n attributes costs O(n²) ``size()`` calls (every put,
    every transaction action). Sizes are never negative, so the sum only grows: if any prefix of
    the attributes is over moto's limit, the whole is too. The patch sets all but the last attribute
    unchecked and the last one through moto's own check (one sum of the whole item). On any error
    (that check, or a value moto cannot read) moto's own loop runs again and fails as it would."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    original = Item.__init__

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        if not (ENABLED and type(attrs) is dict and attrs):
            return original(self, hash_key, range_key, attrs)
        try:
            self.hash_key, self.range_key = hash_key, range_key
            self.attrs = checked = LimitedSizeDict()
            entries = [(key, DynamoType(value)) for key, value in attrs.items()]
            for key, value in entries[:-1]:
                dict.__setitem__(checked, key, value)
            key, value = entries[-1]
            checked[key] = value  # moto's size check, over the whole item
        except Exception:
            original(self, hash_key, range_key, attrs)

    Item.__init__ = __init__  # type: ignore[method-assign]


def _install_method_names_cache() -> None:
    """moto lists a handler class's functions (``inspect.getmembers``) on every request to find
    the action's method; a class's functions do not change once the patches are in."""
    import moto.core.responses as responses

    original = responses.method_names_from_class
    names: dict[Any, list[str]] = {}

    def method_names_from_class(clazz: Any) -> list[str]:
        if not ENABLED:
            return original(clazz)
        if clazz not in names:
            names[clazz] = original(clazz)
        return list(names[clazz])

    responses.method_names_from_class = method_names_from_class  # type: ignore[assignment]


# --- the service model, once -------------------------------------------------------------------

_MODEL: dict[str, Any] = {}


def _service_model() -> Any:
    model = _MODEL.get("dynamodb")
    if model is None:
        from moto.core.utils import get_service_model

        model = _MODEL["dynamodb"] = get_service_model("dynamodb")
    return model


def _operation(action: str) -> Any:
    try:
        return _service_model().operation_model(action)
    except Exception:
        return None


# --- requests ----------------------------------------------------------------------------------

_PARSERS: dict[str, Any] = {}


def _compiled(cache: dict[str, Any], action: str, compile_: Callable[[str], Any]) -> Any:
    """``compile_(action)`` once per action (None, also kept: moto's own walk answers that action)."""
    if action not in cache:
        cache[action] = compile_(action)
    return cache[action]


def _fast_parse(handler: Any, request: Any) -> dict[str, Any] | None:
    """The parsed parameters moto's JSON parser would produce, or None to let moto parse."""
    from werkzeug import Request

    if not isinstance(request, Request):
        return None

    parser = _compiled(_PARSERS, handler._get_action(), _compile_parser)
    if parser is None:
        return None
    try:
        if determine_request_protocol(_service_model(), request.content_type) != "json":
            return None
        body = request.data  # as moto's parser reads it
        if not body:
            return {}  # as moto's parser: an empty body is an empty structure
        value = json.loads(body.decode("utf-8"))
        return parser(value)
    except Exception:
        return None  # moto's parser answers (or raises) as it would have


def _compile_parser(action: str) -> Any:
    operation = _operation(action)
    if operation is None or operation.input_shape is None:
        return None
    try:
        return _parser_for(operation.input_shape, {})
    except Exception:  # a shape this walk does not know: moto parses this action
        return None


def _identity(value: Any) -> Any:
    return value


def _parse_int(value: Any) -> int:
    return int(value)


def _parse_float(value: Any) -> float:
    return float(value)


def _parser_for(shape: Any, compiled: dict[str, Any]) -> Callable[[Any], Any]:
    """A function doing what ``moto.core.parse.JSONParser`` does for ``shape`` (maps are dicts)."""
    from moto.core.parse import default_blob_parser, default_timestamp_parser

    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        name = shape.name
        if name in compiled:  # recursive shapes (AttributeValue's M and L)
            return lambda value: compiled[name](value)
        compiled[name] = None
        members = [
            (member_name, member.serialization.get("name", member_name), _parser_for(member, compiled))
            for member_name, member in shape.members.items()
        ]

        by_json_name = {json_name: (member_name, parse) for member_name, json_name, parse in members}

        def structure(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                raise _Unsupported(name)
            if len(value) == 1:  # an AttributeValue, mostly: the one member it names, if any
                ((json_name, raw),) = value.items()
                known = by_json_name.get(json_name)
                if known is None or raw is None:
                    return {}
                return {known[0]: known[1](raw)}
            parsed = {}
            for member_name, json_name, parse in members:
                raw = value.get(json_name)
                if raw is not None:
                    parsed[member_name] = parse(raw)
            return parsed

        compiled[name] = structure
        return structure
    if kind == "list":
        item = _parser_for(shape.member, compiled)
        return lambda value: [item(entry) for entry in value]
    if kind == "map":
        key, item = _parser_for(shape.key, compiled), _parser_for(shape.value, compiled)
        return lambda value: {key(k): item(v) for k, v in value.items()}
    if kind == "blob":
        return default_blob_parser
    if kind == "timestamp":
        return default_timestamp_parser
    if kind in ("integer", "long", "short", "byte"):
        return _parse_int
    if kind in ("float", "double"):
        return _parse_float
    if kind in ("string", "boolean"):
        return _identity
    raise _Unsupported(kind)


# --- responses ---------------------------------------------------------------------------------

_SERIALIZERS: dict[str, Any] = {}


def _fast_serialized(handler: Any, result: Any) -> Any:
    """``(status, headers, body)`` as ``BaseResponse.serialized`` would answer, or None."""
    if type(result) is not dict or handler.RESPONSE_KEY_PATH_TO_TRANSFORMER:
        return None  # (moto's transformers are a class-wide dict any handler may fill)
    compiled = _compiled(_SERIALIZERS, handler._get_action(), _compile_serializer)
    if compiled is None:
        return None
    status, content_type, serialize = compiled

    try:
        if determine_request_protocol(_service_model(), handler.headers.get("Content-Type", "")) != "json":
            return None
        body = json.dumps(serialize(result), indent=4 if settings.PRETTIFY_RESPONSES else None)
    except Exception:
        return None
    headers = {"Content-Type": content_type}
    headers.update(handler.response_headers)
    return status, headers, body


def _compile_serializer(action: str) -> Any:
    from moto.core.serialize import JSONSerializer, TimestampSerializer

    operation = _operation(action)
    if operation is None or operation.output_shape is None:
        return None
    serializer = JSONSerializer(operation_model=operation)  # for its constants and helpers
    timestamps = TimestampSerializer(JSONSerializer.DEFAULT_TIMESTAMP_FORMAT)
    try:
        walk = _serializer_for(operation.output_shape, {}, serializer, timestamps)
    except Exception:  # a shape this walk does not know: moto serialises this action
        return None
    status = operation.http.get("responseCode", JSONSerializer.DEFAULT_RESPONSE_CODE)
    return status, serializer._get_protocol_specific_content_type(), walk


_SKIP = object()  # "moto's walk would set nothing for this value"


def _possible_keys(structure: Any, member_name: str, member: Any) -> list[str]:
    """The keys moto's attribute picker tries, in order, to find ``member_name`` in a dict."""
    from moto.core.serialize import AttributePickerContext, XFormedAttributePicker

    member.parent = structure  # as moto's serialiser sets it before picking
    context = AttributePickerContext(obj={}, key=member_name, shape=member)
    keys = list(XFormedAttributePicker().get_possible_keys(context))
    if any("." in k for k in keys):  # moto would walk a path: not compiled
        raise _Unsupported(member_name)
    return keys


def _serializer_for(
    shape: Any, compiled: dict[str, Any], serializer: Any, timestamps: Any
) -> Callable[[Any], Any]:
    """A function returning what ``JSONSerializer`` writes for ``value`` of ``shape`` (or _SKIP)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            raise _Unsupported("document")
        name = shape.name
        if name in compiled:
            return lambda value: compiled[name](value)
        compiled[name] = None
        members = [
            (
                tuple(_possible_keys(shape, member_name, member)),
                member.serialization.get("name", member_name),
                _serializer_for(member, compiled, serializer, timestamps),
            )
            for member_name, member in shape.members.items()
        ]
        missing = object()

        def structure(value: Any) -> Any:
            if value is None:
                return _SKIP
            if type(value) is not dict:
                raise _Unsupported(name)  # moto model objects: moto's picker finds their attributes
            out = {}
            for keys, out_name, serialize in members:
                found = missing
                for key in keys:
                    found = value.get(key, missing)
                    if found is not missing:
                        break
                if found is missing or found is None:
                    continue
                serialized = serialize(found)
                if serialized is not _SKIP:
                    out[out_name] = serialized
            return out

        compiled[name] = structure
        return structure
    if kind == "list":
        member = shape.member
        item = _serializer_for(member, compiled, serializer, timestamps)
        # moto appends the item as given when its walk stores it under another name (or not at all)
        same_name = member.serialization.get("name", member.name) == member.name

        def listing(value: Any) -> Any:
            out = []
            for entry in value:
                serialized = item(entry) if same_name else _SKIP
                out.append(entry if serialized is _SKIP else serialized)
            return out

        return listing
    if kind == "map":
        item = _serializer_for(shape.value, compiled, serializer, timestamps)
        if shape.value.serialization.get("name") is not None:
            raise _Unsupported("renamed map value")

        def mapping(value: Any) -> Any:
            out = {}
            for key, entry in value.items():
                serialized = item(entry)
                if serialized is not _SKIP:
                    out[key] = serialized
            return out

        return mapping
    if kind == "timestamp":

        def timestamp(value: Any) -> Any:
            wrapper: dict[str, Any] = {}
            timestamps.serialize(wrapper, value, shape, "timestamp")
            return wrapper["timestamp"]

        return timestamp
    if kind == "blob":
        return serializer._base64
    if kind in ("integer", "long"):
        return _parse_int
    if kind in ("float", "double"):
        return _parse_float
    if kind in ("string", "boolean", "short", "byte"):
        return _identity
    raise _Unsupported(kind)
