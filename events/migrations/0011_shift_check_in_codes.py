import secrets

from django.db import migrations, models

import events.models.schedule

# A copy of SHORT_CODE_ALPHABET as it was when this migration was written (never imported).
ALPHABET = "ACEFHJKMNPRTWXY3479"


def give_every_shift_its_own_code(apps, schema_editor):
    """AddField gives every existing shift the same code; draw one per shift instead."""
    Shift = apps.get_model("events", "Shift")
    used: set[str] = set()
    for shift in Shift.objects.order_by("pk").only("pk").iterator():
        code = ""
        while not code or code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(5))
        used.add(code)
        Shift.objects.filter(pk=shift.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_sensitive_events_vetting_and_held_signups"),
    ]

    operations = [
        migrations.AddField(
            model_name="shift",
            name="short_code",
            field=models.CharField(default=events.models.schedule.new_short_code, max_length=8),
        ),
        migrations.RunPython(give_every_shift_its_own_code, migrations.RunPython.noop),
    ]
