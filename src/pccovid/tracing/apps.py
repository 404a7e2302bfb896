from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "pccovid.tracing"
    label = "tracing"

    def ready(self) -> None:
        from pccovid.events.services import subscribe
        from pccovid.tracing import services

        subscribe(services.RESULT_RECORDED)(services.on_result_recorded)
        subscribe(services.ORDER_CREATED)(services.on_order_created)
        subscribe(services.ORDER_RELEASED)(services.on_order_released)
