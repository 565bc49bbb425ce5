"""The field console: server-rendered pages for field leads and organizers.

This package holds what every app's console shares: the login, the base template, the access
rule and the static assets. Each app's pages live in its own `console/` package (the HTTP layer,
like `api/`) and call the same services and selectors as the API.
"""
