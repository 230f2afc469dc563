"""Language identification with langdetect, made deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

# langdetect samples n-grams at random; a fixed seed makes a page's language the same on
# every run and in every worker.
DEFAULT_SEED = 0
# The first few thousand characters decide the language as well as the whole text does,
# and detection time grows with length.
DEFAULT_PREFIX_CHARS = 3000
_MIN_LETTERS = 20


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None
    prob: float | None


@lru_cache(maxsize=1)
def _profiles() -> DetectorFactory:
    """The language profiles, read once per process (read-only after loading)."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def detect_language(
    text: str, seed: int = DEFAULT_SEED, prefix_chars: int = DEFAULT_PREFIX_CHARS
) -> LanguageGuess:
    """Most probable language (ISO 639-1, as langdetect names it) and its probability."""
    sample = text[:prefix_chars]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return LanguageGuess(None, None)
    detector = _profiles().create()
    detector.seed = seed
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return LanguageGuess(None, None)
    return LanguageGuess(best.lang, round(best.prob, 4))
