"""Nederlandse kaartteksten (je/jouw, zoals gebruikelijk in Teams). Zelfde sleutels en placeholders als EN."""

from __future__ import annotations

NL: dict[str, str] = {
    # --- gedeelde onderdelen ---------------------------------------------------------------------------
    "footer.demo": "Demogegevens — niet je echte tenant",
    "footer.checked": "Gecontroleerd {time}",
    "name.unknown": "deze gebruiker",
    "action.check": "Controleer mijn foto",
    "action.check_again": "Opnieuw controleren",
    "action.try_again": "Opnieuw proberen",
    "action.resync.self": "Mijn foto opnieuw synchroniseren",
    "action.resync.other": "Foto van {name} opnieuw synchroniseren",
    "action.profile.self": "Mijn profiel bijwerken (Delve)",
    "action.profile.other": "Profiel van {name} openen (Delve)",
    "note.delve.self": "“Mijn profiel bijwerken (Delve)” opent je Microsoft 365-profiel: Delve is in "
    "december 2024 buiten gebruik gesteld; links naar Delve leiden nu daarheen.",
    "note.delve.other": "“Profiel van {name} openen (Delve)” opent de profielpagina in Microsoft 365: Delve "
    "is in december 2024 buiten gebruik gesteld; links naar Delve leiden nu daarheen.",
    "learn.heading": "Meer weten",
    "learn.photo_sync": "Synchronisatie van profielfoto's (Microsoft)",
    "learn.profile_sync": "Synchronisatie van gebruikersprofielen (Microsoft)",
    "advice.heading": "Wat nu?",
    "action.chat": "Chat met {name}",
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
    "welcome.what.2": "• Vertellen welke kopie oud is, waarom, en wanneer die bijgewerkt zou moeten zijn.",
    "welcome.what.3": "• Je foto opnieuw aanbieden als SharePoint te laat is.",
    "welcome.examples.heading": "Vraag bijvoorbeeld",
    "welcome.example.1": "“Waarom staat mijn oude foto nog in SharePoint?”",
    "welcome.example.2": "“Controleer mijn foto”",
    "welcome.example.3": "“Help”",
    "welcome.fallback": "Hoi, ik ben {bot}. Ik zoek uit waarom je profielfoto er oud uitziet en wat je eraan "
    "kunt doen. Zeg “controleer mijn foto” om te beginnen.",
    "help.title": "Wat {bot} voor je kan doen",
    "help.intro": "Het origineel van je profielfoto staat in Microsoft 365 (Entra ID en Exchange). "
    "SharePoint bewaart eigen kopieën en vernieuwt die alleen als er een fotosynchronisatie draait. Daardoor "
    "kunnen SharePoint en de plekken die het gebruiken een tijdje een oude foto laten zien.",
    "help.cmd.check.title": "“controleer mijn foto”",
    "help.cmd.check.value": "Ik vergelijk beide kopieën en leg uit welke oud is, waarom, en wat je kunt "
    "verwachten.",
    "help.cmd.resync.title": "Knop Opnieuw synchroniseren",
    "help.cmd.resync.value": "Verschijnt als SharePoint te laat is: ik bied je foto opnieuw aan, zodat "
    "SharePoint verse kopieën maakt.",
    "help.cmd.help.title": "“help”",
    "help.cmd.help.value": "Toont deze kaart.",
    "help.timing": "Hoe lang het duurt: volgens Microsoft kan het {ms_hours} uur duren voordat SharePoint "
    "een nieuwe foto oppikt; in de praktijk soms tot {field_hours} uur. Als je je eigen profiel opent, "
    "probeert SharePoint je foto te synchroniseren.",
    "help.caches": "Apps bewaren foto's ook in hun cache: ook als beide kopieën kloppen, kunnen Teams of "
    "Outlook nog even de oude foto tonen. In een privévenster of na af- en weer aanmelden zie je de actuele.",
    "help.fallback": "{bot} zoekt uit waarom je profielfoto er oud uitziet. Zeg “controleer mijn foto” om te "
    "beginnen.",
    "unknown.title": "Sorry, dat begreep ik niet",
    "unknown.text": "Ik kan nagaan waarom je profielfoto er in SharePoint, Teams of Outlook oud uitziet, en "
    "hem opnieuw synchroniseren als SharePoint te laat is. Probeer “controleer mijn foto”, of typ “help”.",
    # --- fout ------------------------------------------------------------------------------------------
    "error.title.self": "Ik kon je foto nu niet controleren",
    "error.title.other": "Ik kon de foto van {name} nu niet controleren",
    "error.generic": "Er ging bij mij iets mis. Er is niets gewijzigd. Probeer het over een paar minuten "
    "opnieuw.",
    "error.unavailable": "Ik kon de fotogegevens nu niet uit Microsoft 365 of SharePoint lezen. Er is niets "
    "gewijzigd. Probeer het later opnieuw.",
    "error.throttled": "Microsoft 365 vroeg me het rustiger aan te doen. Er is niets gewijzigd. Probeer het "
    "over een paar minuten opnieuw.",
    "error.user_not_found": "Ik kon dit account niet vinden in de directory van je organisatie. Er is niets "
    "gewijzigd. Is het account nieuw, probeer het dan later opnieuw; neem anders contact op met IT.",
    # --- diagnose: feiten ------------------------------------------------------------------------------
    "fact.changed": "Foto gewijzigd (voor het eerst gezien door {bot})",
    "fact.changed.first_seen": "Onbekend — {bot} ziet deze foto voor het eerst",
    "fact.changed.unknown": "Onbekend",
    "fact.changed.none": "Geen foto",
    "fact.sp": "SharePoint laatst bijgewerkt",
    "fact.sp.never": "Nog niet",
    "fact.sp.no_profile": "Nog geen SharePoint-profiel",
    "fact.sp.unavailable": "SharePoint kon nu niet worden gelezen",
    "fact.stale": "Verouderde kopie",
    "stale.none": "Geen — beide kopieën komen overeen",
    "stale.sharepoint": "De kopie van SharePoint",
    "stale.master": "Het origineel in Microsoft 365",
    "stale.unknown": "Nog niet te zeggen",
    "fact.expected": "Verwacht uiterlijk",
    "fact.expected.value": "{time} (Microsoft: binnen {ms_hours} uur na de wijziging)",
    "fact.field": "In de praktijk",
    "fact.field.value": "tot {field_hours} uur: {time}",
    "fact.timing": "Gebruikelijke duur",
    "fact.timing.value": "Microsoft: binnen {ms_hours} uur na een wijziging · in de praktijk: tot "
    "{field_hours} uur",
    # --- diagnose: per geval ---------------------------------------------------------------------------
    "diag.pending.title.self": "Je nieuwe foto is onderweg naar SharePoint",
    "diag.pending.title.other": "De nieuwe foto van {name} is onderweg naar SharePoint",
    "diag.pending.why.self": "Je foto in Microsoft 365 (het origineel) is actueel. SharePoint bewaart een "
    "eigen kopie en heeft die nog niet vernieuwd sinds je foto veranderde ({bot} zag de nieuwe foto voor het "
    "eerst {changed}) — vanaf dan gerekend valt dat nog binnen de tijd die Microsoft ervoor geeft.",
    "diag.pending.why.other": "De foto van {name} in Microsoft 365 (het origineel) is actueel. SharePoint "
    "bewaart een eigen kopie en heeft die nog niet vernieuwd sinds de foto veranderde ({bot} zag de nieuwe "
    "foto voor het eerst {changed}) — vanaf dan gerekend valt dat nog binnen de tijd die Microsoft ervoor "
    "geeft.",
    "diag.pending.advice.self": "Open je eigen profiel (bijvoorbeeld met “Mijn profiel bijwerken” hieronder, "
    "in een privévenster om oude foto's uit de cache te vermijden): dan probeert SharePoint je foto te "
    "synchroniseren. Volgens Microsoft is hij er uiterlijk {expected_by}; in de praktijk kan het duren tot "
    "{expected_by_field}.",
    "diag.pending.advice.other": "{name} kan SharePoint de foto laten synchroniseren door het eigen profiel "
    "te openen. Volgens Microsoft is hij er uiterlijk {expected_by}; in de praktijk kan het duren tot "
    "{expected_by_field}.",
    "diag.stale.title.self": "SharePoint toont nog je oude foto",
    "diag.stale.title.other": "SharePoint toont nog de oude foto van {name}",
    "diag.stale.why.self": "Je foto in Microsoft 365 (het origineel) is actueel, maar de eigen kopie van "
    "SharePoint is verouderd. {bot} zag je nieuwe foto voor het eerst {changed}; volgens Microsoft pikt "
    "SharePoint een wijziging binnen {ms_hours} uur op, dus het is nu minstens {overdue} te laat.",
    "diag.stale.why.other": "De foto van {name} in Microsoft 365 (het origineel) is actueel, maar de eigen "
    "kopie van SharePoint is verouderd. {bot} zag de nieuwe foto voor het eerst {changed}; volgens Microsoft "
    "pikt SharePoint een wijziging binnen {ms_hours} uur op, dus het is nu minstens {overdue} te laat.",
    "diag.stale.advice.self": "Synchroniseer je foto opnieuw: ik bied hem opnieuw aan, zodat SharePoint "
    "verse kopieën maakt. Open daarna je eigen profiel (een privévenster vermijdt oude foto's uit de cache), "
    "dan probeert SharePoint de synchronisatie.",
    "diag.stale.advice.other": "Synchroniseer de foto van {name} opnieuw: ik bied hem opnieuw aan, zodat "
    "SharePoint verse kopieën maakt. Vraag {name} daarna het eigen profiel te openen, dan probeert "
    "SharePoint de synchronisatie.",
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
    "zijn geblokkeerd en opnieuw synchroniseren vanuit de cloud helpt niet.",
    "diag.on_premises.why.other": "Je organisatie haalt profielfoto's uit de eigen (on-premises) Active "
    "Directory, dus het origineel van {name} in Microsoft 365 kan alleen daar veranderen. Fotowijzigingen in "
    "de cloud zijn geblokkeerd en opnieuw synchroniseren vanuit de cloud helpt niet.",
    "diag.on_premises.advice.self": "Vraag je IT-afdeling je foto in Active Directory aan te passen, of doe "
    "het daar zelf als dat mag.",
    "diag.on_premises.advice.other": "Pas de foto van {name} aan in de lokale Active Directory (of vraag het "
    "team dat die beheert).",
    "diag.on_premises.sp_refresh.self": "SharePoint heeft zijn eigen kopie voor het laatst {sp_refreshed} "
    "vernieuwd, voordat {bot} je huidige foto voor het eerst zag ({changed}), dus SharePoint toont misschien "
    "nog een oudere. Open je eigen profiel: dan probeert SharePoint zijn kopie te vernieuwen, en daarvoor "
    "hoeft er on-premises niets te veranderen. Alleen de foto in Microsoft 365 zelf moet daar veranderen.",
    "diag.on_premises.sp_refresh.other": "SharePoint heeft zijn eigen kopie voor het laatst {sp_refreshed} "
    "vernieuwd, voordat {bot} de huidige foto van {name} voor het eerst zag ({changed}), dus SharePoint "
    "toont misschien nog een oudere. {name} kan SharePoint die kopie laten vernieuwen door het eigen "
    "profiel te openen; daarvoor hoeft er on-premises niets te veranderen. Alleen de foto in Microsoft 365 "
    "zelf moet daar veranderen.",
    "diag.profile_importing.title.self": "SharePoint heeft je profiel nog niet geïmporteerd",
    "diag.profile_importing.title.other": "SharePoint heeft het profiel van {name} nog niet geïmporteerd",
    "diag.profile_importing.why.self": "SharePoint heeft nog geen gebruikersprofiel van je, en dus ook geen "
    "kopie van je foto. Profielwijzigingen gaan in batches naar SharePoint; hoe lang dat duurt hangt af van "
    "de achterstand bij de import — en die kan tijdens een migratie groot zijn.",
    "diag.profile_importing.why.other": "SharePoint heeft nog geen gebruikersprofiel van {name}, en dus ook "
    "geen kopie van de foto. Profielwijzigingen gaan in batches naar SharePoint; hoe lang dat duurt hangt af "
    "van de achterstand bij de import — en die kan tijdens een migratie groot zijn.",
    "diag.profile_importing.advice.self": "Even geduld: Microsoft noemt geen vaste tijd voor de "
    "profielimport, en profielwijzigingen kunnen tot {edit_hours} uur nodig hebben om te verschijnen. Kijk "
    "morgen nog eens; is er na een paar dagen nog steeds geen profiel, vraag het dan aan IT.",
    "diag.profile_importing.advice.other": "Even geduld: Microsoft noemt geen vaste tijd voor de "
    "profielimport, en profielwijzigingen kunnen tot {edit_hours} uur nodig hebben om te verschijnen. Is er "
    "na een paar dagen nog geen profiel van {name}, dan moet een beheerder de profielimport nakijken.",
    "diag.sync_disabled.title.self": "SharePoint pikt je foto niet op",
    "diag.sync_disabled.title.other": "SharePoint pikt de foto van {name} niet op",
    "diag.sync_disabled.why.self": "SharePoint haalt je foto niet uit Exchange, dus de kopie volgt je foto "
    "in Microsoft 365 niet. Veelvoorkomende oorzaken: geen Exchange Online-licentie, of de profieleigenschap "
    "Picture staat niet op “Gebruikers toestaan te bewerken”.",
    "diag.sync_disabled.why.other": "SharePoint haalt de foto van {name} niet uit Exchange, dus de kopie "
    "volgt de foto in Microsoft 365 niet. Veelvoorkomende oorzaken: geen Exchange Online-licentie, of de "
    "profieleigenschap Picture staat niet op “Gebruikers toestaan te bewerken”.",
    "diag.sync_disabled.advice.self": "Hier is een beheerder voor nodig: vraag IT je Exchange "
    "Online-licentie en de eigenschap Picture in SharePoint na te kijken. Opnieuw synchroniseren helpt pas "
    "als dat is opgelost.",
    "diag.sync_disabled.advice.other": "Een beheerder moet de Exchange Online-licentie van {name} en de "
    "eigenschap Picture in SharePoint nakijken. Opnieuw synchroniseren helpt pas als dat is opgelost.",
    "diag.no_photo.title.self": "Je hebt nog geen profielfoto",
    "diag.no_photo.title.other": "{name} heeft nog geen profielfoto",
    "diag.no_photo.why.self": "Er staat geen foto in Microsoft 365 (het origineel), dus SharePoint en de "
    "andere apps hebben niets om te kopiëren.",
    "diag.no_photo.why.other": "Er staat geen foto van {name} in Microsoft 365 (het origineel), dus "
    "SharePoint en de andere apps hebben niets om te kopiëren.",
    "diag.no_photo.advice.self": "Voeg een foto toe aan je Microsoft 365-profiel — “Mijn profiel bijwerken” "
    "hieronder opent je profiel. Mag je hem niet zelf wijzigen, vraag het dan aan IT. SharePoint pikt de "
    "foto daarna op (Microsoft: binnen {ms_hours} uur).",
    "diag.no_photo.advice.other": "{name} kan zelf een foto toevoegen aan het Microsoft 365-profiel, of een "
    "beheerder doet het. SharePoint pikt de foto daarna op (Microsoft: binnen {ms_hours} uur).",
    "diag.in_sync.title.self": "Je foto is actueel",
    "diag.in_sync.title.other": "De foto van {name} is actueel",
    "diag.in_sync.why.self": "Beide kopieën komen overeen: SharePoint heeft zijn kopie {sp_refreshed} "
    "vernieuwd, nadat {bot} je huidige foto voor het eerst zag ({changed}).",
    "diag.in_sync.why.other": "Beide kopieën komen overeen: SharePoint heeft zijn kopie {sp_refreshed} "
    "vernieuwd, nadat {bot} de huidige foto van {name} voor het eerst zag ({changed}).",
    "diag.in_sync.advice.self": "Zie je in een app nog je oude foto, dan is dat een kopie uit de cache. "
    "Probeer een privévenster, of meld je af en weer aan.",
    "diag.in_sync.advice.other": "Toont een app nog de oude foto van {name}, dan is dat een kopie uit de "
    "cache. In een privévenster of na af- en weer aanmelden is de actuele foto te zien.",
    "diag.change_time_unknown.title.self": "SharePoint heeft misschien je nieuwste foto niet",
    "diag.change_time_unknown.title.other": "SharePoint heeft misschien de nieuwste foto van {name} niet",
    "diag.change_time_unknown.why.self": "SharePoint heeft je foto voor het laatst {sp_refreshed} vernieuwd. "
    "{bot} ziet je huidige foto voor het eerst, dus ik weet niet wanneer die veranderde: heb je hem daarna "
    "gewijzigd, dan is de wijziging nog niet bij SharePoint aangekomen.",
    "diag.change_time_unknown.why.other": "SharePoint heeft de foto van {name} voor het laatst "
    "{sp_refreshed} vernieuwd. {bot} ziet de huidige foto voor het eerst, dus ik weet niet wanneer die "
    "veranderde: is hij daarna gewijzigd, dan is de wijziging nog niet bij SharePoint aangekomen.",
    "diag.change_time_gap.title.self": "Ik kan niet zien of SharePoint je nieuwste foto heeft",
    "diag.change_time_gap.title.other": "Ik kan niet zien of SharePoint de nieuwste foto van {name} heeft",
    "diag.change_time_gap.why.self": "SharePoint heeft je foto voor het laatst {sp_refreshed} vernieuwd, en "
    "rond die tijd is je foto veranderd: {bot} zag de huidige {changed} voor het eerst, maar de vorige nog "
    "vóór die vernieuwing. Ik kan dus niet zien of SharePoint je nieuwe of je oude foto heeft gekopieerd.",
    "diag.change_time_gap.why.other": "SharePoint heeft de foto van {name} voor het laatst {sp_refreshed} "
    "vernieuwd, en rond die tijd is de foto veranderd: {bot} zag de huidige {changed} voor het eerst, maar "
    "de vorige nog vóór die vernieuwing. Ik kan dus niet zien of SharePoint de nieuwe of de oude foto heeft "
    "gekopieerd.",
    "diag.change_time_gap.advice.self": "Toont SharePoint nog je oude foto, synchroniseer hem dan opnieuw: "
    "ik bied hem opnieuw aan, zodat SharePoint verse kopieën maakt. Toont het je nieuwe foto, dan is "
    "SharePoint bijgewerkt en is een oude foto in een app een kopie uit de cache.",
    "diag.change_time_gap.advice.other": "Toont SharePoint nog de oude foto van {name}, synchroniseer hem "
    "dan opnieuw: ik bied hem opnieuw aan, zodat SharePoint verse kopieën maakt. Toont het de nieuwe foto, "
    "dan is SharePoint bijgewerkt en is een oude foto in een app een kopie uit de cache.",
    "diag.change_time_unknown.advice.self": "Is je nieuwe foto recenter dan dat, synchroniseer hem dan "
    "opnieuw: ik bied hem opnieuw aan, zodat SharePoint verse kopieën maakt. Heb je hem sindsdien niet "
    "gewijzigd, dan is SharePoint bijgewerkt en is een oude foto in een app een kopie uit de cache.",
    "diag.change_time_unknown.advice.other": "Is de nieuwe foto van {name} recenter dan dat, synchroniseer "
    "hem dan opnieuw: ik bied hem opnieuw aan, zodat SharePoint verse kopieën maakt. Anders is SharePoint "
    "bijgewerkt en is een oude foto in een app een kopie uit de cache.",
    "diag.requested_by": "Aangevraagd door {requested_by}",
    # --- resultaat opnieuw synchroniseren --------------------------------------------------------------
    "resync.requested.title.self": "Je foto is opnieuw aangeboden",
    "resync.requested.title.other": "De foto van {name} is opnieuw aangeboden",
    "resync.requested.text.self": "Ik heb je foto {at} opnieuw aangeboden aan Microsoft 365. SharePoint "
    "maakt verse kopieën zodra je foto daar weer wordt opgevraagd: open je eigen profiel (een privévenster "
    "vermijdt oude foto's uit de cache) om dat te starten. Volgens Microsoft is hij er uiterlijk {by}; in de "
    "praktijk kan het duren tot {by_field}.",
    "resync.requested.text.other": "Ik heb de foto van {name} {at} opnieuw aangeboden aan Microsoft 365. "
    "SharePoint maakt verse kopieën zodra de foto daar weer wordt opgevraagd; {name} kan dat starten door "
    "het eigen profiel te openen. Volgens Microsoft is hij er uiterlijk {by}; in de praktijk kan het duren "
    "tot {by_field}.",
    "resync.cooldown.title.self": "Je synchronisatie is al onderweg",
    "resync.cooldown.title.other": "De synchronisatie voor {name} is al onderweg",
    "resync.cooldown.text.self": "Je hebt {at} al een nieuwe synchronisatie aangevraagd. Nog een keer "
    "aanvragen maakt het niet sneller: volgens Microsoft is hij er uiterlijk {by}; in de praktijk kan het "
    "duren tot {by_field}.",
    "resync.cooldown.text.other": "Voor de foto van {name} is {at} al een nieuwe synchronisatie aangevraagd. "
    "Nog een keer aanvragen maakt het niet sneller: volgens Microsoft is hij er uiterlijk {by}; in de "
    "praktijk kan het duren tot {by_field}.",
    "resync.refused.title": "Je kunt alleen je eigen foto opnieuw synchroniseren",
    "resync.refused.text.self": "Deze foto is van iemand anders, dus ik kan hem niet voor je synchroniseren. "
    "Diegene kan het zelf doen met {bot}, of het aan de helpdesk vragen.",
    "resync.refused.text.other": "Dit is de foto van {name}, dus ik kan hem niet voor je synchroniseren. "
    "{name} kan het zelf doen met {bot}, of het aan de helpdesk vragen.",
    "resync.failed.title.self": "Ik kon je foto niet opnieuw aanbieden",
    "resync.failed.title.other": "Ik kon de foto van {name} niet opnieuw aanbieden",
    "resync.failed.text": "Er ging iets mis bij het opnieuw aanbieden. Er is niets gewijzigd. Probeer het "
    "later opnieuw.",
    "resync.not_possible.title": "Opnieuw synchroniseren helpt nu niet",
    "resync.not_possible.generic": "In de huidige toestand van de foto kan hij niet opnieuw gesynchroniseerd "
    "worden.",
    "resync.not_possible.pending": "De foto is pas gewijzigd, en SharePoint zit nog binnen de {ms_hours} uur "
    "die Microsoft ervoor geeft.",
    "resync.not_possible.in_sync": "SharePoint heeft de actuele foto al.",
    "resync.not_possible.on_premises": "De foto wordt beheerd in de lokale Active Directory en kan alleen "
    "daar worden gewijzigd.",
    "resync.not_possible.no_photo": "Er staat geen foto in Microsoft 365 om opnieuw aan te bieden.",
    "resync.not_possible.sync_disabled": "SharePoint haalt deze foto niet uit Exchange; een beheerder moet "
    "dat eerst oplossen.",
    "resync.not_possible.profile_importing": "SharePoint heeft nog geen profiel voor dit account; de "
    "profielimport moet het eerst bereiken.",
    "resync.not_possible.unavailable": "Ik kon de foto nu niet controleren.",
    "resync.not_possible.next": "Controleer de foto opnieuw om te zien wat er speelt en wat je kunt doen.",
    # --- helpdesk: gebruiker kiezen, geen resultaat, niet toegestaan ------------------------------------
    "pick.title": "Meerdere mensen passen bij “{query}” — wie bedoel je?",
    "pick.text": "Kies de persoon van wie ik de foto moet controleren.",
    "pick.action": "Controleer",
    "pick.more": "De eerste {shown} van {total} resultaten. Gebruik een e-mailadres om één persoon te vinden.",
    "not_found.title": "Niemand past bij “{query}”",
    "not_found.text": "Ik kon niemand met die naam vinden in de directory van je organisatie.",
    "not_found.tips.heading": "Tips",
    "not_found.tip.email": "• Gebruik het e-mailadres, bijvoorbeeld “controleer jan.jansen@contoso.com”.",
    "not_found.tip.mention": "• Of @vermeld de persoon in je bericht.",
    "refused.title": "Alleen helpdeskmedewerkers kunnen de foto's van anderen controleren",
    "refused.text": "Wil je weten hoe het met je eigen foto zit? Vraag het me in een chat met mij.",
    # --- proactieve meldingen --------------------------------------------------------------------------
    "action.stop_notices": "Stuur me geen meldingen meer",
    "action.start_notices": "Fotomeldingen weer aanzetten",
    "notice.title": "Je foto in SharePoint is verouderd",
    "notice.why": "Je hebt een nieuwe profielfoto: {bot} zag hem voor het eerst {changed}. SharePoint heeft "
    "zijn kopie voor het laatst ververst {sp_refreshed}, dus SharePoint (en apps die daaruit lezen) tonen "
    "nog je oude foto.",
    "notice.why.never": "Je hebt een nieuwe profielfoto: {bot} zag hem voor het eerst {changed}. SharePoint "
    "heeft er nog geen eigen kopie van gemaakt, dus SharePoint (en apps die daaruit lezen) tonen nog je oude "
    "foto.",
    "notice.timing": "Volgens Microsoft neemt SharePoint een nieuwe foto binnen {ms_hours} uur over "
    "({expected_by}); in de praktijk kan het tot {field_hours} uur duren ({expected_by_field}). Het is nu "
    "{overdue} geleden dat {bot} je foto voor het eerst zag; de echte wijziging kan iets ouder zijn.",
    "notice.advice": "Druk op “Mijn foto opnieuw synchroniseren”: ik bied je foto opnieuw aan, zodat "
    "SharePoint bij de volgende synchronisatie verse kopieën maakt. Open daarna je eigen profiel (een "
    "privévenster vermijdt oude foto's uit de cache) om die synchronisatie te starten.",
    "notice.footer": "{bot} stuurt één melding per fotowijziging. Wil je die niet? Druk op “Stuur me geen "
    "meldingen meer” of zeg “geen meldingen meer”.",
    "optout.stopped.title": "Je krijgt geen fotomeldingen meer",
    "optout.stopped.text": "Zeg “meldingen aan” om ze weer aan te zetten. Je kunt me nog altijd iets over je "
    "foto vragen.",
    "optout.started.title": "Fotomeldingen staan weer aan",
    "optout.started.text": "{bot} laat het je weten als de kopie van je foto in SharePoint achterloopt. Zeg "
    "“geen meldingen meer” om ze uit te zetten.",
}
