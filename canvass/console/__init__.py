"""The field console's canvass pages (the HTTP layer, like `api/`): imports, the turf map,
turf, the review queue and the readiness board, on the same services and selectors."""
