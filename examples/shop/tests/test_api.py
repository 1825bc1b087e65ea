import pytest
from httpx import AsyncClient

from app.main import app


@pytest.fixture
async def client():
    # FPA801: `AsyncClient(app=...)` was removed in httpx 0.28; use `transport=ASGITransport(app=app)`
    async with AsyncClient(app=app, base_url="http://test") as ac:
        yield ac


async def test_health(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_list_items(client: AsyncClient) -> None:
    response = await client.get("/api/v1/items/")
    assert response.status_code == 200
