"""The API's OpenAPI schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's,
with two things it misses in read-only model fields, found by fuzzing the API against its
schema (tests/ramtid/test_api_fuzz.py):

- A choice that may be left empty (`blank=True`, e.g. a time result's explanation before there
  is one) is "" in a response, but DRF drops `allow_blank` from read-only fields, so the schema
  listed only the choices. "" is added (drf-spectacular then names it BlankEnum).
- A relation that may be empty (`null=True`, e.g. who decided, before anyone has) declared as a
  StringRelatedField is null in a response, but the field does not know, so the schema said
  "string". It is marked nullable.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from rest_framework import serializers


def _model_field(field: serializers.Field) -> models.Field | None:
    """The model field a serializer field reads, when it reads one of its model's own."""
    meta = getattr(field.parent, "Meta", None)
    model = getattr(meta, "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict) or not field.read_only:
            return schema
        model_field = _model_field(field)
        if model_field is None:
            return schema
        if (
            isinstance(field, serializers.ChoiceField)
            and model_field.blank
            and "" not in schema.get("enum", [""])
        ):
            schema["enum"] = [*schema["enum"], ""]
        if isinstance(field, serializers.RelatedField) and model_field.null:
            schema["nullable"] = True
        return schema
