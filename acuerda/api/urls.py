from rest_framework.routers import DefaultRouter

from acuerda.api import views

router = DefaultRouter()
router.register("creditors", views.CreditorViewSet)
router.register("portfolios", views.PortfolioViewSet)
router.register("debtors", views.DebtorViewSet)
router.register("accounts", views.AccountViewSet)

urlpatterns = router.urls
