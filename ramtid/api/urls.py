from rest_framework.routers import DefaultRouter

from ramtid.api.views import CatalogueViewSet, ClientViewSet

router = DefaultRouter()
router.register("brukare", ClientViewSet, basename="client")
router.register("insatser", CatalogueViewSet, basename="intervention-type")

urlpatterns = router.urls
