"""Forms of a founder's workspace application: one per step of the multi-step form, and the forms
to withdraw and to answer an offer.

They check shape only (types, date parts, the questions a step must answer); the services decide
everything else. A step form built with ``partial=True`` ("Save and come back later") leaves every
question optional but still checks what was typed.
"""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from portal.forms import DateInputField, WebAddressField, date_example
from portal.models import LocalAuthority, Sector
from portal.validators import company_number_normalise, validate_company_number

from .. import services
from ..models import Application, DeskType, Workspace

PITCH_MAX_LENGTH = Application._meta.get_field("pitch").max_length


def whole_number(label: str, *, minimum: int, maximum: int, **kwargs) -> forms.IntegerField:
    """A number typed in a text box (GOV.UK advises against type=number) with plain messages."""
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 3",
            "min_value": f"{label} must be {minimum} or more",
            "max_value": f"{label} must be {maximum} or fewer",
        },
        **kwargs,
    )


class ApplicationStepForm(forms.Form):
    """One step's questions. The questions the service requires before submission are required
    here too, so the founder hears about a gap at the step, unless ``partial`` is set."""

    date_fields: tuple[str, ...] = ()
    choice_fields: tuple[str, ...] = ()  # radios and checkboxes: a link goes to the first option

    def __init__(self, *args, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A step requires the questions the service needs before it accepts a submission.
        for name, field in self.fields.items():
            message = services.REQUIRED_TO_SUBMIT.get(name)
            field.required = bool(message) and not partial
            if message:
                field.error_messages["required"] = message

    @classmethod
    def anchor(cls, name: str) -> str:
        """The id of the input a link to question ``name`` moves to, from the check page's error
        summary and Change links (the step's own error summary finds the same input)."""
        if name in cls.date_fields:
            return f"id_{name}_day"
        if name in cls.choice_fields:
            return f"id_{name}_0"
        return f"id_{name}"

    @property
    def answers(self) -> dict:
        """The cleaned answers that are application fields (everything but the workspaces)."""
        return {name: value for name, value in self.cleaned_data.items() if name in services.DRAFT_FIELDS}


class FirmForm(ApplicationStepForm):
    date_fields = ("firm_founded_on",)

    company_number = forms.CharField(
        label="Companies House number",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    firm_name = forms.CharField(
        label="Firm name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    firm_local_authority = forms.ChoiceField(
        label="Borough the firm is based in",
        choices=[("", "Choose a borough"), *LocalAuthority.choices],
        error_messages={"invalid_choice": "Choose a borough from the list"},
    )
    firm_sector = forms.ChoiceField(
        label="Sector (optional)",
        choices=[("", "Choose a sector"), *Sector.choices],
        error_messages={"invalid_choice": "Choose a sector from the list"},
    )
    firm_founded_on = DateInputField(name="Date of incorporation", label="Date of incorporation (optional)")
    firm_website = WebAddressField(
        label="Website (optional)",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )

    def clean_company_number(self) -> str:
        # Checked here as well as in the service, so the step lists it with every other problem.
        number = company_number_normalise(self.cleaned_data.get("company_number", ""))
        if number:
            validate_company_number(number)
        return number

    def clean_firm_founded_on(self):
        founded_on = self.cleaned_data["firm_founded_on"]
        if founded_on and founded_on > timezone.localdate():
            raise forms.ValidationError("Date of incorporation must be today or in the past")
        return founded_on


class TeamForm(ApplicationStepForm):
    team_size = whole_number("People in the team", minimum=1, maximum=500)
    founders = whole_number("Founders", minimum=1, maximum=20)
    team_description = forms.CharField(
        label="Who is in the team", max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


@dataclass(frozen=True)
class WorkspaceOption:
    """A workspace to tick on the needs step, with the free desks of each type."""

    workspace: Workspace
    free: list[tuple[str, int]]


class NeedsForm(ApplicationStepForm):
    date_fields = ("start_on",)
    choice_fields = ("workspaces", "desk_type")

    workspaces = forms.ModelMultipleChoiceField(
        label="Workspaces you would like",
        queryset=Workspace.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose workspaces from the list",
            "invalid_pk_value": "Choose workspaces from the list",
        },
    )
    desk_type = forms.ChoiceField(
        label="Type of desk",
        choices=DeskType.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a type of desk from the list"},
    )
    desks = whole_number("Desks needed", minimum=1, maximum=50)
    start_on = DateInputField(name="Start date", label="When would you like to start?")
    support_needs = forms.CharField(
        label="Support you would like (optional)", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What a ticked workspace is checked against; the page lists ``workspace_options``.
        self.fields["workspaces"].queryset = Workspace.objects.accepting()

    def clean_start_on(self):
        # Checked where it is typed, not only when the application is submitted.
        start_on = self.cleaned_data["start_on"]
        if start_on and start_on < timezone.localdate():
            raise forms.ValidationError("The start date must be today or in the future")
        return start_on

    @property
    def start_on_hint(self) -> str:
        """The date hint, with an example a month from today (so never in the past)."""
        return f"Today or later, for example {date_example(days=30)}"

    @cached_property
    def workspace_options(self) -> list[WorkspaceOption]:
        """The workspaces taking applications, read once for the page with the desk types they offer."""
        return [
            WorkspaceOption(w, [(pool.get_desk_type_display(), pool.available) for pool in w.offered_pools])
            for w in Workspace.objects.accepting().for_list()
        ]

    @property
    def chosen_workspaces(self) -> set[str]:
        return {str(pk) for pk in (self["workspaces"].value() or [])}


class PitchForm(ApplicationStepForm):
    choice_fields = ("stage",)

    stage = forms.ChoiceField(
        label="Stage of the firm",
        choices=Application.Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    pitch = forms.CharField(
        label="Tell us about the firm and why it needs workspace",
        max_length=PITCH_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"max_length": f"Your pitch must be {PITCH_MAX_LENGTH:,} characters or fewer"},
    )


class DiversityForm(ApplicationStepForm):
    diversity_consent = forms.BooleanField(
        label="I agree to give diversity information about the founders", required=False
    )
    founders_women = whole_number("Founders who are women", minimum=0, maximum=20)
    founders_ethnic_minority = whole_number("Founders from an ethnic minority background", minimum=0, maximum=20)
    founders_disabled = whole_number("Founders who are disabled", minimum=0, maximum=20)

    COUNTS = ("founders_women", "founders_ethnic_minority", "founders_disabled")

    def clean(self):
        cleaned = super().clean()
        # Without consent the service discards the counts; say so rather than drop them silently.
        # What was typed counts, valid or not, so this shows beside the numbers' own errors.
        typed = any(str(self[name].value() or "").strip() for name in self.COUNTS)
        if not cleaned.get("diversity_consent") and typed:
            self.add_error(
                "diversity_consent",
                "Tick the box to agree to give diversity information, or leave the numbers empty",
            )
        return cleaned


@dataclass(frozen=True)
class Step:
    """One page of the application form."""

    slug: str
    title: str
    form_class: type[ApplicationStepForm]

    @property
    def fields(self) -> list[str]:
        return list(self.form_class.base_fields)


STEPS = (
    Step("firm", "Your firm", FirmForm),
    Step("team", "Your team", TeamForm),
    Step("needs", "The workspace you need", NeedsForm),
    Step("pitch", "Your pitch", PitchForm),
    Step("diversity", "Diversity monitoring", DiversityForm),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
FIELD_STEP = {name: step for step in STEPS for name in step.fields}


def step_initial(step: Step, application: Application) -> dict:
    """The step's answers saved on the draft (the workspaces from the prefetch when there is one)."""
    initial = {name: getattr(application, name) for name in step.fields if name != "workspaces"}
    if "workspaces" in step.fields:
        initial["workspaces"] = [w.pk for w in application.workspaces.all()]
    return initial


def first_unanswered_step(application: Application) -> Step | None:
    """The first step with a question the service still wants answered
    (``services.application_missing_answers``); None when the draft can be submitted. With the
    workspaces prefetched, a list of drafts costs no query per row."""
    missing = services.application_missing_answers(application=application)
    return next((step for step in STEPS if missing.keys() & set(step.fields)), None)


class ApplicationWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )


class OfferResponseForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"

    decision = forms.ChoiceField(
        label="Do you accept the offer?",
        choices=[(ACCEPT, "Yes, accept the offer"), (DECLINE, "No, decline the offer")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you accept or decline the offer",
            "invalid_choice": "Select whether you accept or decline the offer",
        },
    )
    reason = forms.CharField(
        label="If you are declining, why? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
