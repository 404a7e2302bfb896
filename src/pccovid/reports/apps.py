from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The Ministry of Health's daily and weekly report forms, defined as data, rolled up from commune to
    nation, submitted and locked with corrections as new versions."""

    name = "pccovid.reports"
    label = "reports"
