from uppfoljning.views import complaints, imports, notices, reviews, time

urlpatterns = (
    imports.urlpatterns
    + time.urlpatterns
    + notices.urlpatterns
    + reviews.urlpatterns
    + complaints.urlpatterns
)
