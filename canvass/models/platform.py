"""The Migrant Justice Platform: its planks, as data organizers manage.

Four planks ship with the project (a data migration writes them): halt deportations, decriminalize
immigration, end detention, demilitarize the border. Scripts, endorsements, leaders' positions
and reports key on a plank's stable `code`.
"""

from __future__ import annotations

from django.db import models


class Plank(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField(max_length=120)
    title_es = models.CharField(max_length=120)
    summary_en = models.TextField(max_length=1200)
    summary_es = models.TextField(max_length=1200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.code
