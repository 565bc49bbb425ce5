"""Sensitive events (organizers): vet a volunteer, approve or decline a held signup, text the
address to one confirmed, vetted volunteer now."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.views import ApiView
from events.api.serializers.sensitive import AddressReleaseSerializer, VettingSerializer
from events.api.serializers.signups import RosterEntrySerializer
from events.selectors.signups import signups_for_user
from events.selectors.volunteers import volunteers_for_user
from events.services import sensitive


class OrganizerView(ApiView):
    permission_classes = [IsOrganizer]


class VolunteerVettingView(OrganizerView):
    """Vet a volunteer for every sensitive event (POST) or withdraw it (DELETE); audited."""

    @extend_schema(request=None, responses={200: VettingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        volunteer = self.get_or_404(volunteers_for_user(user=self.actor), pk=pk)
        volunteer = sensitive.volunteer_vet(
            actor=self.actor, volunteer=volunteer, source_ip=self.client_ip
        )
        return Response(VettingSerializer(volunteer).data)

    @extend_schema(request=None, responses={200: VettingSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        volunteer = self.get_or_404(volunteers_for_user(user=self.actor), pk=pk)
        volunteer = sensitive.volunteer_unvet(
            actor=self.actor, volunteer=volunteer, source_ip=self.client_ip
        )
        return Response(VettingSerializer(volunteer).data)


class SignupApproveView(OrganizerView):
    """Approve a signup held for approval: vets the volunteer and places the signup by the
    usual rules (confirmed while spots are left, waitlisted after)."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = sensitive.signup_approve(actor=self.actor, signup_id=pk, source_ip=self.client_ip)
        entry = self.get_or_404(signups_for_user(user=self.actor), pk=signup.pk)
        return Response(RosterEntrySerializer(entry).data)


class SignupDeclineView(OrganizerView):
    """Decline a signup held for approval (nothing is texted)."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = sensitive.signup_decline(actor=self.actor, signup_id=pk, source_ip=self.client_ip)
        entry = self.get_or_404(signups_for_user(user=self.actor), pk=signup.pk)
        return Response(RosterEntrySerializer(entry).data)


class AddressReleaseView(OrganizerView):
    """Text a sensitive event's address to one confirmed signup of a vetted volunteer now
    (409 `address_not_releasable`, nothing sent, for anyone else)."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={202: AddressReleaseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = sensitive.address_release_now(
            actor=self.actor, signup_id=pk, source_ip=self.client_ip
        )
        return Response(
            {
                "signup_id": signup.pk,
                "detail": "The address is queued as a text to the volunteer (if they accept "
                "texts); it is also on their manage link from the release time.",
            },
            status=status.HTTP_202_ACCEPTED,
        )
