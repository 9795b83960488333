from rest_framework.routers import DefaultRouter

from ramtid.api.views import ClientViewSet

router = DefaultRouter()
router.register("brukare", ClientViewSet, basename="client")

urlpatterns = router.urls
