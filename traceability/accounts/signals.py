"""Signals of the accounts app, for the apps above it (which accounts must not import)."""

from django.dispatch import Signal

# Sent by ``account_anonymise`` inside its transaction, with ``user`` (already scrubbed) and ``now``.
# Every app that keeps a copy of a person's name, organisation or address scrubs it in a receiver.
user_anonymised = Signal()
