"""REST of mobile lines: staff and network systems (`staff`), and the customer's own lines
(`me`). The composition root mounts `router`, `usage_router` and `me_router`."""

from yagona.lines.routes.me import me_router
from yagona.lines.routes.staff import router, usage_group, usage_router

__all__ = ["me_router", "router", "usage_group", "usage_router"]
