from rest_framework import serializers

from backend.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
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
