"""How allauth's two-factor authentication fits Trace: secrets encrypted at rest, and organisers and
staff cannot remove the factor their role requires."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from . import crypto
from .selectors import holds_a_role


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """An organiser's or admin's TOTP stays: a session someone else got hold of cannot drop it and
        enrol their own. Losing the device is what the recovery codes are for (or a site admin)."""
        if authenticator.type == Authenticator.Type.TOTP and holds_a_role(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
