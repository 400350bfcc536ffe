"""Accounts made before django-allauth get their address as allauth's primary, *unverified* address.

They keep their password and everything they filed. At their next sign-in allauth sends a link to
confirm the address (verification is mandatory), as for a new account: an address never confirmed
should not count as a stakeholder's. Anonymised accounts have no address and get none.
"""

from django.db import migrations


def add_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    existing = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email.lower(), primary=True, verified=False)
            for pk, email in User.objects.filter(anonymised_at__isnull=True)
            .exclude(email="")
            .values_list("pk", "email")
            .iterator()
            if pk not in existing
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_security_log"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(add_addresses, migrations.RunPython.noop)]
