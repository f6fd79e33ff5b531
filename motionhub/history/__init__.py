"""History: the task history at /tasks/ (filters, keyset pages, rows, CSV export) and the
audit log's page at /audit/.

It reads `tasks`, `accounts` and `audit` and writes nothing; nothing imports it but the URLs.
"""
