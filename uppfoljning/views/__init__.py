"""The follow-up pages, one module per part: the visit import (imports), the monthly time check
and its decisions (time), the daily plan check's notices (notices), individual reviews
(reviews), complaints (complaints). Each module has its `urlpatterns`; uppfoljning.urls joins
them."""
