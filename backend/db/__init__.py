"""The raw-SQL toolkit: every query that needs more than the ORM, each with its portable fallback.

Services call these functions and never branch on the database vendor themselves. Every query
runs through Django's cursor, so Django's own query log (and the query-count tests) see it.
"""
