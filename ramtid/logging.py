"""Keep personal numbers out of application logs, whatever code writes them.

URLs never carry personal numbers (clients are addressed by id), but a message, a form value in an
exception or a third-party library could; the formatter redacts anything shaped like one.
"""

import logging
import re

# 10 or 12 digits, with or without a separator, not inside a longer number.
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(\d{2})?(\d{6})[-+ ]?(\d{4})(?!\d)")


def redact(text: str) -> str:
    return _PERSONAL_NUMBER.sub("[personnummer]", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
