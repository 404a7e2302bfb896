from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class LimitOffset(LimitOffsetPagination):
    """Ninja's limit/offset paging with a bounded offset: a 20-digit offset is a 422, not a database error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, description="Cut to the endpoint's maximum.")
        offset: int = Field(0, ge=0, le=1_000_000_000)
