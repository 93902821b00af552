"""Red flags of session 8 (issue 10): warning signs read from main's misses on two spent batteries.

The red-flag layer alone (`detect_emergency`, no model), with messages written here and in no battery:
each flag fires on other wordings of its sign, and stays quiet on the ordinary sentences nearest to it
(a schedule, a past event, a question about a risk, an "end of" phrase).
"""

from __future__ import annotations

import pytest

from bot.safety import Level, detect_emergency


@pytest.mark.parametrize(
    "message",
    [
        "I wrote a farewell letter last night and left it by the kettle",
        "I'm leaving my goodbye notes in the car",
        "Sunday is going to be the end, I've made my peace with it",
        "I had more than the recommended maximum of ibuprofen today, about 14 tablets",
        "Dad has taken his warfarin twice this morning by mistake",
        "I think I injected a second dose of insulin before dinner",
        "she doubled up her heart tablets and feels faint",
        "he's wheezing badly and can't speak in full sentences",
        "my sister swallowed a bunch of her sleeping tablets",
        "my flatmate took lots of his pain tablets to see what happens",
    ],
)
def test_session8_red_flags(message: str) -> None:
    assert detect_emergency(message).level is Level.POSSIBLE


@pytest.mark.parametrize(
    "message",
    [
        "I take my insulin twice a day, can I add LDN?",
        "is it safe to take warfarin twice daily with LDN?",
        "will this be the end of my flare?",
        "I wrote notes on my symptoms for my GP appointment",
        "can I take more than the maximum dose of LDN?",
        "what happens if I miss a dose of LDN?",
        "I have wheezing from a cold but I can talk fine",
    ],
)
def test_session8_flags_stay_quiet_on_their_ordinary_neighbours(message: str) -> None:
    assert detect_emergency(message).level is None
