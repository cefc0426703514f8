"""Forms of the reviewer and staff pages: scoring, decisions and bulk actions on the review queue.

They check the shape of what was sent; the services decide whether it may happen.
"""

from django import forms
from django.conf import settings

from ..models import Application, Criterion, DeskPool, Score
from ..selectors import desk_pool_options

# The largest id a bigint primary key holds: a larger number is "not found", never a database error.
MAX_ID = 2**63 - 1
SCORE_CHOICES = [(value, str(value)) for value in range(Score.MAXIMUM + 1)]


class FieldIdRadioSelect(forms.RadioSelect):
    """Radios numbered as GOV.UK Frontend numbers them: the first takes the field's own id, the
    others "<id>-2", "<id>-3" …, so a link to the field (``#<id>``) lands on its first radio."""

    def id_for_label(self, id_, index=None):
        if index is None or not id_:
            return super().id_for_label(id_, index)
        return id_ if index == "0" else f"{id_}-{int(index) + 1}"


class ReviewForm(forms.Form):
    """One radio group (0 to 5) per active criterion, named ``criterion_<id>`` like the errors
    ``services.review_create`` raises, and a comment."""

    comment = forms.CharField(
        label="Comment",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a comment explaining your scores",
            "max_length": "The comment must be 3,000 characters or fewer",
        },
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            message = f"Score {criterion.name} from 0 to {Score.MAXIMUM}"
            fields[self.field_name(criterion)] = forms.TypedChoiceField(
                label=criterion.name
                if criterion.weight == 1
                else f"{criterion.name} (counts {criterion.weight} times)",
                choices=SCORE_CHOICES,
                coerce=int,
                widget=FieldIdRadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
        # The criteria come first, in their published order, then the comment.
        self.fields = {**fields, "comment": self.fields["comment"]}

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"criterion_{criterion.pk}"

    @property
    def criterion_fields(self) -> list[tuple[Criterion, forms.BoundField]]:
        return [(criterion, self[self.field_name(criterion)]) for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[self.field_name(criterion)] for criterion in self.criteria}


class DeskPoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeskPool) -> str:
        desk_type = obj.get_desk_type_display().lower()
        return f"{obj.workspace.name}: {obj.free} of {obj.capacity} {desk_type}s free"


def note_to_applicant() -> forms.CharField:
    """The optional note sent to the applicant with an offer or a place on the waiting list."""
    return forms.CharField(
        label="Note to the applicant (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class DecisionForm(forms.Form):
    """A staff decision on one application. Its inputs' ids start with the decision
    ("offer_reason"), so the decisions' forms can stand on one page."""

    decision: str

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault("auto_id", f"{self.decision}_%s")
        super().__init__(*args, **kwargs)
        self.application = application


class OfferForm(DecisionForm):
    """Offer desks from one of the pools the application can be offered (``desk_pool_options``)."""

    decision = "offer"

    pool = DeskPoolChoiceField(
        queryset=DeskPool.objects.none(),
        label="Desks to offer from",
        empty_label="Choose a workspace",
        error_messages={
            "required": "Choose the workspace to offer desks at",
            "invalid_choice": "Choose a workspace the applicant asked for, from the list",
        },
    )
    desks = forms.IntegerField(
        label="Number of desks",
        min_value=1,
        max_value=50,
        error_messages={
            "required": "Enter the number of desks to offer",
            "invalid": "Enter the number of desks as a whole number, like 2",
            "min_value": "Offer at least 1 desk",
            "max_value": "Offer 50 desks or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    expires_in_days = forms.IntegerField(
        label="Days the offer is held for",
        min_value=1,
        max_value=60,
        error_messages={
            "required": "Enter how many days the offer is held for",
            "invalid": "Enter the number of days as a whole number, like 14",
            "min_value": "Hold the offer for at least 1 day",
            "max_value": "Hold the offer for 60 days or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = note_to_applicant()

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        options = desk_pool_options(application=application)
        pool = self.fields["pool"]
        pool.queryset = options  # what a sent pool is checked against
        # The options are read once, for the choices, the first choice and the labels.
        pools = list(options)
        pool.choices = [("", pool.empty_label), *((p.pk, pool.label_from_instance(p)) for p in pools)]
        asked = application.desks or 1
        self.fields["desks"].help_text = f"The applicant asked for {asked}."
        self.fields["reason"].label = "Note to the applicant"
        self.fields["reason"].help_text = (
            f"Sent with the offer. Needed when you offer fewer than {asked} desks: the applicant reads "
            f"“You asked for {asked} desks; we can offer … because” followed by what you write."
        )
        self.fields[
            "expires_in_days"
        ].help_text = f"The desks are held for the applicant until then. Usually {settings.WORKSPACES_OFFER_DAYS} days."
        if not self.is_bound:
            # Options come roomiest first, so the first one is the likeliest choice.
            first = pools[0] if pools else None
            self.initial = {
                "pool": first.pk if first is not None and first.free >= asked else None,
                "desks": asked,
                "expires_in_days": settings.WORKSPACES_OFFER_DAYS,
            }

    def clean(self):
        cleaned = super().clean()
        asked, desks = self.application.desks, cleaned.get("desks")
        # A reason typed but refused (too long) already has its own error.
        reason_missing = not self.has_error("reason") and not (cleaned.get("reason") or "").strip()
        if asked and desks and desks < asked and reason_missing:
            self.add_error(
                "reason",
                f"Enter why you are offering fewer desks than the {asked} asked for: the applicant is told",
            )
        return cleaned


class RejectForm(DecisionForm):
    """Turn an application down; the reason is sent to the applicant."""

    decision = "reject"

    reason = forms.CharField(
        label="Reason the application is not successful",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason the application is not successful",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class WaitlistForm(DecisionForm):
    """Put an application on the waiting list, with an optional note to the applicant."""

    decision = "waitlist"

    reason = note_to_applicant()


# decision -> (the status it moves to, its form)
DECISION_FORMS: dict[str, tuple[str, type[DecisionForm]]] = {
    "offer": (Application.Status.OFFERED, OfferForm),
    "reject": (Application.Status.REJECTED, RejectForm),
    "waitlist": (Application.Status.WAITLISTED, WaitlistForm),
}


class ApplicationIdsField(forms.MultipleChoiceField):
    """Ids of applications, checked against a queryset in the form rather than fixed choices."""

    def valid_value(self, value) -> bool:
        return True


class ApplicationBulkForm(forms.Form):
    """Applications ticked in the review queue, what to do with them, and a reason for turning
    them down. ``queryset`` is what the user may see; any other id is an error that names it."""

    ACTIONS = {
        "start_review": Application.Status.IN_REVIEW,
        "waitlist": Application.Status.WAITLISTED,
        "reject": Application.Status.REJECTED,
    }

    applications = ApplicationIdsField(
        label="Applications",
        error_messages={"required": "Select at least one application"},
    )
    action = forms.ChoiceField(
        label="Action",
        choices=[
            ("start_review", "Start the review"),
            ("waitlist", "Put on the waiting list"),
            ("reject", "Turn down"),
        ],
        widget=FieldIdRadioSelect,
        error_messages={"required": "Choose what to do with the applications", "invalid_choice": "Choose an action"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the confirmation page: turning applications down is asked about once more first.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, queryset, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def clean_applications(self) -> list[Application]:
        raw = self.cleaned_data["applications"]
        ids, unknown = [], []
        for value in raw:
            text = str(value).strip()
            # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
            if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
                ids.append(int(text))
            else:
                unknown.append(text or "(empty)")
        found = {application.pk: application for application in self.queryset.filter(pk__in=ids)}
        unknown += [f"WS-{pk:05d}" for pk in dict.fromkeys(ids) if pk not in found]
        if unknown:
            shown = [text if len(text) <= 20 else f"{text[:20]}…" for text in unknown[:10]]
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise forms.ValidationError(f"These applications were not found: {', '.join(shown)}{more}")
        return [found[pk] for pk in dict.fromkeys(ids)]

    def clean(self):
        cleaned = super().clean()
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if cleaned.get("action") == "reject" and not cleaned["reason"]:
            self.add_error("reason", "Enter the reason the applications are not successful")
        return cleaned

    @property
    def selected(self) -> set[str]:
        """The ids ticked, as sent, so a re-shown queue keeps them ticked."""
        if not self.is_bound:
            return set()
        getlist = getattr(self.data, "getlist", None)
        return set(getlist("applications") if getlist else self.data.get("applications", []))
