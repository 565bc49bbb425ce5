"""The Migrant Justice Platform: its planks, as data organizers manage.

Four planks ship with the project (`DEFAULT_PLANKS`, written after every `migrate` when missing): halt deportations, decriminalize
immigration, end detention, demilitarize the border. Scripts, endorsements, leaders' positions
and reports key on a plank's stable `code`.
"""

from __future__ import annotations

from django.db import models

# code, title (en, es), summary (en, es). Only missing planks are written: organizers' edits stay.
DEFAULT_PLANKS = [
    (
        "halt-deportations",
        "Halt all deportations",
        "Detener todas las deportaciones",
        "Stop every deportation now, and keep families and communities together while the laws "
        "that tear them apart are changed.",
        "Parar todas las deportaciones ya, y mantener unidas a las familias y comunidades mientras "
        "se cambian las leyes que las separan.",
    ),
    (
        "decriminalize-immigration",
        "Decriminalize immigration",
        "Despenalizar la inmigracion",
        "End the criminal prosecution of crossing a border or living without papers; migration is "
        "not a crime.",
        "Terminar con el castigo penal por cruzar una frontera o vivir sin papeles; migrar no es "
        "un delito.",
    ),
    (
        "end-detention",
        "End detention",
        "Acabar con la detencion",
        "Close immigration detention centers, public and private, and end the contracts that "
        "profit from locking people up.",
        "Cerrar los centros de detencion migratoria, publicos y privados, y acabar con los "
        "contratos que lucran encerrando a personas.",
    ),
    (
        "demilitarize-border",
        "Demilitarize the border",
        "Desmilitarizar la frontera",
        "Withdraw troops, walls and surveillance from border communities, and stop the policies "
        "that push people into deadly crossings.",
        "Retirar tropas, muros y vigilancia de las comunidades fronterizas, y detener las "
        "politicas que empujan a las personas a cruces mortales.",
    ),
]


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
