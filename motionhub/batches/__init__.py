"""The batch pages: /batches/ (every run, newest first) and /batches/<id>/ (one run, followed
live by one polled fragment), with the bulk actions on a batch."""
