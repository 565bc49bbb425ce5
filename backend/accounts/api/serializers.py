from rest_framework import serializers

from backend.accounts.models import Team, User


class LoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )
    device = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserSerializer(serializers.ModelSerializer):
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "teams"]
        read_only_fields = fields


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    device = serializers.CharField()
    user = UserSerializer()


class MeSerializer(UserSerializer):
    permissions = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "permissions"]
        read_only_fields = fields

    def get_permissions(self, user: User) -> list[str]:
        """What the app may show this user: coarse capabilities derived from the role."""
        capabilities = {
            "organizer": [
                "admin",
                "manage_teams",
                "manage_turf",
                "manage_events",
                "view_reports",
                "canvass",
            ],
            "field_lead": ["manage_turf", "manage_events", "view_reports"],
            "canvasser": ["canvass"],
        }
        return capabilities.get(user.role, [])
