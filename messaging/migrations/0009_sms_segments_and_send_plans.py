from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0007_sms_conversations_and_keyword_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="smsmessage",
            name="segments",
            field=models.PositiveSmallIntegerField(default=1),
        ),
    ]
