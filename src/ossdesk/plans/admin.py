from __future__ import annotations

from typing import Any

from django.contrib import admin

from ossdesk.doors.admin import ServiceAdmin
from ossdesk.plans import services
from ossdesk.plans.models import Agreement, Plan, Subscription


def _create_plan(actor: Any, **fields: Any) -> Plan:
    return services.plan_create(actor=actor, **fields)


def _update_plan(actor: Any, obj: Plan, **changes: Any) -> Plan:
    changes.pop("code", None)
    changes.pop("is_fallback", None)
    return services.plan_update(actor=actor, plan=obj, **changes)


@admin.register(Plan)
class PlanAdmin(ServiceAdmin[Plan]):
    list_display = ["name", "code", "rank", "is_fallback"]
    fields = ["code", "name", "rank", "best_for", "is_fallback", "terms"]
    create_service = _create_plan
    update_service = _update_plan

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def _create_sub(actor: Any, **fields: Any) -> Subscription:
    return services.subscription_create(actor=actor, **fields)


def _update_sub(actor: Any, obj: Subscription, **changes: Any) -> Subscription:
    changes.pop("organization", None)
    return services.subscription_update(actor=actor, subscription=obj, **changes)


def _delete_sub(actor: Any, obj: Subscription) -> None:
    services.subscription_delete(actor=actor, subscription=obj)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceAdmin[Subscription]):
    list_display = ["organization", "plan", "starts_on", "ends_on", "deployments"]
    list_filter = ["plan"]
    fields = ["organization", "plan", "starts_on", "ends_on", "products", "deployments"]
    filter_horizontal = ["products"]
    create_service = _create_sub
    update_service = _update_sub
    delete_service = _delete_sub


def _create_agreement(actor: Any, **fields: Any) -> Agreement:
    return services.agreement_create(actor=actor, **fields)


def _update_agreement(actor: Any, obj: Agreement, **changes: Any) -> Agreement:
    changes.pop("organization", None)
    return services.agreement_update(actor=actor, agreement=obj, **changes)


def _delete_agreement(actor: Any, obj: Agreement) -> None:
    services.agreement_delete(actor=actor, agreement=obj)


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin[Agreement]):
    list_display = ["reference", "organization", "starts_on", "ends_on", "account_manager"]
    fields = [
        "organization",
        "reference",
        "starts_on",
        "ends_on",
        "overrides",
        "account_manager",
        "consulting_hours_bank",
        "fee_per_period",
        "currency",
        "notes",
    ]
    create_service = _create_agreement
    update_service = _update_agreement
    delete_service = _delete_agreement
