"""Route declarations: paths, methods, routers and how they are included."""
