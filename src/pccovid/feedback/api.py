from ninja import Router

router = Router(tags=["Citizen reports"])
