"""Texting pages of the field console. The outbox is scoped like the API's (field leads: texts
about their teams' events); replies, opt-outs and held replies are for organizers, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.models import User
from backend.console.access import console_view, report_error
from backend.errors import ApplicationError
from messaging.selectors.inbound import inbound_messages
from messaging.selectors.optouts import opt_outs
from messaging.selectors.outbox import sms_messages_for_user
from messaging.selectors.reviews import sms_reviews
from messaging.services.reviews import sms_review_resolve


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@console_view
def texts(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, object] = {
        "section": "texts",
        "outbox": sms_messages_for_user(user=user)[:100],
        "organizer": user.is_organizer,
    }
    if user.is_organizer:
        context.update(
            replies=inbound_messages()[:100],
            opt_outs=opt_outs()[:100],
            reviews=sms_reviews().select_related("inbound__volunteer")[:50],
        )
    return render(request, "console/messaging/texts.html", context)


@require_POST
@console_view
def review_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not user.is_organizer:
        return render(request, "console/forbidden.html", status=403)
    review = get_object_or_404(sms_reviews(status=None), pk=pk)
    opt_out = request.POST.get("opt_out") == "1"
    try:
        sms_review_resolve(review=review, actor=user, opt_out=opt_out)
    except ApplicationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("The number was opted out.") if opt_out else _("Texts to the number released."),
        )
    return redirect("console:texts")
