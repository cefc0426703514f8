"""The catalogue's deadlines as an iCalendar feed (RFC 5545), for calendar apps to subscribe to.

No iCalendar library is installed, and a feed of all-day events needs only a few properties, so
the text is written here, following the RFC's rules: lines end in CRLF (§3.1); a line longer than
75 octets is folded, a CRLF and one space before each further part, never inside a UTF-8
character (§3.1); text values escape backslash, semicolon, comma and newline (§3.3.11); an
all-day event is ``DTSTART;VALUE=DATE`` with a ``DTEND`` the day after (§3.6.1).
"""

import datetime
from collections.abc import Iterable

from .models import Opportunity

PRODUCT_ID = "-//Tech Commissioner Portal//Funding deadlines//EN"
MAX_OCTETS = 75


def ics_escape(text: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon and comma escaped, every newline as ``\\n``."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """One content line, folded into parts of at most 75 octets (the first) and 74 plus the
    leading space (the rest), split between characters, never inside one; joined by CRLF."""
    parts, current, size, limit = [], [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def deadlines_ics(
    opportunities: Iterable[Opportunity], *, page_url, host: str, now: datetime.datetime, name: str
) -> str:
    """An iCalendar of each opportunity's closing day, as an all-day event that names the funder
    and links to its page (``page_url(opportunity)`` gives the absolute address). Rolling ones have
    no deadline and are left out. ``host`` makes each event's UID unique to this portal, so a
    calendar app updates an event when its deadline moves instead of adding another."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    for opportunity in opportunities:
        if opportunity.closes_on is None:
            continue
        url = page_url(opportunity)
        lines += [
            "BEGIN:VEVENT",
            f"UID:funding-opportunity-{opportunity.pk}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"LAST-MODIFIED:{_stamp(opportunity.updated_at)}",
            f"DTSTART;VALUE=DATE:{_date(opportunity.closes_on)}",
            f"DTEND;VALUE=DATE:{_date(opportunity.closes_on + datetime.timedelta(days=1))}",
            f"SUMMARY:{ics_escape(f'Deadline: {opportunity.title} ({opportunity.funder.name})')}",
            f"DESCRIPTION:{ics_escape(f'{opportunity.get_kind_display()}. {opportunity.summary}')}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)
