"""UK postcodes: the pattern published for the Government's bulk data transfer standard (with the
outward and inward parts, and the special case GIR 0AA), and the form people expect to read."""

import re

from django.core.exceptions import ValidationError

POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|"
    r"(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]?)"
    r" ?[0-9][A-Z]{2})$"
)


def postcode_normalise(value: str) -> str:
    """Upper case, single spaces removed, and one space before the last three characters
    ("sw1a1aa" -> "SW1A 1AA"); a value that is not a postcode comes back upper-cased and trimmed."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if POSTCODE_RE.match(compact) and len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return (value or "").strip().upper()


def validate_postcode(value: str) -> None:
    """Raise ValidationError unless ``value`` is a well-formed UK postcode (its shape, not whether
    Royal Mail delivers to it)."""
    if not POSTCODE_RE.match(postcode_normalise(value)):
        raise ValidationError("Enter a real postcode, like SW1A 1AA", code="invalid_postcode")
