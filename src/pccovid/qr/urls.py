from django.urls import path

from pccovid.qr import views

app_name = "qr"
urlpatterns = [
    path("", views.my_qr, name="mine"),
    path("full/", views.my_qr_full, name="full"),
    path("card/", views.my_qr_card, name="card"),
    path("code.png", views.my_qr_png, name="png"),
    path("code.svg", views.my_qr_svg, name="svg"),
]
