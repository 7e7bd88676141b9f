"""Searching a room's messages: the selector (`selectors`) and its page (`views`)."""
