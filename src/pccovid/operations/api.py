from ninja import Router

router = Router(tags=["City operations"])
