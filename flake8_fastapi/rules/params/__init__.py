"""Parameters and dependency injection."""
