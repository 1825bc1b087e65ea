from fastapi import APIRouter

router = APIRouter(tags=["internal"])


@router.get("/metrics")
def metrics() -> dict[str, float]:
    return {"uptime_seconds": 0.0}
