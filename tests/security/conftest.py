# The dashboard's shop with orders of every status (and a second shop), written straight to the database.
from tests.dashboard.conftest import shop_with_orders  # noqa: F401
