from uppfoljning.api import complaints, time, visits

urlpatterns = visits.urlpatterns + time.urlpatterns + complaints.urlpatterns
