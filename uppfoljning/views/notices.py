"""See uppfoljning.views."""

urlpatterns: list = []
