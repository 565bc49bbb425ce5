"""A system check: with this deployment's organization name and public address, every text stays
within its segment budget (a long name or address can push a text to a third billed segment)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register


@register()
def sms_budget_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from messaging.budgets import worst_case_table

    return [
        Warning(
            f"The {row.name!r} text costs {row.segments} segments at worst in {row.language} "
            f"(budget {row.budget}) with this SMS_ORGANIZATION_NAME and PUBLIC_BASE_URL.",
            hint="Shorten SMS_ORGANIZATION_NAME or the public address, or raise "
            "SMS_SEGMENT_BUDGET knowingly; `manage.py sms_budgets` shows every text.",
            id="sms.W010",
        )
        for row in worst_case_table()
        if row.over_budget
    ]
