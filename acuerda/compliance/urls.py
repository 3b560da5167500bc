from django.urls import path

from acuerda.compliance import views

app_name = "compliance"
urlpatterns = [
    path("simulate/", views.simulate, name="simulate"),
    path("packs/", views.packs, name="packs"),
]
