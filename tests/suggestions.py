"""Reading the answer of a form field's suggestions address (portal/suggestions.py)."""

import re

OPTION = re.compile(r'<option value="([^"]*)">([^<]*)</option>')


def options(response) -> list[tuple[str, str]]:
    """The (value, label) of each ``<option>`` of a suggestions answer, which must be a 200."""
    assert response.status_code == 200
    return OPTION.findall(response.content.decode())
