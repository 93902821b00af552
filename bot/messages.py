"""Every fixed text the bot can show. The bot writes no other words of its own.

These are system messages, not medical statements: they say what the bot found or did not
find, and point to a clinician or emergency services. Plain words, no jargon.
"""

from __future__ import annotations

ADVICE = (
    "Nothing here is medical advice. Talk to your doctor, pharmacist or other clinician "
    "before you start, stop or change any medicine."
)

NO_ANSWER = (
    "The sources in this collection do not answer this question, so there is nothing to quote. "
    "We do not guess. Please ask your clinician."
)

EMERGENCY = (
    "This may be an emergency. Call your local emergency number now "
    "(911 in the US and Canada, 112 in the EU, 999 in the UK). "
    "For a possible poisoning or overdose, also call Poison Control (1-800-222-1222 in the US). "
    "If you are thinking about suicide or harming yourself, call or text 988 (Suicide & Crisis Lifeline, US), "
    "or your local crisis line. Do not wait for an answer from this chat."
)

EMERGENCY_POSSIBLE = (
    "Your message may describe an emergency. If it is happening now, call your local emergency number "
    "(911 in the US and Canada, 112 in the EU, 999 in the UK). For a possible poisoning or overdose, "
    "also call Poison Control (1-800-222-1222 in the US). For thoughts of suicide or self-harm, "
    "call or text 988 (US) or your local crisis line. What the sources say about your question is below."
)

INVALID_EMPTY = "Please type a question about low-dose naltrexone (LDN)."
INVALID_TOO_LONG = "Your question is too long. Please ask it in fewer than {limit} characters."
INVALID_NO_WORDS = (
    "We could not find a question in English in what you typed. The sources are in English: "
    "please ask in English, in plain words."
)
NOT_ENGLISH = (
    "This assistant and all of its sources are in English only, so it cannot read questions in "
    "other languages. Please ask your question in English."
)

ANSWERED_INTRO = "Here is what the sources say, quoted word for word:"
PINNED_OPIOID = "Because your question mentions an opioid medicine, the sources' opioid warnings come first."
PINNED_IMMUNO = (
    "Because your question mentions immunosuppressive medicine or an organ transplant, "
    "the sources' caution about it comes first."
)
CONFLICT = "The quoted sources do not agree with each other on this. Read each quote with its source in mind."
LOW_EVIDENCE = "Some quotes make claims without naming any study."
FOLLOW_UP = "Answered as: “{question}”"
# A message asking several questions: each group of quotes under the person's own question.
PART_QUESTION = "You asked: “{question}”"
PART_NO_ANSWER = "The sources in this collection do not answer this question."

# -- web chat texts (interface words only, no medical statements) ------------------------------
WEB_TITLE = "Low-dose naltrexone (LDN): what the sources say"
WEB_TAGLINE = "Answers are quotes from the sources listed below, not advice."
STARTING = "The assistant is still starting; please try again in a few seconds."
LOADING = "Loading the sources… Your question will be answered in a moment."
BUSY = "Too many questions are being answered right now. Please try again in a minute."
UNAVAILABLE = (
    "Sorry, the assistant cannot answer questions right now because it is not set up correctly. "
    "Please try again later. Details for the people who run this site: {detail}"
)
QUOTE_SOURCE = "Source:"
QUOTE_PAGE = "page {page}"
QUOTE_CONTEXT = "Show the surrounding passage"
QUOTE_EVIDENCE = "What the quote itself says it is based on:"
QUOTE_PINNED = "Shown first because of your question"
CAVEATS_HEADING = "Please keep in mind"
SOURCE_NOTE = "About this source"
SOURCES_HEADING = "The sources this chat quotes from"
SOURCES_NOTE = (
    "The chat only repeats sentences from these documents, word for word. "
    "It cannot tell you anything they do not say."
)
EXAMPLES_HEADING = "Try one of these questions:"
INPUT_LABEL = "Your question"
INPUT_PLACEHOLDER = "Type your question about LDN here, then press Enter"
SEND = "Ask"
CLEAR = "Start a new chat"
FEEDBACK_NOTE = (
    "Use the thumbs under a reply to say if it helped. We keep only your question, which quotes "
    "were shown, your thumbs up or down and the reason if you give one, with the time. Please do "
    "not type your name or other personal details."
)
EMERGENCY_HEADING = "Get help now"
SOURCES_MISSING = "The list of sources could not be read."
SOURCE_FIELDS = ("Published by", "Type", "Date")

UNTITLED = "Untitled page"

# -- source viewer, copy / print, feedback, suggestions (interface words only) -----------------
SOURCE_PAGE_INTRO = "The whole text of this source, as the chat reads it. The quoted words are highlighted."
SOURCE_PAGE_WHOLE = "The whole text of this source, as the chat reads it."
SOURCE_PAGE_JUMP = "Go to the quoted words"
SOURCE_PAGE_ON_PAGE = "The quoted words are on page {page} of this document."
SOURCE_PAGE_MARK = "Page {page}"
SOURCE_PAGE_BACK = "Back to the chat"
SOURCE_PAGE_TEXT_HEADING = "Full text"
SOURCE_NOT_FOUND_TITLE = "Source not found"
SOURCE_NOT_FOUND = (
    "There is no source with this name in this collection. Open the source again from the chat."
)
SOURCE_BAD_LINK_TITLE = "This link does not work"
SOURCE_BAD_LINK = (
    "This link points to a part of the source that does not exist. Open the source again from the chat."
)

# Marks some sources use that a lay reader cannot decode: (mark as written, plain-words note).
# When a quote in a chat holds a mark, its note is shown once in that chat.
SOURCE_CONVENTIONS = (
    (
        "(R)",
        "About “(R)” in a quote: the web page put a link to a study or other reference there. "
        "The link is not part of the quote.",
    ),
    (
        "[citation needed]",
        "About “[citation needed]” in a quote: the source itself says the sentence has no reference.",
    ),
)

# -- compact replies, reply headings, suggestions, chat tools ----------------------------------
REPLY_HEADING = {
    "answered": "Quoted word for word",
    "no_answer": "The sources do not answer this",
    "emergency": "Get help now",
    "invalid": "Please check your question",
    "notice": "The chat cannot answer yet",
}
REPLY_ABOUT = "Your question: {question}"  # read by screen readers after the reply heading
QUOTE_EVIDENCE_SHORT = "The quote rests on:"
SOURCE_INFO = "About this source"
SOURCE_OPEN = "Read the whole source, with this quote marked"
SUGGESTIONS_HEADING = "You could also ask:"
PRINTED_ON = "Printed on {date}."
PRINT_ABOUT = "Questions asked in the chat and the sources' own words in reply. Each quote names its source."
QUESTION_LABEL = "Question"
COPY = "Copy the chat"
PRINT = "Print / save as PDF"
COPIED = "The whole chat was copied. You can paste it into an e-mail or a document."
COPY_FAILED = "Copying did not work in this browser. Please use Print / save as PDF instead."
NOTHING_TO_COPY = "There is nothing to copy yet: ask a question first."
CONFIRM_NEW_CHAT = "Start a new chat? This chat will be removed from this page."

# -- feedback under replies -------------------------------------------------------------------
FEEDBACK_LIKED = "Thank you. Your thumbs up was saved."
FEEDBACK_DISLIKED = "Thank you. Your thumbs down was saved. You can tell us what was wrong below (optional)."
FEEDBACK_REMOVED = "Your thumbs up or down was removed."
FEEDBACK_FAILED = "Sorry, your feedback could not be saved."
FEEDBACK_REASON_LABEL = "What was wrong with this answer? (optional)"
FEEDBACK_REASONS = {
    "not_answered": "It did not answer my question",
    "wrong_or_misleading": "It was wrong or misleading",
    "hard_to_understand": "It was hard to understand",
    "other": "Something else",
}
FEEDBACK_COMMENT_LABEL = "Anything else? (optional; please no names or personal details)"
FEEDBACK_SEND = "Send"
FEEDBACK_REASON_SAVED = "Thank you. What you told us was saved."
