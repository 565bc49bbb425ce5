from __future__ import annotations

import django_filters


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet where a parameter given empty is an error, not silently "no filter".

    A client that sends `?until=` almost certainly has a bug; telling it beats returning
    everything.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "This parameter may not be empty.")
                valid = False
        return valid
