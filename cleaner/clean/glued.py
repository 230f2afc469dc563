"""Clutter glued into paragraphs: judged sentence by sentence, in many languages.

Text that an extractor already flattened (newspaper3k, news-please, news datasets) carries
the page's cookie banner, captcha wall, newsletter form and "follow us" line inside the
article's paragraphs, often with no line break at all, so the line filters never see them
as lines of their own. Here every line is split into sentences (cleaner.clean.sentences)
where it holds a cue of some clutter family, and each sentence is judged on its own: a
sentence of a family is removed with the family's rule, and the article sentences around it
stay, in order (a paragraph cut in its middle becomes two, so no text is ever joined that
the page did not have together).

Families are described by what they say, in several languages, not by any site's wording:
a cookie word with a consent verb, "I am not a robot", a player that the browser "does not
support", a form's "please enter your e-mail". A sentence longer than its family allows is
left alone: glued clutter is short, and a long sentence that mentions cookies is an article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cleaner.clean.sentences import kept_pieces, sentence_spans
from cleaner.clean.text import word_count
from cleaner.document import Document, Removal


@dataclass(frozen=True)
class Family:
    """A kind of glued clutter: its rule name, what a sentence of it says (`all` must all be
    found in the sentence), and the longest sentence it can be."""

    rule: str
    all: tuple[re.Pattern[str], ...]
    max_words: int


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_COOKIE = _any(r"\bcookies?\b", r"\bçerez", r"ملفات تعريف الارتباط", r"الكوكيز", r"\bciasteczk")
# What a cookie notice speaks of besides cookies: the site, consent, privacy, settings. A
# recipe's cookie sheet speaks of none of these.
_CONSENT = _any(
    r"\b(website|site|browser|browsing|consent|accept|agree|privacy|settings|preferences"
    r"|policy|experience)",
    r"(webseite|website|seite|zustimm|einverstanden|akzeptier|datenschutz|einstellung"
    r"|einwillig|nutzererlebnis|surf|verwende|nutzung|einsetze)",
    r"(sitio|web|naveg|acept|consentimiento|privacidad|configura|política|utiliza|usamos)",
    r"(\bsite|navigat|accept|consent|confidentialité|paramètr|politique|utilis)",
    r"(stron|witryn|zgod|akcept|prywatności|ustawie|polityk|przeglądar|używa|wykorzyst)",
    r"(\bsite|\bweb|izin|kabul|politika|gizlilik|tarayıcı|kullan)",
    r"(\bsito|navigazione|accett|consenso|informativa|utilizz)",
    r"(موقع|موافق|سياسة|الخصوصية|نستخدم)",
)
# Notices speak to the reader ("we use cookies", "you agree"); news about cookie law does not.
_ADDRESSED = _any(
    r"\b(we|our|us|you|your)\b",
    r"\b(wir|unser\w*|sie|ihnen|ihre?[mnrs]?|du|dein\w*)\b",
    r"\b(nuestr[oa]s?|nosotros|usted\w*|tu|tus|te|su|sus)\b",
    r"\b(nous|notre|nos|vous|votre|vos)\b",
    r"\b(nasz\w*|my|państw\w*|twoj\w*|twój|ci|użytkownik\w*|czytelnik\w*)\b",
    r"\w+m[ıiuü]z\w*|\w+s[ıiuü]n[ıiuü]z\b|\b(siz|bizim)\b",
    r"\b(noi|nostr[oaie]|vostr[oaie]|tuo|tua)\b",
    r"(نحن|موقعنا|لك|نستخدم)",
)
_AGREE_BY_ACTING = _any(
    r"\bby (registering|signing up|subscribing|clicking|continuing|using|creating)",
    r"\bindem sie\b",
    r"\b(al|si) (hacer clic|registrarte|continuar|suscribirte)",
    r"\ben (cliquant|poursuivant|vous inscrivant)",
    r"\bklikając\b",
    r"devam ederek",
    r"\bcliccando\b",
)
_TERMS = _any(
    r"privacy (policy|notice|statement)|terms (of (use|service)|and conditions|& conditions)",
    r"datenschutz(erklärung|bestimmungen|hinweise)|nutzungsbedingungen|\bagb\b",
    r"política de privacidad|términos (y condiciones|de uso)|aviso de privacidad",
    r"politique de confidentialité|conditions (générales|d'utilisation)",
    r"polityk\w* prywatności|regulamin",
    r"gizlilik politika\w*|kullanım koşul\w*",
    r"informativa (sulla )?privacy|termini (e condizioni|di (uso|servizio))",
    r"سياسة الخصوصية",
)
_TECHNICAL_DATA = _any(
    r"(anonymi[sz]ed|anonymous|anonymisiert\w*|anonimow\w*|anónim\w*|anonymes?)\s.{0,40}"
    r"(informationen|informacje|información|informations?|information|daten|datos|dane)",
    r"(technical|technische\w*|técnic\w*|techniques?|techniczn\w*)\s.{0,20}"
    r"(anonymi|anonymous|anonymisiert|anonim|anónim|anonymes?)",
)
# Pointers to the privacy policy and notices about processing the reader's data.
_PRIVACY = _any(
    r"polityc\w* prywatności|privacy policy|datenschutzerklärung|datenschutzhinweis\w*",
    r"política de privacidad|politique de confidentialité|gizlilik politika\w*",
    r"datenschutzrichtlinie\w*|datenschutzbestimmung\w*",
    r"przetwarzani\w* (danych|twoich danych)",
    r"verarbeitung (ihrer|der|personenbezogener)( \w+)? (daten|informationen)",
    r"processing of (your )?(personal )?(data|information)|tratamiento de (sus |tus )?datos",
    r"traitement de (vos )?données|kişisel veri\w*",
)
# The reader addressed as "you" (German's polite Sie/Ihr only when capitalised: a report on
# what "ihre Zustimmung" means for others is news).
_READER = _any(
    r"\b(you|your)\b",
    r"(?-i:\b(Sie|Ihr\w*|Ihnen)\b)|\b(du|dein\w*)\b",
    r"\b(usted\w*|tu|tus|te)\b",
    r"\b(vous|votre|vos)\b",
    r"\b(twoj\w*|twój|ci|państw\w*)\b",
    r"\w+s[ıiuü]n[ıiuü]z\b|\bsiz\b",
    r"\b(tuo|tua|vostr[oaie])\b",
    r"(لك|أنت)",
)
# Asking for, or explaining how to withdraw, the reader's consent.
_AGREE = _any(
    r"\byou (agree|consent|accept)|\byour consent|withdraw (your )?consent",
    r"stimm(en sie|st du)\b.{0,80}\bzu\b|einverstanden|zustimmung|einwilligung|widerruf",
    r"\b(aceptas?|consientes?|consentimiento|revocar)\b",
    r"vous (acceptez|consentez)|consentement|retirer votre",
    r"zgadzasz|wyrażasz zgodę|\bzgod[ęay]\b|wycofa",
    r"kabul ediyorsunuz|onay\w*|rıza\w*",
    r"\b(accetti|acconsenti|consenso|revoca)\b",
    r"توافق|موافقت",
)
_POINTER = _any(
    r"\b(find|see|read|details|more information|learn more|click)\b",
    r"(finden|siehe|details|weitere informationen|erfahren)",
    r"(encontrar|consulta|más información|detalles)",
    r"(trouverez|consultez|plus d'informations|détails)",
    r"(znajdziesz|można znaleźć|szczegół|więcej informacji|zgod)",
    r"(bulabilir|detaylı bilgi|ayrıntılı)",
)
_CAPTCHA = _any(
    r"nie jestem robotem",
    r"kein roboter",
    r"no soy un robot",
    r"pas un robot",
    r"robot değilim",
    r"\bnot a robot\b",
    r"لست روبوت",
    r"non sono un robot",
    r"(unusual|ungewöhnlich\w*|inusual|inhabituel\w*|ogromn\w+)\s.{0,40}"
    r"(traffic|datenverkehr|tráfico|trafic|ilość połączeń|liczb\w+ połączeń|anfragen)",
    r"nadu\w* adres\w* ip",
    r"(twój|your|ihre?|tu|votre) (adres |)(ip|ip-adresse|adresse ip)\b",
    r"\bcaptcha\b",
)
_ADBLOCK = _any(
    r"ad-?block\w*",
    r"ublock\w*",
    r"werbe-?blocker\w*",
    r"\bad blocker",
    r"bloqueador(es)? de (anuncios|publicidad)",
    r"bloqueur\w* de pub\w*",
    r"reklam engelle\w*",
    r"مانع الإعلانات",
)
_DISABLE = _any(
    r"disabl|turn(ing)? off|whitelist|allow|exception|pause",
    r"deaktivier|ausschalt|abschalt|zulassen|ausnahme",
    r"desactiv|desabilit|permit",
    r"désactiv|autoris",
    r"wyłącz|wyjąt",
    r"kapat|devre dışı",
    r"disattiv",
)
_REGISTRATION_WALL = _any(
    r"(register|sign in|sign up|log in|subscribe)\w*\s.{0,40}"
    r"(to (continue|read|access|keep reading|unlock)|for (free )?(full|unlimited) access)",
    r"subscribing to our services",
    r"already (a subscriber|have an account)",
    r"create (a free|an) account",
    r"(bereits|schon) (abonnent|registriert|kunde)",
    r"(jetzt|kostenlos) (registrieren|anmelden)\s.{0,30}(weiterlesen|lesen)",
    r"zum weiterlesen",
    r"(ya eres suscriptor|ya tienes (una )?cuenta|regístrate (gratis|para))",
    r"(déjà abonné|abonnez-vous pour (lire|continuer)|inscrivez-vous gratuitement)",
    r"(masz już konto|zaloguj się, aby)",
    r"(zaten üye|abone olun)",
)
_PLAYER = _any(
    r"(your|ihr|tu|votre|twoja|il tuo) (browser|navegador|navigateur|przeglądarka)\s.{0,50}"
    r"(does not|doesn't|do not|cannot|can't|unterstützt|no (soporta|admite|es compatible)"
    r"|ne (supporte|prend|permet)|nie (wspiera|obsługuje)|non supporta)",
    r"tarayıcınız .{0,40}(desteklemiyor|desteklememektedir)",
    r"متصفحك لا يدعم",
    r"(enable|aktivieren sie|habilita|activez|włącz|etkinleştir)\w*\s.{0,20}javascript",
    r"javascript (must be|is) (enabled|disabled|required)",
    r"(audio|video) (element|tag|playback)\b.{0,30}(not supported|support)",
)
_NEWSLETTER = _any(
    r"newsletter|boletín|bulletin|biuletyn|bülten|نشرة",
)
_SIGN_UP = _any(
    r"sign up|subscribe|inbox|register|e-?mail",
    r"abonn|anmeld|bestell|postfach",
    r"suscr|inscr|correo|recib",
    r"zapisz|subskryb|zamów",
    r"abone|kayıt|e-posta",
    r"اشترك|بريد",
    r"iscriv",
)
_ALERTS = _any(
    r"(breaking news|news|push) (alerts?|notifications)",
    # Only an invitation to get them: the word is an article's too ("quatre alertes en…").
    r"(recevez|recevoir|activez|activer|inscrivez-vous aux?)\s(\w+\s){0,3}alertes\b",
    r"(recibe|recibir|activa|activar|suscríbete a)\s(\w+\s){0,3}alertas\b",
    r"(włącz|otrzymuj|otrzymywać)\s(\w+\s){0,2}powiadomienia\b",
    r"bildirimler\w*\s(aç|etkinleştir|alın|almak)",
    r"ne ratez aucun",
    r"nie przegap\w*",
    r"(verpassen sie|verpasse) (keine|nichts)",
    r"don'?t miss (a|any) (story|article|update)",
    r"\b(our|unsere[nr]?|nuestra|notre|naszą|nasz\w*|la nostra)\s(\w+\s)?(free |kostenlose\w* )?"
    r"(app|aplicación|application|aplikacj\w*|uygulama\w*)\b",
    r"uygulamamız\w*",
)
# "Follow us on ...": an imperative near the start of its sentence ("Like Instagram's head,
# Twitter's chief has spoken about followers" is an article's sentence).
_FOLLOW = _any(
    r"^\W*(\w+\W+){0,3}?(follow|folgen sie|folge uns|síguenos|sígueme|suivez(-nous)?|obserwuj"
    r"|seguici|siga-nos|تابعونا|like us)\b",
    r"\b(takip edin|puedes? seguir)",
)
_NETWORKS = _any(
    r"facebook|twitter|instagram|telegram|tiktok|youtube|linkedin|whatsapp|google news"
    r"|google noticias|pinterest|snapchat|threads|\bx\.com"
)
_SYNDICATED = _any(
    r"(this|the) (story|article|report) has not been edited",
    r"auto-generated from a syndicated feed",
    r"(published|generated) from a (wire|syndicated) (agency )?feed",
    r"only the (headline|image|picture)s? .{0,60}(changed|edited|reworked)",
    r"all rights reserved",
    r"alle rechte vorbehalten",
    r"(todos los )?derechos reservados",
    r"tous droits réservés",
    r"wszelkie prawa zastrzeżone",
    r"tüm hakları saklıdır",
    r"جميع الحقوق محفوظة",
    r"tutti i diritti riservati",
    r"(may|must) not be (reproduced|republished|redistributed|copied)",
    r"(nie mogą|nie może) być .{0,20}(reprodukowan|rozpowszechnian|kopiowan)",
    r"derechos de autor prohíbe",
    r"(darf|dürfen) (nicht )?.{0,30}ohne .{0,40}(genehmigung|zustimmung)",
    r"without (the )?(prior |express )(written )?permission",
    r"without (the )?written permission",
    r"özel izinsiz",
    r"original-(content|inhalt) von",
    r"\b(is|ist) (part|teil) (of|des|der) .{0,50}(network|netzwerk\w*)",
    r"information \"?as is\"?",
    # Press-release distributors' lines (EQS/DGAP, news aktuell, Business Wire...): who
    # answers for the release, what the service covers, where its archive is.
    r"(issuer|emittent|émetteur|emisor|emittente)\b.{0,40}(responsible|verantwortlich"
    r"|responsable|responsabile)",
    r"(responsible|verantwortlich|responsable|responsabile)\b.{0,40}"
    r"(issuer|emittent|émetteur|emisor|emittente)",
    r"distributions? ?services? (include|umfassen|comprennent|incluyen|includono)",
    r"(medienarchiv|media archive|archives? médias?) (unter|at|sous|en)\b",
    r"توفير المعلومات \"?كما هي",
    r"إخلاء لمسؤوليتنا",
)
_READ_FULL = _any(
    r"read (the )?(full|whole|complete|entire|original) (article|story|report)",
    r"(lesen sie|lies) (den|die) (vollständigen|ganzen|gesamten) (artikel|beitrag|text)",
    r"(den|die) (vollständigen|ganzen) (artikel|beitrag) lesen",
    r"(lee|leer|lea) (la|el) (nota|noticia|artículo) complet[oa]",
    r"(nota|noticia) completa",
    r"lire (l'|la suite de l'|)article (complet|en entier)",
    r"(czytaj|przeczytaj) (cały|całość|pełny) (artykuł|tekst)",
    r"haberin (devamı|tamamı)",
    r"(continue|keep) reading\W*$",
    r"artikel auf einer seite lesen",
)
_FORM = _any(
    r"\b(pflichtfeld|required field|campo obligatorio|champ obligatoire|pole wymagane"
    r"|zorunlu alan|campo obbligatorio)",
    r"\((obligatorio|required|erforderlich|obligatoire|wymagane|zorunlu|obbligatorio)\)",
    r"(please|bitte|por favor|veuillez|proszę|lütfen)\s.{0,20}"
    r"(enter|geben sie|ingres|introduzca|entrer|saisi|podaj|wpisz|girin)\w*\s.{0,30}"
    r"(e-?mail|address|adresse|correo|adres|posta)",
    r"(enter|ingresa|geben sie|entrez|wpisz|podaj) (your|tu|su|ihre|votre|swój|twój) "
    r"(e-?mail|correo|adresse|adres)",
    r"(passwort vergessen|forgot (your )?password|olvidaste tu contraseña"
    r"|mot de passe oublié|nie pamiętasz hasła|şifremi unuttum)",
    r"deje este campo vacío|leave this field (empty|blank)",
)

# In priority order: the first family a sentence belongs to names its removal.
FAMILIES: tuple[Family, ...] = (
    Family("captcha", (_CAPTCHA,), 60),
    Family("adblock", (_ADBLOCK, _DISABLE), 60),
    Family("paywall", (_REGISTRATION_WALL,), 50),
    Family("consent", (_COOKIE, _CONSENT, _ADDRESSED), 70),
    Family("consent", (_AGREE_BY_ACTING, _TERMS), 60),
    Family("consent", (_TECHNICAL_DATA,), 70),
    Family("consent", (_PRIVACY, _POINTER), 40),
    Family("consent", (_PRIVACY, _AGREE, _READER), 50),
    Family("player", (_PLAYER,), 40),
    Family("newsletter", (_NEWSLETTER, _SIGN_UP), 50),
    Family("newsletter", (_ALERTS,), 40),
    Family("share", (_FOLLOW, _NETWORKS), 45),
    Family("footer", (_SYNDICATED,), 50),
    Family("read-more", (_READ_FULL,), 25),
    Family("form", (_FORM,), 50),
)
# A line without any of these words holds no glued clutter, so most lines are never split.
# Plain words, no wildcards: one pass of a literal alternation over the lower-cased line
# costs a few microseconds, where the families' own patterns cost far more.
_CUE_WORDS = (
    """
cookie çerez ciasteczk الكوكيز الارتباط robot captcha adblock ad-block ublock werbeblocker
blocker bloqueador bloqueur engelle مانع browser navegador navigateur przeglądar tarayıcı
متصفح javascript newsletter boletín bulletin biuletyn bülten نشرة alert alertas
powiadomien bildirim ratez przegap verpass aplicaci aplikacj uygulama follow folge síg
sigue suivez obserwuj takip seguici siga تابعونا rights rechte derechos droits prawa
hakları الحقوق diritti reproduc reprodukow rozpowszech copied permission genehmigung
zustimmung izinsiz syndicated original-content original-inhalt netzwerk كما إخلاء
vollständig ganzen całość pełny haberin pflichtfeld required obligatorio obligatoire
wymagane zorunlu obbligatorio ingres introduzca entrer saisi podaj wpisz girin passwort
password contraseña passe hasła şifre vacío privacy datenschutz privacidad confidentialité
prywatności gizlilik przetwarz verarbeitung processing tratamiento traitement kişisel
anonym anonim anónim technical technisch técnic techniq techniczn register registr subscri
abonn suscr inscri zaloguj konto üye indem klikając cliquant continuing poursuivant devam
cliccando ip-adresse unusual ungewöhnlich inusual inhabituel ogromn nadu clic abone seguir
headline kopiowan gesamt weiterlesen issuer emittent émetteur emisor distribution
medienarchiv
"""
).split()
_CUE_PHRASES = (
    "ip address",
    "adresu ip",
    "adres ip",
    "our app",
    "the app",
    "unsere app",
    "nuestra app",
    "notre app",
    "like us",
    "by using",
    "enter your",
    "full article",
    "full story",
    "full report",
    "whole article",
    "continue reading",
    "keep reading",
    "don't miss",
    "dont miss",
    "audio element",
    "video element",
    "agency feed",
    "wire feed",
    "by signing",
    "by clicking",
    "an account",
    "free account",
    "as is",
    "been edited",
    "not edited",
    "network",
    "field empty",
    "field blank",
    "geben sie",
    "complet",
    "cały",
    "artikel auf",
    "media archive",
    "archive média",
    "archives média",
)


def literal_trie(literals: Sequence[str]) -> str:
    """A pattern matching any of `literals`, with common prefixes merged.

    Python's `re` tries every branch of a flat alternation at every position; merged into
    a trie it tries one branch per next character: 5 times faster on 250 cue words
    (78 against 388 ms over the 3,644 lines of 150 ScrapingHub pages), same matches.
    """
    trie: dict[str, dict[str, Any]] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict[str, Any]]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return pattern(trie)


_CUES = re.compile(literal_trie((*_CUE_WORDS, *_CUE_PHRASES)))
# A sentence of a cued line is judged only when it holds a cue itself (in any case), or one
# of these wordings that only some families' other alternatives need ("sign in to continue",
# "read the whole story"); "app" counts only as a word's end ("our app", not "happen").
# Every family has a pattern that holds one of them in each of its matches (a test reads
# the patterns to check it), so a sentence without any belongs to no family: most sentences
# of a cued line are never run through every family's patterns.
_SENTENCE_CUE_EXTRA = tuple(
    cue.replace("_", " ")
    for cue in """
روبوت adresse_ip your_ip twój_ip ihr_ip ihre_ip tu_ip votre_ip sign_in sign_up log_in kunde
anmelden ya_tienes regístrate by_creating continuar audio_tag video_tag audio_playback
video_playback news_notifications push_notifications only_the_image only_the_picture
not_be_republished not_be_redistributed whole_story whole_report entire_article entire_story
entire_report original_article original_story original_report en_entier erforderlich please
bitte por_favor veuillez proszę lütfen entrez enter_tu enter_su enter_ihre enter_votre enter_swój
enter_twój
""".split()
)
SENTENCE_CUES = (*_CUE_WORDS, *_CUE_PHRASES, *_SENTENCE_CUE_EXTRA)
SENTENCE_WORD_END_CUES = ("app", "application")
_SENTENCE_CUES = re.compile(
    literal_trie(SENTENCE_CUES) + r"|(?:" + "|".join(SENTENCE_WORD_END_CUES) + r")\b",
    re.IGNORECASE,
)


# Walls: clutter that stands in for the article when a scraper was shown it instead.
WALL_RULES = frozenset({"captcha", "adblock", "paywall", "consent"})
WALL_NAMES = {
    "captcha": "robot check",
    "adblock": "ad-blocker wall",
    "paywall": "registration wall",
    "consent": "cookie wall",
}


def family_of(sentence: str) -> str | None:
    """The rule of the clutter family `sentence` belongs to, or None for article text."""
    if not _SENTENCE_CUES.search(sentence):
        return None
    words = word_count(sentence)
    for family in FAMILIES:
        if words <= family.max_words and all(p.search(sentence) for p in family.all):
            return family.rule
    return None


@dataclass
class Unglued:
    """Lines with their glued clutter taken out (a line cut in its middle is two lines)."""

    lines: list[str]
    removed: list[Removal]


def unglue(lines: Sequence[str]) -> Unglued:
    """Take glued clutter sentences out of every line."""
    kept: list[str] = []
    removed: list[Removal] = []
    for line in lines:
        if not _CUES.search(line.lower()):
            kept.append(line)
            continue
        spans = sentence_spans(line)
        rules = [family_of(line[start:end].strip()) for start, end in spans]
        for (start, end), rule in zip(spans, rules, strict=True):
            if rule is not None:
                removed.append(Removal(rule, line[start:end].strip()))
        kept.extend(kept_pieces(line, spans, [rule is not None for rule in rules]))
    return Unglued(kept, removed)


# A page whose text after cleaning is this short, and which lost a wall, was the wall: a
# headline and a "please confirm you are not a robot" is not an article.
_WALL_PAGE_MAX_WORDS = 40


def boilerplate_only(doc: Document) -> str | None:
    """What a page holds instead of an article (e.g. "robot check"), or None.

    Judged on what cleaning left: a few words beside a captcha, registration or cookie wall
    that cleaning took out. The wall that lost the most words names it.
    """
    if word_count(doc.text) > _WALL_PAGE_MAX_WORDS:
        return None
    lost: dict[str, int] = {}
    for removal in doc.removed:
        if removal.rule in WALL_RULES:
            lost[removal.rule] = lost.get(removal.rule, 0) + word_count(removal.text)
    if not lost:
        return None
    rule = max(sorted(lost), key=lambda r: lost[r])
    # A short real article that lost one cookie line is still an article.
    if lost[rule] < word_count(doc.text):
        return None
    return WALL_NAMES[rule]
