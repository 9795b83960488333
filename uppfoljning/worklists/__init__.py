"""The follow-up's worklists (ramtid.worklists), one module per part: the monthly time results
to explain and decide and the fee officers' over-time list (time), the notices of the daily plan
check (notices), the individual reviews due (reviews), the complaints to answer and follow up
(complaints). settings.RAMTID_WORKLISTS names them."""
