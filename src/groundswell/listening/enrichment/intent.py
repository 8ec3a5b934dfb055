"""Intent of a post for social customer care: question, complaint, praise or other, and how likely it is that
the post needs a reply (care's triage queue is ordered by :func:`reply_priority`; ADR 0028).

Problem cues are counted (:func:`problem_cues`): a strong phrase ("never arrived", "on hold", "charged me
twice", "kaputt", "toujours pas", …) counts 2; a weak one ("refund", "again", "promised", "nobody", …), a
duration ("2 hours", "drei Wochen") and a clock time after a promise ("It's 4pm", "Son las 4") count 1 each;
a reassurance ("never had a single outage", "zero problems") takes 2 away. Then, in this order:

1. **complaint** with 2 or more, even in a question ("Why is your support so terrible?"); with 1 when the
   sentiment model calls the post negative, or when it also praises: sarcasm ("Great. Waited 2 hours and got
   disconnected." praises and complains; the complaint wins). A duration alone never makes praise sarcastic
   ("fixed everything in 20 min").
2. **question**: a clause ending in "?" (or opened by "¿") whose first words include a question word; a
   sentence that starts with a question word or an inverted verb once a leading name or @handle is skipped
   ("Northwind how do I…", "@Northwind is there an outage", "Northwind do you deliver…", "Czy ktoś wie…"); a
   help-seeking or wanting-to-know phrase with or without "?" ("anyone know", "I'd like to know", "weiß
   jemand", "je voudrais savoir", "quería saber", "vorrei sapere", "ik wil weten", "chciałbym wiedzieć", …).
   A bare "Seriously?" is not a question.
3. **praise**: a praise cue (thanks, love, great, 👏, danke, merci, gracias, dzięki, …) in a post the model
   calls positive; outside English, where sentiment comes from a small lexicon that misses a lot, not negative
   is enough.
4. otherwise **other**.

Cues exist for en, de, fr, es, it, nl, pl and pt. Measured by ``make bench-intent`` on a hand-labelled set
(bench/intent/: tuned on tune.tsv, reported on heldout.tsv) and tested on the two samples in listening/tests/.
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
    "disgusting|pathetic|ridiculous|joke of a|"
    # ADR 0028: waiting, no-shows, silence, money taken, service gone
    "on hold|hold queue|hold music|been waiting|still no|still not|still nothing|still getting|no call|no email|"
    "no answer|no answers|zero answers|no reply|no response|nobody showed|nobody came|no one came|never showed|"
    "never turned up|didn't show|didn't turn up|didn't arrive|did not arrive|not here|never came back|"
    "charged me twice|charged twice|twice for|never agreed|without telling|without warning|"
    "without notice|disconnected|cut off|cut my|lost my|dead on arrival|logs me out|throttled|hung up|"
    "three different|different answers|closed my complaint|without fixing|drops every|keeps dropping|"
    "down all|blinks|only two of|reported the fault|no fixes|zero fixes|without a working|without working|"
    "keeps saying|disappointed|disappointing|not good enough|fell apart|falling apart|came apart|faulty|"
    "broke on|broke after|broke within|leaked|leaking|ripped",
    "kaputt|defekt|nie angekommen|nicht angekommen|immer noch nicht|funktioniert nicht|geht nicht|schlechteste|"
    "unverschämt|betrug|beschädigt|frechheit|katastrophe|enttäuscht|"
    "warteschleife|kein internet|kein netz|kein festnetz|ohne internet|keine antwort|kein anruf|passiert nichts|"
    "passiert einfach nichts|falsche rechnung|trotzdem|abgebucht|aufgelegt|rausgeflogen|bricht|reicht es|"
    "verloren|startet alle|termin verpasst|ohne erklärung|storniert",
    "cassé|jamais reçu|jamais arrivé|ne marche pas|ne fonctionne pas|marche pas|toujours pas|pire|inadmissible|"
    "arnaque|endommagé|honteux|scandaleux|nul|déçu|déçue|"
    "sans internet|sans prévenir|personne ne répond|personne ne prévient|facturé deux fois|deux fois|coupé|"
    "coupure|aucune nouvelle|toujours aucune|d'attente|jamais venu|rien dans|réponses différentes|"
    "redémarre toute seule|pour rien",
    "decepcionado|decepcionada|roto|nunca llegó|nunca me llegó|no funciona|sigo esperando|peor|pésimo|pésima|estafa|"
    "vergüenza|dañado|"
    "sin internet|sin conexión|sin avisar|llevo|cobrado dos veces|dos veces|me cuelgan|nadie me|nadie avisa|"
    "nunca vino|no ha llegado|respuestas distintas|se desconecta|subida de precio",
    "deluso|delusa|rotto|mai arrivato|mai arrivata|non funziona|ancora niente|peggiore|pessimo|pessima|truffa|"
    "vergogna|danneggiato|"
    "senza internet|senza connessione|senza avviso|due volte|nessuna risposta|nessuno avvisa|non è mai venuto|"
    "cade la linea|si disconnette|non è arrivato|risposte diverse|aspetto il rimborso",
    "teleurgesteld|kapot|nooit aangekomen|nooit ontvangen|werkt niet|nog steeds niet|slechtste|waardeloos|"
    "oplichting|beschadigd|"
    "geen internet|geen verbinding|geen reactie|zonder bericht|zonder uitleg|twee keer|niemand laat|nooit gekomen|"
    "er is niks|valt elke|valt uit|verschillende antwoorden|prijsverhoging|al drie|al vier|reageert niet",
    "zepsuty|zepsuta|nie działa|nie dotarła|nie dotarło|nadal nie|nadal brak|najgorszy|oszustwo|uszkodzony|"
    "rozczarowany|rozczarowana|bez internetu|brak internetu|dwa razy|nikt nie|nigdy nie przyszedł|rozłącza|"
    "rozłączyli|brak odpowiedzi|zgubił|różne odpowiedzi|bez wyjaśnienia|nic nie przyszło|czekam",
    "quebrado|quebrou|nunca chegou|não funciona|não chegou|pior|péssimo|péssima|golpe|vergonha|danificado|"
    "ninguém responde|sem internet",
)
#: Topic words of customer service: a problem only in a post the sentiment model calls negative.
SERVICE_WORDS = _cues(
    "support|customer service|order|delivery|package|parcel|app|account|help|helpline|chat bot",
    "kundendienst|kundenservice|hotline|lieferung",
    "service client",
    "atención al cliente",
    "assistenza|servizio clienti",
    "klantenservice",
    "infolinii|obsługa",
    "atendimento",
)
WEAK_PROBLEM = _cues(
    "refund|late|delay|delayed|cancel|cancelled|canceled|charged|bug|error|issue|problem|"
    "complaint|missing|wrong|slow|waiting|wait|waited|sent back|returned|breaks|where is my|"
    "promised|supposed to|meant to|should have|again|every time|every night|every evening|outage|fault|nothing|"
    "nobody|no one|zero|never|lost|raised|price again|bill went up|drops|processing|third time|second time|"
    "sorry for the inconvenience|invoices|loops|went up",
    "erstattung|rückerstattung|verspätet|spät|verspätung|storniert|fehler|problem|falsch|"
    "sollte|versprochen|verspricht|schon wieder|wieder|jeden abend|gutschrift|extra|warte|nichts|wo bleibt|bricht",
    "remboursement|retard|en retard|annulé|erreur|problème|devait|promis|encore|j'attends|"
    "attends|rappel|augmenté|où est ma|où est mon",
    "reembolso|tarde|retraso|cancelado|error|problema|tenía que|prometió|otra vez|esperando|"
    "reclamaciones|nadie|nunca|subió|dónde está mi",
    "rimborso|ritardo|in ritardo|cancellato|errore|problema|doveva|promesso|di nuovo|aspetto|attesa|"
    "reclamo|nessuno|aumentata|dov'è il mio|dov'è la mia",
    "terugbetaling|geld terug|te laat|vertraging|geannuleerd|fout|probleem|zou|beloofd|weer|wachten|"
    "klacht|niemand|nooit|afgeschreven|hoger|waar blijft",
    "zwrot|opóźnienie|reklamację|reklamacja|miał|obiecał|znowu|czekam|nikt|nigdy|wyższy|pobrał|gdzie jest moja",
    "reembolso|atrasado|atraso|cancelado|erro|problema",
)
#: "never had a single outage", "zero problems": a problem word that says there is none.
REASSURANCE = _cues(
    "never had|not a single|without a single|no problems|zero problems|no issues|can't fault|cannot fault|"
    "never lets me down|no complaints|sorted my|fixed everything|in one call|problem solved|who knew",
    "keine probleme|ohne aussetzer|ohne probleme|nie probleme|gelöst",
    "sans problème|sans souci|aucun problème|réglé",
    "sin problemas|ningún problema|resuelto",
    "senza problemi|nessun problema|risolto",
    "geen problemen|zonder problemen|opgelost",
    "bez problemów|żadnych problemów|rozwiązany|naprawa",
)
_DURATION = re.compile(
    r"(?<!\w)(?:\d+|two|three|four|five|six|a|an|zwei|drei|vier|fünf|einer|deux|trois|quatre|un|une|dos|tres|cuatro|"
    r"una|due|tre|quattro|twee|drie|vier|een|dwa|trzy|cztery|pięć)\s*"
    r"(?:min|mins|minutes?|hours?|hrs?|h|days?|weeks?|months?|minuten|stunden?|tagen?|wochen?|monate?n?|monat|"
    r"heures?|jours?|semaines?|mois|minutos?|horas?|días|dias|semanas?|mes(?:es)?|minuti|ore|giorni|settimane?|"
    r"mesi?|uur|uren|dagen|weken|maanden?|minut|godzin[ay]?|godzinę|dni|tygodni[ea]?|miesiąc[ea]?)(?!\w)"
    r"|(?<!\w)(?:day|tag|jour|día|giorno|dag|dzień)\s+\d+(?!\w)|(?<!\w)since\s+(?:\d|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)"
    r"|(?<!\w)(?:seit|depuis|desde|da|sinds|od)\s+\w+"
)
#: "It's 4pm" after a promised window: the time said now.
_CLOCK = re.compile(
    r"(?<!\w)(?:it's|it is|es ist|jetzt ist es|il est|son las|es la|sono le|è l'|het is|jest|it's now)\s*\d"
    r"|(?<!\w)(?:it's|it is)\s+(?:noon|midnight|\d)"
    r"|(?<!\w)(?:it's|it is)\s+\w+\s*(?:am|pm)(?!\w)"
)
#: "took £60 from my account": money taken.
_MONEY_TAKEN = re.compile(r"(?<!\w)(?:took|taken|debited|abgebucht|pobrał|prelevato|prélevé)\s+(?:me\s+)?[£€$]\s?\d")
_SARCASM_OPENERS = _cues(
    "great|oh great|oh wonderful|wonderful|fantastic|brilliant|cool cool|nice one|love paying|really loving|"
    "thanks for the|thanks northwind|nothing says|genial|génial|super|toll|na toll|wow|bravo|geweldig|lekker bezig|"
    "qué maravilla|que maravilla|bedankt|dzięki|grazie|merci|gracias|danke|brawo",
)
HELP_PHRASES = _cues(
    "how do i|how can i|how do you|how to|anyone know|does anyone know|anybody know|can someone|can anyone|"
    "is there a way|any idea|any ideas|any recommendations|any tips|what's the best way|who knows|"
    # ADR 0028: asking without a question mark
    "i'd like to know|i would like to know|wondering whether|wondering if|i wonder|need to know|want to know|"
    "looking for the|trying to find out|please tell me|please let me know|need help|quick one|who do i talk to|"
    "what are my options|anyone using|anyone tried|anyone else",
    "wie kann ich|wie geht|weiß jemand|weiss jemand|kennt jemand|hat jemand|gibt es eine möglichkeit|"
    "ich hätte gern gewusst|ich hätte gerne gewusst|ich würde gern wissen|ich würde gerne wissen|ich möchte wissen|"
    "wo finde ich|brauche hilfe",
    "comment faire|comment je|quelqu'un sait|quelqu'un peut|quelqu'un a|est-ce que|je voudrais savoir|"
    "j'aimerais savoir|je souhaite savoir|je cherche|c'est quoi",
    "cómo puedo|como puedo|alguien sabe|alguien me puede|alguien ha|hay alguna forma|quería saber|quisiera saber|"
    "me gustaría saber|necesito el|necesito saber|a qué hora",
    "come posso|come si fa|qualcuno sa|qualcuno mi|qualcuno ha|vorrei sapere|vorrei capire|mi serve|ho bisogno",
    "hoe kan ik|hoe moet ik|weet iemand|kan iemand|heeft iemand|ik wil graag weten|ik wil weten|ik zoek",
    "czy ktoś|ktoś wie|ktoś testował|chciałbym wiedzieć|chciałabym wiedzieć|chcę wiedzieć|potrzebuję|szukam",
    "como faço|como posso|alguém sabe|alguém pode",
)
#: Words that open a question when a sentence starts with them (after a leading name or @handle).
QUESTION_STARTS = _cues(
    "what|when|where|which|who|why|how|is there|are there|is it|is this|is the|are you|do you|does it|does the|"
    "did you|can i|can you|can we|could you|will you|will the|would you|should i|any idea",
    "wie|wo|wann|warum|wieso|was|welche|welcher|welches|gibt es|kann man|kann ich|könnt ihr|bietet ihr|habt ihr|"
    "seid ihr|ist das|ist es",
    "comment|où|quand|pourquoi|quel|quelle|quels|quelles|combien|est-ce|vous livrez|vous faites|vous avez|"
    "avez-vous|peut-on",
    "cómo|como|dónde|donde|cuándo|cuando|qué|cuál|cuánto|cuanto|por qué|hay|hacéis|tenéis|podéis|a qué",
    "come|dove|quando|perché|quale|quanto|c'è|spedite|fate|avete|potete",
    "hoe|waar|wanneer|waarom|wat|welke|is er|zijn er|kan ik|kunnen jullie|leveren jullie|hebben jullie",
    "jak|gdzie|kiedy|dlaczego|czy|ile|co|który|która|wysyłacie|macie",
    "onde|quando|qual|quanto|tem",
)
_NOT_A_NAME = frozenset(["article:", "news:", "video:", "report:", "read:", "podcast:", "artikel:", "blog:"])
_SENTENCE = re.compile(r"[^.!?\n]+")
_LEAD = re.compile(r"^\s*(?:(?:@[\w.\-]+|hey|hi|hello|hallo|salut|hola|ciao|hoi|cześć|dear)[\s,:]*)*")
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
    "dzięki|dziękuję|świetnie|polecam|super|na medal|brawo",
    "complimenti|lob|compliment|complimenten|blij|zufrieden|contento|contenta|contentissima|content|contente",
    "friendly|impressed|can't fault|freundlich|schnelle|amable|encantada|encantado|de diez|gentile|gentilissimo|"
    "benissimo|consigliata|consigliato|vriendelijk|snelle|dank|miły|miła|punktualny|puntual|puntuale",
)
PRAISE_EMOJI = ("😍", "❤", "🙌", "👏", "🥰", "💯", "👍", "🎉", "🙏")
_CLAUSE = re.compile(r"[^.!?¿\n]*[?]|¿[^?.!\n]*")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _normal(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def _starts_a_question(sentence: str) -> bool:
    """The sentence opens with a question word or an inverted verb, once a greeting or @handle and then one
    leading name ("Northwind how do I…") are skipped."""
    rest = _LEAD.sub("", sentence).strip(" ,:;-")
    if QUESTION_STARTS.match(rest):
        return True
    name, _, after = rest.partition(" ")
    if name in _NOT_A_NAME:
        return False
    return bool(name) and name[0].isalpha() and bool(QUESTION_STARTS.match(after.lstrip(" ,:")))


def is_question(text: str) -> bool:
    low = _normal(text)
    if HELP_PHRASES.search(low):
        return True
    for clause in _CLAUSE.findall(low):
        if clause.startswith("¿"):
            return True
        if any(word in QUESTION_WORDS for word in _WORD.findall(clause)[:3]):
            return True
    return any(_starts_a_question(sentence) for sentence in _SENTENCE.findall(low))


def problem_cues(text: str, sentiment: str = "neutral") -> tuple[int, bool]:
    """The weight of the problem cues in ``text`` (strong 2; weak, duration, clock 1; a customer-service word 1
    in a negative post; a reassurance -2), and whether a cue other than a duration or a service word is there."""
    low = _normal(text)
    strong = len(STRONG_PROBLEM.findall(low))
    weak = len(WEAK_PROBLEM.findall(low))
    service = 1 if sentiment == "negative" and SERVICE_WORDS.search(low) else 0
    clock = 1 if _CLOCK.search(low) else 0
    strong += len(_MONEY_TAKEN.findall(low))
    duration = 1 if _DURATION.search(low) else 0
    reassured = 2 * len(REASSURANCE.findall(low))
    weight = max(0, 2 * strong + weak + clock + duration + service - reassured)
    return weight, bool(strong or weak or clock) and not reassured


def _praised(text: str, low: str) -> bool:
    return bool(PRAISE.search(low)) or any(e in text for e in PRAISE_EMOJI)


def classify(text: str, *, lang: str, sentiment: str) -> str:
    low = _normal(text)
    weight, pointed = problem_cues(text, sentiment)
    praised = _praised(text, low) or bool(_SARCASM_OPENERS.search(low))
    if weight >= 2 or (weight >= 1 and (sentiment == "negative" or (pointed and praised))):
        return "complaint"
    if is_question(text):
        return "question"
    if _praised(text, low) and (sentiment == "positive" or (lang not in ("en", "") and sentiment != "negative")):
        return "praise"
    return "other"


#: Below this :func:`reply_priority` a post is confidently something that needs no reply.
NO_REPLY_BELOW = 0.15


def reply_priority(text: str, *, lang: str, sentiment: str, intent: str | None = None) -> float:
    """How likely it is that the post needs a reply, 0 … 1: care's triage queue shows the highest first.

    Complaints first, then questions; among the rest, problem cues, a negative tone, a "?" and a post that
    speaks to the brand ("@…", "you") push a post up; plain praise with none of those sinks to the bottom."""
    intent = intent or classify(text, lang=lang, sentiment=sentiment)
    weight, _ = problem_cues(text, sentiment)
    if intent == "complaint":
        return min(1.0, 0.8 + 0.05 * weight)
    if intent == "question":
        return min(0.79, 0.65 + 0.05 * weight)
    low = _normal(text)
    score = 0.3 if intent == "other" else 0.1
    score += 0.1 * min(weight, 3) + (0.15 if sentiment == "negative" else 0.0)
    score += 0.1 if "?" in text else 0.0
    addressed = "@" in text or re.search(r"(?<!\w)(?:you|your|ihr|euch|vous|os|vi|jullie|wy)(?!\w)", low)
    score += 0.05 if intent == "other" and addressed else 0.0  # not "thank you": praise speaks to the brand too
    return round(min(score, 0.6), 3)


def needs_no_reply(text: str, *, lang: str, sentiment: str) -> bool:
    """Confidently something that needs no reply: praise without a problem cue, a negative tone or a "?"
    (everything else from outside the company goes to care's triage queue)."""
    return reply_priority(text, lang=lang, sentiment=sentiment) < NO_REPLY_BELOW
