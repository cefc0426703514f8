"""Validators for identifiers and web addresses the portal stores."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Eight characters: eight digits (England and Wales), or a two-letter prefix such as SC, NI, OC,
# LP or FC followed by six digits, or R followed by seven digits (old Northern Ireland numbers).
# ASCII only: ``\d`` would also accept Arabic-Indic and other Unicode digits.
COMPANY_NUMBER_RE = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6}|R[0-9]{7})$")


def company_number_normalise(value: str) -> str:
    """Upper-case, strip spaces and zero-pad an all-digit number to eight characters."""
    value = re.sub(r"\s+", "", value or "").upper()
    if value.isascii() and value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    return value


def validate_company_number(value: str) -> None:
    """Raise ValidationError unless ``value`` is a well-formed Companies House number."""
    if not COMPANY_NUMBER_RE.match(company_number_normalise(value)):
        raise ValidationError(
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456.",
            code="invalid_company_number",
        )


WEB_ADDRESS_MESSAGE = "Enter a web address like https://www.example.co.uk, with no spaces, quotes or angle brackets"
# Characters a web address never needs and markup does: quotes, angle brackets, backslashes,
# backticks, braces, pipes, carets and any space or control character.
_NOT_IN_WEB_ADDRESS = re.compile(r"[\"'<>\\`{}|^\s\x00-\x1f\x7f]")
_web_address_validator = URLValidator(schemes=["http", "https"], message=WEB_ADDRESS_MESSAGE, code="invalid")


def validate_web_address(value: str) -> None:
    """Raise ValidationError (code ``invalid``) unless ``value`` is an http(s) address with no
    quotes, angle brackets or spaces; Django's URLValidator alone lets ``"><script>`` through
    in the path. The forms, the API and the services check web addresses with this."""
    if _NOT_IN_WEB_ADDRESS.search(value):
        raise ValidationError(WEB_ADDRESS_MESSAGE, code="invalid")
    _web_address_validator(value)
