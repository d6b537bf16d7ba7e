"""Admin pagination that never counts a million rows on a page load.

An unfiltered list uses PostgreSQL's own row estimate for the table (pg_class.reltuples,
kept fresh by autovacuum/ANALYZE); a filtered list counts at most CAP + 1 matching rows
and shows "CAP+" beyond that. Pages themselves are plain LIMIT/OFFSET slices.
"""
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

CAP = 10_000


def table_row_estimate(model):
    """PostgreSQL's estimate of the rows in `model`'s table in the current schema (-1 if never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND n.nspname = current_schema()",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else -1


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self):
        queryset = self.object_list
        query = queryset.query
        if not query.where and not query.distinct:
            estimate = table_row_estimate(queryset.model)
            if estimate >= CAP:
                return estimate
        # Filtered (or small): count exactly, but never past CAP + 1 rows.
        return queryset.order_by()[: CAP + 1].count()
