"""Match polling-place rows to precincts: a normalizing matcher and its report.

The Iowa polling-place file and the precinct layer name precincts differently: "ANK 01" /
"Ankeny 01 (92)" against "Ankeny 01" (district "ANK1"), "Carroll Floyd" against "Carroll-Floyd",
"Sheldon 1" against "Sheldon 1st Ward", "01" against "Sioux City 01" (district "WOODBURY1"). Each
row is tried at a series of levels, strictest first; the first level that finds any precinct in
the row's county decides: one precinct is a match, several are ambiguous (all listed). A row no
level matches is unmatched. Pure functions: no database, so the command, the API and the tests
share one behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from backend.geo.counties import canonical_county, county_key

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"

# One spelling per word that the two files spell several ways.
_WORDS = {
    "WD": "WARD",
    "WRD": "WARD",
    "WARDS": "WARD",
    "TWP": "TOWNSHIP",
    "TWPS": "TOWNSHIP",
    "TOWNSHIPS": "TOWNSHIP",
    "TWN": "TOWNSHIP",
    "TWNSHP": "TOWNSHIP",
    "TOWNSHP": "TOWNSHIP",
    "TSP": "TOWNSHIP",
    "TS": "TOWNSHIP",
    "PCT": "PRECINCT",
    "PREC": "PRECINCT",
    "PRCT": "PRECINCT",
    "MT": "MOUNT",
    "FT": "FORT",
    "ST": "SAINT",
    "STE": "SAINTE",
    "N": "NORTH",
    "S": "SOUTH",
    "E": "EAST",
    "W": "WEST",
    "NE": "NORTHEAST",
    "NW": "NORTHWEST",
    "SE": "SOUTHEAST",
    "SW": "SOUTHWEST",
    "CTR": "CENTER",
    "CNTR": "CENTER",
    "CENTRE": "CENTER",
    "ONE": "1",
    "TWO": "2",
    "THREE": "3",
    "FOUR": "4",
    "FIVE": "5",
    "SIX": "6",
    "SEVEN": "7",
    "EIGHT": "8",
    "NINE": "9",
    "TEN": "10",
    "AND": "",
    "NO": "",
    "NUMBER": "",
    "OF": "",
    "THE": "",
}
# Words that say what kind of district it is, not which one: dropped at the loose levels.
_NOISE = {"WARD", "TOWNSHIP", "PRECINCT", "CITY", "CITIES", "RURAL", "TOWN", "OF"}
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_PARENS = re.compile(r"\([^)]*\)")
_SPLIT = re.compile(r"[^A-Z0-9]+")
_DIGITS_LETTERS = re.compile(r"(?<=\d)(?=[A-Z])|(?<=[A-Z])(?=\d)")
# "W1", "W-1", "WD 2": a ward, not "West 1"; "P-1", "P2": a precinct.
_WARD_NUMBER = re.compile(r"\b(?:W|WD)[-\s]?(\d+)\b")
_PRECINCT_NUMBER = re.compile(r"\bP[-\s]?(\d+)\b")
_LEADING_CODE = re.compile(r"^\s*\(([^)]+)\)")


def tokens(text: str) -> list[str]:
    """Upper-case words with punctuation, parenthesized notes ("(85)") and leading zeros gone,
    ordinals as numbers ("1ST" -> "1") and each word in its one spelling ("TWP" -> "TOWNSHIP")."""
    cleaned = _PARENS.sub(" ", (text or "").replace("_x000D_", " ").upper())
    cleaned = cleaned.replace("&", " AND ").replace("'", "")
    cleaned = _WARD_NUMBER.sub(r" WARD \1 ", cleaned)
    cleaned = _PRECINCT_NUMBER.sub(r" PRECINCT \1 ", cleaned)
    out: list[str] = []
    for raw in _SPLIT.split(cleaned):
        if not raw:
            continue
        ordinal = _ORDINAL.match(raw)
        if ordinal:
            raw = ordinal.group(1)
        for word in _DIGITS_LETTERS.split(raw) if not ordinal else [raw]:
            if word.isdigit():
                word = str(int(word))
            word = _WORDS.get(word, word)
            if word:
                out.append(word)
    return out


def strict_key(text: str) -> str:
    return " ".join(tokens(text))


def loose_key(text: str) -> str:
    """Word-order- and kind-insensitive: "Ward 1 Sheldon" and "Sheldon 1st Ward" agree. Numbers
    keep their order ("Ames 1-3" is not "Ames 3-1")."""
    kept = [t for t in tokens(text) if t not in _NOISE]
    words = sorted(t for t in kept if not t.isdigit())
    return " ".join(words + ["#"] + [t for t in kept if t.isdigit()])


def compact_key(text: str) -> str:
    """Spaces and punctuation gone, but not the words: "CV.01" and "CV1" agree."""
    return "".join(tokens(text))


@dataclass(frozen=True)
class PrecinctCandidate:
    id: int
    county: str
    name: str
    district: str = ""


@dataclass
class RowMatch:
    row: int  # data row number, 1 = the first row after the header
    county: str
    precinct_id: str
    precinct_name: str
    status: str = UNMATCHED
    method: str = ""
    precinct: int | None = None
    candidates: list[PrecinctCandidate] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "county": self.county,
            "precinct_id": self.precinct_id,
            "precinct_name": self.precinct_name,
            "status": self.status,
            "method": self.method,
            "precinct": self.precinct,
            "candidates": [
                {"id": c.id, "county": c.county, "name": c.name, "district": c.district}
                for c in self.candidates
            ],
            "note": self.note,
        }


@dataclass
class MatchReport:
    rows: list[RowMatch] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            MATCHED: self.count(MATCHED),
            AMBIGUOUS: self.count(AMBIGUOUS),
            UNMATCHED: self.count(UNMATCHED),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "rows": [row.as_dict() for row in self.rows]}


def _strip_county(district: str, county: str) -> str:
    """ "WOODBURY12" -> "12", "OBRIEN3" -> "3": some counties number districts by county name."""
    key = county_key(county)
    compact = compact_key(district)
    if key and compact.startswith(key) and compact[len(key) :].isdigit():
        return compact[len(key) :]
    return ""


def _number_only(text: str, county: str = "") -> str:
    """ "01", "P1", "Pct 1", "Dubuque_15" (in Dubuque) -> the bare precinct number, else ""."""
    everything = tokens(text)
    if len(everything) >= 2 and everything[0] == "PRECINCT" and everything[1].isdigit():
        return everything[1]  # "Pct 01 - WL/HV": the number leads
    county_words = set(tokens(county))
    words = [w for w in everything if w not in _NOISE and w not in county_words]
    return words[0] if len(words) == 1 and words[0].isdigit() else ""


def _leading_code(name: str) -> str:
    """ "(D12) City of Davenport" -> "D12": some counties lead the name with the precinct id."""
    found = _LEADING_CODE.match(name or "")
    return compact_key(found.group(1)) if found else ""


Key = Callable[[str], str]

# (level name, key of the row, key of the precinct), strictest first. A row's name is tried
# before its id, the precinct's name before its district.
_LEVELS: list[tuple[str, Callable[[RowMatch], list[str]], Callable[[PrecinctCandidate], list[str]]]]
_LEVELS = [
    (
        "name",
        lambda r: [strict_key(r.precinct_name)],
        lambda p: [strict_key(p.name)],
    ),
    (
        "name_loose",
        lambda r: [loose_key(r.precinct_name)],
        lambda p: [loose_key(p.name)],
    ),
    (
        "id_district",
        lambda r: [compact_key(r.precinct_id)],
        lambda p: [compact_key(p.district)],
    ),
    (
        "id_code",
        lambda r: [compact_key(r.precinct_id)],
        lambda p: [_leading_code(p.name)],
    ),
    (
        "id_name",
        lambda r: [loose_key(r.precinct_id)],
        lambda p: [loose_key(p.name)],
    ),
    (
        "number",
        lambda r: [_number_only(r.precinct_id, r.county), _number_only(r.precinct_name, r.county)],
        lambda p: [_strip_county(p.district, p.county), _number_only(p.name, p.county)],
    ),
    (
        "name_prefix",
        lambda r: [loose_key(r.precinct_name)],
        lambda p: [],  # handled apart: the row's words are all among the precinct's first words
    ),
]


def _prefix_candidates(row: RowMatch, pool: list[PrecinctCandidate]) -> list[PrecinctCandidate]:
    words = [t for t in tokens(row.precinct_name) if t not in _NOISE]
    if len(words) < 2:
        return []
    return [
        p for p in pool if [t for t in tokens(p.name) if t not in _NOISE][: len(words)] == words
    ]


def match_rows(
    rows: Iterable[tuple[int, str, str, str]], precincts: Iterable[PrecinctCandidate]
) -> MatchReport:
    """Match (row, county, precinct_id, precinct_name) rows to precincts, one county at a time.

    A precinct matched by two rows is reported on both: the first keeps it, the later ones are
    ambiguous (a precinct has one caucus site)."""
    by_county: dict[str, list[PrecinctCandidate]] = {}
    for precinct in precincts:
        by_county.setdefault(county_key(precinct.county), []).append(precinct)
    indexes: dict[tuple[str, str], dict[str, list[PrecinctCandidate]]] = {}

    def index(county: str, level: str) -> dict[str, list[PrecinctCandidate]]:
        found = indexes.get((county, level))
        if found is None:
            found = {}
            keys = next(k for name, _, k in _LEVELS if name == level)
            for precinct in by_county.get(county, []):
                for key in dict.fromkeys(keys(precinct)):
                    if key:
                        found.setdefault(key, []).append(precinct)
            indexes[(county, level)] = found
        return found

    report = MatchReport()
    claimed: dict[int, int] = {}  # precinct -> the row that matched it first
    for number, county, precinct_id, precinct_name in rows:
        row = RowMatch(number, canonical_county(county), precinct_id.strip(), precinct_name.strip())
        report.rows.append(row)
        key_of_county = county_key(county)
        pool = by_county.get(key_of_county, [])
        if not pool:
            row.note = "no precinct of this county in the precinct layer"
            continue
        fits: list[PrecinctCandidate] = []
        for level, row_keys, _ in _LEVELS:
            if level == "name_prefix":
                found = _prefix_candidates(row, pool)
            else:
                table = index(key_of_county, level)
                seen: dict[int, PrecinctCandidate] = {}
                for key in row_keys(row):
                    for precinct in table.get(key, []) if key else []:
                        seen[precinct.id] = precinct
                found = list(seen.values())
            if fits:
                # Already ambiguous: a later level may single out one of those candidates.
                narrowed = [p for p in found if p in fits]
                if len(narrowed) == 1:
                    row.status, row.precinct = MATCHED, narrowed[0].id
                    row.method = f"{row.method}+{level}"
                    break
                continue
            if not found:
                continue
            row.method = level
            row.candidates = sorted(found, key=lambda p: (p.name, p.id))
            if len(found) == 1:
                row.status, row.precinct = MATCHED, found[0].id
                break
            row.status, fits = AMBIGUOUS, found
            row.note = f"{len(found)} precincts fit at level {level}"
        if row.status == MATCHED and row.precinct is not None:
            first = claimed.setdefault(row.precinct, row.row)
            if first != row.row:
                row.status, row.note = AMBIGUOUS, f"the same precinct as row {first}"
                row.precinct = None
        if row.status == MATCHED:
            row.candidates, row.note = [], ""
        if row.status == UNMATCHED:
            row.note = "no precinct of this county fits the row's name or id"
    return report
