from django.urls import path

from acuerda.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.payment_list, name="list"),
    path("new/<int:account_pk>/", views.payment_new, name="new"),
    path("<int:pk>/", views.payment_detail, name="detail"),
    path("<int:pk>/receipt.pdf", views.payment_receipt, name="receipt"),
    path("mandates/<int:plan_pk>/", views.mandate_new, name="mandate"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/<int:pk>/", views.line_decide, name="line"),
    path("remittances/", views.remittance_list, name="remittances"),
    path("remittances/<int:pk>/", views.remittance_detail, name="remittance"),
    path("remittances/<int:pk>/<slug:kind>/", views.remittance_file, name="remittance_file"),
]
