from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Citizen reports (phản ánh): a citizen reports a problem in a unit; it lands in that commune's queue."""

    name = "pccovid.feedback"
    label = "feedback"
