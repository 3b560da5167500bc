from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("acuerda.core.urls")),
    path("portfolios/", include("acuerda.portfolios.urls")),
    path("accounts/", include("acuerda.debts.urls")),
    path("debtors/", include("acuerda.debtors.urls")),
    path("imports/", include("acuerda.imports.urls")),
    path("compliance/", include("acuerda.compliance.urls")),
    path("work/", include("acuerda.workspace.urls")),
    path("payments/", include("acuerda.payments.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("acuerda.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
