from django.urls import path

from pccovid.checkins import views

app_name = "checkins"
urlpatterns = [
    path("", views.checkin_scan, name="scan"),
    path("confirm/", views.checkin_confirm, name="confirm"),
    path("done/", views.checkin_done, name="done"),
    path("mine/", views.checkin_history, name="mine"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_register, name="venue-register"),
    path("venues/<str:code>/", views.venue_detail, name="venue"),
    path("venues/<str:code>/poster/", views.venue_poster, name="venue-poster"),
    path("venues/<str:code>/poster.pdf", views.venue_poster_pdf, name="venue-poster-pdf"),
    path("venues/<str:code>/scan/", views.venue_scan_visitor, name="venue-scan"),
    path("venues/<str:code>/reissue/", views.venue_reissue, name="venue-reissue"),
    path("venues/<str:code>/deactivate/", views.venue_deactivate, name="venue-deactivate"),
]
