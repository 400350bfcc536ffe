"""Arabic: Django's locale has a date format but no date-and-time one (it would fall back to the English "P",
"2:05 p.m."); this one follows its date format with a 24-hour time."""

DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d/m/Y، H:i"
