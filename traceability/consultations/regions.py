"""Where a country lies, by the regions of the UN M49 standard (https://unstats.un.org/unsd/methodology/m49/).

A process may coarsen the country of a submitter who chose to be shown by stakeholder group only to
one of these regions. No installed package maps countries to regions (django-countries and pycountry do
not), so the map is kept here, for every ISO 3166-1 alpha-2 code django-countries knows (a test checks
it). Taiwan, which M49 does not list, is in Eastern Asia by geography; Antarctica, which M49 puts in
no region, is a region of its own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")
    ANTARCTICA = "antarctica", _("Antarctica")


COUNTRIES_BY_REGION: dict[str, frozenset[str]] = {
    Region.AFRICA: frozenset(
        # Northern, Eastern, Middle, Southern and Western Africa
        "DZ EG LY MA SD TN EH "
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "
        "AO CM CF TD CG CD GQ GA ST "
        "BW SZ LS NA ZA "
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG".split()
    ),
    Region.AMERICAS: frozenset(
        # The Caribbean, Central America, South America and Northern America
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA "
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "
        "BM CA GL PM US".split()
    ),
    Region.ASIA: frozenset(
        # Central, Eastern, South-eastern, Southern and Western Asia
        "KZ KG TJ TM UZ "
        "CN HK MO KP JP MN KR TW "
        "BN KH ID LA MY MM PH SG TH TL VN "
        "AF BD BT IN IR MV NP PK LK "
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE".split()
    ),
    Region.EUROPE: frozenset(
        # Eastern, Northern, Southern and Western Europe
        "BY BG CZ HU PL MD RO RU SK UA "
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES "
        "AT BE FR DE LI LU MC NL CH".split()
    ),
    Region.OCEANIA: frozenset(
        # Australia and New Zealand, Melanesia, Micronesia and Polynesia
        "AU NZ NF HM CX CC FJ NC PG SB VU GU KI MH FM NR MP PW UM AS CK PF NU PN WS TK TO TV WF".split()
    ),
    Region.ANTARCTICA: frozenset({"AQ"}),
}

REGION_BY_COUNTRY: dict[str, str] = {code: region for region, codes in COUNTRIES_BY_REGION.items() for code in codes}


def region_of(country: str) -> str:
    """The M49 region of an ISO 3166-1 alpha-2 code (``Region`` value), ``""`` when none is given or known."""
    return REGION_BY_COUNTRY.get(str(country).upper(), "")


def region_when(field: str = "country") -> list[tuple[Q, str]]:
    """``(condition, region)`` pairs for an SQL ``CASE`` that reads the region of ``field`` in the database."""
    return [(Q(**{f"{field}__in": sorted(codes)}), region) for region, codes in COUNTRIES_BY_REGION.items()]
