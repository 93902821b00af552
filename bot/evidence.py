"""Evidence labels: what kind of evidence a quoted text *itself* says it rests on.

Deterministic rules over the quote's own words (never outside knowledge). The study-design
language is data, `bot/data/evidence_language.toml` (Cochrane glossary, CONSORT, CARE, PRISMA, MeSH
publication types, CEBM levels: general vocabulary, not words picked from the bundled documents),
compiled at the first label. Labels, in this order:

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
from functools import cache
from pathlib import Path

from corpus.datafile import read_toml


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


DATA = Path(__file__).resolve().parent / "data" / "evidence_language.toml"
_PATTERN_KINDS = (*(k for k in (
    "animal_study", "lab_study", "case_report", "small_study", "controlled_trial", "review", "clinician_experience",
)), "any_study", "study_context")  # fmt: skip


class EvidenceDataError(ValueError):
    """bot/data/evidence_language.toml is missing or malformed."""


@dataclass(frozen=True)
class Language:
    """The compiled study-design language (see the data file for sources)."""

    rules: dict[str, re.Pattern[str]]  # label key -> any of its patterns
    any_study: re.Pattern[str]
    study_context: re.Pattern[str]
    count: re.Pattern[str]  # participant counts: "12 patients", "eight women", "(n = 40)"
    number_words: dict[str, int]
    small_n: int
    case_series_max: int


def _one(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@cache
def language(path: Path = DATA) -> Language:
    """Load and compile the data file once (at the first label, not at import)."""
    raw = read_toml(path, EvidenceDataError)
    try:
        compiled = {}
        for kind in _PATTERN_KINDS:
            table = raw[kind]
            if not table.get("source") or not table.get("patterns"):
                raise EvidenceDataError(f"{path}: [{kind}] needs 'source' and 'patterns'")
            compiled[kind] = _one(table["patterns"])
        count = raw["count"]
        words = {str(k).lower(): int(v) for k, v in count["number_words"].items()}
        people = "(?:" + "|".join(map(re.escape, count["people"])) + ")"
        num = r"(\d{1,6}|" + "|".join(words) + r")"
        skip = "(?:" + "|".join(map(re.escape, count["not_between"])) + ")"
        count_re = re.compile(
            rf"\b{num}\s+(?:(?!{skip}\b)[a-z-]+\s+){{0,3}}?{people}\b|\b{people}\s*\(n\s*=\s*(\d+)\)|\bn\s*=\s*(\d+)",
            re.I,
        )
        small_n, case_max = int(count["small_n"]), int(count["case_series_max"])
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise EvidenceDataError(f"{path}: {exc}") from exc
    rules = {k: compiled[k] for k in _PATTERN_KINDS[:-2]}
    return Language(
        rules, compiled["any_study"], compiled["study_context"], count_re, words, small_n, case_max
    )


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
    lang = language()
    for m in lang.count.finditer(text):
        raw = next(g for g in m.groups() if g)
        return int(raw) if raw.isdigit() else lang.number_words[raw.lower()]
    return None


def label_evidence(text: str) -> tuple[Label, ...]:
    lang = language()
    keys = [key for key, rule in lang.rules.items() if rule.search(text)]
    n = participants(text)
    study_context = lang.study_context.search(text)
    # a handful of counted people is a case series (CARE), not a (small) trial
    if n is not None and n < lang.case_series_max and "case_report" not in keys:
        keys.append("case_report")
    case_series = n is not None and n < lang.case_series_max and "case_report" in keys
    if n is not None and n < lang.small_n and study_context and "small_study" not in keys and not case_series:
        keys.append("small_study")
    if not keys and lang.any_study.search(text):
        keys.append("study_unspecified")  # a study is named, its design is not: not "no study cited"
    if not keys:
        return (Label(EvidenceLabel.NO_STUDY_CITED),)
    ordered = [k for k in LABEL_KEYS if k in keys]
    return tuple(Label(EvidenceLabel(k), n if k == "small_study" else None) for k in ordered)
