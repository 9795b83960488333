"""Pages for decisions, orders and change-of-need reports. Ids only: no personal numbers in URLs."""

from django.urls import path

from bestallning import views

urlpatterns = [
    path("brukare/<int:client_pk>/beslut/nytt/", views.decision_create, name="decision_create"),
    path("beslut/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("beslut/<int:pk>/granska/", views.decision_review, name="decision_review"),
    path("beslut/<int:pk>/ratta/", views.decision_edit, name="decision_edit"),
    path("beslut/<int:pk>/aterkalla/", views.decision_withdraw, name="decision_withdraw"),
    path("beslut/<int:decision_pk>/bestallning/ny/", views.order_create, name="order_create"),
    path("ordrar/<int:pk>/", views.order_detail, name="order_detail"),
    path("ordrar/<int:pk>/utkast/", views.order_edit, name="order_edit"),
    path(
        "ordrar/<int:pk>/utkast/tidsunderlag/",
        views.order_time_basis,
        name="order_time_basis",
    ),
    path(
        "ordrar/<int:pk>/utkast/ny-insats/",
        views.order_add_intervention,
        name="order_add_intervention",
    ),
    path("ordrar/<int:pk>/skicka/", views.order_send, name="order_send"),
    path("ordrar/<int:pk>/ta-bort/", views.order_delete, name="order_delete"),
    path("ordrar/<int:pk>/andra/", views.order_change, name="order_change"),
    path("ordrar/<int:pk>/avsluta/", views.order_end, name="order_end"),
    path("ordrar/<int:pk>/kvittera/", views.order_receive, name="order_receive"),
    path("ordrar/<int:pk>/verkstalld/", views.order_execute, name="order_execute"),
    # The PDF itself is bestallning.pdf (another part of the work); this is the page's link.
    path("ordrar/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path(
        "ordrar/<int:order_pk>/forandrat-behov/",
        views.need_change_create,
        name="need_change_create",
    ),
    path("forandrat-behov/<int:pk>/", views.need_change_detail, name="need_change_detail"),
    path("forandrat-behov/<int:pk>/svar/", views.need_change_answer, name="need_change_answer"),
]
