from django.urls import path

from pccovid.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.detail, name="detail"),
    path("queue/<int:pk>/status/", views.status_change, name="status"),
    path("reports/<int:pk>/photo/", views.photo, name="photo"),
]
