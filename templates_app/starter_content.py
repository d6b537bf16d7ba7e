"""Starter templates seeded for each brand (data only).

Every brand gets a default general outreach template in each of the 9 languages; SOS-Expat also
gets category templates for `avocat` and `blogger` in French and English, so the selection chain
(language + category -> language -> English) works out of the box. Bodies are HTML fragments;
rendering wraps them into a full document with the right direction. No unsubscribe line here:
dispatch appends the unsubscribe footer itself.
"""

SOS_EXPAT_LINK = '<a href="https://sos-expat.com">sos-expat.com</a>'
ULIXAI_LINK = '<a href="https://ulixai.com">ulixai.com</a>'

STARTER_TEMPLATES = {
    "sos-expat": [
        dict(
            name="Cold outreach - FR",
            language="fr",
            category=None,
            subject="{firstName|Bonjour}, une aide immédiate pour les expatriés et voyageurs",
            body_html=(
                "<p>Bonjour {firstName|à vous},</p>\n"
                "<p>Je me permets de vous présenter SOS-Expat, un service qui met en relation les "
                "expatriés, voyageurs et vacanciers avec un avocat ou un expatrié aidant, par "
                "téléphone, dans leur langue et où qu'ils se trouvent dans le monde.</p>\n"
                "<p>Un visa refusé, un litige avec un propriétaire, un accident ou une démarche "
                "administrative incompréhensible : dans ces moments-là, parler rapidement à "
                "quelqu'un qui connaît le pays change tout.</p>\n"
                "<p>Si vous côtoyez des personnes qui vivent ou voyagent à l'étranger, nous serions "
                "ravis de vous présenter le service en quelques minutes, ou de voir comment "
                "travailler ensemble.</p>\n"
                f"<p>Bien cordialement,<br>L'équipe SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - EN",
            language="en",
            category=None,
            subject="{firstName|Hello}, fast help for expats and travellers, in their language",
            body_html=(
                "<p>Hi {firstName|there},</p>\n"
                "<p>I'm reaching out from SOS-Expat, a service that connects expats, travellers and "
                "holidaymakers with a lawyer or an experienced expat helper by phone, in their own "
                "language, wherever they are in the world.</p>\n"
                "<p>A refused visa, a dispute with a landlord, an accident or a confusing local "
                "procedure: at moments like these, talking quickly to someone who knows the "
                "country makes all the difference.</p>\n"
                "<p>If you work with people who live or travel abroad, we'd be glad to show you how "
                "it works in a few minutes, or to explore how we could work together.</p>\n"
                f"<p>Best regards,<br>The SOS-Expat team<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - ES",
            language="es",
            category=None,
            subject="Ayuda inmediata en el extranjero: un abogado al teléfono, en su idioma",
            body_html=(
                "<p>Hola, {firstName|buenos días}:</p>\n"
                "<p>Le escribo de parte de SOS-Expat, un servicio que pone en contacto a "
                "expatriados, viajeros y turistas con un abogado o con un expatriado experimentado, "
                "por teléfono, en su idioma y estén donde estén.</p>\n"
                "<p>Un visado denegado, un conflicto con el casero, un accidente o un trámite "
                "administrativo incomprensible: en esos momentos, hablar cuanto antes con alguien "
                "que conoce el país lo cambia todo.</p>\n"
                "<p>Si trata con personas que viven o viajan en el extranjero, estaremos encantados "
                "de presentarle el servicio en unos minutos o de ver cómo podríamos colaborar.</p>\n"
                f"<p>Un cordial saludo,<br>El equipo de SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - DE",
            language="de",
            category=None,
            subject="Schnelle Hilfe im Ausland: ein Anwalt am Telefon, in der eigenen Sprache",
            body_html=(
                "<p>Hallo {firstName|zusammen},</p>\n"
                "<p>ich schreibe Ihnen im Namen von SOS-Expat, einem Dienst, der Expats, Reisende "
                "und Urlauber telefonisch mit einem Anwalt oder einem erfahrenen Expat-Helfer "
                "verbindet – in ihrer Sprache und wo auch immer sie sich gerade befinden.</p>\n"
                "<p>Ein abgelehntes Visum, Ärger mit dem Vermieter, ein Unfall oder ein "
                "undurchsichtiges Behördenverfahren: In solchen Momenten macht es den Unterschied, "
                "schnell mit jemandem zu sprechen, der das Land kennt.</p>\n"
                "<p>Wenn Sie mit Menschen zu tun haben, die im Ausland leben oder reisen, stellen wir "
                "Ihnen den Dienst gern in wenigen Minuten vor oder besprechen, wie wir "
                "zusammenarbeiten könnten.</p>\n"
                f"<p>Viele Grüße<br>Ihr SOS-Expat-Team<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - PT",
            language="pt",
            category=None,
            subject="Ajuda imediata no exterior: um advogado ao telefone, no seu idioma",
            body_html=(
                "<p>Olá, {firstName|bom dia}!</p>\n"
                "<p>Escrevo em nome da SOS-Expat, um serviço que coloca expatriados, viajantes e "
                "turistas em contato com um advogado ou com um expatriado experiente, por telefone, "
                "no seu idioma e onde quer que estejam.</p>\n"
                "<p>Um visto recusado, um problema com o proprietário do imóvel, um acidente ou um "
                "trâmite administrativo incompreensível: nesses momentos, falar rapidamente com "
                "alguém que conhece o país faz toda a diferença.</p>\n"
                "<p>Se você trabalha com pessoas que vivem ou viajam no exterior, teremos prazer em "
                "apresentar o serviço em poucos minutos ou em ver como poderíamos colaborar.</p>\n"
                f"<p>Atenciosamente,<br>Equipe SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - RU",
            language="ru",
            category=None,
            subject="Срочная помощь за границей: юрист по телефону на родном языке",
            body_html=(
                "<p>Здравствуйте, {firstName|коллеги}!</p>\n"
                "<p>Пишу вам от имени SOS-Expat — сервиса, который по телефону связывает "
                "экспатов, путешественников и туристов с юристом или опытным помощником-экспатом "
                "на их родном языке, где бы они ни находились.</p>\n"
                "<p>Отказ в визе, спор с арендодателем, несчастный случай или непонятная "
                "бюрократическая процедура — в такие моменты очень важно быстро поговорить с "
                "человеком, который знает страну.</p>\n"
                "<p>Если вы работаете с людьми, которые живут или путешествуют за границей, мы с "
                "радостью за несколько минут расскажем о сервисе или обсудим возможное "
                "сотрудничество.</p>\n"
                f"<p>С уважением,<br>Команда SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - ZH",
            language="zh",
            category=None,
            subject="在海外遇到麻烦？用母语通过电话联系律师",
            body_html=(
                "<p>尊敬的{firstName|朋友}：</p>\n"
                "<p>您好！我们是 SOS-Expat。我们通过电话，为海外侨民、旅行者和度假者联系律师或"
                "熟悉当地情况的资深侨民，用他们的母语沟通，无论他们身在世界何处。</p>\n"
                "<p>签证被拒、与房东发生纠纷、遭遇意外，或是面对看不懂的行政手续——在这些时刻，"
                "能尽快和一位了解当地情况的人通话，往往能解决大问题。</p>\n"
                "<p>如果您的工作涉及在海外生活或旅行的人群，我们很乐意花几分钟为您介绍这项服务，"
                "或探讨合作的可能。</p>\n"
                f"<p>祝好！<br>SOS-Expat 团队<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - HI",
            language="hi",
            category=None,
            subject="विदेश में तुरंत मदद: अपनी भाषा में फ़ोन पर वकील से बात करें",
            body_html=(
                "<p>नमस्ते {firstName|जी},</p>\n"
                "<p>हम SOS-Expat की ओर से आपसे संपर्क कर रहे हैं। यह एक ऐसी सेवा है जो प्रवासियों, "
                "यात्रियों और पर्यटकों को फ़ोन पर किसी वकील या अनुभवी प्रवासी सहायक से जोड़ती है — "
                "उनकी अपनी भाषा में, वे दुनिया में कहीं भी हों।</p>\n"
                "<p>वीज़ा नामंज़ूर हो जाना, मकान-मालिक से विवाद, कोई दुर्घटना या समझ में न आने वाली "
                "सरकारी प्रक्रिया — ऐसे समय में उस देश को जानने वाले किसी व्यक्ति से जल्दी बात कर "
                "पाना बहुत बड़ा फ़र्क़ लाता है।</p>\n"
                "<p>अगर आप विदेश में रहने या यात्रा करने वाले लोगों के साथ काम करते हैं, तो हमें "
                "कुछ ही मिनटों में आपको यह सेवा दिखाने या साथ मिलकर काम करने के बारे में बात करने "
                "में ख़ुशी होगी।</p>\n"
                f"<p>शुभकामनाओं सहित,<br>SOS-Expat टीम<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - AR",
            language="ar",
            category=None,
            subject="مساعدة فورية في الخارج: محامٍ على الهاتف بلغتك",
            body_html=(
                "<p>مرحبًا {firstName|بك}،</p>\n"
                "<p>نتواصل معك من SOS-Expat، وهي خدمة تربط المغتربين والمسافرين والسياح بمحامٍ أو "
                "بمغترب ذي خبرة عبر الهاتف، بلغتهم، أينما كانوا في العالم.</p>\n"
                "<p>تأشيرة مرفوضة، أو نزاع مع المالك، أو حادث، أو إجراء إداري غير مفهوم: في مثل "
                "هذه اللحظات، يُحدث التحدث بسرعة مع شخص يعرف البلد فرقًا كبيرًا.</p>\n"
                "<p>إذا كنت تتعامل مع أشخاص يعيشون في الخارج أو يسافرون إليه، يسعدنا أن نعرّفك "
                "بالخدمة في بضع دقائق، أو أن نبحث معًا سبل التعاون.</p>\n"
                f"<p>مع أطيب التحيات،<br>فريق SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - Avocat FR",
            language="fr",
            category="avocat",
            subject="Bonjour {firstName|Maître}, développez votre cabinet avec SOS-Expat",
            body_html=(
                "<p>Bonjour {firstName|Maître},</p>\n"
                "<p>SOS-Expat met en relation, par téléphone, des expatriés et des voyageurs avec "
                "des avocats capables de les conseiller rapidement, dans leur langue, sur le droit "
                "du pays où ils se trouvent.</p>\n"
                "<p>Nous recherchons des avocats pour répondre à ces demandes. Vous restez maître "
                "de vos disponibilités et vous êtes mis en relation avec des clients qui ont besoin "
                "d'un conseil immédiat.</p>\n"
                "<p>Si {company|votre cabinet} souhaite développer une clientèle internationale, "
                "nous serions ravis de vous présenter le fonctionnement en quelques minutes.</p>\n"
                f"<p>Bien cordialement,<br>L'équipe SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - Lawyer EN",
            language="en",
            category="avocat",
            subject="Hi {firstName|there}, new international clients for your practice",
            body_html=(
                "<p>Hello {firstName|there},</p>\n"
                "<p>SOS-Expat connects expats and travellers by phone with lawyers who can advise "
                "them quickly, in their own language, on the law of the country they are in.</p>\n"
                "<p>We are looking for lawyers to take these calls. You stay in control of your "
                "availability and are put in touch with clients who need advice right away.</p>\n"
                "<p>If {company|your firm} would like to reach a new international clientele, we'd "
                "be glad to spend a few minutes walking you through how it works.</p>\n"
                f"<p>Kind regards,<br>The SOS-Expat team<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - Blogueur FR",
            language="fr",
            category="blogger",
            subject="{firstName|Bonjour}, un partenariat avec SOS-Expat pour vos lecteurs ?",
            body_html=(
                "<p>Bonjour {firstName|à vous},</p>\n"
                "<p>Vos lecteurs vivent à l'étranger ou s'apprêtent à partir : c'est précisément "
                "pour eux que nous avons créé SOS-Expat.</p>\n"
                "<p>SOS-Expat permet de joindre par téléphone un avocat ou un expatrié aidant, dans "
                "sa langue, dès qu'un problème survient à l'étranger : visa, logement, accident, "
                "démarches…</p>\n"
                "<p>Nous aimerions vous proposer un partenariat (article, guide pratique ou lien "
                "d'affiliation), selon ce qui convient le mieux à votre audience. Seriez-vous "
                "disponible pour en parler quelques minutes ?</p>\n"
                f"<p>Bien cordialement,<br>L'équipe SOS-Expat<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - Blogger EN",
            language="en",
            category="blogger",
            subject="{firstName|Hello}, a partnership with SOS-Expat for your readers?",
            body_html=(
                "<p>Hi {firstName|there},</p>\n"
                "<p>Your readers live abroad or are getting ready to move: they are exactly who we "
                "built SOS-Expat for.</p>\n"
                "<p>SOS-Expat lets them reach a lawyer or an experienced expat helper by phone, in "
                "their own language, as soon as something goes wrong abroad: visas, housing, "
                "accidents, paperwork…</p>\n"
                "<p>We'd love to offer you a partnership (an article, a practical guide or an "
                "affiliate link), whatever suits your audience best. Would you have a few minutes "
                "to talk about it?</p>\n"
                f"<p>Best regards,<br>The SOS-Expat team<br>{SOS_EXPAT_LINK}</p>"
            ),
            body_text="",
        ),
    ],
    "ulixai": [
        dict(
            name="Cold outreach - FR",
            language="fr",
            category=None,
            subject="{firstName|Bonjour}, proposez vos services aux expatriés sur Ulixai",
            body_html=(
                "<p>Bonjour {firstName|à vous},</p>\n"
                "<p>Ulixai est une plateforme qui aide les expatriés à trouver, au même endroit, les "
                "services dont ils ont besoin dans leur pays d'accueil : démarches "
                "administratives, logement, traduction, déménagement, cours de langue et bien "
                "plus.</p>\n"
                "<p>Nous invitons des professionnels de confiance à y présenter leurs services. "
                "{company|Votre entreprise} gagnerait ainsi en visibilité auprès d'expatriés qui "
                "cherchent exactement ce que vous proposez.</p>\n"
                "<p>L'inscription ne prend que quelques minutes. Voulez-vous que nous vous montrions "
                "comment cela fonctionne ?</p>\n"
                f"<p>Bien cordialement,<br>L'équipe Ulixai<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - EN",
            language="en",
            category=None,
            subject="{firstName|Hello}, offer your services to expats on Ulixai",
            body_html=(
                "<p>Hi {firstName|there},</p>\n"
                "<p>Ulixai is a platform that helps expats find the services they need in their new "
                "country in one place: paperwork, housing, translation, moving, language lessons "
                "and much more.</p>\n"
                "<p>We invite trusted professionals to list their services there, so that "
                "{company|your business} is seen by expats looking for exactly what you offer.</p>\n"
                "<p>Signing up only takes a few minutes. Would you like us to show you how it "
                "works?</p>\n"
                f"<p>Best regards,<br>The Ulixai team<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - ES",
            language="es",
            category=None,
            subject="Ofrezca sus servicios a expatriados en Ulixai",
            body_html=(
                "<p>Hola, {firstName|buenos días}:</p>\n"
                "<p>Ulixai es una plataforma que ayuda a los expatriados a encontrar en un solo "
                "lugar los servicios que necesitan en su país de acogida: trámites, vivienda, "
                "traducción, mudanzas, clases de idiomas y mucho más.</p>\n"
                "<p>Invitamos a profesionales de confianza a presentar allí sus servicios, para que "
                "{company|su empresa} llegue a expatriados que buscan justo lo que usted "
                "ofrece.</p>\n"
                "<p>El registro solo lleva unos minutos. ¿Le gustaría que le mostráramos cómo "
                "funciona?</p>\n"
                f"<p>Un cordial saludo,<br>El equipo de Ulixai<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - DE",
            language="de",
            category=None,
            subject="Bieten Sie Ihre Leistungen Expats auf Ulixai an",
            body_html=(
                "<p>Hallo {firstName|zusammen},</p>\n"
                "<p>Ulixai ist eine Plattform, auf der Expats an einem Ort die Dienstleistungen "
                "finden, die sie in ihrem neuen Land brauchen: Behördengänge, Wohnungssuche, "
                "Übersetzungen, Umzug, Sprachkurse und vieles mehr.</p>\n"
                "<p>Wir laden vertrauenswürdige Anbieter ein, ihre Leistungen dort vorzustellen – "
                "so wird {company|Ihr Unternehmen} von Expats gefunden, die genau das suchen, was "
                "Sie anbieten.</p>\n"
                "<p>Die Anmeldung dauert nur wenige Minuten. Sollen wir Ihnen zeigen, wie es "
                "funktioniert?</p>\n"
                f"<p>Viele Grüße<br>Ihr Ulixai-Team<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - PT",
            language="pt",
            category=None,
            subject="Ofereça seus serviços a expatriados na Ulixai",
            body_html=(
                "<p>Olá, {firstName|bom dia}!</p>\n"
                "<p>A Ulixai é uma plataforma que ajuda expatriados a encontrar, em um só lugar, os "
                "serviços de que precisam no novo país: documentação, moradia, tradução, mudança, "
                "aulas de idiomas e muito mais.</p>\n"
                "<p>Convidamos profissionais de confiança a apresentar seus serviços na plataforma, "
                "para que {company|sua empresa} seja encontrada por expatriados que procuram "
                "exatamente o que você oferece.</p>\n"
                "<p>O cadastro leva só alguns minutos. Quer que mostremos como funciona?</p>\n"
                f"<p>Atenciosamente,<br>Equipe Ulixai<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - RU",
            language="ru",
            category=None,
            subject="Предложите свои услуги экспатам на Ulixai",
            body_html=(
                "<p>Здравствуйте, {firstName|коллеги}!</p>\n"
                "<p>Ulixai — это платформа, на которой экспаты находят в одном месте услуги, нужные "
                "им в новой стране: помощь с документами, поиск жилья, переводы, переезд, языковые "
                "курсы и многое другое.</p>\n"
                "<p>Мы приглашаем надёжных специалистов разместить там свои услуги, чтобы "
                "{company|вашу компанию} находили экспаты, которые ищут именно то, что вы "
                "предлагаете.</p>\n"
                "<p>Регистрация занимает всего несколько минут. Хотите, мы покажем, как всё "
                "устроено?</p>\n"
                f"<p>С уважением,<br>Команда Ulixai<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - ZH",
            language="zh",
            category=None,
            subject="在 Ulixai 上向海外侨民提供您的服务",
            body_html=(
                "<p>尊敬的{firstName|朋友}：</p>\n"
                "<p>您好！Ulixai 是一个服务平台，帮助海外侨民在一个地方找到他们在新国家所需的各类"
                "服务：行政手续、租房、翻译、搬家、语言课程等等。</p>\n"
                "<p>我们诚邀值得信赖的专业人士在平台上展示服务，让正在寻找这些服务的侨民找到"
                "{company|贵公司}。</p>\n"
                "<p>注册只需几分钟。需要我们为您演示一下平台的使用方式吗？</p>\n"
                f"<p>祝好！<br>Ulixai 团队<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - HI",
            language="hi",
            category=None,
            subject="Ulixai पर प्रवासियों को अपनी सेवाएँ दें",
            body_html=(
                "<p>नमस्ते {firstName|जी},</p>\n"
                "<p>Ulixai एक ऐसा प्लेटफ़ॉर्म है जहाँ प्रवासी अपने नए देश में ज़रूरी सेवाएँ एक ही "
                "जगह पा सकते हैं: सरकारी काग़ज़ी कार्रवाई, घर ढूँढना, अनुवाद, सामान शिफ़्ट करना, "
                "भाषा की कक्षाएँ और भी बहुत कुछ।</p>\n"
                "<p>हम भरोसेमंद पेशेवरों को वहाँ अपनी सेवाएँ दिखाने के लिए आमंत्रित करते हैं, ताकि "
                "वे प्रवासी {company|आपकी कंपनी} तक पहुँच सकें जो ठीक वही ढूँढ रहे हैं जो आप देते "
                "हैं।</p>\n"
                "<p>रजिस्ट्रेशन में बस कुछ ही मिनट लगते हैं। क्या आप चाहेंगे कि हम आपको दिखाएँ कि "
                "यह कैसे काम करता है?</p>\n"
                f"<p>शुभकामनाओं सहित,<br>Ulixai टीम<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
        dict(
            name="Cold outreach - AR",
            language="ar",
            category=None,
            subject="اعرض خدماتك على المغتربين عبر Ulixai",
            body_html=(
                "<p>مرحبًا {firstName|بك}،</p>\n"
                "<p>Ulixai منصة تساعد المغتربين على إيجاد الخدمات التي يحتاجونها في بلدهم الجديد "
                "في مكان واحد: المعاملات الإدارية، والسكن، والترجمة، والانتقال، ودروس اللغة، "
                "وغير ذلك الكثير.</p>\n"
                "<p>ندعو المهنيين الموثوقين إلى عرض خدماتهم على المنصة، لتصل {company|شركتك} إلى "
                "مغتربين يبحثون تحديدًا عمّا تقدّمه.</p>\n"
                "<p>لا يستغرق التسجيل سوى بضع دقائق. هل تودّ أن نريك كيف تعمل المنصة؟</p>\n"
                f"<p>مع أطيب التحيات،<br>فريق Ulixai<br>{ULIXAI_LINK}</p>"
            ),
            body_text="",
        ),
    ],
}
