"""Iowa's 99 counties, one canonical spelling each (the Census TIGER 2019 names).

Voter files, the SOS site file and the precinct file spell some counties differently (O'Brien,
OBrien, O BRIEN, "Obrien County"); `canonical_county` maps every spelling to the one name, so a
county is stored one way and every filter on it can be loose.
"""

from __future__ import annotations

import re

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


def county_key(text: str) -> str:
    """Case-, punctuation- and "County"-insensitive: "O'Brien County" -> "OBRIEN"."""
    return _NOT_ALNUM.sub("", _SUFFIX.sub("", (text or "").strip()).upper())


_BY_KEY = {county_key(name): name for name in IOWA_COUNTIES}


def canonical_county(text: str) -> str:
    """The canonical name of an Iowa county, however spelled; other text is kept as given
    (trimmed), so a county of another state is not lost."""
    cleaned = " ".join((text or "").split())
    return _BY_KEY.get(county_key(cleaned), cleaned)
