from functools import lru_cache

from pydantic import BaseSettings  # FPA403: BaseSettings moved to pydantic_settings in Pydantic v2


class Settings(BaseSettings):
    database_url: str = "sqlite:///./shop.db"
    payment_url: str = "https://payments.example.com/charge"
    frontend_origin: str = "https://shop.example.com"

    class Config:  # FPA402: Pydantic v1 configuration class
        env_file = ".env"


@lru_cache
def get_settings() -> Settings:
    return Settings()
