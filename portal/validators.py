"""Validators for identifiers the portal stores."""

import re

from django.core.exceptions import ValidationError

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
