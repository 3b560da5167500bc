from django.urls import path

from acuerda.debts import views

app_name = "debts"
urlpatterns = [path("<int:pk>/", views.account_detail, name="account")]
