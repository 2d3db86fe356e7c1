"""Playing the merchant through Facebook Login: the app's link, and the sandbox's Facebook dialog."""

from __future__ import annotations

import re
from html import unescape

import httpx

from tests.helpers import bearer
from tests.scenarios import BROKEN_SHOP


def login_url(client, shop_domain: str = BROKEN_SHOP) -> str:
    """The "Continue with Facebook" link of the shop's Meta page."""
    page = client.get("/app/meta/", headers=bearer(shop_domain))
    return unescape(re.search(rb'href="(/meta/login/start\?ticket=[^"]+)"', page.content).group(1).decode())


def consent(dialog_url: str, decision: str) -> str:
    """Play the merchant in Facebook's dialog (the sandbox's), in a browser of its own; return where it
    sends that browser."""
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        dialog = browser.get(dialog_url)
        assert dialog.status_code == 200, dialog.text
        form = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', dialog.text)}
        pages = re.findall(r'name="pages" value="([^"]+)"', dialog.text)
        consent = browser.post(dialog_url, data={**form, "pages": pages, "decision": decision}, headers={"Referer": dialog_url})
        assert consent.status_code == 302, consent.text
        return consent.headers["Location"]
