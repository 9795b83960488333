"""The follow-up API, one module per part; uppfoljning.api.urls joins their urlpatterns."""

urlpatterns: list = []
