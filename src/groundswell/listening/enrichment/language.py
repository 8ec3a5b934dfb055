"""Language of a post, offline: py3langid's bundled naive-Bayes byte n-gram model (97 languages, in its wheel).

Restricted to the languages our customers' posts are in plus their usual neighbours (so a Danish post is
not forced into "nl" or "de"); the source's own language tag, when it has one, wins. Returns "" when the
text has no letters to go on (a link, emoji only) or the model is unsure.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# The seven we must recognise first, then neighbours and other common languages of social posts.
LANGUAGES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "da",
    "sv",
    "no",
    "fi",
    "pl",
    "cs",
    "hu",
    "ro",
    "tr",
    "el",
    "ru",
    "uk",
    "ar",
    "he",
    "hi",
    "ja",
    "zh",
    "ko",
    "id",
    "ca",
]
MIN_CONFIDENCE = 0.3
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def normalise_hint(hint: str) -> str:
    """A source's tag ("en-US", "pt_BR", "DE") → ISO 639-1 ("en", "pt", "de"); "" when it is not one."""
    code = re.split(r"[-_]", hint.strip().lower(), maxsplit=1)[0]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else ""


def detect(text: str, *, hint: str = "") -> str:
    code = normalise_hint(hint)
    if code:
        return code
    body = _NOISE.sub(" ", text)
    if len(_LETTER.findall(body)) < 3:
        return ""
    lang, confidence = identifier().classify(body)
    return str(lang) if confidence >= MIN_CONFIDENCE else ""
