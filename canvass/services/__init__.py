"""Canvass writes. Import from the submodules: imports, precincts, turf."""
