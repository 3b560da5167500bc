from django.urls import path  # noqa: F401 - the wizard's routes are added here

app_name = "imports"
urlpatterns: list = []
