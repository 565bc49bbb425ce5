from __future__ import annotations

from decimal import Decimal

import django_filters

from backend.times import BIGINT_MAX, BIGINT_MIN, datetime_text_problem


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet where a parameter given empty is an error, not silently "no filter".

    A client that sends `?until=` almost certainly has a bug; telling it beats returning
    everything. Values the database would refuse are errors too: a date-time without a UTC
    offset or with one beyond ±15:59, a number beyond 64 bits.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "This parameter may not be empty.")
                valid = False
            elif name in self.data and isinstance(
                self.filters[name], django_filters.DateTimeFilter
            ):
                problem = datetime_text_problem(self.data.get(name))
                if problem:
                    self.form.add_error(name, problem)
                    valid = False
        if valid:
            for name, filter_ in self.filters.items():
                value = self.form.cleaned_data.get(name)
                if (
                    isinstance(filter_, django_filters.NumberFilter)
                    and isinstance(value, Decimal)
                    and not BIGINT_MIN <= value <= BIGINT_MAX
                ):
                    self.form.add_error(name, f"Must be between {BIGINT_MIN} and {BIGINT_MAX}.")
                    valid = False
        return valid
