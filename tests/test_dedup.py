"""Near copies: wire rewrites flagged; same-event articles and shared boilerplate not."""

from __future__ import annotations

import itertools
import random

import numpy as np

from cleaner import CleanConfig, DedupConfig, clean_text, find_duplicates
from cleaner.corpus.near_copies import NearDuplicateIndex
from cleaner.corpus.signatures import fingerprint, jaccard, minhash, shingle_hashes
from tests.conftest import sample_paths


def cleaned_samples(config: CleanConfig) -> list[tuple[str, str]]:
    docs = []
    for path in sample_paths():
        doc = clean_text(path.read_text(encoding="utf-8"), config=config, doc_id=path.name[:3])
        docs.append((doc.id, doc.text))
    return docs


def test_sample_wire_rewrites_flagged_and_nothing_else(config: CleanConfig) -> None:
    found = find_duplicates(cleaned_samples(config))
    assert [(d.id, d.duplicate_of) for d in found] == [("001", "000")]
    assert 0.15 < found[0].similarity < 0.4


def test_same_event_articles_are_far_below_the_threshold(config: CleanConfig) -> None:
    texts = dict(cleaned_samples(config))
    same_event = jaccard(shingle_hashes(texts["000"]), shingle_hashes(texts["002"]))
    assert same_event < DedupConfig().threshold / 5


def test_exact_copies_flagged_with_similarity_one(config: CleanConfig) -> None:
    text = dict(cleaned_samples(config))["003"]
    found = find_duplicates([("b", text), ("a", text)])
    assert [(d.id, d.duplicate_of, d.similarity) for d in found] == [("b", "a", 1.0)]


WORDS = (
    "minister army talks border city province rebels forces government attack week "
    "officials report strike troops meeting region statement capital leader"
).split()


def article(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    sentences = []
    for _ in range(words // 12):
        sentence = " ".join(rng.choice(WORDS) for _ in range(12))
        sentences.append(sentence.capitalize() + ".")
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


BOILERPLATE = """Stay informed with our newsletters
Sign up to get the latest alerts, insights and analysis delivered to your inbox every morning
Leave a Reply
Your email address will not be published.
Required fields are marked *
Save my name, email, and website in this browser for the next time I comment.
© 2024 Example News Media Group. All rights reserved. This material may not be published, broadcast, rewritten or redistributed without permission from the publisher."""


def test_pages_sharing_only_boilerplate_are_not_flagged(config: CleanConfig) -> None:
    raw = [(f"p{i}", f"Headline {i}\n\n{article(i, 60)}\n\n{BOILERPLATE}") for i in range(2)]
    raw_similarity = jaccard(shingle_hashes(raw[0][1]), shingle_hashes(raw[1][1]))
    assert raw_similarity >= DedupConfig().threshold  # flagged if boilerplate were kept
    cleaned = [(doc_id, clean_text(text, config=config).text) for doc_id, text in raw]
    assert "newsletter" not in cleaned[0][1]
    assert find_duplicates(cleaned) == []


def rewrite(text: str, keep: float, seed: int) -> str:
    """A wire rewrite: keep some sentences, replace the rest with new ones."""
    rng = random.Random(seed)
    out = []
    for sentence in text.split(". "):
        out.append(sentence if rng.random() < keep else article(rng.randrange(10**6), 12))
    return ". ".join(out)


def test_low_similarity_rewrites_are_found_by_lsh() -> None:
    base = article(1, 600)
    copy = rewrite(base, keep=0.45, seed=2)
    similarity = jaccard(shingle_hashes(base), shingle_hashes(copy))
    assert 0.12 < similarity < 0.35
    docs = [("base", base), ("copy", copy)] + [
        (f"other{i}", article(100 + i, 600)) for i in range(30)
    ]
    found = find_duplicates(docs)
    assert [(d.id, d.duplicate_of) for d in found] == [("copy", "base")]


def test_canonical_choice_does_not_depend_on_input_order() -> None:
    long = article(5, 400)
    short = long[: len(long) // 2]
    docs = [("z-long", long), ("a-short", short), ("m-exact", long)]
    first = find_duplicates(docs)
    second = find_duplicates(list(reversed(docs)))
    assert sorted((d.id, d.duplicate_of) for d in first) == sorted(
        (d.id, d.duplicate_of) for d in second
    )
    # Longest wins; between equally long versions, the smaller id.
    assert {d.duplicate_of for d in first} == {"m-exact"}


def test_vectorised_minhash_equals_direct_computation() -> None:
    """The numpy signature equals one-permutation hashing with densification done one
    shingle and one bin at a time: each bin keeps the low 32 bits of its smallest hash."""
    from cleaner.corpus.signatures import _probe_table

    mask, low = (1 << 64) - 1, (1 << 32) - 1

    def mix(x: int) -> int:
        z = (x + 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    bins, seed = 64, 7
    key = int(np.random.default_rng(seed).integers(0, 2**63, dtype=np.uint64))
    probes = _probe_table(bins, seed).tolist()
    for text in (article(9, 200), article(10, 30), "just four words here"):
        hashes = shingle_hashes(text)
        smallest: list[int | None] = [None] * bins  # the smallest mixed hash in each bin
        for h in hashes.tolist():
            mixed = mix(h ^ key)
            slot = ((mixed >> 32) * bins) >> 32
            if smallest[slot] is None or mixed < smallest[slot]:  # type: ignore[operator]
                smallest[slot] = mixed
        direct = [low if m is None else m & low for m in smallest]
        filled = [m is not None for m in smallest]
        dense = list(direct)
        for slot in range(bins):
            if not filled[slot]:
                source = next((p for p in probes[slot] if filled[p]), None)
                if source is not None:
                    dense[slot] = direct[source]
        assert minhash(hashes, bins, seed).tolist() == dense


def test_minhash_estimates_jaccard() -> None:
    base = article(3, 600)
    copy = rewrite(base, keep=0.6, seed=4)
    exact = jaccard(shingle_hashes(base), shingle_hashes(copy))
    a, b = fingerprint(base, DedupConfig()), fingerprint(copy, DedupConfig())
    estimate = float(np.mean(a.signature == b.signature))
    assert abs(estimate - exact) < 0.07


def test_empty_texts_never_pair() -> None:
    index = NearDuplicateIndex()
    for doc_id in ("a", "b"):
        index.add(doc_id, fingerprint("", index.config))
    assert index.candidate_pairs().tolist() == []


ABOUT_COMPANY = (
    "About Northwind Analytics: Northwind Analytics is a white label, ready-to-implement "
    "data platform for publishers, agencies and media groups. The company's patented "
    "optimisation engine personalises content and advertising across desktop and mobile, "
    "and its open exchange connects media groups with third party demand and supply "
    "partners. Founded in 2009, Northwind Analytics employs more than 300 people in New "
    "York, London, Tel Aviv and Singapore, and serves over 1,200 brands including leading "
    "Fortune 100 companies. Its flexible model works with any business blueprint, supports "
    "every ad unit and comes with a full suite of tools for control and customisation. "
    "For more information, please visit www.northwind-analytics.example.com or follow the "
    "company on social media for the latest product news and research."
)


def test_press_releases_sharing_only_a_template_are_not_flagged() -> None:
    releases = [
        (
            f"release-{i}",
            f"NEW YORK, NY\n\n{article(40 + i, 400)}\n\n{ABOUT_COMPANY}\n\nMedia contact: Jane Doe",
        )
        for i in range(2)
    ]
    a, b = (shingle_hashes(text) for _, text in releases)
    # In the range where Jaccard alone would flag them:
    assert DedupConfig().threshold <= jaccard(a, b) < DedupConfig().spread_below
    assert find_duplicates(releases) == []


def test_rewrite_sharing_many_paragraphs_is_flagged_despite_a_shared_template() -> None:
    body = article(50, 300)
    releases = [
        ("original", f"{body}\n\n{ABOUT_COMPANY}"),
        ("reworded", f"{rewrite(body, keep=0.7, seed=8)}\n\n{ABOUT_COMPANY}"),
    ]
    assert [(d.id, d.duplicate_of) for d in find_duplicates(releases)] != []


REGISTRATION_WALL = """Your browser does not support the audio element.
Register for free to continue reading
Already have an account? Log in
Create a free account to read five articles a month and get our daily briefing.
You have reached your free article limit.
Stay informed with our newsletters
Sign up to get the latest alerts, insights and analysis"""


def test_pages_sharing_only_a_registration_wall_are_not_flagged(config: CleanConfig) -> None:
    raw = [
        (f"w{i}", f"Headline {i}\n\n{article(70 + i, 50)}\n\n{REGISTRATION_WALL}") for i in range(2)
    ]
    raw_similarity = jaccard(shingle_hashes(raw[0][1]), shingle_hashes(raw[1][1]))
    assert raw_similarity >= DedupConfig().threshold
    cleaned = [(doc_id, clean_text(text, config=config).text) for doc_id, text in raw]
    assert all("audio element" not in text and "Register" not in text for _, text in cleaned)
    assert find_duplicates(cleaned) == []


def test_word_hashes_ignore_case_and_punctuation_and_follow_word_boundaries() -> None:
    import re

    from cleaner.corpus.signatures import word_hashes

    text = "Hello, World! Straße – café_au_lait 123 日本語 テスト naïve"
    assert len(word_hashes(text)) == len(re.findall(r"\w+", text))
    assert word_hashes("hello world").tolist() == word_hashes("HELLO... world!!").tolist()
    assert len(set(word_hashes("one two three two one").tolist())) == 3
    assert word_hashes("").tolist() == []


def test_word_characters_are_what_isalnum_and_underscore_say_for_every_code_point() -> None:
    from cleaner.corpus.signatures import _WordCharacters

    direct = np.fromiter((chr(code).isalnum() for code in range(0x110000)), bool, 0x110000)
    direct[ord("_")] = True
    # Filled a plane at a time, as texts reach them.
    table = _WordCharacters()
    bmp = table.below(0x10000)
    assert np.array_equal(bmp[:0x10000], direct[:0x10000]) and not bmp[0x10000:].any()
    assert np.array_equal(table.below(0x1F600 + 1)[:0x20000], direct[:0x20000])
    assert np.array_equal(table.below(0x110000), direct)
    assert table.below(0x41) is table.below(0x110000)


def test_a_text_on_many_pages_forms_one_cluster_without_quadratic_pairs() -> None:
    text = article(60, 300)
    docs = [(f"copy{i:02d}", text) for i in range(40)] + [("other", article(61, 300))]
    index = NearDuplicateIndex()
    for doc_id, body in docs:
        index.add(doc_id, fingerprint(body, index.config))
    assert len(index.candidate_pairs()) < 40 * 39 // 2  # a chain, not all pairs
    found = find_duplicates(docs)
    assert {d.duplicate_of for d in found} == {"copy00"}
    assert sorted(d.id for d in found) == [f"copy{i:02d}" for i in range(1, 40)]
    assert {d.similarity for d in found} == {1.0}


def _reference_codes(bands: list[int], keys: list[int], docs: list[int], count: int) -> set[int]:
    """Candidate pairs the slow, obvious way: group by (band, key), all pairs of a group of
    up to eight, else the chain through its members in order."""
    groups: dict[tuple[int, int], list[int]] = {}
    for band, key, doc in zip(bands, keys, docs, strict=True):
        groups.setdefault((band, key), []).append(doc)
    codes = set()
    for members in groups.values():
        members.sort()
        if len(members) <= 8:
            pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        else:
            pairs = list(itertools.pairwise(members))
        codes.update(a * count + b for a, b in pairs)
    return codes


def test_candidate_buckets_match_a_direct_grouping() -> None:
    """Buckets of every size from 1 to 30, over several bands, documents in any order (as
    a shuffle partition of the distributed engine receives them)."""
    from cleaner.corpus.near_copies import colliding_codes

    rng = random.Random(3)
    count = 400
    for _ in range(20):
        bands, keys, docs = [], [], []
        for band in range(3):
            members = rng.sample(range(count), 300)
            start = 0
            while start < len(members):
                size = rng.choice([1, 1, 2, 3, 5, 8, 9, 30])
                key = rng.getrandbits(64)
                for doc in members[start : start + size]:
                    bands.append(band)
                    keys.append(key)
                    docs.append(doc)
                start += size
        shuffled = list(zip(bands, keys, docs, strict=True))
        rng.shuffle(shuffled)
        b, k, d = (list(column) for column in zip(*shuffled, strict=True))
        found = colliding_codes(
            np.array(b, np.int64), np.array(k, np.uint64), np.array(d, np.intp), count,
            DedupConfig(),
        )  # fmt: skip
        assert set(found.tolist()) == _reference_codes(b, k, d, count)


GLUED_FOOTER = (
    " Follow Example Daily on Twitter, Instagram, Facebook, Telegram and YouTube, and stay in "
    "the know with what is happening in the world around you, in real time. Example Daily is "
    "part of the Example Media network; no part of this story may be reproduced without the "
    "prior written permission of the publisher."
)
GLUED_HEADER = "Your browser does not support the audio element. Listen to this story now."


def test_articles_of_one_site_sharing_a_glued_header_and_footer_are_not_near_copies() -> None:
    """Seven different articles, each one paragraph with the site's player fallback glued
    on at the start and its "follow us" and copyright run at the end, no line breaks: they
    share 5-grams only at their two edges, which is a template, not a copy."""
    rng = random.Random(21)
    vocabulary = (
        "council budget harbour minister election river school hospital market police "
        "bridge court farmers strike vote report energy prices water trains"
    ).split()
    texts = []
    for number in range(7):
        body = " ".join(rng.choice(vocabulary) for _ in range(90))
        texts.append((f"article-{number}", f"{GLUED_HEADER} {body}.{GLUED_FOOTER}"))
    pairs = [(a, b) for (_, a), (_, b) in itertools.combinations(texts, 2)]
    shared = [jaccard(shingle_hashes(a), shingle_hashes(b)) for a, b in pairs]
    assert min(shared) > DedupConfig().threshold  # Jaccard alone would flag every pair
    assert find_duplicates(texts) == []


def test_a_copy_inside_a_longer_version_is_still_a_copy() -> None:
    """A story and the same story with more paragraphs after it: the shared text is one
    stretch at the start of both, but it is all of the shorter text."""
    rng = random.Random(4)
    words = "the council said budget harbour vote rise money schools roads police".split()
    story = " ".join(rng.choice(words) + str(rng.randrange(50)) for _ in range(120))
    more = " ".join(rng.choice(words) + str(rng.randrange(50, 99)) for _ in range(250))
    found = find_duplicates([("short", story), ("long", f"{story}\n{more}")])
    assert [(d.id, d.duplicate_of) for d in found] == [("short", "long")]


APPEAL = (
    "For years I have written this blog for free and taken no fee for my talks, so that no "
    "one can say I serve a party. But that has its price: my savings are used up now. I am "
    "grateful for every gift, large or small, that lets me carry on this work."
)


def test_a_blogs_posts_with_its_appeal_under_each_headline_and_a_counted_widget_differ() -> None:
    """Each post of one blog, flattened into one line by a scraper: its headline, the same
    appeal under it, the post, and the category widget, whose counts change from day to
    day. What they share opens each text after its headline and ends it: a template."""
    rng = random.Random(30)
    vocabulary = (
        "council budget harbour minister election river school hospital market police "
        "bridge court farmers strike vote report energy prices water trains"
    ).split()
    texts = []
    for number in range(4):
        headline = " ".join(rng.choice(vocabulary).capitalize() for _ in range(11))
        post = " ".join(rng.choice(vocabulary) for _ in range(70))
        widget = (
            f"Quotes on freedom (51) Press ({4 + number}) Essays ({17 + 3 * number}) "
            "Reports from abroad (9) Summaries (99)"
        )
        texts.append((f"post-{number}", f"{headline} {APPEAL} {post}. {widget}"))
    pairs = itertools.combinations([text for _, text in texts], 2)
    assert min(jaccard(shingle_hashes(a), shingle_hashes(b)) for a, b in pairs) > 0.15
    assert find_duplicates(texts) == []


def test_a_short_story_copied_under_an_own_opening_with_its_figures_updated_is_a_copy() -> None:
    """An outlet puts its own opening over a short agency story and updates its figures:
    all the story shares is one stretch at its start and the copy's end, but the story has
    no body of its own left around it, so it is a copy, not a template."""
    rng = random.Random(31)
    words = "the council said budget harbour vote rise money schools roads police".split()
    pieces = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(5)]
    story = " ".join(f"{piece} {10 + n}" for n, piece in enumerate(pieces))
    updated = " ".join(f"{piece} {20 + n}" for n, piece in enumerate(pieces))
    opening = " ".join(rng.choice(words) + str(rng.randrange(100, 999)) for _ in range(90))
    shared = np.intersect1d(shingle_hashes(story), shingle_hashes(f"{opening} {updated}"))
    assert len(shared) < 0.8 * len(shingle_hashes(story))  # not contained: figures changed
    found = find_duplicates([("agency", story), ("outlet", f"{opening} {updated}")])
    assert [(d.id, d.duplicate_of) for d in found] == [("agency", "outlet")]


def test_two_articles_pasting_one_background_passage_under_their_own_leads_differ() -> None:
    """Two articles on the aftermath of one event, each with its own news first, then the
    same background passage an agency supplied ("What happened?"), broken once by a
    subheading in one of them and followed by more of its own in the other: one shared
    passage after an own lead is background, not a copy. A text with no lead of its own
    before the passage stays a copy of the longer one."""
    rng = random.Random(44)
    vocabulary = (
        "council budget harbour minister election river school hospital market police "
        "bridge court farmers strike vote report energy prices water trains"
    ).split()

    def words(count: int) -> str:
        return " ".join(rng.choice(vocabulary) + str(rng.randrange(100)) for _ in range(count))

    background = [words(35), words(30)]
    first = f"{words(60)} What happened? {background[0]} {background[1]}"
    second = f"{words(40)} {background[0]} Orders given {background[1]} {words(35)}"
    assert 0.15 < jaccard(shingle_hashes(first), shingle_hashes(second)) < 0.5
    assert find_duplicates([("first", first), ("second", second)]) == []
    copy = f"{background[0]} {background[1]} {words(20)}"
    found = find_duplicates([("copy", copy), ("second", second)])
    assert [(d.id, d.duplicate_of) for d in found] == [("copy", "second")]
