"""One module per kind of destination; each builds its message and sends it, returning a SendResult."""
