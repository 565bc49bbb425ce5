"""The SMS models, taken over from the events app with their tables, rows, indexes and
constraints as they are: state only (the tables were created by events' migrations 0002-0005,
whose names every db_table below keeps)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import backend.crypto


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("events", "0008_sms_models_moved_to_messaging"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SmsOptOut",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("phone_hash", models.CharField(max_length=64, unique=True)),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("keyword", "Replied with an opt-out keyword"),
                                    ("unsubscribed", "Provider: recipient unsubscribed"),
                                    ("invalid_number", "Provider: not a valid number"),
                                    ("unknown_number", "Carrier: unknown number"),
                                    ("landline", "Carrier: landline or unreachable"),
                                    ("phrase", "Asked to stop in their own words"),
                                    ("reviewed", "An organizer read a reply as a request to stop"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("keyword", models.CharField(blank=True, max_length=20)),
                        ("opted_out_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "events_smsoptout",
                        "ordering": ["-opted_out_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="SmsRateBucket",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sender", models.CharField(max_length=64, unique=True)),
                        ("tokens", models.FloatField(default=0)),
                        ("refilled_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "events_smsratebucket",
                    },
                ),
                migrations.CreateModel(
                    name="InboundSms",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("message_sid", models.CharField(max_length=64, unique=True)),
                        ("phone", backend.crypto.EncryptedTextField(blank=True)),
                        ("phone_hash", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("body", backend.crypto.EncryptedTextField(blank=True)),
                        ("body_purged", models.BooleanField(default=False)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("opted_out", "Opted out"),
                                    ("opted_in", "Opted back in"),
                                    ("help", "Help sent"),
                                    ("confirmed", "Confirmed a signup"),
                                    ("cancelled", "Cancelled a signup"),
                                    ("no_signup", "Yes/No without an upcoming signup"),
                                    ("stored", "Stored for organizers"),
                                    (
                                        "review",
                                        "Might mean stop: texts held for an organizer's review",
                                    ),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("received_at", models.DateTimeField()),
                        (
                            "signup",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="events.signup",
                            ),
                        ),
                        (
                            "volunteer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="events.volunteer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "events_inboundsms",
                        "ordering": ["-received_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="SmsConsent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("granted", models.BooleanField()),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("web", "Web form"),
                                    ("app", "Mobile app"),
                                    ("sms", "SMS keyword"),
                                    ("organizer", "Recorded by an organizer"),
                                    ("door", "At the door"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "wording",
                            models.TextField(
                                blank=True, help_text="The consent text shown to the person"
                            ),
                        ),
                        ("source_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("recorded_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "volunteer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sms_consents",
                                to="events.volunteer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "events_smsconsent",
                        "ordering": ["-recorded_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["volunteer", "-recorded_at"], name="smsconsent_latest"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SmsMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("phone", backend.crypto.EncryptedTextField(blank=True)),
                        ("phone_hash", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("body", models.TextField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("confirmation", "Signup confirmation"),
                                    ("waitlisted", "Waitlist notice"),
                                    ("promoted", "Promoted from the waitlist"),
                                    ("reminder", "Reminder before the shift"),
                                    ("event_changed", "Event time or place changed"),
                                    ("event_cancelled", "Event or shift cancelled"),
                                    ("reply", "Reply to an inbound message"),
                                    ("verification", "One-time code to prove a phone number"),
                                    ("manage_link", "Manage link, texted on request"),
                                    (
                                        "opt_out_confirmation",
                                        "Confirms an opt-out in the person's words",
                                    ),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("language", models.CharField(default="en", max_length=2)),
                        ("offset_minutes", models.PositiveIntegerField(default=0)),
                        ("send_after", models.DateTimeField()),
                        ("next_attempt_at", models.DateTimeField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent (accepted by the provider)"),
                                    ("delivered", "Delivered"),
                                    ("undelivered", "Undelivered"),
                                    ("failed", "Failed"),
                                    ("skipped", "Skipped"),
                                    ("unknown", "Unknown (awaiting the provider's callback)"),
                                ],
                                default="queued",
                                max_length=12,
                            ),
                        ),
                        ("skip_reason", models.CharField(blank=True, max_length=40)),
                        (
                            "provider_sid",
                            models.CharField(blank=True, db_index=True, max_length=64),
                        ),
                        ("provider_status", models.CharField(blank=True, max_length=32)),
                        ("error_code", models.CharField(blank=True, max_length=40)),
                        ("error_message", models.CharField(blank=True, max_length=300)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("claim_token", models.CharField(blank=True, max_length=32)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("sending_started_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("delivered_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "event",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sms",
                                to="events.event",
                            ),
                        ),
                        (
                            "in_reply_to",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="reply",
                                to="messaging.inboundsms",
                            ),
                        ),
                        (
                            "signup",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sms",
                                to="events.signup",
                            ),
                        ),
                        (
                            "volunteer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="events.volunteer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "events_smsmessage",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["status", "next_attempt_at"], name="sms_due"),
                            models.Index(
                                fields=["phone_hash", "sending_started_at"], name="sms_phone_recent"
                            ),
                            models.Index(fields=["sending_started_at"], name="sms_recent"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(
                                    (
                                        "kind__in",
                                        (
                                            "confirmation",
                                            "waitlisted",
                                            "promoted",
                                            "reminder",
                                            "event_cancelled",
                                        ),
                                    ),
                                    ("signup__isnull", False),
                                ),
                                fields=("signup", "kind", "offset_minutes"),
                                name="sms_one_per_signup_kind",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SmsReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("phone_hash", models.CharField(max_length=64)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    (
                                        "pending",
                                        "Waiting for an organizer (texts to the number held)",
                                    ),
                                    ("opted_out", "Read as a request to stop: opted out"),
                                    ("released", "Not a request to stop: texts released"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("language", models.CharField(default="en", max_length=2)),
                        ("created_at", models.DateTimeField()),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "inbound",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review",
                                to="messaging.inboundsms",
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "events_smsreview",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["phone_hash", "status"], name="sms_review_pending")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
