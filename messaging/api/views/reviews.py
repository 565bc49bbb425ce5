"""Replies that might mean "stop", and an organizer's reading of one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.views import ApiView, ListApiView
from messaging.api.serializers.reviews import (
    ReviewFilterSerializer,
    ReviewResolveSerializer,
    SmsReviewSerializer,
)
from messaging.models import SmsReview
from messaging.selectors.reviews import sms_reviews
from messaging.services.reviews import sms_review_resolve


class SmsReviewListView(ListApiView):
    """Replies that might mean "stop" (texts to those numbers are held), oldest first."""

    permission_classes = [IsOrganizer]
    serializer_class = SmsReviewSerializer
    queryset = SmsReview.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[ReviewFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = ReviewFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return sms_reviews(**query.validated_data)


class SmsReviewResolveView(ApiView):
    """Decide a held reply: opt the number out (one confirmation text) or release its texts."""

    permission_classes = [IsOrganizer]
    extra_error_codes = ["404", "409"]

    @extend_schema(request=ReviewResolveSerializer, responses={200: SmsReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = self.get_or_404(sms_reviews(status=None), pk=pk)
        data = ReviewResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = sms_review_resolve(
            review=review, actor=self.actor, opt_out=data.validated_data["opt_out"]
        )
        return Response(SmsReviewSerializer(resolved).data)
