"""Plain API clients for the platforms OrderGuard talks to. No ORM imports; credentials are passed in."""
