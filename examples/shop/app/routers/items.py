from functools import lru_cache

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.db import Item, get_db
from app.models import ItemCreate, ItemOut

router = APIRouter()


@router.get("/", response_model=list[ItemOut])
def list_items(skip: int = 0, limit: int = 50, db: Session = Depends(get_db)):  # FPA201
    return db.query(Item).offset(skip).limit(limit).all()


@lru_cache(maxsize=1)  # FPA108: the route registered below is the uncached function
@router.get("/categories")
def list_categories() -> list[str]:
    return ["books", "games", "music"]


@router.get("/{item_id}", response_model=ItemOut)
def read_item(item_id: int, db: Session = Depends(get_db)):  # FPA201
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@router.get("/{item_id}/reviews/{review_id}")  # FPA101: nothing receives `review_id`
def read_review(item_id: int):
    return {"item_id": item_id, "reviews": []}


@router.post("/", response_model=ItemOut, status_code=201)
def create_item(item: ItemCreate, db: Session = Depends(get_db)):  # FPA201
    row = Item(**item.dict())  # FPA402: `.dict()` is `model_dump()` in Pydantic v2
    db.add(row)
    db.commit()
    return row
