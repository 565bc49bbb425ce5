"""A simulated phone that applies pulls exactly as docs/sync.md tells mobile developers to."""

from __future__ import annotations

import copy
from typing import Any

from canvass.selectors.sync import SECTIONS

PULL_URL = "/api/sync/pull"


def pull_pages(client: Any, cursor: str | None = None, limit: int | None = None) -> list[dict]:
    """Every page of one pull (until has_more is false)."""
    pages = []
    while True:
        params: dict[str, Any] = {}
        if cursor:
            params["cursor"] = cursor
        if limit:
            params["limit"] = limit
        response = client.get(PULL_URL, params)
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            return pages


class Phone:
    """What a phone holds: turfs, doors, voters, logs and scripts, each by id."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cursor: str | None = None
        self.turfs: dict[int, dict[str, Any]] = {}
        self.households: dict[int, dict[str, Any]] = {}
        self.voters: dict[int, dict[str, Any]] = {}
        self.logs: dict[int, dict[str, Any]] = {}
        self.scripts: dict[int, dict[str, Any]] = {}
        self.leaders: dict[int, dict[str, Any]] = {}
        self.rows_received = 0

    def sync(self, limit: int | None = None) -> int:
        """One pull (all pages); returns the number of rows it carried."""
        rows = 0
        for page in pull_pages(self.client, self.cursor, limit):
            rows += sum(len(page.get(name, [])) for name in SECTIONS)
            self.apply(page)
            self.cursor = page["cursor"]
        self.rows_received += rows
        return rows

    def _drop_household(self, household_id: int) -> None:
        self.households.pop(household_id, None)
        for voter_id in [v for v, row in self.voters.items() if row["household"] == household_id]:
            del self.voters[voter_id]

    def apply(self, page: dict[str, Any]) -> None:
        """The order of the sections in a page is the order to apply them in."""
        for removal in page.get("removed_voters", []):
            held = self.voters.get(removal["voter"])
            if held is not None and held["household"] == removal["household"]:
                del self.voters[removal["voter"]]
        for assignment in page.get("assignments", []):
            turf = assignment["turf"]
            if assignment["removed"]:
                self.turfs.pop(turf, None)
                for leader_id, leader in list(self.leaders.items()):
                    leader["turfs"] = [t for t in leader["turfs"] if t != turf]
                    if not leader["turfs"]:
                        del self.leaders[leader_id]
                for household_id in [
                    h for h, row in self.households.items() if row["turf"] == turf
                ]:
                    self._drop_household(household_id)
                for log_id in [i for i, row in self.logs.items() if row["turf"] == turf]:
                    del self.logs[log_id]
            else:
                self.turfs[turf] = {k: v for k, v in assignment.items() if k != "removed"}
        for removal in page.get("removed_households", []):
            held = self.households.get(removal["household"])
            if held is not None and held["turf"] == removal["turf"]:
                self._drop_household(removal["household"])
        for household in page.get("households", []):
            self.households[household["id"]] = household
        for voter in page.get("voters", []):
            self.voters[voter["id"]] = voter
        for removal in page.get("removed_logs", []):
            self.logs.pop(removal["log"], None)
        for log in page.get("logs", []):
            self.logs[log["id"]] = log
        for script in page.get("scripts", []):
            self.scripts[script["id"]] = {k: v for k, v in script.items() if k != "turfs"}
        # Keep only the scripts a held turf names.
        if all("script" in turf for turf in self.turfs.values()):
            named = {turf["script"] for turf in self.turfs.values()}
            self.scripts = {i: s for i, s in self.scripts.items() if i in named}
        for leader in page.get("leaders", []):
            if leader["removed"]:
                self.leaders.pop(leader["id"], None)
            else:
                self.leaders[leader["id"]] = leader

    def state(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "turfs": self.turfs,
                "households": self.households,
                "voters": self.voters,
                "logs": self.logs,
                "scripts": self.scripts,
                "leaders": self.leaders,
            }
        )


def fresh_state(client: Any) -> dict[str, Any]:
    """What a phone holds after a first download now."""
    phone = Phone(client)
    phone.sync()
    return phone.state()
