from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination whose page size a client may lower or raise to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = (
        "There is no page {page_number}. Pages start at 1; count and page_size "
        "give the last one."
    )
