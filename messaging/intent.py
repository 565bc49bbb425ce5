"""What a free-text reply means: a request to stop texts, an answer to the shift question, or
neither, in English and Spanish.

The FCC lets people revoke consent "by any reasonable means", so a reply is read for opt-out
intent beyond the single carrier keywords: "stop texting me", "remove me", "no más", "no me
manden mensajes". Where a reply only might mean stop ("ya no", "too many texts"), it is
`UNCLEAR`: texts to that number are held and an organizer decides. Replies that answer the shift
question ("no, I can't make Tuesday", "no puedo ir") are shift answers, never opt-outs.

Text is normalized first: accents folded, lower case, apostrophes dropped ("don't" -> "dont"),
other punctuation and repeated spaces collapsed to one space.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    OPT_OUT = "opt_out"
    UNCLEAR = "unclear"
    CANCEL_SHIFT = "cancel_shift"
    CONFIRM_SHIFT = "confirm_shift"
    NONE = "none"


@dataclass(frozen=True)
class Reading:
    intent: Intent
    language: str  # "en" or "es": the language the matched phrase is in ("" when none)


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    folded = re.sub(r"['\u2019`\u00b4]", "", folded)
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def _rules(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in patterns]


MESSAGES_EN = r"(texts?|txts?|messages?|msgs?|sms|alerts?|reminders?)"
MESSAGES_ES = r"(mensajes?|mensajitos|textos?|msjs?|sms|recordatorios?)"

OPT_OUT_EN = _rules(
    r"\bstop (texting|txting|messaging|msging|sending|contacting|calling|bothering|it\b)",
    r"\b(quit|cease) (texting|txting|messaging|msging|sending|contacting|calling|bothering)\b",
    r"^no more$",
    r"\bstop (all|the|these|your|ur) " + MESSAGES_EN,
    r"\b(remove|delete|take) (me|my (number|phone|name|info))\b",
    r"\btake me off\b",
    r"\bunsub(scribe)?\b",
    r"\bopt (me )?out\b",
    r"\b(dont|do not|never|pls dont|please dont) (text|txt|message|msg|contact|send|call)\b",
    r"\bno (more|further) " + MESSAGES_EN,
    r"\bleave me alone\b",
    r"\bwrong (number|person)\b",
    r"\b(lose|forget) (my|this) number\b",
    r"\bnot (want|wanting) (any )?(more )?" + MESSAGES_EN,
    r"\b(dont|do not) want (any )?(more )?(your |these |those |the |this |ur )?" + MESSAGES_EN,
)
OPT_OUT_ES = _rules(
    r"^no mas\b(?! (de|que)\b)",
    r"\bno mas " + MESSAGES_ES,
    r"\bno (me )?(manden|mandes|mande|envien|envies|envie|escriban|escribas|escriba|"
    r"textees|texteen|contacten|contactes|molesten|molestes|llamen|sigan)\b",
    r"\b(dejen|deja|dejar|dejes|paren|para|pare) de (mandar|enviar|escribir|textear|molestar"
    r"|contactar|llamar)",
    r"\b(quitenme|quitame|quiteme|sacame|saquenme|saqueme|borrenme|borrame|eliminenme|"
    r"eliminame|eliminen mi|borren mi|quiten mi|saquen mi)\b",
    r"\b(quiten|quita|saquen|saca|borren|borra|eliminen|elimina) (mi|este) "
    r"(numero|nombre|telefono|cel|celular)\b",
    r"\b(darme|dame|denme|deme|doy|me doy|quiero darme) de baja\b",
    r"^(baja|cancelar|cancela|cancelen|basta|desuscribir|desuscribirme)$",
    r"\b(cancelar|cancela|cancelen) (los |mis |sus |estos )?(mensajes|textos|suscripcion)\b",
    r"\bbasta de " + MESSAGES_ES,
    r"\b(ya )?no (quiero|deseo) (recibir |que me (manden|envien) )?(mas )?" + MESSAGES_ES,
    r"\bnumero equivocado\b",
    r"\bno (me )?(vuelvan|vuelvas|vuelva) a (mandar|enviar|escribir|textear|molestar|contactar"
    r"|llamar)",
    r"^(ya )?no (quiero|deseo) (nada )?mas$",
    r"\bno mas de (estos|esos|sus|tus|los|tantos) " + MESSAGES_ES,
    r"\b(dejame|dejenme|dejeme) en paz\b",
)
# Answers to "Reply NO if you can't make it": a shift answer, not an opt-out. Explicit ones
# win over an unclear word ("I can't make it, cancel my shift"); a bare leading "no" does not.
CANCEL_SHIFT_EXPLICIT = _rules(
    r"\b(cant|cannot|can not|wont|will not|unable to) (make|come|go|attend|be there|do)\b",
    r"\bcancel (my|the|our) (shift|spot|signup|sign up|place)\b",
    r"\b(ya )?no (puedo|podre|voy a poder|voy a|podemos|alcanzo a) (ir|asistir|llegar|"
    r"estar|hacer|con)\b",
    r"\b(cancela|cancelar|cancelen|cancelo) (mi|el) (turno|lugar)\b",
)
CANCEL_SHIFT_LEADING = _rules(r"^(no|nope|nah|n)\b(?! mas\b)")
CONFIRM_SHIFT = _rules(r"^(yes|yeah|yep|yup|si|claro|ok|okay|sure|confirmo|confirmed)\b")
# Might mean "stop": hold texts and ask an organizer.
UNCLEAR_EN = _rules(
    r"\bstop\b(?! (by|in|over|at|for)\b)",
    r"\b(quit|remove|unsubscribe|cancel)\b",
    r"\btoo many " + MESSAGES_EN,
    r"\b(spam|spamming|harassment|harassing|annoying)\b",
    r"\bnot interested\b",
)
UNCLEAR_ES = _rules(
    r"^ya no$",
    r"\bya no\b",
    r"\b(parar|paren|alto|detener|cancelar|cancela|quitar|salir)\b",
    r"\bdemasiados " + MESSAGES_ES,
    r"\b(molestan|molesta|molestando|acoso)\b",
    r"\bno me interesa\b",
)


def _any(rules: list[re.Pattern[str]], text: str) -> bool:
    return any(rule.search(text) for rule in rules)


# Words that only soften a keyword: "STOP please", "stop it", "parar por favor".
FILLER = {
    "please", "pls", "plz", "now", "thanks", "thank", "you", "thx", "ok", "okay", "just",
    "it", "all", "por", "favor", "porfa", "porfavor", "gracias", "ahora", "ya",
}  # fmt: skip
SPANISH_HINTS = {"por", "favor", "porfa", "gracias", "ahora", "ya"}


def read_reply(body: str, *, opt_out_words: frozenset[str] = frozenset()) -> Reading:
    """What a reply means. An opt-out keyword softened by filler words, or an opt-out phrase,
    wins; then an explicit shift answer; then anything that only might mean stop (`UNCLEAR`);
    then a leading no or yes. `opt_out_words`: the single opt-out keywords, upper case."""
    text = normalize(body)
    if not text:
        return Reading(Intent.NONE, "")
    words = text.split()
    core = [word for word in words if word not in FILLER]
    if len(core) == 1 and core[0].upper() in opt_out_words:
        spanish = bool(SPANISH_HINTS & set(words)) or core[0] in {"parar", "alto", "detener"}
        return Reading(Intent.OPT_OUT, "es" if spanish else "en")
    # The phrases are read with the softening words dropped too: "basta por favor", "ya
    # basta", "por favor no mas", "no more please".
    readings = [text, " ".join(core)] if core else [text]
    if any(_any(OPT_OUT_ES, reading) for reading in readings):
        return Reading(Intent.OPT_OUT, "es")
    if any(_any(OPT_OUT_EN, reading) for reading in readings):
        return Reading(Intent.OPT_OUT, "en")
    if _any(CANCEL_SHIFT_EXPLICIT, text):
        return Reading(Intent.CANCEL_SHIFT, "")
    if _any(UNCLEAR_ES, text):
        return Reading(Intent.UNCLEAR, "es")
    if _any(UNCLEAR_EN, text):
        return Reading(Intent.UNCLEAR, "en")
    if _any(CANCEL_SHIFT_LEADING, text):
        return Reading(Intent.CANCEL_SHIFT, "")
    if _any(CONFIRM_SHIFT, text):
        return Reading(Intent.CONFIRM_SHIFT, "")
    return Reading(Intent.NONE, "")
