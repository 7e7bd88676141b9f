"""PostgreSQL for the test suite: Django's backend, with a cheaper flush.

A transactional test (live server, race, browser) ends with a flush of every table.
Django's PostgreSQL flush is one TRUNCATE of them all, which makes new files for each
table and index: about a second for this schema, every time. The few rows such a test
writes go as fast with DELETE, Django's foreign keys being deferred to the commit.
Only the test settings name this backend; everything else is Django's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
