"""The Tokens page: a signed-in person creates and revokes their own API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motionhub import audit
from motionhub.core.roles import viewer_required
from motionhub.tokens import auth
from motionhub.tokens.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “render farm script”."
    )


# Any role: a token acts with its person's role, and without one it could do nothing.
@viewer_required
@never_cache  # the page right after creation shows the secret: no cache may keep it
def tokens(request):
    """The person's tokens; a POST makes one and shows its secret on this answer only."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = ""
    created = None
    if request.method == "POST" and form.is_valid():
        created, secret = auth.create_token(request.user, form.cleaned_data["name"])
        audit.record(
            request, audit.Action.TOKEN_CREATE, target=created,
            detail=f"Token {created.prefix}… “{created.name}”",
        )  # fmt: skip
        form = TokenForm()
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(owner=request.user),
        "secret": secret,
        "created": created,
    }
    return render(request, "tokens/index.html", context, status=400 if form.errors else 200)


@viewer_required
@require_POST
def revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, owner=request.user)  # another's is a 404
    if auth.revoke(token):
        audit.record(
            request, audit.Action.TOKEN_REVOKE, target=token,
            detail=f"Token {token.prefix}… “{token.name}”",
        )  # fmt: skip
        messages.success(request, f"Token “{token.name}” revoked: scripts using it now get 401.")
    return redirect("tokens:index")
