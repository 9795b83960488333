from uppfoljning.views import imports, notices, reviews, time

urlpatterns = imports.urlpatterns + time.urlpatterns + notices.urlpatterns + reviews.urlpatterns
