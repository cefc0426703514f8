"""The one table the reference DRF list reads."""

from django.db import models


class ReferenceRow(models.Model):
    """A plain row: no relations, no history, nothing but columns."""

    name = models.CharField(max_length=100)
    value = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
