from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from app.db import User, get_db

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/users/token")


def get_current_user(
    token: str = Depends(oauth2_scheme),  # FPA201: marker as a default instead of Annotated
    db: Session = Depends(get_db),  # FPA201
) -> User:
    user = db.query(User).filter(User.email == token).first()
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not authenticated")
    return user


def get_current_admin(user: User = Depends(get_current_user)) -> User:  # FPA201
    if not user.is_admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admins only")
    return user
