from django.urls import path

from acuerda.portfolios import views

app_name = "portfolios"
urlpatterns = [path("<int:pk>/", views.portfolio_detail, name="detail")]
