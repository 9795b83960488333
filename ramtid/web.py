"""The web plumbing every app's pages share, so that each app imports it instead of copying it.

Access: a page fetches its object through a selector already scoped to the user (`visible`), so
another organisation's object is a 404, and then checks what the user may do with it
(`require`, given a `permissions.can_…` answer), so a visible object the user may not act on is
a 403. Roles are never checked here: that is each app's permissions.py.

Pages: the small one-form page (`form_page`), the breadcrumbs (`client_crumbs`, which the apps
extend with their own), where a small action form goes back to (`next_url`), and "Lägg till
insats" over htmx (`added_row`). The formset and error helpers those pages use are in
ramtid.forms.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ramtid.forms import total_forms

M = TypeVar("M", bound=Model)

Crumbs = list[tuple[str, str]]


def require(allowed: bool) -> None:
    """A 403 unless `allowed` (a permissions.can_… answer about an object the user can see)."""
    if not allowed:
        raise PermissionDenied


def visible(queryset: QuerySet[M], pk) -> M:
    """The object `pk` from a selector's queryset (already scoped to the user): a 404 when it is
    not there, so that another organisation's object looks like one that does not exist."""
    return get_object_or_404(queryset, pk=pk)


def next_url(request: HttpRequest, default: str) -> str:
    """Where a small action form asked to go back to (its `next` field, e.g. the start page's
    inbox), if that is on this site; otherwise `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def client_crumbs(client) -> Crumbs:
    """Brukare / <the client>: where every page about a client's case starts its breadcrumbs
    (ramtid/_crumbs.html shows them)."""
    return [
        (_("Brukare"), reverse("client_list")),
        (str(client), reverse("client_detail", args=[client.pk])),
    ]


def form_page(
    request: HttpRequest, *, form, title: str, submit: str, cancel: str, crumbs: Crumbs, **extra
) -> HttpResponse:
    """A small page with one form (new order, end an order, withdraw a decision, assign a
    contact person, a follow-up …): every field in order, one button and "Avbryt". `extra` may
    add `intro` (the lead paragraph) and `danger` (a red button)."""
    return render(
        request,
        "ramtid/form_page.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "cancel_url": cancel,
            "crumbs": crumbs,
            **extra,
        },
    )


def added_row(request: HttpRequest, formset, *, row_template: str, focus: str) -> HttpResponse:
    """ "Lägg till insats" with htmx: one empty row of `formset` (an AddableRowsMixin formset),
    rendered with `row_template`, and out of band the formset's count raised by one; a 204 (the
    page is left as it is) when the formset is full. htmx moves focus to [autofocus] in what it
    swaps in, so the field `focus` of the new row has it: the user goes on in the new row."""
    index = total_forms(request.POST, prefix=formset.prefix, maximum=formset.max_num)
    if index >= formset.max_num:
        return HttpResponse(status=204)
    form = formset.new_row(index)
    form.number = index + 1
    form.fields[focus].widget.attrs["autofocus"] = True
    return render(
        request,
        "ramtid/_row_added.html",
        {
            "form": form,
            "row_template": row_template,
            "total_forms": index + 1,
            "prefix": formset.prefix,
        },
    )
