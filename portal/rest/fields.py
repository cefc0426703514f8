"""Serializer fields that take JSON values of the type the schema promises, and nothing else.

DRF's own fields coerce: ``"12"`` and ``12.0`` become integers, ``0``, ``"no"`` and ``"off"`` become
booleans, numbers become text. A partner's client that sends the wrong type has a bug, and guessing
what it meant (was ``0`` consent?) is worse than a 400 that says which field is wrong.
"""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..validators import validate_web_address


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class _StrictIntegerMixin:
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(_StrictIntegerMixin, serializers.IntegerField):
    pass


class StrictBigIntegerField(_StrictIntegerMixin, serializers.BigIntegerField):
    pass


class _StrictTextMixin:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(_StrictTextMixin, serializers.CharField):
    pass


class StrictRegexField(_StrictTextMixin, serializers.RegexField):
    pass


class StrictURLField(_StrictTextMixin, serializers.URLField):
    pass


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 200})
class WebAddressField(StrictCharField):
    """An http(s) web address with no quotes, angle brackets or spaces (``validate_web_address``),
    checked once: DRF's URLField would add Django's looser URLValidator beside it."""

    def __init__(self, **kwargs):
        super().__init__(max_length=200, validators=[validate_web_address], **kwargs)


class StrictEmailField(_StrictTextMixin, serializers.EmailField):
    pass


class StrictMultipleChoiceField(serializers.MultipleChoiceField):
    """A JSON list of choices. DRF's own takes any iterable, so an object (``{}``) would pass as
    an empty list and clear the rule it was sent for; here it is refused with ``not_a_list``."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictInputSerializer(serializers.ModelSerializer):
    """Base of every input ModelSerializer: model fields map to the strict fields above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictBigIntegerField,
        models.PositiveBigIntegerField: StrictBigIntegerField,
    }
