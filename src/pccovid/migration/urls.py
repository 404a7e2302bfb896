"""The data engineers' console, "Legacy data" (mounted at /console/legacy/)."""

from django.urls import path

from pccovid.migration import views

app_name = "legacy-console"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<str:job_id>/", views.job, name="job"),
    path("jobs/<str:job_id>/progress/", views.job_progress, name="job-progress"),
    path("runs/<int:run_id>/rejects.csv", views.rejects_csv, name="rejects"),
    path("link/", views.link_now, name="link"),
    path("review/", views.review_queue, name="queue"),
    path("review/<int:link_id>/", views.review_pair, name="pair"),
]
