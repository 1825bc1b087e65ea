from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, validator


class UserBase(BaseModel):
    email: EmailStr
    full_name: str | None = None


class UserCreate(UserBase):
    password: str = Field(min_length=8)


class UserOut(UserBase):
    id: int

    class Config:  # FPA402: Pydantic v1 `class Config` / `orm_mode`
        orm_mode = True


class UserInDB(UserOut):
    hashed_password: str  # FPA401 when a route answers with this model


class ItemCreate(BaseModel):
    name: str
    price_cents: int = Field(gt=0)
    category: str

    @validator("name")  # FPA402: Pydantic v1 validator
    def name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank")
        return value


class ItemOut(ItemCreate):
    id: int


class OrderCreate(BaseModel):
    item_id: int
    quantity: int = Field(default=1, ge=1)


class OrderOut(BaseModel):
    id: int
    user_id: int
    item_id: int
    quantity: int
    created_at: datetime
