"""Errors and OpenAPI documentation."""
