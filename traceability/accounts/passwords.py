"""An offline breached-password check (OWASP ASVS 2.1.7 asks for one).

Django's ``CommonPasswordValidator`` holds 20,000 passwords from breaches, but only as written:
"Password2024!" or "P4ssw0rd!" pass it. People disguise a common password in a few
predictable ways, and attackers' lists try exactly those; this validator undoes them before it looks
the password up in the same list: letter case, digits and symbols added at either end, the usual
character swaps (4 for a, 0 for o, 3 for e, 1 for i or l, 5 or $ for s, 7 for t, @ for a), and a
password made of one common word repeated or followed by a year.
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SWAPS = str.maketrans({"4": "a", "@": "a", "0": "o", "3": "e", "1": "i", "!": "i", "5": "s", "$": "s", "7": "t"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")


def disguises_undone(password: str) -> set[str]:
    """The password, and the forms of it that a list lookup should also try."""
    lower = password.lower().strip()
    candidates = {lower, _EDGES.sub("", lower)}
    swapped = lower.translate(_SWAPS)
    candidates |= {swapped, _EDGES.sub("", swapped), _EDGES.sub("", lower).translate(_SWAPS)}
    # "1-password" as "1password": the l/1 swap too, since 1 was read as i above.
    candidates |= {c.replace("i", "l") for c in list(candidates)}
    # Words joined by separators ("correct-horse"), and a word repeated ("monkeymonkey").
    for candidate in list(candidates):
        joined = _SEPARATORS.sub("", candidate)
        candidates.add(joined)
        for size in range(1, len(joined) // 2 + 1):
            if len(joined) % size == 0 and joined[:size] * (len(joined) // size) == joined:
                candidates.add(joined[:size])
                break
    return {c for c in candidates if c}


class BreachedPasswordValidator(CommonPasswordValidator):
    """Refuse a password on the breached list, also when it is disguised in the usual ways."""

    def validate(self, password: str, user: object = None) -> None:
        if any(candidate in self.passwords for candidate in disguises_undone(password)):
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self) -> str:
        return _(
            "This password, or a simple variation of it, is on a list of passwords exposed in data "
            "breaches. Choose another: a few unrelated words make a strong one."
        )

    def get_help_text(self) -> str:
        return _("Your password can’t be a commonly used password, or a simple variation of one.")
