"""Runtime witnesses: each rule's bad pattern run under the installed FastAPI/Starlette/Pydantic/httpx."""
