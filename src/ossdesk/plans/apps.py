from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ossdesk.plans"
    label = "plans"

    def ready(self) -> None:
        # models are loaded only now
        from ossdesk.customers import hooks as customers_hooks
        from ossdesk.plans import selectors

        customers_hooks.entitlements_for.answer_with(selectors.entitlements_for)
        customers_hooks.plan_refs.answer_with(selectors.plan_refs)
