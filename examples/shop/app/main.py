import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from app.api import api_router
from app.db import Base, engine
from app.routers import internal

log = logging.getLogger("shop")

app = FastAPI(title="Shop")

# FPA501: any site may call the API with the user's cookies
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.add_middleware(GZipMiddleware, minimum_size=1000)  # FPA902: added after CORS, so it wraps CORS

app.include_router(api_router)
app.include_router(internal.router, prefix="internal")  # FPA106: FastAPI asserts a prefix starts with "/"


@app.on_event("startup")  # FPA901: deprecated; use a lifespan
def create_tables() -> None:
    Base.metadata.create_all(bind=engine)
    log.info("tables created")


@app.route("/ping")  # FPA107: a Starlette route: no validation, no OpenAPI
async def ping(request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


@app.get("/api/v1/items/")  # FPA103: left over from before the split into routers; same as items.list_items
def list_items_legacy() -> list[dict[str, str]]:
    return []


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
