"""Change a sandbox Meta commerce account during the demo: how Shopify's channel treats its orders, and
faults on its Graph API calls.

    python manage.py sandbox_meta <cms_id> --behaviour healthy|broken|imports_without_ack [--ack-delay 3]
    python manage.py sandbox_meta <cms_id> --fault throttle:code=80001,regain_minutes=5
    python manage.py sandbox_meta <cms_id> --fault expired_token:times=2 --fault slow:seconds=4,minutes=10
    python manage.py sandbox_meta <cms_id> --clear-faults

A fault applies to one request unless it says times=N or minutes=M (see orderguard/sandbox/meta/faults.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orderguard.sandbox.meta import faults, services
from orderguard.sandbox.meta.models import MetaCommerceAccount

FAULT_OPTIONS = {"times": int, "minutes": float, "code": int, "status": int, "seconds": float, "regain_minutes": float}


def parse_fault(text: str) -> tuple[str, dict]:
    """"throttle:code=80001,regain_minutes=5" -> ("throttle", {"code": 80001, "regain_minutes": 5.0})."""
    kind, _, rest = text.partition(":")
    if kind not in faults.TYPES:
        raise CommandError(f"Unknown fault {kind!r}; expected one of {', '.join(faults.TYPES)}")
    options = {}
    for part in filter(None, rest.split(",")):
        name, _, value = part.partition("=")
        if name not in FAULT_OPTIONS:
            raise CommandError(f"Unknown fault option {name!r}; expected one of {', '.join(FAULT_OPTIONS)}")
        try:
            options[name] = FAULT_OPTIONS[name](value)
        except ValueError:
            raise CommandError(f"Fault option {name} needs a number, not {value!r}") from None
    return kind, options


class Command(BaseCommand):
    help = "Switch a sandbox Meta account's channel behaviour and inject or clear faults."

    def add_arguments(self, parser):
        parser.add_argument("cms_id")
        parser.add_argument("--behaviour", choices=MetaCommerceAccount.Behaviour.values)
        parser.add_argument("--ack-delay", type=int, help="Minutes the channel takes to import and acknowledge.")
        parser.add_argument("--fault", action="append", default=[], help="kind[:option=value,...]; repeatable.")
        parser.add_argument("--clear-faults", action="store_true")

    def handle(self, *args, cms_id, behaviour, ack_delay, fault, clear_faults, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The sandbox is not enabled (ORDERGUARD_ENV=demo or test).")
        if not MetaCommerceAccount.objects.filter(pk=cms_id).exists():
            raise CommandError(f"No sandbox commerce account {cms_id!r}. Load a scenario first (sandbox_load).")
        parsed = [parse_fault(text) for text in fault]
        if clear_faults:
            services.clear_faults(cms_id)
        if behaviour or ack_delay is not None:
            current = behaviour or MetaCommerceAccount.objects.get(pk=cms_id).channel_behaviour
            services.set_channel_behaviour(cms_id, current, ack_delay_minutes=ack_delay)
        for kind, fault_options in parsed:
            try:
                services.inject_fault(cms_id, kind, **fault_options)
            except ValueError as error:
                raise CommandError(str(error)) from None
        state = services.describe(cms_id)
        self.stdout.write(f"{state['display_name']} ({state['id']})")
        self.stdout.write(f"  channel: {state['behaviour']} since {state['behaviour_since']:%Y-%m-%d %H:%M:%S %Z}, ack delay {state['ack_delay_minutes']} min")
        self.stdout.write(f"  order management apps: {', '.join(state['order_management_apps']) or 'none'}")
        self.stdout.write(f"  orders: {', '.join(f'{k} {v}' for k, v in sorted(state['orders'].items())) or 'none'}")
        self.stdout.write(f"  faults: {state['faults'] or 'none'}")
        if state["throttled_until"]:
            self.stdout.write(f"  throttled until {state['throttled_until']:%H:%M:%S %Z}")
