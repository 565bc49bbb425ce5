"""The field console's event pages (the HTTP layer, like `api/`): events, shifts and rosters
with check-in and no-shows, on the same services and selectors."""
