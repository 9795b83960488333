# A SimpleRouter: the core's DefaultRouter already serves the API root at the same prefix.
from rest_framework.routers import SimpleRouter

from bestallning.api.views import DecisionViewSet, OrderViewSet

router = SimpleRouter()
router.register("beslut", DecisionViewSet, basename="decision")
router.register("bestallningar", OrderViewSet, basename="order")

urlpatterns = router.urls
