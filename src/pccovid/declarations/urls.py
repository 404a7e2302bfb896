from django.urls import path

from pccovid.declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.citizen_list, name="mine"),
    path("new/", views.citizen_start, name="start"),
    path("new/<str:kind>/", views.citizen_new, name="new"),
    path("<int:pk>/done/", views.citizen_done, name="done"),
    path("console/", views.console_list, name="console-list"),
    path("console/export.csv", views.console_export, name="console-export"),
    path("console/<int:pk>/", views.console_detail, name="console-detail"),
    path("console/<int:pk>/follow-up/", views.console_follow_up, name="console-follow-up"),
]
