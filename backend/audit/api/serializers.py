from backend.api.serializers import StrictModelSerializer
from backend.audit.models import AuditEvent


class AuditEventSerializer(StrictModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "action",
            "target_type",
            "target_id",
            "ip_address",
            "details",
        ]
        read_only_fields = fields
