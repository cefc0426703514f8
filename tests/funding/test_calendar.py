"""The deadlines feed: RFC 5545 text (CRLF, folding at 75 octets, escaping), parsed back here, for
any filter of the catalogue."""

import datetime

import pytest

from funding.calendar import ics_escape, ics_fold
from tests.funding.factories import FunderFactory, OpportunityFactory

FEED = "/funding/deadlines.ics"


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: every line ends in CRLF; a line starting with a space continues the last."""
    assert text.endswith("\r\n")
    raw = text.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in raw), "a bare LF or CR"
    assert all(len(line.encode()) <= 75 for line in raw), [line for line in raw if len(line.encode()) > 75]
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def events(text: str) -> list[dict[str, str]]:
    """The VEVENTs of a calendar, each as property (with its parameters) -> unescaped value."""
    found, current = [], None
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = unescape(value)
    return found


def test_escape_and_fold_follow_rfc_5545():
    assert ics_escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "SUMMARY:" + "é" * 60  # two octets each: folding must not split one
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert ics_fold("short") == "short"


@pytest.mark.django_db
def test_feed_lists_each_deadline_as_an_all_day_event_and_parses_back(client):
    funder = FunderFactory(name="Fund, Ltd; (test)")
    closing = OpportunityFactory(
        funder=funder,
        title="Grant; with, commas \\ and a very long title that goes on well past seventy-five octets — ünïcödé",
        summary="Line one.\nLine two.",
        closes_on=datetime.date(2031, 5, 9),
    )
    OpportunityFactory(title="Rolling loan", is_rolling=True)  # no deadline: not in the feed
    OpportunityFactory(title="Closed grant", closed=True)  # closed: left out, as on the page
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = events(response.content.decode())
    assert event["DTSTART;VALUE=DATE"] == "20310509"
    assert event["DTEND;VALUE=DATE"] == "20310510"
    assert event["SUMMARY"] == f"Deadline: {closing.title} (Fund, Ltd; (test))"
    assert event["DESCRIPTION"] == "Grant. Line one.\nLine two."
    assert event["UID"] == f"funding-opportunity-{closing.pk}@testserver"
    assert event["URL"] == f"http://testserver/funding/{closing.pk}/"
    assert event["DTSTAMP"].endswith("Z")


@pytest.mark.django_db
def test_feed_takes_the_catalogue_filters(client):
    OpportunityFactory(title="Clean grant", sectors=["cleantech"])
    OpportunityFactory(title="Fintech loan", kind="loan", sectors=["fintech"])
    OpportunityFactory(title="Old grant", closed=True)

    def summaries(query):
        return sorted(e["SUMMARY"].split(" (")[0] for e in events(client.get(FEED, query).content.decode()))

    assert summaries({"kind": "loan"}) == ["Deadline: Fintech loan"]
    assert summaries({"sector": "cleantech"}) == ["Deadline: Clean grant"]
    assert summaries({"status": "closed"}) == ["Deadline: Old grant"]
    assert summaries({"q": "clean"}) == ["Deadline: Clean grant"]


@pytest.mark.django_db
def test_feed_refuses_bad_filters_in_plain_text(client):
    response = client.get(FEED, {"kind": "bursary"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Choose kinds of funding from the list" in response.content.decode()


@pytest.mark.django_db
def test_the_catalogue_links_to_the_feed_of_its_filters(client):
    OpportunityFactory()
    page = client.get("/funding/", {"kind": "loan"}).content.decode()
    assert 'href="/funding/deadlines.ics?kind=loan"' in page
