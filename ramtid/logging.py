"""Keep personal numbers (and API keys) out of application logs, whatever code writes them.

URLs never carry personal numbers (clients are addressed by id), but a message, a form value in an
exception or a third-party library could; the formatter redacts anything shaped like one.
"""

import logging
import re

# 10 or 12 digits, with or without a separator, not inside a longer number.
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(\d{2})?(\d{6})[-+ ]?(\d{4})(?!\d)")


# An API key (ramtid.api_keys: "ramtid_" and 43 characters), say in a client's bad request: its
# first characters (the prefix lists show) are kept, the secret rest is not.
_API_KEY = re.compile(r"(?<![\w-])(ramtid_[\w-]{8})[\w-]{35}(?![\w-])", re.ASCII)


def redact(text: str) -> str:
    return _PERSONAL_NUMBER.sub("[personnummer]", _API_KEY.sub(r"\1…[API-nyckel]", text))


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
