from django.urls import path

from acuerda.debtors import views

app_name = "debtors"
urlpatterns = [path("<int:pk>/", views.debtor_detail, name="detail")]
