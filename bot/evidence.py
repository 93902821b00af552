"""Evidence labels: what kind of evidence a quoted text *itself* says it rests on.

Deterministic rules over the quote's own words (never outside knowledge), in this order:

| key                  | shown as                          | fires on (examples)                                  |
|----------------------|-----------------------------------|------------------------------------------------------|
| animal_study         | Animal study                      | mice, rats, rodents, "an animal model"                |
| lab_study            | Lab or cell study                 | in vitro, cell culture, tumour cells, assay, lab test |
| case_report          | Case report or case series        | "case report", "two patients", "a patient with"       |
| small_study          | Small study (n=N)                 | "pilot", "small trial", a study of fewer than 100     |
| controlled_trial     | Placebo-controlled or randomized trial | placebo, randomized, double-blind, controlled trial |
| review               | Review                            | review, systematic review, meta-analysis             |
| clinician_experience | A clinician's own experience      | "I have used", "my patients", "we have used", anecdotes |
| study_unspecified    | A study is mentioned (its design is not stated) | "two clinical trials", "studies suggest", when no other label fits |
| no_study_cited       | No study cited                    | none of the above                                     |

A text can carry several labels ("two small clinical trials ... greater than placebo" is a
small study and a controlled trial). The number of participants is read from the text when
it states one ("42 patients", "eight patients").

>>> [l.display for l in label_evidence("In a study of 14 children with Crohn's disease, LDN was used.")]
['Small study (n=14)']
>>> [str(l.key) for l in label_evidence("LDN is usually taken as a pill.")]
['no_study_cited']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class EvidenceLabel(StrEnum):
    """The label keys; `DISPLAY` gives the words shown for each."""

    ANIMAL_STUDY = "animal_study"
    LAB_STUDY = "lab_study"
    CASE_REPORT = "case_report"
    SMALL_STUDY = "small_study"
    CONTROLLED_TRIAL = "controlled_trial"
    REVIEW = "review"
    CLINICIAN_EXPERIENCE = "clinician_experience"
    STUDY_UNSPECIFIED = "study_unspecified"
    NO_STUDY_CITED = "no_study_cited"


_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
_PEOPLE = r"(?:patients?|participants?|people|persons?|subjects?|children|kids|women|men|adults|volunteers|cases|individuals)"
_NUM = r"(\d{1,6}|" + "|".join(_WORD_NUMBERS) + r")"
_N_PATTERN = re.compile(
    rf"\b{_NUM}\s+(?:[a-z-]+\s+){{0,3}}?{_PEOPLE}\b|\b{_PEOPLE}\s*\(n\s*=\s*(\d+)\)|\bn\s*=\s*(\d+)",
    re.IGNORECASE,
)
SMALL_N = 100
CASE_SERIES_MAX = 10

RULES: dict[str, re.Pattern[str]] = {
    "animal_study": re.compile(
        r"\b(?:mice|mouse|rats?|rodents?|murine|animal (?:study|studies|model)|monkeys|primates)\b", re.I
    ),
    "lab_study": re.compile(
        r"\b(?:in vitro|cell (?:lines?|cultures?)|cultured|laboratory|lab test|tumou?r cells|assays?|bioassay|"
        r"dendritic cells|DNA synthesis|cell replication|sedimentation rate)\b",
        re.I,
    ),
    "case_report": re.compile(
        rf"\b(?:case (?:report|series|studies|study)|(?:one|two|three|four|five|six|seven|eight|nine|single)\s+"
        rf"(?:[a-z-]+\s+){{0,2}}?{_PEOPLE}|a patient with|this patient|in another patient)\b",
        re.I,
    ),
    "small_study": re.compile(
        r"\b(?:pilot|small\b[^.;]{0,100}?\b(?:trials?|stud(?:y|ies))|low sample sizes?)\b", re.I
    ),
    "controlled_trial": re.compile(
        r"\b(?:placebo|randomi[sz]ed|double[- ]blind|controlled (?:clinical )?trials?|compared (?:to|with) placebo)\b",
        re.I,
    ),
    "review": re.compile(
        r"\b(?:systematic review|meta-analys[ie]s|we review|reviews?\b(?: of)?(?= the| evidence)|a review)\b",
        re.I,
    ),
    "clinician_experience": re.compile(
        r"\b(?:I have (?:used|had|around|not had|seen|prescribed|treated)|I['’]ve (?:used|had|seen|prescribed)|"
        r"I typically|in our experience|I don['’]t recall|I recommend|my patients|"
        r"in my (?:practice|experience)|we have used|we recommend|our (?:patients|program|clinic|practice)|"
        r"anecdotes?|anecdotal)\b",
        re.I,
    ),
}
DISPLAY = {
    "animal_study": "Animal study",
    "lab_study": "Lab or cell study",
    "case_report": "Case report or case series",
    "small_study": "Small study",
    "controlled_trial": "Placebo-controlled or randomized trial",
    "review": "Review",
    "clinician_experience": "A clinician's own experience",
    "study_unspecified": "A study is mentioned (its design is not stated)",
    "no_study_cited": "No study cited",
}
LABEL_KEYS = tuple(EvidenceLabel)
# Labels that do not say a study stands behind the quote (the "small trials" caution is not due).
NOT_STUDIES = frozenset({EvidenceLabel.NO_STUDY_CITED, EvidenceLabel.CLINICIAN_EXPERIENCE})
# A study or trial is named but nothing says what kind: saying "no study cited" would be wrong.
_ANY_STUDY = re.compile(r"\b(?:stud(?:y|ies)|trials?|researchers?|research shows|experiments?)\b", re.I)


@dataclass(frozen=True)
class Label:
    """One evidence label of a text; `n` is the participant count of a small study."""

    key: EvidenceLabel
    n: int | None = None

    @property
    def display(self) -> str:
        base = DISPLAY[self.key]
        return f"{base} (n={self.n})" if self.n is not None else base


def participants(text: str) -> int | None:
    """The first participant count the text states, if any."""
    for m in _N_PATTERN.finditer(text):
        raw = next(g for g in m.groups() if g)
        return int(raw) if raw.isdigit() else _WORD_NUMBERS[raw.lower()]
    return None


def label_evidence(text: str) -> tuple[Label, ...]:
    keys = [key for key, rule in RULES.items() if rule.search(text)]
    n = participants(text)
    study_context = re.search(r"\b(?:study|studies|trials?|treated|followed|evaluated)\b", text, re.I)
    if (
        n is not None
        and n <= 12
        and "case_report" not in keys
        and re.search(r"\btreated|followed\b", text, re.I)
    ):
        keys.append("case_report")
    # A handful of named patients is a case series, not a (small) trial.
    case_series = n is not None and n < CASE_SERIES_MAX and "case_report" in keys
    if n is not None and n < SMALL_N and study_context and "small_study" not in keys and not case_series:
        keys.append("small_study")
    if not keys and _ANY_STUDY.search(text):
        keys.append("study_unspecified")
    if not keys:
        return (Label(EvidenceLabel.NO_STUDY_CITED),)
    ordered = [k for k in LABEL_KEYS if k in keys]
    return tuple(Label(k, n if k == "small_study" else None) for k in ordered)
