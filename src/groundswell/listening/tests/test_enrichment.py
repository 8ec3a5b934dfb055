"""Enrichment (language, sentiment, intent) on examples, the shipped weights, and the hand-labelled intent sample.

No test here is timed: speed is measured by bench/sentiment.
"""

from __future__ import annotations

import gzip
import json
import socket
from collections import Counter
from pathlib import Path

import pytest

from groundswell.listening.enrich import Enrichment, enrich, warm_up
from groundswell.listening.enrichment import intent, language, lexicon, sentiment
from groundswell.listening.enrichment.features import features

SAMPLE = Path(__file__).with_name("intent_sample.tsv")
FRESH = Path(__file__).with_name("intent_fresh.tsv")


def _sample(path: Path = SAMPLE) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, label, text = line.split("\t")
            rows.append((lang, label, text))
    return rows


# --- the weights file ----------------------------------------------------------------------------------------


def test_weights_file_ships_in_the_package_and_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("enrichment must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    language.identifier.cache_clear()
    sentiment.default_model.cache_clear()
    warm_up()  # py3langid's profiles and our weights, from the installed packages
    assert sentiment.MODEL_PATH.is_file()
    assert sentiment.MODEL_PATH.stat().st_size < 2 * 1024 * 1024
    model = sentiment.load_model()
    assert model.classes == ("negative", "neutral", "positive")
    assert len(model.weights) > 1000
    assert all(len(row) == 3 for row in model.weights.values())
    assert model.meta["train_size"] == 2942
    assert "sha256" in str(model.meta["split"])
    # VADER's compound score is a feature with a positive weight for "positive" and a negative one for "negative".
    neg, _neu, pos = model.weights["v:compound"]
    assert pos > 0 > neg
    label, score = model.predict("I love this, best day ever!")
    assert label == "positive" and 0 < score <= 1


def test_a_weights_file_with_other_classes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"classes": ["bad", "good"], "weights": {}}, fh)
    with pytest.raises(ValueError, match="unexpected classes"):
        sentiment.load_model(path)


# --- sentiment ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This phone is great, the battery lasts forever", "positive"),
        ("The update is terrible, everything is slower now", "negative"),
        ("not bad at all", "positive"),
        ("The food was not good", "negative"),
        ("I love this 😍", "positive"),
        ("ugh 😡😡", "negative"),
        ("The store opens at 9 tomorrow", "neutral"),
        ("Worst customer service ever, never ordering again", "negative"),
        ("Great job 👍", "positive"),
    ],
)
def test_sentiment_examples(text: str, expected: str) -> None:
    result = enrich(text, lang_hint="en")
    assert result.sentiment == expected, result
    assert -1.0 <= result.score <= 1.0
    if expected == "positive":
        assert result.score > 0
    if expected == "negative":
        assert result.score < 0


def test_negation_changes_the_features_and_the_score() -> None:
    assert "w:NEG_bad" in features("not bad")
    assert "w:bad" in features("bad")
    assert enrich("not bad", lang_hint="en").score > enrich("bad", lang_hint="en").score


def test_emoji_move_the_score() -> None:
    plain = enrich("Delivery came today", lang_hint="en").score
    assert enrich("Delivery came today 😍🎉", lang_hint="en").score > plain
    assert enrich("Delivery came today 😡", lang_hint="en").score < plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Danke für die schnelle Lieferung!", "positive"),  # "die" must not read as the English verb
        ("Das Paket ist kaputt, sehr enttäuscht", "negative"),
        ("Das ist nicht gut", "negative"),
        ("Merci, service génial", "positive"),
        ("Produit nul, très déçu", "negative"),
        ("Gracias por todo ❤️", "positive"),
        ("Servizio pessimo", "negative"),
        ("Bedankt, geweldig!", "positive"),
        ("Péssimo atendimento", "negative"),
        ("Morgen stellen wir in Köln aus", "neutral"),
    ],
)
def test_sentiment_in_other_languages_uses_the_lexicon(text: str, expected: str) -> None:
    lang = language.detect(text)
    assert lang not in ("", "en")
    assert sentiment.sentiment(text, lang=lang)[0] == expected
    assert lexicon.sentiment(text)[0] == expected


def test_empty_and_symbol_only_texts_do_not_fail() -> None:
    for text in ("", "   ", "!!!", "https://example.com/x", "🙂"):
        result = enrich(text)
        assert isinstance(result, Enrichment)
        assert result.sentiment in ("positive", "neutral", "negative")
        assert result.intent in ("question", "complaint", "praise", "other")


# --- language -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I reset my password on the app?", "en"),
        ("Wie kann ich mein Passwort zurücksetzen?", "de"),
        ("Comment je peux changer mon mot de passe ?", "fr"),
        ("¿Cómo puedo cambiar mi contraseña?", "es"),
        ("Come posso cambiare la password?", "it"),
        ("Hoe kan ik mijn wachtwoord wijzigen?", "nl"),
        ("Como faço para mudar a minha senha?", "pt"),
    ],
)
def test_language_detection(text: str, expected: str) -> None:
    assert enrich(text).lang == expected


def test_language_on_the_sample_is_mostly_right() -> None:
    rows = [row for row in _sample() if len(row[2]) > 20]
    right = sum(1 for lang, _, text in rows if language.detect(text) == lang)
    assert right / len(rows) >= 0.95, right


def test_the_hint_wins_and_is_normalised() -> None:
    assert enrich("How do I reset my password?", lang_hint="de-DE").lang == "de"
    assert language.normalise_hint("pt_BR") == "pt"
    assert language.normalise_hint("EN") == "en"
    assert language.normalise_hint("english") == ""
    assert language.normalise_hint("") == ""


def test_no_language_without_letters() -> None:
    assert enrich("https://example.com/a 🙂 @someone").lang == ""
    assert enrich("").lang == ""


# --- intent ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I change my delivery address?", "question"),
        ("anyone know a good bike shop near the station", "question"),  # no "?" but a help phrase
        ("Is the store open on Sunday?", "question"),
        ("Seriously?", "other"),  # "?" without a question word
        ("How do I get a refund?", "question"),  # a problem word, but a neutral question
        ("Why is your support so terrible?", "complaint"),  # a question, but a complaint first
        ("My order never arrived", "complaint"),
        ("Thanks for the quick reply!", "praise"),
        ("Thanks for nothing, your support is useless", "complaint"),
        ("We are at booth 14 this week", "other"),
        ("Wie kann ich mein Passwort ändern?", "question"),
        ("Weiß jemand, ob die Filiale offen hat", "question"),
        ("Quelqu'un sait si c'est ouvert ?", "question"),
        ("¿Dónde está mi pedido?", "question"),
        ("Qualcuno sa se è aperto?", "question"),
        ("Weet iemand of de winkel open is?", "question"),
        ("Alguém sabe se a loja abre?", "question"),
        ("Mein Paket ist nie angekommen", "complaint"),
        ("Danke für die schnelle Hilfe!", "praise"),
    ],
)
def test_intent_examples(text: str, expected: str) -> None:
    assert enrich(text).intent == expected


def test_intent_on_the_hand_labelled_sample() -> None:
    rows = _sample()
    assert len(rows) >= 60
    assert {lang for lang, _, _ in rows} >= {"en", "de", "fr", "es", "it", "nl", "pt"}
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for _lang, label, text in rows:
        total[label] += 1
        right[label] += enrich(text).intent == label
    assert set(total) == {"question", "complaint", "praise", "other"}
    assert sum(right.values()) / sum(total.values()) >= 0.9, right
    for label in total:
        assert right[label] / total[label] >= 0.8, (label, right, total)


def test_questions_in_every_language_of_the_sample() -> None:
    for lang, label, text in _sample():
        if label == "question":
            assert intent.is_question(text), (lang, text)


def test_intent_on_the_sample_written_after_the_rules() -> None:
    rows = _sample(FRESH)
    right = sum(1 for _lang, label, text in rows if enrich(text).intent == label)
    assert len(rows) >= 30
    assert right / len(rows) >= 0.85, right
