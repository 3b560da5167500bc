from django.urls import path

from acuerda.debtors import views

app_name = "debtors"
urlpatterns = [
    path("<int:pk>/", views.debtor_detail, name="detail"),
    path("<int:pk>/subject-access.json", views.debtor_subject_access_json, name="subject_access_json"),
    path("<int:pk>/subject-access.pdf", views.debtor_subject_access_pdf, name="subject_access_pdf"),
    path("<int:pk>/anonymise/", views.debtor_anonymise, name="anonymise"),
]
