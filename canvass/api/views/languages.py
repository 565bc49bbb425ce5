"""Languages at the doors: the canvassers of a turf's team who speak them, best first."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ApiView
from canvass.api.serializers import languages as s
from canvass.selectors.languages import turf_canvasser_suggestions
from canvass.selectors.turf import turfs_managed_by


class TurfCanvasserSuggestionsView(ApiView):
    """The turf's team's canvassers ranked by how many of its doors' languages they speak."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.CanvasserSuggestionsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        needed, suggestions = turf_canvasser_suggestions(turf=turf)
        return Response(
            s.CanvasserSuggestionsSerializer(
                {
                    "turf": turf.pk,
                    "languages": [
                        {"language": code, "doors": doors} for code, doors in needed.items()
                    ],
                    "canvassers": suggestions,
                }
            ).data
        )
