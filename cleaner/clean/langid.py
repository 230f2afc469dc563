"""Language identification with langdetect, made deterministic."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from functools import lru_cache

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

# langdetect samples n-grams at random; a fixed seed makes a page's language the same on
# every run and in every worker.
DEFAULT_SEED = 0
# 600 characters of prose decide the language as well as the whole text does: on the
# ScrapingHub pages (362 samples, extracted HTML and full-page text) not one answer changes
# against 3,000 characters and langdetect's default seven trials, which cost 2.5 times more.
DEFAULT_PREFIX_CHARS = 600
_TRIALS = 2
_MIN_LETTERS = 20


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None
    prob: float | None


@lru_cache(maxsize=1)
def load_profiles() -> Profiles:
    """The language profiles, read once per process (read-only after loading).

    The collector is paused while they load: they are 90,000 new lists, which would set off
    collection after collection, each walking everything loaded so far (a third of the
    loading time, and every batch pays it before its first document).
    """
    factory = Profiles()
    collecting = gc.isenabled()
    gc.disable()
    try:
        factory.load_profile(PROFILES_DIRECTORY)
        factory.index_grams()
    finally:
        if collecting:
            gc.enable()
    return factory


def detect_language(
    text: str, seed: int = DEFAULT_SEED, prefix_chars: int = DEFAULT_PREFIX_CHARS
) -> LanguageGuess:
    """Most probable language (ISO 639-1, as langdetect names it) and its probability."""
    sample = text[:prefix_chars]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return LanguageGuess(None, None)
    detector = load_profiles().create()
    detector.seed = seed
    detector.n_trial = _TRIALS
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return LanguageGuess(None, None)
    return LanguageGuess(best.lang, round(best.prob, 4))


# langdetect normalises each character through a chain of Unicode-block tests: a page's
# few hundred distinct characters are worked out once and then looked up.
_normalised = lru_cache(maxsize=8192)(NGram.normalize)


class Profiles(DetectorFactory):  # type: ignore[misc]
    """langdetect's profiles, with the n-grams of the words detection has met.

    The memo is bounded and cleared when full: a batch's frequent words keep coming back.
    Its n-grams are the profiles' own strings, so an entry costs a word and two tuples
    (about 0.3 KB; 20,000 words, 7 MB a process), not a string for every n-gram.
    """

    WORDS_REMEMBERED = 20_000

    def __init__(self) -> None:
        super().__init__()
        self.word_grams: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._grams: dict[str, str] = {}

    def index_grams(self) -> None:
        """Index the profiles' n-gram strings (at load, so that forked workers share it)."""
        self._grams = {gram: gram for gram in self.word_lang_prob_map}

    def gram(self, text: str) -> str | None:
        """The profiles' own string for an n-gram they know, else None."""
        if not self._grams:
            self.index_grams()
        return self._grams.get(text)

    def create(self, alpha: float | None = None) -> Detector:
        detector = QuickDetector(self)
        if alpha is not None:
            detector.set_alpha(alpha)
        return detector


class QuickDetector(Detector):  # type: ignore[misc]
    """langdetect's Detector with its n-gram extraction done a word at a time: the same
    n-grams in the same order (a test holds it to the stock detector), so the same random
    draws and the same probabilities.

    Detection was a tenth of the cleaning time of a page (about 1.5 of 19.5 ms on
    ScrapingHub). Extraction, a third of it, called a method and a normaliser for every
    character; its n-grams depend only on each space-delimited word of the normalised text,
    and a page's words repeat within it and across a batch (0.5 -> 0.1 ms a page).
    """

    def __init__(self, profiles: Profiles) -> None:
        super().__init__(profiles)
        self.profiles = profiles

    def _extract_ngrams(self) -> list[str]:
        found: list[str] = []
        memo = self.profiles.word_grams
        words = "".join(map(_normalised, self.text)).split(" ")
        last = len(words) - 1
        for number, word in enumerate(words):
            if not word:
                continue
            grams = memo.get(word)
            if grams is None:
                grams = self._word_grams(word)
                if len(memo) >= Profiles.WORDS_REMEMBERED:
                    memo.clear()
                memo[word] = grams
            found.extend(grams[0])
            if number < last:  # a space follows: the n-grams that end with it
                found.extend(grams[1])
        return found

    def _word_grams(self, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The known n-grams langdetect takes while reading `word` after a space, and those
        it takes on the space after it. A character counts only outside a run of capitals
        (from a word's second capital in a row to its next small letter)."""
        known = self.profiles.gram
        inside: list[str] = []
        padded = " " + word
        capital = False
        for end in range(1, len(padded)):
            capital = padded[end].isupper() and (capital or padded[end - 1].isupper())
            if capital:
                continue
            for size in range(1, min(end + 1, NGram.N_GRAM) + 1):
                gram = known(padded[end + 1 - size : end + 1])
                if gram is not None:
                    inside.append(gram)
        after = (padded + " ")[-NGram.N_GRAM :]
        trailing = [gram for gram in map(known, (after[-2:], after)) if gram is not None]
        return tuple(inside), tuple(trailing)
