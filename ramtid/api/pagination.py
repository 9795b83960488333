"""How the API's lists are paged."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`: PAGE_SIZE (100) rows a page unless the caller asks for another size,
    and never more than 500. Without the cap one request for every plan of a provider with
    6,000 clients would hold a worker for half a minute."""

    max_limit = 500
    # PostgreSQL's OFFSET is a bigint: a larger number was a DataError (a 500). Past any real
    # list an offset only ever gives an empty page, so it is capped where it still fits.
    max_offset = 1_000_000_000

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
