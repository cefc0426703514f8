"""An application's answers as people read them, step by step: on the founder's check page and
application page, and on the reviewers' review page, which leaves the diversity counts out (they
are reported in aggregate only)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.dateformat import format as date_format

from .forms.applications import STEPS, DiversityForm, Step
from .models import Application

SUMMARY_KEYS = {
    "company_number": "Companies House number",
    "firm_name": "Firm name",
    "firm_local_authority": "Borough",
    "firm_sector": "Sector",
    "firm_founded_on": "Date of incorporation",
    "firm_website": "Website",
    "team_size": "People in the team",
    "founders": "Founders",
    "team_description": "Who is in the team",
    "workspaces": "Workspaces",
    "desk_type": "Type of desk",
    "desks": "Desks needed",
    "start_on": "Start date",
    "support_needs": "Support you would like",
    "stage": "Stage of the firm",
    "pitch": "Pitch",
    "diversity_consent": "Diversity information",
    "founders_women": "Founders who are women",
    "founders_ethnic_minority": "Founders from an ethnic minority background",
    "founders_disabled": "Founders who are disabled",
}
MULTILINE = {"team_description", "support_needs", "pitch", "workspaces"}
DIVERSITY_COUNTS = DiversityForm.COUNTS
# The steps' titles speak to the founder ("Your firm"); reviewers read about someone else's firm.
REVIEWER_TITLES = {
    "firm": "The firm",
    "team": "The team",
    "needs": "What the firm needs",
    "pitch": "The pitch",
    "diversity": "Diversity monitoring",
}


@dataclass
class SummaryRow:
    key: str
    value: str
    multiline: bool = False
    hint: str = ""
    change_url: str = ""


@dataclass
class SummarySection:
    step: Step
    title: str
    rows: list[SummaryRow] = field(default_factory=list)


def _answer(application: Application, name: str, *, for_reviewers: bool) -> str:
    """One answer in words; '' when unanswered."""
    if name == "workspaces":
        return "\n".join(w.name for w in application.workspaces.all())
    if name == "diversity_consent":
        if for_reviewers:
            return "Provided with consent" if application.diversity_consent else "Not provided"
        return "Given" if application.diversity_consent else "Not given"
    value = getattr(application, name)
    if value in ("", None):
        return "Prefer not to say" if name in DIVERSITY_COUNTS else ""
    if name in ("firm_local_authority", "firm_sector", "desk_type", "stage"):
        return getattr(application, f"get_{name}_display")()
    if name in ("firm_founded_on", "start_on"):
        return date_format(value, "j F Y")
    return str(value)


def application_summary(
    application: Application, *, for_reviewers: bool = False, change_url: Callable[[str], str] | None = None
) -> list[SummarySection]:
    """The answers step by step, for ``partials/application_summary.html``. Reads the prefetched
    workspaces. ``for_reviewers`` titles the sections for a reader other than the founder and
    leaves the diversity counts out, saying only whether they were given; ``change_url(name)``
    gives each row a link to its question."""
    sections = []
    for step in STEPS:
        section = SummarySection(step, REVIEWER_TITLES[step.slug] if for_reviewers else step.title)
        for name in step.fields:
            if name in DIVERSITY_COUNTS and (for_reviewers or not application.diversity_consent):
                continue
            section.rows.append(
                SummaryRow(
                    key=SUMMARY_KEYS[name],
                    value=_answer(application, name, for_reviewers=for_reviewers) or "Not answered",
                    multiline=name in MULTILINE,
                    hint=(
                        "Answers are only reported in aggregate, so they are not shown here."
                        if for_reviewers and name == "diversity_consent"
                        else ""
                    ),
                    change_url=change_url(name) if change_url else "",
                )
            )
        sections.append(section)
    return sections
