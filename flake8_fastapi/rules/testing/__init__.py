"""Tests: clients, dependency overrides, lifespans."""
