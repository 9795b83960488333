import logging

from ramtid.logging import RedactingFormatter, redact


def test_personal_numbers_are_redacted_in_every_written_form():
    for number in ["19121212-1212", "191212121212", "121212-1212", "121212+1212", "1212121212"]:
        assert number not in redact(f"Brukare {number} sparad")
        assert "[personnummer]" in redact(f"Brukare {number} sparad")


def test_other_numbers_are_left_alone():
    assert redact("Order 12345 på 51:36 tim/mån, 2026-11-24") == (
        "Order 12345 på 51:36 tim/mån, 2026-11-24"
    )


def test_formatter_redacts_messages_and_tracebacks():
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError("ogiltigt värde 19121212-1212")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "ramtid", logging.ERROR, __file__, 1, "sökte %s", ("191212121212",), sys.exc_info()
        )
    output = formatter.format(record)
    assert "1212121212" not in output
    assert "19121212" not in output
    assert output.count("[personnummer]") >= 2
