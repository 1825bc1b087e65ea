"""Application set-up: lifespan, middleware, debug."""
