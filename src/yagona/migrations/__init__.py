"""The one Alembic tree of Yagona, shipped inside the package."""
