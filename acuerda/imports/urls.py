from django.urls import path

from acuerda.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_new, name="new"),
    path("new/mapping/", views.upload_mapping, name="upload_mapping"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/preview/", views.job_preview, name="preview"),
    path("<int:pk>/validate/", views.job_validate, name="validate"),
    path("<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/report.<str:fmt>", views.job_report, name="report"),
]
