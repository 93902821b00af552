"""Safety checks that run before retrieval: emergency triage and medicine pins.

Triage (`detect_emergency`) fires on an *acute, personal* situation: an overdose or a child
swallowing pills, poisoning, suicidal thoughts, chest pain, trouble breathing, a severe
allergic reaction, fainting or a seizure. Two ideas keep it robust without firing on
ordinary questions:

1. Typos are folded first: every word of five or more letters that is close to a danger word
   ("sucidal", "overdossed", "seizrue", "breath") is replaced by that word (difflib ratio).
2. Most symptoms need a sign that it is happening to someone now ("I have", "my chest", "he is",
   "right now", "help"), so "does LDN help chronic chest wall pain?" or "can LDN help breathing
   in ALS?" stay ordinary questions, while unambiguous phrases ("I want to die",
   "took the whole bottle", "anaphylaxis") fire on their own.

Pins (`detect_pins`) find opioid medicines (generic and brand names, typos folded) and
immunosuppressants or transplants in a question; the engine then puts the sources' own
warnings first.

>>> detect_emergency("my toddler swallowed some of my pills").kinds
('overdose_or_poisoning',)
>>> detect_emergency("Does LDN cause trouble sleeping?").is_emergency
False
>>> sorted(detect_pins("I take Percocet and had a kidney transplant"))
['immunosuppressant', 'opioid']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

_PERSONAL = (
    r"(?:\bi\b|\bi'?m\b|\bim\b|\bi'?ve\b|\bive\b|\bme\b|\bmy\b|\bwe\b|\bour\b|\bhe\b|\bshe\b|\bhis\b|\bher\b|"
    r"\bthey\b|\bsomeone\b|\bsomebody\b|\bchild\b|\bkid\b|\bson\b|\bdaughter\b|\bbaby\b|\btoddler\b|"
    r"\bhusband\b|\bwife\b|\bpartner\b|\bmom\b|\bmum\b|\bdad\b|\bfriend\b|\bnow\b|\bsuddenly\b|\bhelp\b|"
    r"\bhappening\b|\bcurrently\b|\bjust\b|\bcan'?t\b|\bstarted\b|\btoday\b|\btonight\b|\breally bad\b|\bsevere\b)"
)
_CHILD = r"(?:child|kid|son|daughter|baby|toddler|grandchild|grandson|granddaughter|infant|dog|cat|\d+[- ]?(?:year|yr|month)s?[- ]?old)"

# (kind, pattern, needs a personal/acute context)
_RULES: list[tuple[str, str, bool]] = [
    ("overdose_or_poisoning", r"\boverdos(?:e|ed|ing)\b|\bod'?d\b|\bo\.d\.", True),
    (
        "overdose_or_poisoning",
        r"\b(?:took|taken|take|swallowed|ate|eaten|had|drank|ingested|popped)\b[^.?!]{0,40}\b(?:too many|too much|"
        r"whole (?:bottle|pack|box|packet)|all (?:of )?(?:my|the|his|her) (?:pills|tablets|capsules|meds)|"
        r"a handful|a bunch of|extra (?:pills|doses)|(?:like |about |around )?\d{2,} (?:of )?(?:\w+ ){0,3}(?:pills|tablets|capsules|doses))",
        False,
    ),
    (
        "overdose_or_poisoning",
        r"\b(?:drank|drunk|swallowed|ate|ingested|sipped)\b[^.?!]{0,20}\b(?:bleach|drain cleaner|antifreeze|detergent|"
        r"pesticide|rat poison|weed killer|lighter fluid|batter(?:y|ies)|cleaning (?:fluid|product))",
        False,
    ),
    (
        "overdose_or_poisoning",
        rf"\b{_CHILD}\b[^.?!]{{0,40}}\b(?:swallowed|ate|eaten|got into|chewed|took|taken)\b",
        False,
    ),
    ("overdose_or_poisoning", r"\bpoison(?:ed|ing)?\b", True),
    (
        "suicidal_thoughts",
        r"\b(?:suicid\w*|kill(?:ing)? myself|end (?:my|it all)|ending my life|take my (?:own )?life|"
        r"want(?:ed)? to die|wanna die|better off dead|(?:don'?t|do not|dont) want to (?:live|be alive|be here|wake up)|"
        r"self[- ]harm\w*|hurt(?:ing)? myself|no reason to live)\b",
        False,
    ),
    (
        "chest_pain",
        r"\bchest (?:p[ai]{1,2}ns?|hurts?|pressure|tightness|is tight|feels tight)|pain in (?:my|his|her) chest|"
        r"\bheart attack\b|\bcrushing (?:pain|chest)",
        True,
    ),
    (
        "trouble_breathing",
        r"\b(?:can'?t|cannot|cant|can not|could ?n'?t|unable to|struggling to|hard to|trouble|difficulty|problems?) "
        r"(?:breathe|breath|breathing|catch (?:my|his|her) breath)\b|(?<!bit )(?<!little )(?<!slightly )\bshort(?:ness)? of breath\b|\bnot breathing\b|"
        r"\bstopped breathing\b|\b(?:isn'?t|is not|not) breathing\b|\bgasping\b|\bchoking\b|\blips? (?:are |is |turning )?blue\b",
        True,
    ),
    (
        "severe_allergic_reaction",
        r"\banaphyla\w*|\bthroat (?:is |feels )?(?:swelling|swollen|closing|tight)|\b(?:tongue|lips?|face) "
        r"(?:is |are )?(?:swelling|swollen)|\bswollen (?:tongue|lips?|throat|face)|\bsevere allergic\b|"
        r"\bhives all over\b|\bepi ?pen\b",
        False,
    ),
    ("severe_allergic_reaction", r"\ballergic reaction\b", True),
    (
        "fainting",
        r"(?<!nearly )(?<!almost )\bfaint(?:ed|ing)?\b|\bpass(?:ed|ing)? out\b|\bunconscious\b|\bunresponsive\b|"
        r"\b(?:won'?t|will not|can'?t) wake (?:up|him|her)\b|\bcollapsed\b|\bblack(?:ed)? out\b",
        True,
    ),
    (
        "seizure",
        r"\b(?:having|had|has|is having|in the middle of|just had) (?:a |another )?(?:seizure|fit)\b|"
        r"\bseizing\b|\bconvulsing\b|\bconvulsions? (?:now|right now)\b|\bfitting\b",
        True,
    ),
]
_COMPILED = [(kind, re.compile(p, re.I), ctx) for kind, p, ctx in _RULES]
_PERSONAL_RE = re.compile(_PERSONAL, re.I)
_DANGER_WORDS = (
    "overdose",
    "overdosed",
    "suicide",
    "suicidal",
    "poisoned",
    "poisoning",
    "seizure",
    "seizures",
    "seizing",
    "convulsing",
    "convulsions",
    "unconscious",
    "unresponsive",
    "anaphylaxis",
    "anaphylactic",
    "breathe",
    "breathing",
    "swallowed",
    "fainted",
    "fainting",
    "allergic",
    "swelling",
    "collapsed",
    "myself",
)
_OPIOIDS = (
    "opioid",
    "opioids",
    "opiate",
    "opiates",
    "narcotic",
    "narcotics",
    "oxycodone",
    "oxycontin",
    "percocet",
    "roxicodone",
    "endocet",
    "xtampza",
    "hydrocodone",
    "vicodin",
    "norco",
    "lortab",
    "zohydro",
    "hysingla",
    "codeine",
    "morphine",
    "kadian",
    "hydromorphone",
    "dilaudid",
    "exalgo",
    "fentanyl",
    "duragesic",
    "sublimaze",
    "actiq",
    "tramadol",
    "ultram",
    "ultracet",
    "conzip",
    "tapentadol",
    "nucynta",
    "methadone",
    "methadose",
    "dolophine",
    "buprenorphine",
    "suboxone",
    "subutex",
    "zubsolv",
    "butrans",
    "belbuca",
    "sublocade",
    "oxymorphone",
    "opana",
    "meperidine",
    "demerol",
    "pethidine",
    "levorphanol",
    "heroin",
    "kratom",
    "dihydrocodeine",
    "tylenol #3",
    "tylenol 3",
    "tylenol with codeine",
    "ms contin",
    "t3s",
)
_IMMUNO = (
    "immunosuppressant",
    "immunosuppressants",
    "immunosuppressive",
    "immunosuppression",
    "immune suppressant",
    "immune suppressants",
    "transplant",
    "transplanted",
    "transplantation",
    "anti-rejection",
    "antirejection",
    "tacrolimus",
    "prograf",
    "envarsus",
    "cyclosporine",
    "ciclosporin",
    "neoral",
    "sandimmune",
    "mycophenolate",
    "cellcept",
    "myfortic",
    "sirolimus",
    "rapamune",
    "everolimus",
    "azathioprine",
    "imuran",
    "belatacept",
    "methotrexate",
    "prednisone",
    "prednisolone",
)


@dataclass(frozen=True)
class Triage:
    kinds: tuple[str, ...]

    @property
    def is_emergency(self) -> bool:
        return bool(self.kinds)


def _fold_typos(text: str, vocabulary: tuple[str, ...], cutoff: float = 0.8) -> str:
    """Replace words close to a vocabulary word by that word ("sucidal" -> "suicidal")."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        low = word.lower()
        if len(low) < 5 or low in vocabulary:
            return word
        # Typos keep the first letter; a real word two or more letters short of a danger word
        # ("overdo" for "overdose") is not a typo, but a dropped last letter ("oxycodon") is.
        vocabulary_ = tuple(
            v for v in vocabulary if v[0] == low[0] and not (v.startswith(low) and len(v) - len(low) >= 2)
        )
        close = difflib.get_close_matches(low, vocabulary_, n=1, cutoff=cutoff)
        return close[0] if close else word

    return re.sub(r"[A-Za-z]+", fix, text)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'")).strip()


def detect_emergency(question: str) -> Triage:
    text = _fold_typos(normalise(question), _DANGER_WORDS)
    personal = bool(_PERSONAL_RE.search(text))
    kinds: list[str] = []
    for kind, pattern, needs_context in _COMPILED:
        if kind in kinds or not pattern.search(text):
            continue
        if needs_context and not personal:
            continue
        kinds.append(kind)
    return Triage(tuple(kinds))


@cache
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted((re.escape(t) for t in terms), key=len, reverse=True)
    return re.compile(r"(?<![\w#])(?:" + "|".join(alts) + r")(?![\w])", re.I)


def detect_pins(question: str) -> set[str]:
    """{"opioid", "immunosuppressant"} subsets named in the question (typos folded)."""
    words = tuple(t for t in _OPIOIDS + _IMMUNO if " " not in t and "#" not in t)
    text = _fold_typos(normalise(question), words, cutoff=0.84)
    pins = set()
    if _term_pattern(_OPIOIDS).search(text):
        pins.add("opioid")
    if _term_pattern(_IMMUNO).search(text):
        pins.add("immunosuppressant")
    return pins


OPIOID_TERMS = _OPIOIDS
IMMUNO_TERMS = _IMMUNO
