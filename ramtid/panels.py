"""Sections that the other apps add to the core's pages (the client page, the start page).

The core does not import the apps that build on it (dependencies point one way, STYLE.md), so
settings name the panels: each is a function (request, **context) -> HTML, "" when it has
nothing to show. The order in the setting is the order on the page.
"""

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe


def render_panels(setting: str, request, **context) -> list[SafeString]:
    rendered = (import_string(path)(request, **context) for path in getattr(settings, setting))
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 (rendered templates)
