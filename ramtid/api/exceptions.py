"""The API's one exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

The services refuse bad input with Django's ValidationError and Swedish messages, keyed by the
field they concern where there is one. Here that becomes a 400 with the same messages, keyed the
same way, so that views and actions just call the services. Messages that name no field go under
DRF's NON_FIELD_ERRORS_KEY, as a serializer's own non-field errors do.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def service_errors(error: DjangoValidationError) -> dict[str, list]:
    """The services' messages by field, with Django's "__all__" renamed to DRF's key."""
    detail = as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [])
        detail[api_settings.NON_FIELD_ERRORS_KEY] += detail.pop(NON_FIELD_ERRORS)
    return detail


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(service_errors(exc))
    return drf_exception_handler(exc, context)
