from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.db import User, get_db
from app.deps import get_current_user
from app.models import UserCreate, UserInDB, UserOut

router = APIRouter(tags=["users"])


@router.get("/", response_model=list[UserOut])  # FPA604: same as the return annotation
def list_users(db: Session = Depends(get_db)) -> list[UserOut]:  # FPA201
    return [UserOut.from_orm(u) for u in db.query(User).all()]  # FPA402: `from_orm` is Pydantic v1


@router.get("/{user_id}", response_model=UserInDB)  # FPA401: the response exposes `hashed_password`
def read_user(user_id: int, db: Session = Depends(get_db)):  # FPA201
    user = db.query(User).filter(User.id == user_id).first()
    return user  # FPA601: `null` with 200 instead of a 404 when there is no such user


@router.get("/me", response_model=UserOut)  # FPA104: `/{user_id}` above answers /me first (with a 422)
def read_me(current_user: User = Depends(get_current_user)):  # FPA201
    return current_user


@router.post("/", response_model=UserOut, status_code=201)
async def create_user(payload: dict, db: Session = Depends(get_db)):  # FPA205: body as a bare dict; FPA201
    user = User(email=payload["email"], full_name=payload.get("full_name"), hashed_password=payload["password"])
    db.add(user)
    db.commit()
    return user


@router.put("/{user_id}", response_model=UserOut)
async def update_user(user_id: int, request: Request, db: Session = Depends(get_db)):  # FPA201
    data = await request.json()  # FPA205: the body is validated by hand instead of by a model
    if "email" not in data:
        raise HTTPException(status_code=400, detail="email is required")
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    user.email = data["email"]
    db.commit()
    return user


@router.post("/register", response_model=UserOut, status_code=201)
def register(payload: UserCreate, db: Session = Depends(get_db)):  # FPA201
    user = User(**payload.dict(exclude={"password"}), hashed_password=payload.password)  # FPA402: `.dict()`
    db.add(user)
    db.commit()
    return user
