"""ui/chatbot.py: the real component's round trip, the user's text inert on the way out and as typed on the way back."""

from __future__ import annotations

import pytest

from ui.format import inert

ANSWER = '<div class="qa-answer"><a class="qa-cite" href="#qa-cite:1:0:5:abc:d">[1]</a> <b>said</b></div>'


@pytest.mark.parametrize(
    "typed",
    [
        "<b>What</b> did **Biden** say <img src=x>",
        "What did Rutte say?",
        "[x](javascript:alert(1)) &amp; &#60; $$x$$",
        "line one\n\nline two",
        "🙂 émoji",
    ],
)
def test_a_users_message_goes_out_inert_and_comes_back_as_typed(typed: str) -> None:
    from gradio.components.chatbot import ChatbotDataMessages

    from ui.chatbot import typed_text_chatbot

    chatbot = typed_text_chatbot()
    history = [{"role": "user", "content": typed}, {"role": "assistant", "content": ANSWER}]
    sent = chatbot.postprocess(history)
    assert [m.content[0].text for m in sent.root] == [inert(typed), ANSWER]  # the answer's HTML is left as it is
    assert history[0]["content"] == typed  # the conversation's own messages are not changed
    back = chatbot.preprocess(ChatbotDataMessages.model_validate(sent.model_dump()))
    assert [(m["role"], m["content"][0]["text"]) for m in back] == [("user", typed), ("assistant", ANSWER)]
