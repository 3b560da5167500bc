"""Requests refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class RefuseNulCharactersMiddleware:
    """A NUL character in a query or form parameter is refused with a 400 that names the
    parameter. Django's form fields and DRF's serializers refuse NULs already; this covers the
    parameters a view reads directly (a creditor code, a reason, a page), which PostgreSQL would
    otherwise reject mid-request with a server error. Form bodies (urlencoded or multipart) are
    read here as ``CsrfViewMiddleware`` reads them anyway; other bodies (JSON, JSON Lines) are not
    read (``request.POST`` is empty for them) and are left to their serializers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            params.append(request.POST)
        for query in params:
            for name, values in query.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return HttpResponseBadRequest(
                        _("The parameter %(name)s contains a NUL character, which no field accepts.")
                        % {"name": repr(name.replace("\x00", "\\0"))[:80]},
                        content_type="text/plain; charset=utf-8")
        return self.get_response(request)
