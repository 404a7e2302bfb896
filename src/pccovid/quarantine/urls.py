from django.urls import path

from pccovid.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("mine/", views.mine, name="mine"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/release/", views.order_release, name="order-release"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("facilities/", views.facilities, name="facilities"),
    path("tests-due/", views.tests_due, name="tests-due"),
    path("verify/", views.verify, name="verify"),
]
