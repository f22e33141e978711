"""The simulator's report data, one module per report family; `..data.Dataset` is the one way in.

Each family generates typed rows (str, int, Decimal, bool, aware datetime, date, None) from a seeded
random.Random it is handed, and knows nothing of other families: `common`, `vocabulary` and
`catalog` are what they share, `flat` renders any flat-file family. Vendor analytics and Brand
Analytics search terms live in `..vendor_data`.
"""
