"""The SMS models now belong to the messaging app: removed from this app's state only.

Nothing happens to the database: the tables (events_smsmessage, ...) keep their names and rows,
and messaging's 0001 takes them over in its state (SeparateDatabaseAndState on both sides).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_volunteer_manage_link_generation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="inboundsms",
                    name="signup",
                ),
                migrations.RemoveField(
                    model_name="inboundsms",
                    name="volunteer",
                ),
                migrations.RemoveField(
                    model_name="smsmessage",
                    name="in_reply_to",
                ),
                migrations.RemoveField(
                    model_name="smsreview",
                    name="inbound",
                ),
                migrations.RemoveField(
                    model_name="smsconsent",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="smsconsent",
                    name="volunteer",
                ),
                migrations.RemoveField(
                    model_name="smsmessage",
                    name="event",
                ),
                migrations.RemoveField(
                    model_name="smsmessage",
                    name="signup",
                ),
                migrations.RemoveField(
                    model_name="smsmessage",
                    name="volunteer",
                ),
                migrations.DeleteModel(
                    name="SmsOptOut",
                ),
                migrations.DeleteModel(
                    name="SmsRateBucket",
                ),
                migrations.RemoveField(
                    model_name="smsreview",
                    name="resolved_by",
                ),
                migrations.DeleteModel(
                    name="InboundSms",
                ),
                migrations.DeleteModel(
                    name="SmsConsent",
                ),
                migrations.DeleteModel(
                    name="SmsMessage",
                ),
                migrations.DeleteModel(
                    name="SmsReview",
                ),
            ],
            database_operations=[],
        ),
    ]
