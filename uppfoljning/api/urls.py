from uppfoljning.api import time, visits

urlpatterns = visits.urlpatterns + time.urlpatterns
