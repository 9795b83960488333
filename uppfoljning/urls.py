from uppfoljning.views import complaints, dashboard, imports, liaison, notices, reviews, time

urlpatterns = (
    imports.urlpatterns
    + time.urlpatterns
    + notices.urlpatterns
    + reviews.urlpatterns
    + complaints.urlpatterns
    + dashboard.urlpatterns
    + liaison.urlpatterns
)
