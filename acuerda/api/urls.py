from django.urls import path
from rest_framework.routers import DefaultRouter

from acuerda.api import compliance, imports, payments, views

router = DefaultRouter()
router.register("creditors", views.CreditorViewSet)
router.register("portfolios", views.PortfolioViewSet)
router.register("debtors", views.DebtorViewSet)
router.register("accounts", views.AccountViewSet)
router.register("import-jobs", imports.ImportJobViewSet)
router.register("statement-lines", payments.StatementLineViewSet)
router.register("remittances", payments.RemittanceViewSet)

urlpatterns = [
    path("compliance/check/", compliance.ComplianceCheckView.as_view(), name="compliance-check"),
    path("payments/", payments.PaymentRegisterView.as_view(), name="payment-register"),
    path("payments/<int:pk>/", payments.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/providers/<slug:provider>/notifications/", payments.ProviderNotificationView.as_view(),
         name="payment-notification"),
    path("portfolios/<int:pk>/imports/", imports.PortfolioImportView.as_view(), name="portfolio-imports"),
    path("portfolios/<int:pk>/export/", imports.PortfolioExportView.as_view(), name="portfolio-export"),
    *router.urls,
]
