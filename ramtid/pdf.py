"""PDFs with WeasyPrint, from our own templates and our own fonts: nothing is fetched."""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML


def _local_only(url: str, timeout: int = 10, ssl_context=None):
    # Refuse anything outside the static files; a PDF never reaches the network.
    raise ValueError(f"PDF:en får inte hämta externa resurser: {url}")


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    stylesheet = finders.find("ramtid/print.css")
    return HTML(string=html, url_fetcher=_local_only).write_pdf(stylesheets=[stylesheet])


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
