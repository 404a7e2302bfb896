from django.urls import path

from pccovid.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.citizen_login, name="citizen-login"),
    path("login/code/", views.citizen_code, name="citizen-code"),
    path("logout/", views.sign_out, name="logout"),
    path("me/", views.citizen_home, name="citizen-home"),
    path("me/link/", views.citizen_link, name="citizen-link"),
    path("me/reads/", views.citizen_reads, name="citizen-reads"),
    path("console/login/", views.OfficialLoginView.as_view(), name="official-login"),
    path("console/", views.console_home, name="console-home"),
    path("console/search/", views.console_search, name="console-search"),
    path("console/persons/<str:qid>/", views.console_person, name="console-person"),
]
