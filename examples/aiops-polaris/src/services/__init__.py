"""Shared domain services (incident store, graph service, search client)."""
