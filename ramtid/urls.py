from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ramtid import accounts, oidc, session_timeout, views, views_log_review

urlpatterns = [
    path("", views.start, name="start"),
    path("arbetslista/<slug:key>/", views.worklist_page, name="worklist"),
    path(
        "arbetslista/<slug:key>/lista.csv",
        views.worklist_export,
        {"fmt": "csv"},
        name="worklist_csv",
    ),
    path(
        "arbetslista/<slug:key>/lista.xlsx",
        views.worklist_export,
        {"fmt": "xlsx"},
        name="worklist_xlsx",
    ),
    path("roller/<int:pk>/beslut/", views.membership_decide, name="membership_decide"),
    path("logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Django's, which after single sign-on also ends the session at the provider (ramtid/oidc.py).
    path("logga-ut/", oidc.LogoutView.as_view(), name="logout"),
    path("losenord/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("sessionen/", session_timeout.session_status, name="session_status"),
    path("brukare/", views.client_list, name="client_list"),
    path("brukare/ny/", views.client_create, name="client_create"),
    path("brukare/brukare.csv", views.client_list_export, {"fmt": "csv"}, name="client_list_csv"),
    path(
        "brukare/brukare.xlsx", views.client_list_export, {"fmt": "xlsx"}, name="client_list_xlsx"
    ),
    path("brukare/<int:pk>/", views.client_detail, name="client_detail"),
    path("brukare/<int:pk>/andra/", views.client_edit, name="client_edit"),
    path("brukare/<int:pk>/narstaende/ny/", views.relative_add, name="relative_add"),
    path(
        "brukare/<int:pk>/narstaende/<int:relative_pk>/ta-bort/",
        views.relative_remove,
        name="relative_remove",
    ),
    path("brukare/<int:pk>/registerutdrag/", views.client_export, name="client_export"),
    path("brukare/<int:pk>/atkomstlogg/", views.client_access_log, name="client_access_log"),
    path("loggkontroll/", views_log_review.log_search, name="log_review"),
    path("loggkontroll/export/", views_log_review.log_export, name="log_review_export"),
    path(
        "loggkontroll/export.xlsx",
        views_log_review.log_export_xlsx,
        name="log_review_export_xlsx",
    ),
    path("loggkontroll/stickprov/", views_log_review.sample_list, name="log_review_samples"),
    path(
        "loggkontroll/stickprov/<int:pk>/", views_log_review.sample_detail, name="log_review_sample"
    ),
    path("", include("bestallning.urls")),
    path("", include("genomforandeplan.urls")),
    path("", include("uppfoljning.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("api/", include("ramtid.api.urls")),
    path("api/", include("bestallning.api.urls")),
    path("api/", include("genomforandeplan.api.urls")),
    path("api/", include("uppfoljning.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

# Single sign-on's addresses exist only when it is on (RAMTID_OIDC_ISSUER, ramtid/oidc.py); the
# login page shows its button when they do.
if settings.RAMTID_OIDC_ISSUER:
    urlpatterns += oidc.urlpatterns
