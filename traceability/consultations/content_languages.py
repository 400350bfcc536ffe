"""The languages a text can be written in (a submission, a process's title and description), and detecting one.

**Codes.** BCP 47 tags, lower case, as Django writes them: a language (``fr``, ``ar``, ``sw``), or a language and
its script or region where the difference is one a reader sees (``zh-hans``, ``zh-hant``, ``pt-br``). The list
(``CODES``) is every language Django names (``django.conf.locale.LANG_INFO``, with its name in its own language),
less the regional variants of English and Spanish, plus the interface's own languages (``settings.LANGUAGES``, so
that the language of the page a form was filled in is always one of them) and a few widely written languages of
the South that Django does not name (``EXTRA``). A blank code means "not recorded".

**Detection.** ``detect`` asks py3langid (a naive Bayes classifier over byte n-grams, BSD-licensed, pure Python
over numpy; its model is loaded once per process, about 0.6 s and 30 MB) which of the listed languages a text is
in, with the probabilities renormalised over the listed ones. A text with fewer than ``MIN_LETTERS`` letters, or
whose best language is less likely than ``MIN_CONFIDENCE``, is not decided: ``submission_language`` then takes the
language of the page the form was filled in. Chinese is told apart by script: characters only Simplified Chinese
uses (GB 2312 has them, Big5 does not) against those only Traditional Chinese uses. The cost is measured in
``tests/test_content_languages.py``: about 0.1 ms for a page of text, under a millisecond at the 20,000 characters
a submission may have (only the first ``DETECT_CHARACTERS`` are read).
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Languages widely written in the South that Django's list leaves out: (name in English, name in the language).
EXTRA = {
    "am": (_("Amharic"), "አማርኛ"),
    "gu": (_("Gujarati"), "ગુજરાતી"),
    "ha": (_("Hausa"), "Hausa"),
    "ht": (_("Haitian Creole"), "Kreyòl ayisyen"),
    "jv": (_("Javanese"), "Basa Jawa"),
    "lo": (_("Lao"), "ລາວ"),
    "mg": (_("Malagasy"), "Malagasy"),
    "mt": (_("Maltese"), "Malti"),
    "ps": (_("Pashto"), "پښتو"),
    "qu": (_("Quechua"), "Runa Simi"),
    "rw": (_("Kinyarwanda"), "Ikinyarwanda"),
    "si": (_("Sinhala"), "සිංහල"),
    "so": (_("Somali"), "Soomaali"),
    "tl": (_("Tagalog"), "Tagalog"),
    "xh": (_("Xhosa"), "isiXhosa"),
    "yo": (_("Yoruba"), "Yorùbá"),
    "zu": (_("Zulu"), "isiZulu"),
}
# Variants whose difference is not one a reader of the text sees: the language stands for them.
_LEFT_OUT = {"ar-dz", "en-au", "en-gb", "es-ar", "es-co", "es-mx", "es-ni", "es-ve", "sr-latn"}
# Right to left, for the languages Django does not describe.
_BIDI_EXTRA = {"ps"}

# In a filter and in an address: submissions whose language was not recorded (BCP 47's "undetermined").
NOT_RECORDED = "und"

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.7
DETECT_CHARACTERS = 4000


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    name: object  # lazy: in the reader's language when read
    name_local: str
    bidi: bool


def _infos() -> dict[str, LanguageInfo]:
    infos: dict[str, LanguageInfo] = {}
    for code, info in LANG_INFO.items():
        if "name_local" in info and code not in _LEFT_OUT:
            infos[code] = LanguageInfo(code, _lazy_django_name(info["name"]), info["name_local"], info["bidi"])
    for code, (name, local) in EXTRA.items():
        infos[code] = LanguageInfo(code, name, local, code in _BIDI_EXTRA)
    for code, _name in settings.LANGUAGES:
        if code.lower() not in infos:  # never: every interface language is one Django names
            info = LANG_INFO[code.lower()]
            infos[code.lower()] = LanguageInfo(code.lower(), _lazy_django_name(info["name"]), info["name_local"], False)
    return dict(sorted(infos.items()))


def _lazy_django_name(name: str) -> object:
    # Django's own catalogues name its languages in every language it ships ("French", "Français", "Francés"...).
    return translation.gettext_lazy(name)


INFOS = _infos()
CODES = tuple(INFOS)


def is_known(code: str) -> bool:
    return code in INFOS


def name(code: str) -> str:
    """The language's name in the reader's language ("French" in English, "français" in French), or ``""``."""
    info = INFOS.get(code)
    return str(info.name) if info is not None else ""


def label(code: str) -> str:
    """A list's label: the name in the reader's language, with the name in the language itself when they differ,
    so that a reader finds their language whatever the page's: "Arabic (العربيّة)"."""
    info = INFOS[code]
    own = str(info.name)
    if own.casefold() == info.name_local.casefold():
        return own
    return f"{own} ({info.name_local})"


@functools.lru_cache(maxsize=16)
def _choices_in(language: str) -> tuple[tuple[str, str], ...]:
    labelled = [(code, label(code)) for code in CODES]
    return tuple(sorted(labelled, key=lambda pair: (pair[1].casefold(), pair[0])))


def choices(codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` of every listed language (or of ``codes``), sorted by label, in the reader's language."""
    every = _choices_in(translation.get_language() or settings.LANGUAGE_CODE)
    if codes is None:
        return list(every)
    wanted = set(codes)
    return [pair for pair in every if pair[0] in wanted]


def page_language() -> str:
    """The language of the page being read (of ``settings.LANGUAGES``; ``fr-ca`` counts as ``fr`` when only ``fr``
    is listed), else blank."""
    active = (translation.get_language() or "").lower()
    offered = {code.lower() for code, _name in settings.LANGUAGES}
    if active in offered:
        return active
    base = active.split("-")[0]
    return base if base in offered else ""


# ----------------------------------------------------------------------------- detection


class LanguageSource(models.TextChoices):
    """How a submission's language was set. Blank: not recorded (filed before languages were recorded)."""

    CHOSEN = "chosen", pgettext_lazy("language", "Chosen by its author")
    DETECTED = "detected", pgettext_lazy("language", "Detected from the text")
    PAGE = "page", pgettext_lazy("language", "The language of the page it was filed on")


_lock = threading.Lock()
_identifier = None


def _detector() -> object:
    """py3langid's classifier, loaded once per process (about 0.6 s): lazily, or at start-up by ``warm_up``."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def warm_up() -> None:
    """Load the classifier now (a server's start-up), so that no filer waits for it."""
    _detector()


@functools.cache
def _detectable() -> dict[str, str]:
    """The classifier's label -> our code, for the listed languages it knows ("zh" is decided by script after)."""
    labels = set(_detector().labels)
    found = {code: code for code in CODES if code in labels}
    if "zh" in labels:
        found["zh"] = "zh"
    return found


def _letters(text: str) -> int:
    return sum(1 for char in text if unicodedata.category(char).startswith("L"))


def chinese_script(text: str) -> str:
    """``zh-hant`` when the text uses more characters only Traditional Chinese has than ones only Simplified
    Chinese has, else ``zh-hans``."""
    simplified = traditional = 0
    for char in text:
        if not "\u4e00" <= char <= "\u9fff":
            continue
        in_gb = _encodes(char, "gb2312")
        in_big5 = _encodes(char, "big5")
        simplified += in_gb and not in_big5
        traditional += in_big5 and not in_gb
    return "zh-hant" if traditional > simplified else "zh-hans"


def _encodes(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Detected:
    code: str  # "" when not decided
    confidence: float


def detect(text: str) -> Detected:
    """The listed language ``text`` is most likely written in, if the text is long enough and the classifier sure
    enough (see the module's docstring); else a blank code."""
    sample = text[:DETECT_CHARACTERS]
    if _letters(sample) < MIN_LETTERS:
        return Detected("", 0.0)
    known = _detectable()
    ranked = [(known[label_], p) for label_, p in _detector().rank(sample) if label_ in known]
    total = sum(p for _code, p in ranked)
    if not ranked or total <= 0:
        return Detected("", 0.0)
    best, p = ranked[0]
    confidence = p / total
    if confidence < MIN_CONFIDENCE:
        return Detected("", confidence)
    if best == "zh":
        best = chinese_script(sample)
    return Detected(best, confidence)


def _same_language(code: str, other: str) -> bool:
    return bool(code) and bool(other) and code.split("-")[0] == other.split("-")[0]


def submission_language(*, title: str, text: str, chosen: str = "", page: str = "") -> tuple[str, str]:
    """``(code, LanguageSource)`` for a submission: the language its author chose, else the one detected from its
    title and text, else the page's (``page``, blank if none). A detected language that is the page's own, more
    precisely tagged (``pt`` on a ``pt-br`` page), takes the page's tag."""
    if chosen:
        return chosen, LanguageSource.CHOSEN
    detected = detect(f"{title}\n{text}").code
    if detected:
        if _same_language(detected, page) and page in INFOS and not detected.startswith("zh"):
            return page, LanguageSource.DETECTED
        return detected, LanguageSource.DETECTED
    return (page if page in INFOS else ""), LanguageSource.PAGE
