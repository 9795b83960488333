"""How the API's lists are paged."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`: PAGE_SIZE (100) rows a page unless the caller asks for another size,
    and never more than 500. Without the cap one request for every plan of a provider with
    6,000 clients would hold a worker for half a minute."""

    max_limit = 500
