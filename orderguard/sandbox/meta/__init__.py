"""The Meta stand-in: the Graph API endpoints OrderGuard uses (commerce orders, acknowledgement,
cancellation, commerce account settings, tokens and Facebook Login), with Meta's documented behaviour,
errors and rate-limit headers, and orders that move over time as Shopify's channel treats them.

    views.py           HTTP entry points (thin)            routing.py     path -> handler, the checks every call passes
    call.py            one request's context               auth.py        tokens, appsecret_proof, scopes, access
    order_edges.py     order endpoints                      account_edges.py  commerce account and Page endpoints
    oauth.py           Facebook Login, tokens, debug_token  graph.py       fields, paging
    representations.py how objects look in the Graph API    orders.py      order lifecycle over time
    shopify_channel.py Shopify's Facebook & Instagram channel  faults.py / usage.py  injected faults, rate limits
    idempotency.py     idempotency keys                     services.py    switches for the demo and tests
    errors.py          Meta's error shape                   models.py      state (sandbox database)
"""
