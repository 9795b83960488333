"""The API's JSON parser: DRF's, with two refusals that PostgreSQL or Python would otherwise
turn into a 500 (issue 10): JSON nested deeper than any request of ours needs (Python's parser
raises RecursionError on 100,000 levels), and the NUL character, which PostgreSQL's text and
jsonb cannot store, in any string or key (DRF's CharField refuses it in plain fields, but not in
the keys of a dict such as a plan's coverage_reasons)."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20  # a plan with its items and their fields is 4 deep


def _check(data) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON-data får vara nästlade högst {MAX_DEPTH} nivåer.")
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("Texten innehåller ett NUL-tecken (\\u0000), som inte kan sparas.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise ParseError(
                        "Ett namn i JSON-datan innehåller ett NUL-tecken (\\u0000), som inte kan "
                        "sparas."
                    )
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_no_constant)
        except RecursionError:
            raise ParseError(f"JSON-data får vara nästlade högst {MAX_DEPTH} nivåer.") from None
        except ValueError as error:
            raise ParseError(f"Ogiltig JSON: {error}") from None
        _check(data)
        return data


def _no_constant(name: str):
    # NaN and Infinity are not JSON, and PostgreSQL's numeric and jsonb refuse them.
    raise ValueError(f"{name} är inte tillåtet")
