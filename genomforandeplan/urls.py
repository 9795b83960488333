"""Pages for contact persons and implementation plans. Ids only: no personal numbers in URLs."""

from django.urls import path

from genomforandeplan import views, views_reports

urlpatterns = [
    path("ordrar/<int:pk>/kontaktman/", views.contact_assign, name="contact_assign"),
    path("ordrar/<int:pk>/genomforandeplan/", views.plan_start, name="plan_start"),
    path("planer/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/skriv/", views.plan_edit, name="plan_edit"),
    path("planer/<int:pk>/skriv/autospara/", views.plan_autosave, name="plan_autosave"),
    path("planer/<int:pk>/skriv/ny-insats/", views.plan_add_item, name="plan_add_item"),
    path("planer/<int:pk>/klar/", views.plan_complete, name="plan_complete"),
    path("planer/<int:pk>/versioner/<int:number>/", views.plan_version, name="plan_version"),
    path("planer/<int:pk>/jamfor/", views.plan_compare, name="plan_compare"),
    path("planer/<int:pk>/granska/", views.plan_review, name="plan_review"),
    path("planer/<int:pk>/uppfoljning/", views.plan_follow_up, name="plan_follow_up"),
    path("planer/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    # The plan coverage report (issue 11): the page, its PDF and its files.
    path("rapporter/planer/", views_reports.plan_report, name="plan_report"),
    path("rapporter/planer/planrapport.pdf", views_reports.plan_report_pdf, name="plan_report_pdf"),
    path("rapporter/planer/planrapport.csv", views_reports.plan_report_csv, name="plan_report_csv"),
    path(
        "rapporter/planer/planrapport.xlsx", views_reports.plan_report_xlsx, name="plan_report_xlsx"
    ),
]
