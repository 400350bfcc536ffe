"""Small builders for test data. Plain functions over the real services."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from traceability.accounts.models import StakeholderKind, User
from traceability.consultations.models import Process, StakeholderGroup, Submission
from traceability.consultations.services import SubmissionContent, process_create_default_groups, submission_file
from traceability.dispositions.bulk import bulk_decide  # noqa: F401  (re-exported for the tests)
from traceability.outcomes.models import DocumentVersion
from traceability.outcomes.services import version_import

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

DOCUMENT = """# 1. Scope
1. This framework applies to every public consultation.
2. Organisers publish the outcome document.
(a) in an open format;
(b) with every clause addressable.

# 2. Principles {#principles}
3. Inclusion of all stakeholder groups.
3.1 Equal weight for every group.
"""


def make_user(
    *, kind: str = StakeholderKind.CIVIL_SOCIETY, country: str = "KE", verified: bool = True, **extra: object
) -> User:
    """A stakeholder account; its address is confirmed (as after following the sign-up mail) unless
    ``verified=False``."""
    n = next(_counter)
    extra.setdefault("email", f"user{n}@example.org")
    extra.setdefault("display_name", f"User {n}")
    extra.setdefault("organisation", f"Organisation {n}")
    user = User.objects.create_user(password=PASSWORD, stakeholder_kind=kind, country=country, **extra)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def give_totp(user: User) -> str:
    """Set up a TOTP authenticator for ``user`` (as an organiser must) and return its secret."""
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return totp_secret(user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_secret(user: User) -> str:
    from allauth.mfa.utils import decrypt

    return decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``. Like a person who sees the app's countdown run
    out, it waits for the next code when this one has under three seconds left: a browser test types the code
    and submits a form, and a code that expires on the way is refused."""
    if time.time() % 30 > 27:
        time.sleep(30.2 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def make_process(*, phase: str = "open", code: str | None = None, organisers: tuple[User, ...] = ()) -> Process:
    n = next(_counter)
    now = timezone.now()
    windows = {
        "draft": (now + timedelta(days=5), now + timedelta(days=30)),
        "open": (now - timedelta(days=5), now + timedelta(days=30)),
        "closed": (now - timedelta(days=30), now - timedelta(days=1)),
    }
    opens_at, closes_at = windows[phase]
    process = Process.objects.create(
        slug=f"process-{n}",
        code=code or f"P{n}",
        title=f"Process {n}",
        description="A test process.",
        opens_at=opens_at,
        closes_at=closes_at,
    )
    process_create_default_groups(process=process)
    process.organisers.add(*organisers)
    for organiser in organisers:
        give_totp(organiser)  # organisers work with a second factor
    return process


def group_of(process: Process, kind: str = StakeholderKind.CIVIL_SOCIETY) -> StakeholderGroup:
    return process.groups.get(kind=kind)


def file_submission(
    process: Process, author: User, *, title: str = "A suggestion", text: str = "Please add a clause.", **extra: object
) -> Submission:
    """File through the real service. Closed processes are opened for the moment of filing."""
    group = extra.pop("group", None) or group_of(process, author.stakeholder_kind)
    now = extra.pop("now", None)
    if now is None and not process.is_open():
        now = process.opens_at + timedelta(seconds=1)
    submission, _ = submission_file(
        process=process,
        author=author,
        content=SubmissionContent(title=title, text=text, stakeholder_group=group, **extra),
        form_token=uuid.uuid4(),
        now=now,
    )
    return submission


def import_document(process: Process, by: User | None = None, source: str = DOCUMENT) -> DocumentVersion:
    return version_import(process=process, source=source, label="Zero draft", created_by=by)
