"""Recognise page boilerplate and non-quotable lines by their *shape*, not by exact strings.

Web pages saved as text carry navigation bullets, share and sign-up prompts, form
validation JSON, "related posts" link lists, photo credits and contact calls-to-action.
None of that may ever be quoted to a patient. The rules here look at the form of a line:

- separator-only lines ("|", "»", "•") and pipe-separated menus ("Home | Blog | Contact");
- structured data: a line that is a JSON object or array;
- contact details: e-mail addresses and web addresses;
- interface prompts: a short line whose words are web-interface verbs or phrases
  ("share", "subscribe", "sign up", "type and hit enter", "click here", "read more");
- marketing calls-to-action anywhere in a sentence ("make an appointment", "contact us",
  "free consultation", "delivered to your inbox");
- credits and legal lines (photo/image credits, copyright);
- the heading of a link list ("Related Posts", "You may also like", "Recent articles").

Trade-off: a short line that merely *mentions* such a verb in passing ("Share your
symptoms with your doctor.") is long enough or sentence-shaped enough to survive; the
prompt rules only fire on short lines. A content sentence that contains a web address is
dropped: for a patient-facing quote bot, losing one sentence is cheaper than quoting a
link to something we cannot vouch for.

>>> is_boilerplate_line("  • |")
True
>>> is_boilerplate_line('{"email":"Email address invalid","required":"Required field missing"}')
True
>>> is_boilerplate_line("Type and hit enter")
True
>>> is_boilerplate_line("Naltrexone blocks this receptor.")
False
"""

from __future__ import annotations

import re

_SEPARATORS = set("|/\\»«>•·–—-_=*~#:;,.…+")
_BULLET_PREFIX = re.compile(r"^\s*(?:[•·▪◦‣●○■□–—*+-]|\d{1,2}[.)])\s+")
_JSON_LINE = re.compile(r"^\s*[\[{].*[:,].*[\]}]\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_CREDIT = re.compile(
    r"^\s*(?:photo|image|picture|illustration|video)s?\b.{0,40}\b(?:courtesy|credit|by|from|source)\b"
    r"|^\s*(?:©|copyright\b|all rights reserved)",
    re.IGNORECASE,
)
# Words of web interfaces. A short line made *mostly* of these is a prompt, not content.
_UI_WORDS = {
    "share",
    "this",
    "post",
    "page",
    "article",
    "tweet",
    "pin",
    "email",
    "e-mail",
    "print",
    "subscribe",
    "sign",
    "up",
    "in",
    "log",
    "login",
    "register",
    "follow",
    "us",
    "like",
    "comment",
    "comments",
    "leave",
    "a",
    "reply",
    "type",
    "and",
    "hit",
    "enter",
    "search",
    "click",
    "here",
    "read",
    "more",
    "continue",
    "reading",
    "menu",
    "home",
    "blog",
    "back",
    "to",
    "top",
    "next",
    "previous",
    "prev",
    "skip",
    "content",
    "main",
    "navigation",
    "toggle",
    "close",
    "open",
    "submit",
    "send",
    "newsletter",
    "facebook",
    "twitter",
    "linkedin",
    "instagram",
    "pinterest",
    "whatsapp",
    "youtube",
    "on",
    "via",
    "the",
    "your",
    "now",
    "cookie",
    "cookies",
    "accept",
    "settings",
    "privacy",
    "policy",
    "terms",
    "contact",
    "about",
}
_CTA_PHRASES = re.compile(
    r"\b(?:sign\s+up|subscribe\b|newsletter|your\s+inbox|make\s+an\s+appointment|book\s+(?:an?|your)\s+"
    r"(?:appointment|consultation|visit)|contact\s+us|call\s+us|email\s+us|click\s+here|free\s+(?:\w+\s+){0,2}"
    r"consultation|follow\s+us|share\s+this|leave\s+a\s+(?:comment|reply))",
    re.IGNORECASE,
)
_LINK_LIST_HEADING = re.compile(
    r"^\s*(?:related|recent|popular|latest|similar|more|other|trending)\s+(?:posts?|articles?|stories|"
    r"reading|news|entries|content)\s*:?\s*$|^\s*you\s+(?:may|might)\s+also\s+(?:like|enjoy)\b",
    re.IGNORECASE,
)
_PROMPT_START = re.compile(
    r"^\s*(?:read\s+more|continue\s+reading|click\b|subscribe\b|sign\s+up|follow\s+us|"
    r"posted\s+(?:in|by|on)\b|tags?\s*:|categor(?:y|ies)\s*:|filed\s+under\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def strip_bullet(line: str) -> str:
    """The line without a leading bullet or list number."""
    return _BULLET_PREFIX.sub("", line, count=1).strip()


def is_bullet(line: str) -> bool:
    return bool(_BULLET_PREFIX.match(line))


def is_separator_only(line: str) -> bool:
    body = line.strip()
    return not body or all(ch in _SEPARATORS or ch.isspace() for ch in body)


def is_link_list_heading(line: str) -> bool:
    return bool(_LINK_LIST_HEADING.match(strip_bullet(line)))


def has_call_to_action(text: str) -> bool:
    """A marketing call-to-action or contact detail anywhere in the text."""
    return bool(_CTA_PHRASES.search(text) or _EMAIL.search(text) or _URL.search(text))


def is_interface_prompt(line: str) -> bool:
    """A short line made (almost) only of web-interface words: "Share this post", "Type and hit enter"."""
    words = [w.lower().strip("'’") for w in _WORD.findall(strip_bullet(line))]
    if not words or len(words) > 6:
        return False
    ui = sum(1 for w in words if w in _UI_WORDS)
    return ui == len(words) or (len(words) >= 3 and ui >= len(words) - 1)


def is_menu(line: str) -> bool:
    """Pipe- or arrow-separated short items: "Home | Blog | Contact"."""
    parts = [p.strip() for p in re.split(r"\s[|»>/]\s", line.strip()) if p.strip()]
    return len(parts) >= 2 and all(len(p.split()) <= 4 for p in parts)


def is_boilerplate_line(line: str) -> bool:
    """True for a whole line that is page furniture and must never be quoted."""
    body = strip_bullet(line) if not is_separator_only(line) else ""
    if not body:
        return True
    if _JSON_LINE.match(body) and body.count(":") >= 1 and body.count('"') >= 2:
        return True
    if _CREDIT.search(body) or is_menu(body) or is_interface_prompt(body):
        return True
    if _PROMPT_START.match(body) and len(body.split()) <= 12:
        return True
    if is_link_list_heading(body):
        return True
    n_words = len(body.split())
    # Calls-to-action and contact details: boilerplate when they make up a short line.
    return n_words <= 25 and has_call_to_action(body)
