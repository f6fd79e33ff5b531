"""`make bench`: proves the task history, its export and the polled fragment scale."""
