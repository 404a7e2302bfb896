from ninja import Router

router = Router(tags=["Risk levels"])
