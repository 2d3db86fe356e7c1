"""The sandbox's platforms keep their state in their own database ("sandbox"), apart from the app's."""

SANDBOX_APP_LABEL = "sandbox"
SANDBOX_DB = "sandbox"


class SandboxRouter:
    def db_for_read(self, model, **hints):
        return SANDBOX_DB if model._meta.app_label == SANDBOX_APP_LABEL else None

    def db_for_write(self, model, **hints):
        return SANDBOX_DB if model._meta.app_label == SANDBOX_APP_LABEL else None

    def allow_relation(self, obj1, obj2, **hints):
        labels = {obj1._meta.app_label, obj2._meta.app_label}
        if SANDBOX_APP_LABEL in labels:
            return labels == {SANDBOX_APP_LABEL}
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == SANDBOX_APP_LABEL:
            return db == SANDBOX_DB
        return db != SANDBOX_DB
