"""Nederlandse kaartteksten, zoals een Nederlandse helpdesk ze schrijft: je/jouw, geen letterlijke
vertalingen. Zelfde sleutels en placeholders als EN, en dezelfde zekerheid over tijden (docs/DOMAIN.md,
"Timing"). Vaste termen: SharePoint, Microsoft 365, profielfoto, het origineel (de foto in Microsoft 365)."""

from __future__ import annotations

NL: dict[str, str] = {
    # --- gedeelde onderdelen ---------------------------------------------------------------------------
    "footer.demo": "Demogegevens — niet je echte tenant",
    "footer.checked": "Gecontroleerd {time}",
    "name.unknown": "deze gebruiker",
    "action.check": "Mijn foto controleren",
    "action.check_again": "Opnieuw controleren",
    "action.try_again": "Opnieuw proberen",
    "action.sync": "Mijn foto in SharePoint vernieuwen",
    "action.send_link": "{name} een synclink sturen",
    "synclink.title": "IT vraagt je je foto in SharePoint te vernieuwen",
    "synclink.text": "SharePoint toont nog een oudere foto van je. De knop opent je eigen foto in SharePoint; "
    "daarmee haalt SharePoint de huidige op. PhotoSync kijkt daarna en laat je weten wanneer die te zien is.",
    "linksent.sent.title": "Synclink naar {name} gestuurd",
    "linksent.sent.text": "{name} krijgt een kaart met een link naar de eigen foto in SharePoint. PhotoSync kijkt "
    "daarna en laat {name} weten wanneer SharePoint de nieuwe foto toont.",
    "linksent.already_sent.title": "{name} heeft al een synclink gekregen",
    "linksent.already_sent.text": "Er is {at} al een link gestuurd. Eén link per uur, en één per foto, is genoeg.",
    "linksent.no_chat.title": "{name} gebruikt PhotoSync nog niet",
    "linksent.no_chat.text": "PhotoSync kan alleen mensen berichten die de app hebben. Vraag {name} om PhotoSync "
    "in Teams te openen en “controleer mijn foto” te typen.",
    "linksent.not_needed.title": "Synchroniseren helpt {name} niet",
    "linksent.not_needed.text": "Controleer de foto van {name} opnieuw om te zien waarom.",
    "progress.checking.self": "Je hebt SharePoint {started} je foto laten vernieuwen. Ik controleer tot "
    "SharePoint hem toont (volgende controle {at}) en werk deze kaart dan bij.",
    "progress.checking.other": "{name} heeft SharePoint {started} de foto laten vernieuwen. PhotoSync "
    "controleert tot SharePoint hem toont (volgende controle {at}).",
    "progress.fixed.self": "SharePoint toonde je nieuwe foto {at}, nadat je hem {started} liet vernieuwen.",
    "progress.fixed.other": "SharePoint toonde de nieuwe foto van {name} {at}, nadat {name} hem {started} "
    "liet vernieuwen.",
    "progress.expired.self": "Je hebt SharePoint {started} je foto laten vernieuwen, en 72 uur later (laatste "
    "controle {at}) toonde SharePoint je nieuwe foto nog steeds niet. Vraag IT de diagnose voor "
    "fotosynchronisatie (Picture Sync) uit te voeren.",
    "progress.expired.other": "{name} heeft SharePoint {started} de foto laten vernieuwen, en 72 uur later "
    "(laatste controle {at}) toonde SharePoint de nieuwe foto nog steeds niet. Voer de diagnose voor "
    "fotosynchronisatie (Picture Sync) uit in het Microsoft 365-beheercentrum.",
    "checking.title": "SharePoint haalt je foto op",
    "checking.text": "Je hebt {started} je eigen foto in SharePoint geopend: daardoor haalt SharePoint je "
    "nieuwe foto op. Ik controleer tot SharePoint hem toont (volgende controle {at}) en werk deze kaart dan "
    "bij.",
    "sync.fixed.title": "SharePoint toont nu je nieuwe foto",
    "sync.fixed.text": "Ik heb {time} opnieuw gekeken: SharePoint toont dezelfde foto als Microsoft 365. Toont "
    "een app nog de oude? Dan is dat een opgeslagen kopie, die vanzelf bijgewerkt wordt.",
    "sync.expired.title": "SharePoint toont je nieuwe foto nog steeds niet",
    "sync.expired.text": "Ik heb 72 uur lang gekeken nadat je je foto in SharePoint opende (laatst {time}). "
    "Vraag IT om de diagnose voor fotosynchronisatie (Picture Sync) in het Microsoft 365-beheercentrum uit te "
    "voeren. Veelvoorkomende oorzaken: geen Exchange Online-licentie, de eigenschap Picture niet bewerkbaar "
    "voor gebruikers, een directe upload door een beheerder in SharePoint, of een on-premises mailbox.",
    "action.profile.self": "Mijn Microsoft 365-profiel openen (Delve)",
    "action.profile.other": "Profiel van {name} openen (Delve)",
    "note.delve.self": "Delve is in december 2024 buiten gebruik gesteld: links naar Delve, zoals die "
    "hieronder, openen nu je Microsoft 365-profiel. Daar kun je je profiel bijwerken.",
    "note.delve.other": "Delve is in december 2024 buiten gebruik gesteld: links naar Delve, zoals die "
    "hieronder, openen nu het Microsoft 365-profiel van {name}.",
    "learn.heading": "Meer weten",
    "learn.photo_sync": "Fotosynchronisatie (Microsoft)",
    "learn.profile_sync": "Profielsynchronisatie (Microsoft)",
    "advice.heading": "Wat kun je doen?",
    "action.chat": "Chat met {name}",
    # --- de twee foto's naast elkaar -------------------------------------------------------------------
    "pictures.label.m365": "Microsoft 365",
    "pictures.label.sharepoint": "SharePoint",
    "pictures.alt.m365.self": "Je foto in Microsoft 365",
    "pictures.alt.m365.other": "Foto van {name} in Microsoft 365",
    "pictures.alt.sharepoint.self": "De foto die SharePoint voor je toont",
    "pictures.alt.sharepoint.other": "De foto die SharePoint voor {name} toont",
    "evidence.same.self": "SharePoint toont dezelfde foto als Microsoft 365 (gecontroleerd {time})",
    "evidence.same.other": "SharePoint toont voor {name} dezelfde foto als Microsoft 365 (gecontroleerd "
    "{time})",
    "evidence.different.self": "SharePoint toont nog een andere, oudere foto (gecontroleerd {time})",
    "evidence.different.other": "SharePoint toont voor {name} nog een andere, oudere foto (gecontroleerd "
    "{time})",
    "evidence.placeholder.self": "SharePoint toont een standaardafbeelding in plaats van je foto "
    "(gecontroleerd {time})",
    "evidence.placeholder.other": "SharePoint toont een standaardafbeelding in plaats van de foto van {name} "
    "(gecontroleerd {time})",
    "evidence.none.self": "SharePoint heeft geen foto van je (gecontroleerd {time})",
    "evidence.none.other": "SharePoint heeft geen foto van {name} (gecontroleerd {time})",
    "evidence.unreadable.self": "Ik kon niet zien welke foto SharePoint toont (gecontroleerd {time}), dus ik "
    "ga hier alleen uit van tijdstempels",
    "evidence.unreadable.other": "Ik kon niet zien welke foto SharePoint voor {name} toont (gecontroleerd "
    "{time}), dus ik ga hier alleen uit van tijdstempels",
    # --- tijden en duur --------------------------------------------------------------------------------
    "time.today": "vandaag om {time}",
    "time.yesterday": "gisteren om {time}",
    "time.tomorrow": "morgen om {time}",
    "time.date": "{date} om {time}",
    "month.1": "jan",
    "month.2": "feb",
    "month.3": "mrt",
    "month.4": "apr",
    "month.5": "mei",
    "month.6": "jun",
    "month.7": "jul",
    "month.8": "aug",
    "month.9": "sep",
    "month.10": "okt",
    "month.11": "nov",
    "month.12": "dec",
    "dur.lt_hour": "minder dan een uur",
    "dur.hour": "1 uur",
    "dur.hours": "{n} uur",
    "dur.days": "{n} dagen",
    # --- welkom / help / onbekend ----------------------------------------------------------------------
    "welcome.title": "Hoi, ik ben {bot}",
    "welcome.intro": "Heb je je profielfoto aangepast, maar zie je in SharePoint, Teams of Outlook nog de "
    "oude? Ik zoek uit welke kopie van je foto verouderd is, leg uit waarom en vertel je wat je kunt "
    "verwachten.",
    "welcome.what.heading": "Wat ik doe",
    "welcome.what.1": "• Je foto in Microsoft 365 (het origineel) vergelijken met de eigen kopie van "
    "SharePoint.",
    "welcome.what.2": "• Vertellen welke kopie verouderd is, waarom, en hoe die meestal weer bijgewerkt "
    "wordt.",
    "welcome.what.3": "• Met één klik SharePoint je foto laten vernieuwen, en je laten weten zodra SharePoint "
    "hem toont.",
    "welcome.notices": "Als je foto blijft hangen, stuur ik je misschien een bericht. Typ “geen meldingen "
    "meer” (of “stop”) om die berichten uit te zetten, en “meldingen aan” (of “start”) om ze weer aan te zetten.",
    "welcome.mention": "In een groepschat of kanaal reageer ik alleen als je me @vermeldt, bijvoorbeeld "
    "“@{bot} controleer mijn foto”.",
    "welcome.examples.heading": "Vraag bijvoorbeeld",
    "welcome.example.1": "“Waarom staat mijn oude foto nog in SharePoint?”",
    "welcome.example.2": "“Controleer mijn foto”",
    "welcome.example.3": "“Help”",
    "welcome.fallback": "Hoi, ik ben {bot}. Ik zoek uit waarom je profielfoto er oud uitziet en wat je eraan "
    "kunt doen. Typ “controleer mijn foto” om te beginnen.",
    "help.title": "Wat {bot} voor je kan doen",
    "help.intro": "Het origineel van je profielfoto staat in Microsoft 365 (Entra ID en Exchange). "
    "SharePoint bewaart een eigen kopie en werkt die pas bij als je je eigen foto in SharePoint opent. "
    "Daardoor kunnen SharePoint en de plekken die het gebruiken een tijdje een oude foto laten zien.",
    "help.cmd.check.title": "“controleer mijn foto”",
    "help.cmd.check.value": "Ik vergelijk beide kopieën en leg uit welke verouderd is, waarom, en wat je "
    "kunt verwachten.",
    "help.cmd.sync.title": "“Mijn foto in SharePoint vernieuwen”",
    "help.cmd.sync.value": "Verschijnt als SharePoint achterloopt: één klik opent je eigen foto in "
    "SharePoint, waardoor SharePoint hem ophaalt. Daarna controleer ik tot SharePoint hem toont en laat ik "
    "het je weten.",
    "help.cmd.help.title": "“help”",
    "help.cmd.help.value": "Toont deze kaart.",
    "help.cmd.notices.title": "“geen meldingen meer” / “meldingen aan”",
    "help.cmd.notices.value": "Zet mijn berichten over je foto uit, of weer aan (alleen voor jou).",
    "help.mention": "In een groepschat of kanaal: @vermeld me, bijvoorbeeld “@{bot} controleer mijn foto”.",
    "help.timing": "Hoe lang het duurt: Microsoft noemt geen vaste tijd voor de kopie van je foto in "
    "SharePoint. Meestal is die binnen een dag bijgewerkt nadat je je eigen foto in SharePoint hebt "
    "geopend; in de praktijk duurt het soms tot {field_hours} uur.",
    "help.caches": "Apps bewaren foto's ook in hun cache: ook als beide kopieën kloppen, kunnen Teams of "
    "Outlook nog even de oude foto tonen. In een privévenster, of als je je af- en weer aanmeldt, zie je de "
    "actuele foto.",
    "help.fallback": "{bot} zoekt uit waarom je profielfoto er oud uitziet. Typ “controleer mijn foto” om te "
    "beginnen.",
    "unknown.title": "Sorry, dat begreep ik niet",
    "unknown.text": "Ik kan nagaan waarom je profielfoto er in SharePoint, Teams of Outlook oud uitziet, en "
    "vertellen hoe je hem bijgewerkt krijgt. Typ “controleer mijn foto” of “help”.",
    "unknown.closest": "Bedoelde je een van deze?",
    "suggest.how_to_change": "Hoe verander ik mijn foto?",
    "suggest.how_to_change.text": "hoe verander ik mijn foto?",
    "suggest.help": "Wat kun je?",
    "suggest.help.text": "help",
    "whose.title": "Over wiens foto gaat het?",
    "whose.text": "Zeg me wie: de naam, het e-mailadres of de accountnaam, of noem de persoon met een "
    "@vermelding.",
    "whose.example": "Bijvoorbeeld “controleer jan.jansen@contoso.com” of “waarom is de foto van Megan "
    "Bowen oud?”.",
    "whose.no_manager": "In de directory van je organisatie staat geen manager voor jou.",
    "whose.own": "Controleer mijn eigen foto",
    "several.title": "Ik controleer één persoon tegelijk",
    "several.text": "Vraag het me per persoon, of gebruik het rapport van de driftscan voor veel mensen tegelijk.",
    "several.one.heading": "Eén voor één",
    "several.one": "Noem één persoon per bericht, bijvoorbeeld “controleer jan.jansen@contoso.com”, of noem "
    "de persoon met een @vermelding.",
    "several.scan.heading": "Veel tegelijk",
    "several.scan": "De driftscan controleert iedereen op de volglijst: wie PhotoSync beheert, drukt het "
    "rapport af met `python -m bot scan --report`.",
    "howto.title": "Zo verander je je profielfoto",
    "howto.where.heading": "Waar",
    "howto.where.1": "• Teams: kies rechtsboven je foto, en dan nog eens je foto om een nieuwe te uploaden.",
    "howto.where.2": "• Outlook of microsoft365.com: kies rechtsboven je foto, dan “Foto wijzigen”.",
    "howto.where.3": "• Je Microsoft 365-profielpagina: de knop hieronder opent die.",
    "howto.next.heading": "Wat er daarna gebeurt",
    "howto.next": "Microsoft 365 heeft de nieuwe foto meteen; Teams en Outlook tonen hem zodra hun cache "
    "bij is. SharePoint houdt een eigen kopie bij en werkt die bij nadat je je eigen foto daar hebt geopend. "
    "Vraag me iets later “controleer mijn foto”, dan zeg ik welke kopie achterloopt.",
    "howto.it.heading": "Geen knop om te wijzigen?",
    "howto.it": "Misschien beheert je organisatie foto's in de eigen (on-premises) Active Directory: dan "
    "verandert IT je foto daar. Vraag het je IT-helpdesk.",
    "smalltalk.title": "Graag gedaan! 👍",
    "smalltalk.text": "Vraag me gerust iets over je profielfoto.",
    # --- fout ------------------------------------------------------------------------------------------
    "error.title.self": "Ik kon je foto nu niet controleren",
    "error.title.other": "Ik kon de foto van {name} nu niet controleren",
    "error.generic": "Er ging bij mij iets mis. Er is niets gewijzigd. Probeer het over een paar minuten "
    "opnieuw.",
    "error.unavailable": "Ik kon de fotogegevens nu niet uit Microsoft 365 of SharePoint lezen. Er is niets "
    "gewijzigd. Probeer het later opnieuw.",
    "error.throttled": "Microsoft 365 krijgt even te veel verzoeken van me. Er is niets gewijzigd. Probeer "
    "het over een paar minuten opnieuw.",
    "error.user_not_found": "Ik kon dit account niet vinden in de directory van je organisatie. Er is niets "
    "gewijzigd. Is het account nieuw, probeer het dan later opnieuw; neem anders contact op met IT.",
    # --- diagnose: feiten ------------------------------------------------------------------------------
    "fact.changed": "Foto voor het eerst gezien",
    "fact.changed.first_seen": "Net pas — wanneer hij veranderde, is onbekend",
    "fact.changed.unknown": "Onbekend",
    "fact.changed.none": "Geen foto",
    "fact.sp": "SharePoint laatst bijgewerkt",
    "fact.sp.never": "Nog niet",
    "fact.sp.no_profile": "Nog geen SharePoint-profiel",
    "fact.sp.unavailable": "Kon SharePoint niet lezen",
    "fact.stale": "Verouderde kopie",
    "stale.none": "Geen — beide kopieën komen overeen",
    "stale.sharepoint": "De kopie in SharePoint",
    "stale.master": "Het origineel in Microsoft 365",
    "stale.unknown": "Nog niet te zeggen",
    "fact.expected": "Meestal klaar",
    "fact.expected.value": "{time}",
    "fact.field": "Kan duren tot",
    "fact.field.value": "{time}",
    "fact.timing": "Duur",
    "fact.timing.value": "Geen vaste tijd; meestal een dag, soms tot {field_hours} uur",
    # --- diagnose: per geval ---------------------------------------------------------------------------
    "diag.pending.title.self": "Je nieuwe foto is onderweg naar SharePoint",
    "diag.pending.title.other": "De nieuwe foto van {name} is onderweg naar SharePoint",
    "diag.pending.why.self": "Je foto in Microsoft 365 (het origineel) is actueel. SharePoint bewaart een "
    "eigen kopie en heeft die nog niet bijgewerkt sinds je foto veranderde ({bot} zag de nieuwe foto voor "
    "het eerst {changed}). Zo kort na een wijziging is dat normaal.",
    "diag.pending.why.other": "De foto van {name} in Microsoft 365 (het origineel) is actueel. SharePoint "
    "bewaart een eigen kopie en heeft die nog niet bijgewerkt sinds de foto veranderde ({bot} zag de nieuwe "
    "foto voor het eerst {changed}). Zo kort na een wijziging is dat normaal.",
    "diag.pending.advice.self": "Open je eigen foto in SharePoint, het liefst in een privévenster (dan "
    "speelt de cache van je browser niet mee): daardoor werkt SharePoint zijn kopie bij. Microsoft noemt "
    "geen vaste tijd; meestal duurt het daarna hooguit een dag, in de praktijk soms tot {field_hours} uur.",
    "diag.pending.advice.other": "{name} kan SharePoint de kopie laten bijwerken door de eigen foto in "
    "SharePoint te openen. Microsoft noemt geen vaste tijd; meestal duurt het daarna hooguit een dag, in de "
    "praktijk soms tot {field_hours} uur.",
    "diag.stale.title.self": "SharePoint toont nog je oude foto",
    "diag.stale.title.other": "SharePoint toont nog de oude foto van {name}",
    "diag.stale.why.self": "Je foto in Microsoft 365 (het origineel) is actueel, maar de kopie in SharePoint "
    "is verouderd. {bot} zag je nieuwe foto voor het eerst {changed}. Microsoft noemt geen vaste tijd, maar "
    "meestal is SharePoint binnen een dag bij, dus het is nu al minstens {overdue} later dan normaal.",
    "diag.stale.why.other": "De foto van {name} in Microsoft 365 (het origineel) is actueel, maar de kopie "
    "in SharePoint is verouderd. {bot} zag de nieuwe foto voor het eerst {changed}. Microsoft noemt geen "
    "vaste tijd, maar meestal is SharePoint binnen een dag bij, dus het is nu al minstens {overdue} later "
    "dan normaal.",
    "diag.stale.advice.self": "Open je eigen foto in SharePoint in een privévenster: daardoor werkt "
    "SharePoint zijn kopie bij. Na een dag nog steeds oud? Vraag IT de diagnose voor fotosynchronisatie "
    "(Picture Sync) in het Microsoft 365-beheercentrum uit te voeren.",
    "diag.stale.advice.other": "Vraag {name} de eigen foto in SharePoint te openen in een privévenster: "
    "daardoor werkt SharePoint zijn kopie bij; alleen {name} kan dat starten. Na een dag nog steeds oud? Een "
    "beheerder kan de diagnose voor fotosynchronisatie (Picture Sync) in het Microsoft 365-beheercentrum "
    "uitvoeren.",
    "diag.stale_placeholder.title.self": "SharePoint toont je foto nog niet",
    "diag.stale_placeholder.title.other": "SharePoint toont de foto van {name} nog niet",
    "diag.stale_placeholder.why.self": "Je hebt een foto in Microsoft 365 (het origineel), maar SharePoint "
    "heeft er nog geen eigen kopie van gemaakt en toont een standaardafbeelding.",
    "diag.stale_placeholder.why.other": "{name} heeft een foto in Microsoft 365 (het origineel), maar "
    "SharePoint heeft er nog geen eigen kopie van gemaakt en toont een standaardafbeelding.",
    "diag.on_premises.title.self": "Je foto wordt beheerd in de lokale Active Directory",
    "diag.on_premises.title.other": "De foto van {name} wordt beheerd in de lokale Active Directory",
    "diag.on_premises.why.self": "Je organisatie haalt profielfoto's uit de eigen (on-premises) Active "
    "Directory, dus het origineel in Microsoft 365 kan alleen daar veranderen. Fotowijzigingen in de cloud "
    "zijn geblokkeerd en niets wat je in de cloud start, kan dat veranderen.",
    "diag.on_premises.why.other": "Je organisatie haalt profielfoto's uit de eigen (on-premises) Active "
    "Directory, dus het origineel van {name} in Microsoft 365 kan alleen daar veranderen. Fotowijzigingen in "
    "de cloud zijn geblokkeerd en niets wat je in de cloud start, kan dat veranderen.",
    "diag.on_premises.advice.self": "Vraag je IT-afdeling je foto in Active Directory aan te passen, of doe "
    "het daar zelf als dat mag.",
    "diag.on_premises.advice.other": "Pas de foto van {name} aan in de lokale Active Directory (of vraag het "
    "team dat die beheert).",
    "diag.on_premises.sp_refresh.self": "SharePoint heeft zijn eigen kopie voor het laatst {sp_refreshed} "
    "bijgewerkt, voordat {bot} je huidige foto voor het eerst zag ({changed}), dus SharePoint toont "
    "misschien nog een oudere. Open je eigen foto in SharePoint: dan werkt SharePoint zijn kopie bij, en "
    "daarvoor hoeft er on-premises niets te veranderen. Alleen de foto in Microsoft 365 zelf moet daar "
    "veranderen.",
    "diag.on_premises.sp_refresh.other": "SharePoint heeft zijn eigen kopie voor het laatst {sp_refreshed} "
    "bijgewerkt, voordat {bot} de huidige foto van {name} voor het eerst zag ({changed}), dus SharePoint "
    "toont misschien nog een oudere. {name} kan SharePoint die kopie laten bijwerken door de eigen foto in "
    "SharePoint te openen; daarvoor hoeft er on-premises niets te veranderen. Alleen de foto in Microsoft "
    "365 zelf moet daar veranderen.",
    "diag.profile_importing.title.self": "SharePoint heeft je profiel nog niet geïmporteerd",
    "diag.profile_importing.title.other": "SharePoint heeft het profiel van {name} nog niet geïmporteerd",
    "diag.profile_importing.why.self": "SharePoint heeft nog geen gebruikersprofiel van je, en dus ook geen "
    "kopie van je foto. Of de profielimport is nog niet bij jouw account (die loopt in batches, en tijdens "
    "een migratie kan de achterstand groot zijn), of je account is geblokkeerd of heeft geen licentie; zulke "
    "accounts slaat de import over.",
    "diag.profile_importing.why.other": "SharePoint heeft nog geen gebruikersprofiel van {name}, en dus ook "
    "geen kopie van de foto. Of de profielimport is nog niet bij dit account (die loopt in batches, en "
    "tijdens een migratie kan de achterstand groot zijn), of het account is geblokkeerd of heeft geen "
    "licentie; zulke accounts slaat de import over.",
    "diag.profile_importing.advice.self": "Even geduld: Microsoft noemt geen vaste tijd voor de "
    "profielimport, en profielwijzigingen kunnen tot {edit_hours} uur nodig hebben om te verschijnen. Kijk "
    "morgen nog eens. Is er na een paar dagen nog steeds geen profiel, vraag IT dan na te kijken of je "
    "account actief is en een licentie heeft.",
    "diag.profile_importing.advice.other": "Even geduld: Microsoft noemt geen vaste tijd voor de "
    "profielimport, en profielwijzigingen kunnen tot {edit_hours} uur nodig hebben om te verschijnen. Is er "
    "na een paar dagen nog geen profiel van {name}, dan moet een beheerder nakijken of het account niet "
    "geblokkeerd is, een licentie heeft en of de profielimport loopt.",
    "diag.sync_disabled.title.self": "SharePoint pikt je foto niet op",
    "diag.sync_disabled.title.other": "SharePoint pikt de foto van {name} niet op",
    "diag.sync_disabled.why.self": "SharePoint haalt je foto niet uit Exchange, dus de kopie in SharePoint "
    "volgt je foto in Microsoft 365 niet. Mogelijke oorzaken: geen Exchange Online-licentie; de "
    "profieleigenschap Picture staat niet op “Gebruikers toestaan te bewerken”; een beheerder heeft "
    "rechtstreeks een foto in SharePoint gezet; of je mailbox staat on-premises.",
    "diag.sync_disabled.why.other": "SharePoint haalt de foto van {name} niet uit Exchange, dus de kopie in "
    "SharePoint volgt de foto in Microsoft 365 niet. Mogelijke oorzaken: geen Exchange Online-licentie; de "
    "profieleigenschap Picture staat niet op “Gebruikers toestaan te bewerken”; een beheerder heeft "
    "rechtstreeks een foto in SharePoint gezet; of de mailbox staat on-premises.",
    "diag.sync_disabled.advice.self": "Hier is een beheerder voor nodig: vraag IT je Exchange "
    "Online-licentie, de eigenschap Picture in SharePoint en de plek van je mailbox na te kijken. SharePoints "
    "kopie vernieuwen helpt pas als dat is opgelost.",
    "diag.sync_disabled.advice.other": "Een beheerder moet de Exchange Online-licentie van {name}, de "
    "eigenschap Picture in SharePoint en de plek van de mailbox nakijken. SharePoints kopie vernieuwen helpt "
    "pas als dat is opgelost.",
    "diag.no_photo.title.self": "Je hebt nog geen profielfoto",
    "diag.no_photo.title.other": "{name} heeft nog geen profielfoto",
    "diag.no_photo.why.self": "Er staat geen foto in Microsoft 365 (het origineel), dus SharePoint en de "
    "andere apps hebben niets om te kopiëren.",
    "diag.no_photo.why.other": "Er staat geen foto van {name} in Microsoft 365 (het origineel), dus "
    "SharePoint en de andere apps hebben niets om te kopiëren.",
    "diag.no_photo.advice.self": "Voeg een foto toe aan je Microsoft 365-profiel: de profiellink hieronder "
    "opent het. Mag je hem niet zelf wijzigen, vraag het dan aan IT. Open daarna je eigen foto in "
    "SharePoint, zodat SharePoint hem oppikt (meestal binnen een dag).",
    "diag.no_photo.advice.other": "{name} kan zelf een foto toevoegen aan het Microsoft 365-profiel, of een "
    "beheerder doet het. Daarna moet {name} de eigen foto in SharePoint openen, zodat SharePoint hem oppikt "
    "(meestal binnen een dag).",
    "diag.in_sync.title.self": "Je foto is actueel",
    "diag.in_sync.title.other": "De foto van {name} is actueel",
    "diag.in_sync.why.self": "Beide kopieën komen overeen: SharePoint heeft zijn kopie {sp_refreshed} "
    "bijgewerkt, nadat {bot} je huidige foto voor het eerst zag ({changed}).",
    "diag.in_sync.why.other": "Beide kopieën komen overeen: SharePoint heeft zijn kopie {sp_refreshed} "
    "bijgewerkt, nadat {bot} de huidige foto van {name} voor het eerst zag ({changed}).",
    "diag.in_sync.advice.self": "Zie je in een app nog je oude foto, dan is dat waarschijnlijk een kopie uit "
    "de cache. Probeer een privévenster, of meld je af en weer aan.",
    "diag.in_sync.advice.other": "Toont een app nog de oude foto van {name}, dan is dat waarschijnlijk een "
    "kopie uit de cache. In een privévenster, of na af- en weer aanmelden, is de actuele foto te zien.",
    "diag.change_time_unknown.title.self": "SharePoint heeft misschien je nieuwste foto niet",
    "diag.change_time_unknown.title.other": "SharePoint heeft misschien de nieuwste foto van {name} niet",
    "diag.change_time_unknown.why.self": "SharePoint heeft je foto voor het laatst {sp_refreshed} "
    "bijgewerkt. {bot} ziet je huidige foto voor het eerst, dus ik weet niet wanneer die veranderde: heb je "
    "hem daarna gewijzigd, dan is de wijziging nog niet bij SharePoint aangekomen.",
    "diag.change_time_unknown.why.other": "SharePoint heeft de foto van {name} voor het laatst "
    "{sp_refreshed} bijgewerkt. {bot} ziet de huidige foto voor het eerst, dus ik weet niet wanneer die "
    "veranderde: is hij daarna gewijzigd, dan is de wijziging nog niet bij SharePoint aangekomen.",
    "diag.change_time_gap.title.self": "Ik kan niet zien of SharePoint je nieuwste foto heeft",
    "diag.change_time_gap.title.other": "Ik kan niet zien of SharePoint de nieuwste foto van {name} heeft",
    "diag.change_time_gap.why.self": "SharePoint heeft je foto voor het laatst {sp_refreshed} bijgewerkt, en "
    "rond die tijd is je foto veranderd: {bot} zag de huidige {changed} voor het eerst, maar de vorige nog "
    "vóór die update. Ik kan dus niet zien of SharePoint je nieuwe of je oude foto heeft gekopieerd.",
    "diag.change_time_gap.why.other": "SharePoint heeft de foto van {name} voor het laatst {sp_refreshed} "
    "bijgewerkt, en rond die tijd is de foto veranderd: {bot} zag de huidige {changed} voor het eerst, maar "
    "de vorige nog vóór die update. Ik kan dus niet zien of SharePoint de nieuwe of de oude foto heeft "
    "gekopieerd.",
    "diag.change_time_gap.advice.self": "Toont SharePoint nog je oude foto, open dan je eigen foto in "
    "SharePoint in een privévenster: daardoor werkt SharePoint zijn kopie bij. Toont het je nieuwe foto, dan "
    "is SharePoint bijgewerkt en is een oude foto in een app waarschijnlijk een kopie uit de cache.",
    "diag.change_time_gap.advice.other": "Toont SharePoint nog de oude foto van {name}, vraag {name} dan de "
    "eigen foto in SharePoint te openen: daardoor werkt SharePoint zijn kopie bij. Toont het de nieuwe foto, "
    "dan is SharePoint bijgewerkt en is een oude foto in een app waarschijnlijk een kopie uit de cache.",
    "diag.change_time_unknown.advice.self": "Is je nieuwe foto recenter dan dat, open dan je eigen foto in "
    "SharePoint in een privévenster: daardoor werkt SharePoint zijn kopie bij. Heb je hem sindsdien niet "
    "gewijzigd, dan is SharePoint bijgewerkt en is een oude foto in een app waarschijnlijk een kopie uit de "
    "cache.",
    "diag.change_time_unknown.advice.other": "Is de nieuwe foto van {name} recenter dan dat, vraag {name} "
    "dan de eigen foto in SharePoint te openen: daardoor werkt SharePoint zijn kopie bij. Anders is "
    "SharePoint bijgewerkt en is een oude foto in een app waarschijnlijk een kopie uit de cache.",
    "diag.requested_by": "Aangevraagd door {requested_by}",
    # --- helpdesk: gebruiker kiezen, geen resultaat, niet toegestaan ------------------------------------
    "pick.title": "Meerdere mensen passen bij “{query}” — wie bedoel je?",
    "pick.text": "Kies de persoon van wie ik de foto moet controleren.",
    "pick.action": "Controleren",
    "pick.more": "De eerste {shown} van {total} resultaten. Gebruik een e-mailadres om één persoon te vinden.",
    "not_found.title": "Niemand past bij “{query}”",
    "not_found.text": "Ik kon niemand met die naam vinden in de directory van je organisatie.",
    "not_found.tips.heading": "Tips",
    "not_found.tip.email": "• Gebruik het e-mailadres, bijvoorbeeld “controleer jan.jansen@contoso.com”.",
    "not_found.tip.mention": "• Of noem de persoon met een @vermelding in je bericht.",
    "refused.title": "Alleen helpdeskmedewerkers kunnen de foto's van anderen controleren",
    "refused.text": "Je eigen foto kan ik wel voor je controleren, in een chat met mij.",
    # --- proactieve meldingen --------------------------------------------------------------------------
    "action.stop_notices": "Stuur me geen meldingen meer",
    "action.start_notices": "Fotomeldingen weer aanzetten",
    "notice.title": "Je foto in SharePoint is verouderd",
    "notice.why": "Je hebt een nieuwe profielfoto: {bot} zag hem voor het eerst {changed}. SharePoint heeft "
    "zijn kopie voor het laatst {sp_refreshed} bijgewerkt, dus SharePoint (en apps die daaruit lezen) tonen "
    "nog je oude foto.",
    "notice.why.never": "Je hebt een nieuwe profielfoto: {bot} zag hem voor het eerst {changed}. SharePoint "
    "heeft er nog geen eigen kopie van gemaakt, dus SharePoint (en apps die daaruit lezen) tonen nog je oude "
    "foto.",
    "notice.timing": "Microsoft noemt geen vaste tijd. Meestal is SharePoint binnen een dag bij nadat je je "
    "eigen foto daar hebt geopend; in de praktijk duurt het soms tot {field_hours} uur. {bot} zag je foto "
    "{overdue} geleden voor het eerst; de echte wijziging kan iets ouder zijn.",
    "notice.advice": "Open je eigen foto in SharePoint in een privévenster: daardoor werkt SharePoint zijn "
    "kopie bij.",
    "notice.advice.link": "Druk op “Mijn foto in SharePoint vernieuwen”: dat opent je eigen foto in SharePoint, "
    "waardoor SharePoint de nieuwe ophaalt. {bot} controleert daarna tot SharePoint hem toont en laat het je "
    "weten.",
    "notice.footer": "{bot} stuurt één melding per fotowijziging. Wil je die niet? Druk op “Stuur me geen "
    "meldingen meer” of typ “geen meldingen meer”.",
    "optout.stopped.title": "Je krijgt geen fotomeldingen meer",
    "optout.stopped.text": "Typ “meldingen aan” om ze weer aan te zetten. Je kunt me nog altijd iets over je "
    "foto vragen.",
    "optout.started.title": "Fotomeldingen staan weer aan",
    "optout.started.text": "{bot} laat het je weten als de kopie van je foto in SharePoint achterloopt. Typ "
    "“geen meldingen meer” om ze uit te zetten.",
    # --- de synchronisatie als de gebruiker gestart (Teams SSO) ---------------------------------------
    "sso.started.title": "SharePoint haalt je foto nu op",
    "sso.started.text": "Ik heb {at} je eigen foto in SharePoint geopend als jou; daardoor haalt SharePoint je "
    "huidige foto op. Ik controleer het en laat je weten wanneer SharePoint hem toont.",
    "sso.started.stored": "Kopie in SharePoint laatst opgeslagen",
    "sso.failed.title": "Ik kon je foto in SharePoint niet als jou openen",
    "sso.failed.text": "SharePoint nam het verzoek nu niet aan. Er is niets gewijzigd. Probeer het over een paar "
    "minuten opnieuw.",
    "sso.failed.text.link": "SharePoint nam het verzoek nu niet aan. Er is niets gewijzigd. De knop opent je "
    "eigen foto in SharePoint in je browser; dat doet hetzelfde.",
    "sso.signin.title": "Je wordt aangemeld bij SharePoint",
    "sso.signin.text": "Teams meldt je aan met je werkaccount; daarna open ik je foto in SharePoint als jou. "
    "Vraagt Teams om toestemming, geef die dan één keer. Of open je foto met de knop in je browser.",
    "sso.retry.title": "Je bent aangemeld",
    "sso.retry.text": "Druk nog een keer op “Mijn foto in SharePoint vernieuwen” op de kaart om te beginnen.",
}
