"""Personal API tokens and Idempotency-Key, for the surfaces scripts use (the gateway, the API).

Tokens (`auth.py`, page at /tokens/, `manage.py motionhub_api_token USER [--name N]`):

    from motionhub.tokens.auth import authenticate

    user = authenticate(request)   # Authorization: Bearer mhk_…; None: missing, wrong, revoked
    # On success request.user is the token's person and request.api_token the ApiToken; every
    # audit.record(request, …) for this request is then marked as made through the API. The
    # token acts with its person's role (motionhub.core.roles): check it as a page would.

Idempotency keys (`idempotency.py`; read its docstring for the guarantees):

    from motionhub.tokens import idempotency

    key = idempotency.key_of(request)          # None when no Idempotency-Key header; BadKey
    answer = idempotency.once(request.user, key, idempotency.fingerprint_of(request),
                              lambda: (201, {"id": task.pk}))   # KeyReused → answer 422
    answer.status, answer.body, answer.replayed

This app sits above the audit log (it records token creation and revocation) and beside
`accounts`: it imports `audit` and `core` only.
"""
