# A SimpleRouter, like bestallning's: the core's DefaultRouter already serves the API root.
from rest_framework.routers import SimpleRouter

from genomforandeplan.api.views import PlanViewSet

router = SimpleRouter()
router.register("genomforandeplaner", PlanViewSet, basename="plan")

urlpatterns = router.urls
