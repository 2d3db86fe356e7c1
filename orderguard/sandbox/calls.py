"""The log of calls the app made to the stand-in platforms (for tests, benchmarks and the demo)."""

from orderguard.sandbox.models import SandboxCall


def record_call(platform: str, operation: str, account: str, status_code: int) -> None:
    SandboxCall.objects.create(platform=platform, operation=operation[:128], account=account[:255], status_code=status_code)
