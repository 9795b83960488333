# A SimpleRouter, like bestallning's: the core's DefaultRouter already serves the API root.
from django.urls import path
from rest_framework.routers import SimpleRouter

from genomforandeplan.api.reports import PlanReportView
from genomforandeplan.api.views import OrderViewSet, PlanViewSet

router = SimpleRouter()
# The orders, registered here rather than in bestallning.api.urls: this app's OrderViewSet is
# bestallning's with the plan deadline and the contact person, which bestallning cannot know.
router.register("bestallningar", OrderViewSet, basename="order")
router.register("genomforandeplaner", PlanViewSet, basename="plan")

urlpatterns = [
    *router.urls,
    # The plan coverage report (issue 11), the page's figures: genomforandeplan.reports.
    path("rapporter/planer/", PlanReportView.as_view(), name="plan_report_api"),
]
