"""Pydantic models: v2 API, exposure of secrets, field definitions."""
