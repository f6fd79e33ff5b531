"""The useapi-compatible gateway at /useapi/v1/kling/: useapi's paths, parameters and answer
shapes, so an existing script changes only its base URL and its token (a personal API token).

Every call reads or writes MotionHub's own records and reuses the pages' code: a motion-create
here is a task of the usual pipeline (accept → dispatch → submit → track), with its slots, fair
share and kept results; upstream is reached only by those jobs. What differs from useapi, on
purpose:

- ids are MotionHub's (task id, and a result's `workId` is its task id): small integers, safe
  for JavaScript clients; `POST /assets` keeps the file here and uploads it to a Kling account
  only when a task that uses it is dispatched (so an asset belongs to no account);
- capacity never answers 429: the task waits in MotionHub's queue; `email` is optional;
- a task reads `succeed` once MotionHub has kept its result, and every file URL handed out is
  MotionHub's, signed and expiring (MOTIONHUB_GATEWAY_URL_SECONDS), fetched without headers.

Errors are useapi's `{"error": …, "code": …}`. `Idempotency-Key` is honoured on every POST.
"""
