"""The search core: query language, matching, ranking, facets and every analysis the pages and the CLI show.

It reads an index through ``indexer.index.reader`` and returns data (rows, counts, spans, records): no HTML,
no Flask, no terminal. The web and the CLI are shells around it.
"""
