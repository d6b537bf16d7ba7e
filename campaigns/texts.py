"""Short texts the engine itself adds to messages and pages, in the 9 languages."""
from __future__ import annotations

LANGUAGES = ("fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar")
RTL = {"ar"}

TEXTS = {
    "fr": {
        "footer": "Vous ne souhaitez plus recevoir nos e-mails ?",
        "unsubscribe": "Se désinscrire",
        "title": "Désinscription",
        "question": "Ne plus recevoir d'e-mails de {brand} à l'adresse {email} ?",
        "confirm": "Me désinscrire",
        "done": "C'est fait : vous ne recevrez plus d'e-mails de {brand}.",
    },
    "en": {
        "footer": "Don't want to receive our emails anymore?",
        "unsubscribe": "Unsubscribe",
        "title": "Unsubscribe",
        "question": "Stop receiving emails from {brand} at {email}?",
        "confirm": "Unsubscribe me",
        "done": "Done: you will not receive any more emails from {brand}.",
    },
    "es": {
        "footer": "¿Ya no desea recibir nuestros correos?",
        "unsubscribe": "Darse de baja",
        "title": "Darse de baja",
        "question": "¿Dejar de recibir correos de {brand} en {email}?",
        "confirm": "Darme de baja",
        "done": "Listo: ya no recibirá más correos de {brand}.",
    },
    "de": {
        "footer": "Sie möchten unsere E-Mails nicht mehr erhalten?",
        "unsubscribe": "Abmelden",
        "title": "Abmelden",
        "question": "Keine E-Mails mehr von {brand} an {email} erhalten?",
        "confirm": "Abmelden",
        "done": "Erledigt: Sie erhalten keine E-Mails mehr von {brand}.",
    },
    "pt": {
        "footer": "Não deseja mais receber os nossos e-mails?",
        "unsubscribe": "Cancelar inscrição",
        "title": "Cancelar inscrição",
        "question": "Deixar de receber e-mails de {brand} em {email}?",
        "confirm": "Cancelar a minha inscrição",
        "done": "Pronto: não receberá mais e-mails de {brand}.",
    },
    "ru": {
        "footer": "Больше не хотите получать наши письма?",
        "unsubscribe": "Отписаться",
        "title": "Отписка",
        "question": "Больше не получать письма от {brand} на адрес {email}?",
        "confirm": "Отписаться",
        "done": "Готово: вы больше не будете получать письма от {brand}.",
    },
    "zh": {
        "footer": "不想再收到我们的邮件？",
        "unsubscribe": "退订",
        "title": "退订",
        "question": "停止向 {email} 发送来自 {brand} 的邮件？",
        "confirm": "确认退订",
        "done": "已完成：您将不会再收到来自 {brand} 的邮件。",
    },
    "hi": {
        "footer": "क्या आप अब हमारे ईमेल प्राप्त नहीं करना चाहते?",
        "unsubscribe": "सदस्यता समाप्त करें",
        "title": "सदस्यता समाप्त करें",
        "question": "क्या {email} पर {brand} से ईमेल प्राप्त करना बंद करें?",
        "confirm": "मेरी सदस्यता समाप्त करें",
        "done": "हो गया: अब आपको {brand} से कोई ईमेल नहीं मिलेगा।",
    },
    "ar": {
        "footer": "لا ترغب في تلقي رسائلنا بعد الآن؟",
        "unsubscribe": "إلغاء الاشتراك",
        "title": "إلغاء الاشتراك",
        "question": "هل تريد التوقف عن تلقي رسائل {brand} على العنوان {email}؟",
        "confirm": "إلغاء اشتراكي",
        "done": "تم: لن تتلقى أي رسائل أخرى من {brand}.",
    },
}


def texts_for(language: str | None) -> dict:
    """The texts in `language`, English when it is missing or not one of the 9."""
    return TEXTS.get((language or "en")[:2].lower(), TEXTS["en"])
