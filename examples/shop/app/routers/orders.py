import time
from datetime import datetime, timezone

import requests
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import Item, Order, User, get_db
from app.deps import get_current_user
from app.models import OrderCreate, OrderOut

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/", response_model=list[OrderOut])
def list_orders(user: User = Depends(get_current_user), db: Session = Depends(get_db)):  # FPA201
    return db.query(Order).filter(Order.user_id == user.id).all()


@router.get("/{order_id}", response_model=OrderOut)
def read_order(orderid: int, db: Session = Depends(get_db)):  # FPA102: `orderid` is the path's `order_id`
    order = db.get(Order, orderid)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    return order


@router.post("/", response_model=OrderOut, status_code=201)
async def create_order(
    order: OrderCreate,
    user: User = Depends(get_current_user),  # FPA201
    db: Session = Depends(get_db()),  # FPA202: the dependency is called instead of passed
):
    item = db.get(Item, order.item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    for _attempt in range(3):
        # FPA301: a blocking HTTP call and a blocking sleep freeze the event loop of an `async def` handler
        reply = requests.post(get_settings().payment_url, json={"amount": item.price_cents * order.quantity})
        if reply.ok:
            break
        time.sleep(0.5)
    row = Order(user_id=user.id, item_id=item.id, quantity=order.quantity, created_at=datetime.now(timezone.utc))
    db.add(row)
    db.commit()
    return row


@router.delete("/{order_id}", status_code=204)
def cancel_order(order_id: int, db: Session = Depends(get_db)):  # FPA201
    order = db.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    db.delete(order)
    db.commit()
    return {"cancelled": order_id}  # FPA110: a 204 response has no body; this one is dropped
