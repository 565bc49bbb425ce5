"""Writes for events: each module holds the services for one part of the domain."""
