"""Block Kit rendering: admin-typed text cannot inject Slack markup, and Slack's limits are kept."""

from __future__ import annotations

from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage
from groundswell.chat.slack.blocks import render


def test_text_is_escaped_so_it_cannot_ping_or_link() -> None:
    message = OutgoingMessage(title="Q3 <!channel> & <https://evil.test|click>", text="a < b > c",
                              fallback="fallback", url="https://x.test/1")  # fmt: skip
    blocks = render(message)["blocks"]
    title = blocks[0]["text"]["text"]
    assert title == "*<https://x.test/1|Q3 &lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;>*"
    assert blocks[1]["text"]["text"] == "a &lt; b &gt; c"


def test_long_text_and_labels_are_cut_to_slacks_limits() -> None:
    message = OutgoingMessage(title="T", text="x" * 5000, fallback="f" * 5000,
                              buttons=(LinkButton("L" * 100, "https://x.test"), ActionButton("A" * 100, "ack_case", "1")))  # fmt: skip
    rendered = render(message)
    assert len(rendered["text"]) == 3000 and len(rendered["blocks"][1]["text"]["text"]) == 3000
    labels = [e["text"]["text"] for e in rendered["blocks"][2]["elements"]]
    assert all(len(label) == 75 for label in labels)


def test_a_primary_action_is_styled() -> None:
    [actions] = render(OutgoingMessage(title="", text="", fallback="f",
                                       buttons=(ActionButton("Acknowledge", "ack_case", "7", primary=True),)))["blocks"]  # fmt: skip
    assert actions["elements"][0] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Acknowledge"},
        "action_id": "ack_case:7",
        "value": "7",
        "style": "primary",
    }
