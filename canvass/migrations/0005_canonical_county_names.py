"""Store one canonical name per Iowa county (households, precincts and sites were stored as
each file spelled them: O'Brien, OBrien, O BRIEN, Obrien). A frozen copy of the county list, so
the migration never depends on app code."""

import re

from django.db import migrations

IOWA_COUNTIES = (
    "Adair",
    "Adams",
    "Allamakee",
    "Appanoose",
    "Audubon",
    "Benton",
    "Black Hawk",
    "Boone",
    "Bremer",
    "Buchanan",
    "Buena Vista",
    "Butler",
    "Calhoun",
    "Carroll",
    "Cass",
    "Cedar",
    "Cerro Gordo",
    "Cherokee",
    "Chickasaw",
    "Clarke",
    "Clay",
    "Clayton",
    "Clinton",
    "Crawford",
    "Dallas",
    "Davis",
    "Decatur",
    "Delaware",
    "Des Moines",
    "Dickinson",
    "Dubuque",
    "Emmet",
    "Fayette",
    "Floyd",
    "Franklin",
    "Fremont",
    "Greene",
    "Grundy",
    "Guthrie",
    "Hamilton",
    "Hancock",
    "Hardin",
    "Harrison",
    "Henry",
    "Howard",
    "Humboldt",
    "Ida",
    "Iowa",
    "Jackson",
    "Jasper",
    "Jefferson",
    "Johnson",
    "Jones",
    "Keokuk",
    "Kossuth",
    "Lee",
    "Linn",
    "Louisa",
    "Lucas",
    "Lyon",
    "Madison",
    "Mahaska",
    "Marion",
    "Marshall",
    "Mills",
    "Mitchell",
    "Monona",
    "Monroe",
    "Montgomery",
    "Muscatine",
    "O'Brien",
    "Osceola",
    "Page",
    "Palo Alto",
    "Plymouth",
    "Pocahontas",
    "Polk",
    "Pottawattamie",
    "Poweshiek",
    "Ringgold",
    "Sac",
    "Scott",
    "Shelby",
    "Sioux",
    "Story",
    "Tama",
    "Taylor",
    "Union",
    "Van Buren",
    "Wapello",
    "Warren",
    "Washington",
    "Wayne",
    "Webster",
    "Winnebago",
    "Winneshiek",
    "Woodbury",
    "Worth",
    "Wright",
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_SUFFIX = re.compile(r"\s*\bCOUNTY\s*$", re.IGNORECASE)


def _key(text):
    return _NOT_ALNUM.sub("", _SUFFIX.sub("", (text or "").strip()).upper())


_BY_KEY = {_key(name): name for name in IOWA_COUNTIES}


def canonicalise(app_label, model_name):
    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        spellings = model.objects.order_by().values_list("county", flat=True).distinct()
        for spelling in list(spellings):
            cleaned = " ".join((spelling or "").split())
            canonical = _BY_KEY.get(_key(cleaned), cleaned)
            if canonical != spelling:
                model.objects.filter(county=spelling).update(county=canonical)

    return forward


class Migration(migrations.Migration):
    dependencies = [("canvass", "0004_import_jobs_and_hand_placed_doors")]

    operations = [
        migrations.RunPython(canonicalise("canvass", "Household"), migrations.RunPython.noop),
        migrations.RunPython(canonicalise("canvass", "Precinct"), migrations.RunPython.noop),
    ]
