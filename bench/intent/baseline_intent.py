"""FROZEN COPY of listening/enrichment/intent.py as it was before ADR 0028 (the baseline of bench-intent; do not
edit). Intent of a post for social customer care: question, complaint, praise or other. Rules, in this order:

1. **complaint** when a strong problem cue is there ("never arrived", "doesn't work", "worst", "kaputt",
   "ne marche pas", …), even in a question ("Why is your support so terrible?").
2. **question**: a clause ending in "?" (or opened by "¿") whose first words include a question word or an
   inverted auxiliary ("Is the shop open…?", "Kann ich…?"), or a help-seeking phrase with or without "?"
   ("how do I", "anyone know", "weiß jemand", "quelqu'un sait", …). A bare "Seriously?" is not a question.
3. **complaint** again for a weak problem cue ("refund", "support", "late", …) in a post the sentiment
   model calls negative; after questions, so "How do I get a refund for a cancelled flight?" is a question.
4. **praise**: a praise cue (thanks, love, great, 👏, danke, merci, gracias, …) in a post the model calls
   positive; outside English, where sentiment comes from a small lexicon that misses a lot, not negative is
   enough.
5. otherwise **other**.

Cues exist for en, de, fr, es, it, nl and pt. Tested on two hand-labelled samples in
listening/tests/: intent_sample.tsv (written alongside the rules) and intent_fresh.tsv (written after them).
"""

from __future__ import annotations

import re


def _cues(*phrases: str) -> re.Pattern[str]:
    words = sorted({p for group in phrases for p in group.split("|")}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


STRONG_PROBLEM = _cues(
    "broken|never arrived|never received|never came|still waiting|still hasn't|still haven't|worst|scam|ripped off|"
    "rip-off|rip off|doesn't work|does not work|don't work|not working|stopped working|won't work|crashed|crashing|"
    "crashes|keeps crashing|unacceptable|terrible|awful|useless|overcharged|double charged|defective|damaged|"
    "disgusting|pathetic|ridiculous|joke of a",
    "kaputt|defekt|nie angekommen|nicht angekommen|immer noch nicht|funktioniert nicht|geht nicht|schlechteste|"
    "unverschämt|betrug|beschädigt|frechheit|katastrophe|enttäuscht",
    "cassé|jamais reçu|jamais arrivé|ne marche pas|ne fonctionne pas|marche pas|toujours pas|pire|inadmissible|"
    "arnaque|endommagé|honteux|scandaleux|nul|déçu|déçue",
    "decepcionado|decepcionada|roto|nunca llegó|nunca me llegó|no funciona|sigo esperando|peor|pésimo|pésima|estafa|vergüenza|dañado",
    "deluso|delusa|rotto|mai arrivato|mai arrivata|non funziona|ancora niente|peggiore|pessimo|pessima|truffa|vergogna|danneggiato",
    "teleurgesteld|kapot|nooit aangekomen|nooit ontvangen|werkt niet|nog steeds niet|slechtste|waardeloos|oplichting|beschadigd",
    "quebrado|quebrou|nunca chegou|não funciona|não chegou|pior|péssimo|péssima|golpe|vergonha|danificado",
)
WEAK_PROBLEM = _cues(
    "refund|late|delay|delayed|support|customer service|cancel|cancelled|canceled|charged|bug|error|issue|problem|"
    "complaint|missing|wrong|slow|waiting|wait|order|delivery|package|parcel|app|account|help",
    "erstattung|rückerstattung|verspätet|spät|verspätung|kundendienst|kundenservice|storniert|fehler|problem|falsch",
    "remboursement|retard|en retard|service client|annulé|erreur|problème",
    "reembolso|tarde|retraso|atención al cliente|cancelado|error|problema",
    "rimborso|ritardo|in ritardo|assistenza|cancellato|errore|problema",
    "terugbetaling|geld terug|te laat|vertraging|klantenservice|geannuleerd|fout|probleem",
    "reembolso|atrasado|atraso|atendimento|cancelado|erro|problema",
)
HELP_PHRASES = _cues(
    "how do i|how can i|how do you|how to|anyone know|does anyone know|anybody know|can someone|can anyone|"
    "is there a way|any idea|any ideas|any recommendations|any tips|what's the best way|who knows",
    "wie kann ich|wie geht|weiß jemand|weiss jemand|kennt jemand|hat jemand|gibt es eine möglichkeit",
    "comment faire|comment je|quelqu'un sait|quelqu'un peut|est-ce que",
    "cómo puedo|como puedo|alguien sabe|alguien me puede|hay alguna forma",
    "come posso|come si fa|qualcuno sa|qualcuno mi",
    "hoe kan ik|hoe moet ik|weet iemand|kan iemand",
    "como faço|como posso|alguém sabe|alguém pode",
)
QUESTION_WORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "is",
        "are",
        "am",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "has",
        "have",
        "had",
        "anyone",
        "anybody",
        "any",
        "was",
        "wann",
        "wo",
        "woher",
        "wohin",
        "welche",
        "welcher",
        "welches",
        "wer",
        "wen",
        "wem",
        "warum",
        "wieso",
        "weshalb",
        "wie",
        "ist",
        "sind",
        "kann",
        "kannst",
        "können",
        "könnt",
        "gibt",
        "hat",
        "hast",
        "habt",
        "haben",
        "wird",
        "werden",
        "muss",
        "soll",
        "darf",
        "weiß",
        "kennt",
        "que",
        "quoi",
        "quand",
        "où",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "qui",
        "pourquoi",
        "comment",
        "combien",
        "est",
        "peut",
        "peux",
        "puis",
        "avez",
        "qué",
        "cuándo",
        "cuando",
        "dónde",
        "donde",
        "cuál",
        "cual",
        "quién",
        "quien",
        "por",
        "cómo",
        "como",
        "cuánto",
        "cuanto",
        "hay",
        "puedo",
        "puede",
        "alguien",
        "che",
        "quando",
        "cosa",
        "dove",
        "quale",
        "quali",
        "chi",
        "perché",
        "perche",
        "come",
        "quanto",
        "quanti",
        "è",
        "c'è",
        "posso",
        "può",
        "qualcuno",
        "wat",
        "wanneer",
        "waar",
        "welke",
        "wie",
        "waarom",
        "hoe",
        "hoeveel",
        "zijn",
        "kan",
        "kun",
        "kunnen",
        "heeft",
        "hebben",
        "weet",
        "wordt",
        "onde",
        "qual",
        "quais",
        "quem",
        "porque",
        "quanto",
        "é",
        "tem",
        "posso",
        "pode",
        "alguém",
    ]
)
PRAISE = _cues(
    "thanks|thank you|thx|ty|love|loved|loving|great|awesome|amazing|excellent|fantastic|brilliant|best|kudos|"
    "well done|shoutout|shout out|impressed|perfect|superb|wonderful",
    "danke|vielen dank|super|toll|klasse|großartig|genial|spitze|begeistert|liebe",
    "merci|génial|excellent|bravo|parfait|j'adore|top",
    "gracias|genial|excelente|increíble|encanta|perfecto",
    "grazie|fantastico|ottimo|eccellente|bravissimi|perfetto|adoro",
    "bedankt|dank je|dankjewel|geweldig|fantastisch|perfect",
    "obrigado|obrigada|ótimo|excelente|incrível|adoro|perfeito|parabéns",
)
PRAISE_EMOJI = ("😍", "❤", "🙌", "👏", "🥰", "💯", "👍", "🎉", "🙏")
_CLAUSE = re.compile(r"[^.!?¿\n]*[?]|¿[^?.!\n]*")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _normal(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def is_question(text: str) -> bool:
    low = _normal(text)
    if HELP_PHRASES.search(low):
        return True
    for clause in _CLAUSE.findall(low):
        if clause.startswith("¿"):
            return True
        if any(word in QUESTION_WORDS for word in _WORD.findall(clause)[:3]):
            return True
    return False


def classify(text: str, *, lang: str, sentiment: str) -> str:
    low = _normal(text)
    if STRONG_PROBLEM.search(low):
        return "complaint"
    if is_question(text):
        return "question"
    if sentiment == "negative" and WEAK_PROBLEM.search(low):
        return "complaint"
    praised = bool(PRAISE.search(low)) or any(e in text for e in PRAISE_EMOJI)
    if praised and (sentiment == "positive" or (lang not in ("en", "") and sentiment != "negative")):
        return "praise"
    return "other"
