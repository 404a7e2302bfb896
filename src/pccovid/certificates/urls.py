from django.urls import path

from pccovid.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("revoke/", views.revoke, name="revoke"),
]
