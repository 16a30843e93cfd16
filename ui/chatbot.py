"""The chat's Chatbot: the user's messages show as the text typed, the answers as the HTML `ui.format` made.

Gradio renders every chat message as Markdown with HTML, so a question holding `<b>`, `**bold**` or
`<img src=x>` would be shown bold, or fetch the image. `typed_text_chatbot` sends the user's messages to
the browser `inert` and reads them back as typed, so the conversation's history (follow-up questions,
undo) still holds the user's own words. Gradio's browser code also names a message for screen readers, and copies
it, from the HTML it was sent: `ui/assets/typed_text.js` (run by `app.launch_options`) gives both the typed text.
This module imports gradio: only the app (and the tests) import it.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from gradio.components.chatbot import ChatbotDataMessages, Message, TextMessage

from ui import format as fmt


def typed_text_chatbot(**options: Any) -> gr.Chatbot:
    """A `gr.Chatbot(**options)` whose user messages are always plain text; the assistant's are shown as before.

    Its own `postprocess` and `preprocess` are wrapped, not overridden in a subclass: Gradio writes a
    `.pyi` stub beside the module of every Component subclass when the class is defined.
    """
    chatbot = gr.Chatbot(**options)
    to_browser, from_browser = chatbot.postprocess, chatbot.preprocess

    def postprocess(value: Any) -> ChatbotDataMessages:
        return ChatbotDataMessages(root=[_inert(message) for message in to_browser(value).root])

    def preprocess(payload: ChatbotDataMessages | None) -> list[Any]:
        messages = from_browser(payload)
        for message in messages:  # fresh dicts, made from the payload
            if message["role"] == "user":
                for part in message["content"]:
                    if part.get("type") == "text":
                        part["text"] = fmt.typed_text(part["text"])
        return messages

    chatbot.postprocess = postprocess  # type: ignore[method-assign]
    chatbot.preprocess = preprocess  # type: ignore[method-assign]
    return chatbot


def _inert(message: Message) -> Message:
    """A user message with its text parts as inert HTML (a new message: the old may be the conversation's own)."""
    if message.role != "user":
        return message
    parts = [TextMessage(text=fmt.inert(p.text)) if isinstance(p, TextMessage) else p for p in message.content]
    return message.model_copy(update={"content": parts})
