"""The error table of architecture.md as named exceptions with human messages.

Every failure of an upstream call is a `UseapiError`. `transient` tells whether trying again later
can succeed (429, other 5xx, timeouts, resets); `category` is the stable key the rest of MotionHub
stores and filters on; `message` is what a person reads; `upstream_error` is the upstream's own
text, kept for the record (never containing our token).
"""

from __future__ import annotations


class UseapiError(Exception):
    category = "upstream_error"
    transient = False
    default_message = "The upstream service returned an error."
    suggestion = ""

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        upstream_error: str = "",
        retry_after: float | None = None,
        request_sent: bool = True,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.upstream_error = upstream_error
        self.retry_after = retry_after
        # False only when we know the request never reached the upstream (connect failures):
        # then even a create call may be retried without risk of running twice.
        self.request_sent = request_sent
        super().__init__(self.message)

    @property
    def explained(self) -> str:
        """What a person reads: what went wrong, then what to do about it."""
        return f"{self} {self.suggestion}".strip()

    def __str__(self) -> str:
        if self.upstream_error and self.upstream_error not in self.message:
            return f"{self.message} (upstream said: {self.upstream_error})"
        return self.message


class InvalidInput(UseapiError):
    """400: the upstream refused a parameter."""

    category = "invalid_input"
    default_message = "The upstream refused the request as invalid."
    suggestion = "Fix the named field; nothing was spent."


class Unauthorized(UseapiError):
    """401: the API token is wrong or revoked."""

    category = "unauthorized"
    default_message = "The useapi.net API token was refused."
    suggestion = "The API token is wrong or revoked: fix the connection."


class SubscriptionRequired(UseapiError):
    """402: the useapi.net subscription has lapsed."""

    category = "subscription_required"
    default_message = "The useapi.net subscription is not active."
    suggestion = "Renew the useapi.net subscription."


class NotFound(UseapiError):
    """404. On submit it means an asset is missing; while tracking, the task is gone."""

    category = "not_found"
    default_message = "The upstream could not find what was asked for."
    suggestion = "Re-upload; the asset expired or belongs to another account."


class NoFreeSlot(UseapiError):
    """429: every slot of the account (or of all accounts) is busy."""

    category = "no_free_slot"
    transient = True
    default_message = "No free slot on the Kling account right now."
    suggestion = "Queued automatically and retried after a back-off; nothing is lost."


class Moderation(UseapiError):
    """500 whose text is a content-guideline (moderation) rejection."""

    category = "moderation"
    default_message = "Kling rejected the content as against its community guidelines."
    suggestion = "Change the content; retrying the same input will fail again."


class UpstreamTrouble(UseapiError):
    """Other 5xx, timeouts, resets and unreadable answers: the upstream is having trouble."""

    category = "upstream_trouble"
    transient = True
    default_message = "The upstream service is having trouble."
    suggestion = "Retried automatically a bounded number of times."


class AccountSessionBroken(UseapiError):
    """596: useapi's session with the Kling account is broken."""

    category = "account_session_broken"
    default_message = "useapi.net lost its session with this Kling account."
    suggestion = "Re-add the Kling account (its email and password) on the Accounts page."


class BadResponse(UseapiError):
    """A 2xx answer we cannot use (not JSON, or missing what the contract promises)."""

    category = "bad_response"
    default_message = "The upstream sent an answer MotionHub cannot read."
    suggestion = "Check the connection's base URL; if it is right, try again later."


ALL_ERRORS = (
    InvalidInput,
    Unauthorized,
    SubscriptionRequired,
    NotFound,
    NoFreeSlot,
    Moderation,
    UpstreamTrouble,
    AccountSessionBroken,
    BadResponse,
)
