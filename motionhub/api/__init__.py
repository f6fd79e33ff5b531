"""The native API at /api/v1/ (django-ninja): JSON for scripts, the OpenAPI schema at
/api/v1/openapi.json generated from the pydantic schemas (`schemas.py`).

- `urls.py`: the NinjaAPI, its routers and the errors as RFC 9457 problem details
  (`problems.py`); `access.py`: Bearer token or session, roles, the rate limit (`ratelimit.py`,
  MOTIONHUB_API_RATE per person per minute, counted in the database: `RateWindow`);
  `replies.py`: every POST done once per Idempotency-Key (motionhub.tokens.idempotency).
- Routers: `tasks.py` (the history's filters and keyset pages, retry, cancel), `motions.py`
  (upload, create), `batches.py`, `library.py`, `accounts.py`. Each reuses the pages' code
  paths (forms, accept, bulk, the library's jobs); none calls upstream.

A top layer beside `batches`: it imports the pages' apps and the pipeline, nothing imports it.
"""
