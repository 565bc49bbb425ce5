from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from backend.accounts.models import Role, Team, User
from backend.api.serializers import StrictModelSerializer, StrictSerializer
from backend.languages import language_choices


class CredentialField(serializers.CharField):
    """Any string: a credential that could never match answers 401, not a 400 that tells a
    guesser which strings are well-formed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class LoginInputSerializer(StrictSerializer):
    credential_fields = ("username", "password")

    username = CredentialField(max_length=150)
    password = CredentialField(
        max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )
    device = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class TeamSerializer(StrictModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserSerializer(StrictModelSerializer):
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "teams"]
        read_only_fields = fields


class PhoneSetInputSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=40, help_text="A mobile number, e.g. (515) 555-0134")
    language = serializers.ChoiceField(choices=language_choices(), default="en")
    consent = serializers.BooleanField(
        help_text="Must be true: safety texts go to this number at any hour"
    )


class PasswordChangeInputSerializer(StrictSerializer):
    credential_fields = ("current_password",)

    current_password = CredentialField(
        max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password = serializers.CharField(
        max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )


class RefreshInputSerializer(StrictSerializer):
    credential_fields = ("refresh_token",)

    refresh_token = CredentialField(max_length=200)


class TokenOutputSerializer(StrictSerializer):
    token = serializers.CharField(help_text="Access token: send as `Authorization: Bearer <token>`")
    expires_at = serializers.DateTimeField()
    refresh_token = serializers.CharField(help_text="Exchange at /api/auth/refresh; works once")
    refresh_expires_at = serializers.DateTimeField()
    device = serializers.CharField()
    user = UserSerializer()


class MeSerializer(UserSerializer):
    spoken_languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Languages the person can canvass in (codes of FIELD_LANGUAGES).",
    )
    permissions = serializers.SerializerMethodField()
    phone_last4 = serializers.SerializerMethodField(
        help_text="Last four digits of the number safety texts go to; empty when none is set"
    )
    safety_texts = serializers.BooleanField(
        source="takes_safety_texts", help_text="Whether safety texts reach this person"
    )

    class Meta(UserSerializer.Meta):
        fields = [
            *UserSerializer.Meta.fields,
            "permissions",
            "language",
            "spoken_languages",
            "phone_last4",
            "safety_texts",
        ]
        read_only_fields = fields

    def get_phone_last4(self, user: User) -> str:
        return user.phone[-4:] if user.phone else ""

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


def spoken_languages_field(**kwargs: Any) -> serializers.ListField:
    """A list of configured language codes (FIELD_LANGUAGES), each at most once."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=language_choices()),
        max_length=len(language_choices()),
        help_text="Languages the person can canvass in: codes of FIELD_LANGUAGES, e.g. en, es.",
        **kwargs,
    )


class MeUpdateInputSerializer(StrictSerializer):
    """What a person changes about themself: the languages they speak, the language of their
    texts."""

    spoken_languages = spoken_languages_field(required=False)
    language = serializers.ChoiceField(
        choices=language_choices(), required=False, help_text="The language of one's texts."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Role, name and the rest are not one's own to change here: say so rather than ignore.
        others = sorted(set(self.initial_data) - set(self.fields))
        if others:
            raise serializers.ValidationError(
                {name: ["Not a field you can change here."] for name in others}
            )
        return attrs


class UserLanguagesInputSerializer(StrictSerializer):
    spoken_languages = spoken_languages_field()


class UserUpdateInputSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class AdminUserSerializer(UserSerializer):
    spoken_languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Languages the person can canvass in (codes of FIELD_LANGUAGES).",
    )
    locked = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [
            *UserSerializer.Meta.fields,
            "spoken_languages",
            "is_active",
            "last_login",
            "locked",
        ]
        read_only_fields = fields

    def get_locked(self, user: User) -> bool:
        from backend.accounts.services import user_is_locked

        return user_is_locked(user=user)


class TeamInputSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=120,
        validators=[
            UniqueValidator(queryset=Team.objects.all(), message="A team with this name exists.")
        ],
    )


class TeamMemberInputSerializer(StrictSerializer):
    user = serializers.IntegerField(min_value=1)


class TeamMemberSerializer(StrictSerializer):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(source="user.role", choices=Role.choices)


class TeamDetailSerializer(StrictModelSerializer):
    members = TeamMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "members"]
        read_only_fields = fields


class LogoutAllSerializer(StrictSerializer):
    revoked = serializers.IntegerField()
