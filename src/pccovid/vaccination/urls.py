app_name = "vaccination"
urlpatterns: list = []
