"""Security: CORS, secrets, JWT, passwords, SQL, files."""
