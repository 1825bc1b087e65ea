from fastapi import APIRouter

from app.routers import items, users
from app.routers.orders import router as orders_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(users.router, prefix="/users")
api_router.include_router(items.router, prefix="/items", tags=["items"])
api_router.include_router(orders_router)
