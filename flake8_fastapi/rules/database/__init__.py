"""Database access patterns."""
