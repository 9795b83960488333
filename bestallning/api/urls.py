# A SimpleRouter: the core's DefaultRouter already serves the API root at the same prefix.
from rest_framework.routers import SimpleRouter

from bestallning.api.views import DecisionViewSet

router = SimpleRouter()
router.register("beslut", DecisionViewSet, basename="decision")
# /api/bestallningar/ is registered by genomforandeplan.api.urls: its OrderViewSet extends this
# app's (bestallning.api.views.OrderViewSet) with the plan deadline and the contact person.

urlpatterns = router.urls
