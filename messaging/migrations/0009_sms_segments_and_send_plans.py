from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0008_voice_reminders_channel_and_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="smsmessage",
            name="segments",
            field=models.PositiveSmallIntegerField(default=1),
        ),
    ]
