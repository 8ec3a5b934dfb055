"""Post length per network: the server's rule (networks/length.py) and the composer's script (composer.js)
count the same samples the same way."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from groundswell.networks.length import LengthRule
from groundswell.networks.registry import NETWORKS, ShareContext

COMPOSER_JS = Path(__file__).resolve().parents[2] / "static" / "groundswell" / "composer.js"
LINK = "https://gs.example.com/AbC1234"

#: Links, emoji (ZWJ families, flags, skin tones, keycaps, presentation selectors), CJK, Hangul, combining
#: marks (composed by NFC or not), Indic clusters, Arabic, typographic punctuation, whitespace before links.
SAMPLES = [
    "",
    "Plain ASCII text.",
    f"Read this {LINK}",
    "two links http://a.example/x and HTTPS://B.EXAMPLE/very/long/path?with=query&and=more#frag",
    "not a link: example.com or ftp://files.example",
    "link at the end https://example.com/a.",
    "link\u00a0https://example.com/nbsp and\u3000https://example.com/ideographic-space",
    "👨‍👩‍👧‍👦 family, 🇫🇷 flag, 👍🏽 thumbs, 1️⃣ keycap, ❤️ heart, ✔ check",
    "日本語のテキストと中文",
    "한국어 텍스트",
    "e\u0301 composed by NFC, q\u0307\u0323 not composable, a\u0308\u0304",
    "क्षत्रिय हिन्दी",
    "مرحبا بالعالم",
    "\u201cQuotes\u201d \u2014 dashes \u2013 and \u2026 ellipsis \u2018\u2032\u2019",
    "Zero\u200bwidth and soft\u00adhyphen",
    "emoji next to link 🎉https://example.com/🎉 then text",
    "line\nbreaks\r\nand\ttabs",
]
RULES = [
    LengthRule("characters"),
    LengthRule("graphemes"),
    LengthRule("graphemes", url_length=23),
    LengthRule("weighted", url_length=23),
]
RULE_IDS = [f"{r.unit}-url{r.url_length}" for r in RULES]


# --- the server's rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "characters", "graphemes", "x"),
    [
        ("hello", 5, 5, 5),
        ("e\u0301", 1, 1, 1),  # NFC: one é
        ("q\u0307\u0323", 3, 1, 3),  # no precomposed form: 3 code points, 1 grapheme
        ("👨‍👩‍👧‍👦", 7, 1, 2),  # ZWJ family: one emoji
        ("🇫🇷", 2, 1, 2),
        ("日本", 2, 2, 4),  # CJK counts 2 on X
        ("“hi”", 4, 4, 4),  # general punctuation counts 1 on X
        (f"see {LINK}", 4 + len(LINK), 4 + len(LINK), 4 + 23),
    ],
    ids=["ascii", "nfc", "combining", "zwj-family", "flag", "cjk", "quotes", "link"],
)
def test_units(text: str, characters: int, graphemes: int, x: int) -> None:
    assert LengthRule("characters").count(text) == characters
    assert LengthRule("graphemes").count(text) == graphemes
    assert NETWORKS["x"].count(text) == x


def test_every_link_counts_23_on_x_and_mastodon_and_as_typed_on_bluesky() -> None:
    long_link = "https://example.com/" + "a" * 200
    text = f"two {long_link} and {LINK}"
    assert NETWORKS["x"].count(text) == len("two  and ") + 46
    assert NETWORKS["mastodon"].count(text) == len("two  and ") + 46
    assert NETWORKS["bluesky"].count(text) == len(text)
    assert NETWORKS["linkedin"].count(text) == len(text)


def test_network_rules_and_limits() -> None:
    assert (NETWORKS["x"].max_length, NETWORKS["x"].length_rule) == (280, LengthRule("weighted", 23))
    assert (NETWORKS["bluesky"].max_length, NETWORKS["bluesky"].length_rule) == (300, LengthRule("graphemes"))
    assert (NETWORKS["mastodon"].max_length, NETWORKS["mastodon"].length_rule) == (500, LengthRule("graphemes", 23))
    assert (NETWORKS["linkedin"].max_length, NETWORKS["linkedin"].length_rule) == (3000, LengthRule("characters"))


def test_validate_counts_by_the_rule() -> None:
    x, bluesky = NETWORKS["x"], NETWORKS["bluesky"]
    # 256 + space + 23 = 280: fits on X exactly; one more character does not.
    assert x.validate(ShareContext(text="a" * 256, url=LINK, title="t")) is None
    problem = x.validate(ShareContext(text="a" * 257, url=LINK, title="t"))
    assert problem == (
        "X allows 280 characters including the link (a link counts as 23); this has 281. Shorten it by 1."
    )
    # 128 CJK characters weigh 256 on X.
    assert x.validate(ShareContext(text="日" * 128, url=LINK, title="t")) is None
    assert x.validate(ShareContext(text="日" * 129, url=LINK, title="t")) is not None
    # Bluesky counts graphemes: 300 - 2 - len(link) families of 7 code points each still fit.
    families = "👨‍👩‍👧‍👦" * (300 - 2 - len(LINK))
    assert bluesky.validate(ShareContext(text=families, url=LINK, title="t")) is None
    assert bluesky.validate(ShareContext(text=families + "!", url=LINK, title="t")) is not None


# --- the script mirrors it ----------------------------------------------------------------------------


def test_the_composer_script_counts_like_the_server() -> None:
    node = shutil.which("node")
    assert node, "node is needed for this test (make install uses it for the front-end packages)"
    script = (
        "const {countText} = require(process.argv[1]);"
        "const {samples, rules} = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(rules.map(r => samples.map(s => countText(s, r)))));"
    )
    payload = json.dumps({"samples": SAMPLES, "rules": [r.as_json() for r in RULES]})
    result = subprocess.run(  # noqa: S603
        [node, "-e", script, str(COMPOSER_JS)], input=payload, capture_output=True, text=True, check=True, timeout=60
    )
    from_js = json.loads(result.stdout)
    from_python = [[rule.count(s) for s in SAMPLES] for rule in RULES]
    for rule_id, js_counts, py_counts in zip(RULE_IDS, from_js, from_python, strict=True):
        differences = [(s, j, p) for s, j, p in zip(SAMPLES, js_counts, py_counts, strict=True) if j != p]
        assert not differences, f"{rule_id}: (sample, JavaScript, Python) differ: {differences}"
