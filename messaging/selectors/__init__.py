"""Reads, already scoped to the requesting user; one module per feature."""
