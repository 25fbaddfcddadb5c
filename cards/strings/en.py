"""English card strings. Timings are worded with the certainty docs/DOMAIN.md ("Timing") gives each:
Microsoft states no time for SharePoint's copy of a photo; "usually within a day after you open your own photo
in SharePoint" and "up to 72 hours" are field experience; profile edits take up to 48 hours (Microsoft).
Only the user's own request for their photo in SharePoint makes SharePoint refresh its copy; a re-submit
through Graph is not a remedy Microsoft names, so no string claims it updates SharePoint."""

from __future__ import annotations

EN: dict[str, str] = {
    # --- shared pieces ---------------------------------------------------------------------------------
    "footer.demo": "Demo data — not your real tenant",
    "footer.checked": "Checked {time}",
    "name.unknown": "this user",
    "action.check": "Check my photo",
    "action.check_again": "Check again",
    "action.try_again": "Try again",
    "action.sync": "Refresh my photo in SharePoint",
    "action.send_link": "Send {name} a sync link",
    "synclink.title": "IT asks you to refresh your photo in SharePoint",
    "synclink.text": "SharePoint still shows an older photo of you. The button opens your own photo in SharePoint, "
    "which makes SharePoint fetch the current one; PhotoSync then checks and tells you when it shows.",
    "linksent.sent.title": "Sent {name} a sync link",
    "linksent.sent.text": "{name} gets a card with a one-click link to their own photo in SharePoint. PhotoSync "
    "checks afterwards and tells them when SharePoint shows the new photo.",
    "linksent.already_sent.title": "{name} already got a sync link",
    "linksent.already_sent.text": "A link went out {at}. One link an hour, and one per photo, is enough.",
    "linksent.no_chat.title": "{name} hasn't used PhotoSync yet",
    "linksent.no_chat.text": "PhotoSync can only message people who have the app. Ask {name} to open PhotoSync "
    "in Teams and type “check my photo”.",
    "linksent.not_needed.title": "A sync won't help {name}",
    "linksent.not_needed.text": "Check {name}'s photo again to see why.",
    "progress.checking.self": "You started SharePoint's refresh of your photo {started}. I'm checking until "
    "SharePoint shows it (next check {at}) and will update this card.",
    "progress.checking.other": "{name} started SharePoint's refresh of their photo {started}. PhotoSync is "
    "checking until SharePoint shows it (next check {at}).",
    "progress.fixed.self": "SharePoint showed your new photo {at}, after you started its refresh {started}.",
    "progress.fixed.other": "SharePoint showed {name}'s new photo {at}, after {name} started its refresh "
    "{started}.",
    "progress.expired.self": "You started SharePoint's refresh {started}, and 72 hours later (last check {at}) "
    "SharePoint still didn't show your new photo. Ask IT to run the Picture Sync diagnostic.",
    "progress.expired.other": "{name} started SharePoint's refresh {started}, and 72 hours later (last check "
    "{at}) SharePoint still didn't show the new photo. Run the Picture Sync diagnostic in the Microsoft 365 "
    "admin center.",
    "checking.title": "SharePoint is fetching your photo",
    "checking.text": "You opened your own photo in SharePoint {started}: that makes SharePoint fetch your new "
    "photo. I'm checking until SharePoint shows it (next check {at}) and will update this card.",
    "sync.fixed.title": "SharePoint now shows your new photo",
    "sync.fixed.text": "I checked again {time}: SharePoint shows the same picture as Microsoft 365. An app that "
    "still shows the old one has a cached copy and catches up on its own.",
    "sync.expired.title": "SharePoint still doesn't show your new photo",
    "sync.expired.text": "I kept checking for 72 hours after you opened your photo in SharePoint (last check "
    "{time}). Ask IT to run the Picture Sync diagnostic in the Microsoft 365 admin center. Common causes: no "
    "Exchange Online licence, the Picture property not editable by users, an admin's direct upload to "
    "SharePoint, or an on-premises mailbox.",
    "action.profile.self": "Open my Microsoft 365 profile (Delve)",
    "action.profile.other": "Open {name}'s profile (Delve)",
    "note.delve.self": "Delve was retired in December 2024: its links, like the one below, now open your "
    "Microsoft 365 profile, where “Update your profile” edits it.",
    "note.delve.other": "Delve was retired in December 2024: its links, like the one below, now open "
    "{name}'s Microsoft 365 profile.",
    "learn.heading": "Learn more",
    "learn.photo_sync": "Profile picture sync (Microsoft)",
    "learn.profile_sync": "User profile sync (Microsoft)",
    "advice.heading": "What to do next",
    "action.chat": "Chat with {name}",
    # --- the two pictures side by side -----------------------------------------------------------------
    "pictures.label.m365": "Microsoft 365",
    "pictures.label.sharepoint": "SharePoint",
    "pictures.alt.m365.self": "Your photo in Microsoft 365",
    "pictures.alt.m365.other": "{name}'s photo in Microsoft 365",
    "pictures.alt.sharepoint.self": "The picture SharePoint shows for you",
    "pictures.alt.sharepoint.other": "The picture SharePoint shows for {name}",
    "evidence.same.self": "SharePoint shows the same picture as Microsoft 365 (checked {time})",
    "evidence.same.other": "SharePoint shows the same picture for {name} as Microsoft 365 (checked {time})",
    "evidence.different.self": "SharePoint still shows a different, older picture (checked {time})",
    "evidence.different.other": "SharePoint still shows a different, older picture for {name} (checked "
    "{time})",
    "evidence.placeholder.self": "SharePoint shows a placeholder instead of your photo (checked {time})",
    "evidence.placeholder.other": "SharePoint shows a placeholder instead of {name}'s photo (checked {time})",
    "evidence.none.self": "SharePoint has no picture for you (checked {time})",
    "evidence.none.other": "SharePoint has no picture for {name} (checked {time})",
    "evidence.unreadable.self": "I couldn't see the picture SharePoint shows (checked {time}), so this is "
    "based on timestamps only",
    "evidence.unreadable.other": "I couldn't see the picture SharePoint shows for {name} (checked {time}), "
    "so this is based on timestamps only",
    # --- times and durations ---------------------------------------------------------------------------
    "time.today": "today at {time}",
    "time.yesterday": "yesterday at {time}",
    "time.tomorrow": "tomorrow at {time}",
    "time.date": "{date} at {time}",
    "month.1": "Jan",
    "month.2": "Feb",
    "month.3": "Mar",
    "month.4": "Apr",
    "month.5": "May",
    "month.6": "Jun",
    "month.7": "Jul",
    "month.8": "Aug",
    "month.9": "Sep",
    "month.10": "Oct",
    "month.11": "Nov",
    "month.12": "Dec",
    "dur.lt_hour": "less than an hour",
    "dur.hour": "1 hour",
    "dur.hours": "{n} hours",
    "dur.days": "{n} days",
    # --- welcome / help / unknown ----------------------------------------------------------------------
    "welcome.title": "Hi, I'm {bot}",
    "welcome.intro": "Changed your profile photo, but SharePoint, Teams or Outlook still show the old one? I "
    "check which copy of your photo is out of date, explain why, and tell you what to expect.",
    "welcome.what.heading": "What I do",
    "welcome.what.1": "• Compare your Microsoft 365 photo (the master copy) with SharePoint's own copy.",
    "welcome.what.2": "• Tell you which copy is old, why, and what usually brings it up to date.",
    "welcome.what.3": "• Start SharePoint's refresh of your photo in one click, and tell you once SharePoint "
    "shows it.",
    "welcome.notices": "If your photo looks stuck, I may message you about it. Say “stop” to turn those "
    "notices off, and “start” to turn them on again.",
    "welcome.mention": "In a group chat or channel I only answer when you @mention me, e.g. “@{bot} check my "
    "photo”.",
    "welcome.examples.heading": "Try asking",
    "welcome.example.1": "“Why is my photo still old in SharePoint?”",
    "welcome.example.2": "“Check my photo”",
    "welcome.example.3": "“Help”",
    "welcome.fallback": "Hi, I'm {bot}. I check why your profile photo looks old and what you can do about "
    "it. Type “check my photo” to start.",
    "help.title": "What {bot} can do",
    "help.intro": "Your profile photo's master copy lives in Microsoft 365 (Entra ID and Exchange). "
    "SharePoint keeps its own copy and refreshes it only when you open your own photo in SharePoint, so "
    "SharePoint and the places that use it can show an old photo for a while.",
    "help.cmd.check.title": "“check my photo”",
    "help.cmd.check.value": "I compare both copies and explain which one is old, why, and what to expect.",
    "help.cmd.sync.title": "“Refresh my photo in SharePoint”",
    "help.cmd.sync.value": "Shown when SharePoint is behind: one click opens your own photo in SharePoint, "
    "which makes SharePoint fetch it. I then check until SharePoint shows it and tell you.",
    "help.cmd.notices.title": "“stop” / “start”",
    "help.cmd.notices.value": "Turns my messages about your photo off, or on again (for you only).",
    "help.cmd.help.title": "“help”",
    "help.cmd.help.value": "Shows this card.",
    "help.timing": "Timing: Microsoft gives no fixed time for SharePoint's copy of your photo. It's usually "
    "updated within a day after you open your own photo in SharePoint; field reports say up to "
    "{field_hours} hours.",
    "help.caches": "Apps cache photos too: even when both copies are right, Teams or Outlook may show the "
    "old photo for a while. A private browser window or signing out and in again shows the current one.",
    "help.mention": "In a group chat or channel, @mention me: “@{bot} check my photo”.",
    "help.fallback": "{bot} checks why your profile photo looks old. Type “check my photo” to start.",
    "unknown.title": "Sorry, I didn't catch that",
    "unknown.text": "I can check why your profile photo looks old in SharePoint, Teams or Outlook, and tell "
    "you what gets it up to date. Try “check my photo”, or type “help”.",
    "unknown.closest": "Did you mean one of these?",
    "suggest.how_to_change": "How do I change my photo?",
    "suggest.how_to_change.text": "how do I change my photo?",
    "suggest.help": "What can you do?",
    "suggest.help.text": "help",
    "whose.title": "Whose photo do you mean?",
    "whose.text": "Tell me who: their name, email address or account name, or @mention them.",
    "whose.example": "For example “check jane.doe@contoso.com” or “why is Megan Bowen's photo old?”.",
    "whose.no_manager": "Your organisation's directory doesn't name a manager for you.",
    "whose.own": "Check my own photo",
    "several.title": "I check one person at a time",
    "several.text": "Ask me about each person in turn, or use the drift scan's report for many at once.",
    "several.one.heading": "One at a time",
    "several.one": "Name one person per message, for example “check jane.doe@contoso.com”, or @mention them.",
    "several.scan.heading": "Many at once",
    "several.scan": "The drift scan checks everyone on the watch list: whoever runs PhotoSync can print its "
    "report with `python -m bot scan --report`.",
    "howto.title": "How to change your profile photo",
    "howto.where.heading": "Where",
    "howto.where.1": "• Teams: select your picture at the top right, then your picture again to upload a new "
    "one.",
    "howto.where.2": "• Outlook or microsoft365.com: select your picture at the top right, then “Change "
    "photo”.",
    "howto.where.3": "• Your Microsoft 365 profile page: the button below opens it.",
    "howto.next.heading": "What happens next",
    "howto.next": "Microsoft 365 has the new photo at once; Teams and Outlook show it once their caches catch "
    "up. SharePoint keeps its own copy and refreshes it after you open your own photo there. Ask me “check my "
    "photo” a little later and I'll tell you which copy is behind.",
    "howto.it.heading": "No “change” button?",
    "howto.it": "Your organisation may manage photos in its on-premises Active Directory: then IT changes "
    "your photo there. Ask your IT helpdesk.",
    "smalltalk.title": "You're welcome! 👍",
    "smalltalk.text": "Ask me about your profile photo any time.",
    # --- error -----------------------------------------------------------------------------------------
    "error.title.self": "I couldn't check your photo right now",
    "error.title.other": "I couldn't check {name}'s photo right now",
    "error.generic": "Something went wrong on my side. Nothing was changed. Please try again in a few "
    "minutes.",
    "error.unavailable": "I couldn't read the photo details from Microsoft 365 or SharePoint just now. "
    "Nothing was changed. Please try again later.",
    "error.throttled": "Microsoft 365 asked me to slow down. Nothing was changed. Please try again in a few "
    "minutes.",
    "error.user_not_found": "I couldn't find this account in your organisation's directory. Nothing was "
    "changed. If the account is new, try again later; otherwise contact IT.",
    # --- diagnosis: facts ------------------------------------------------------------------------------
    "fact.changed": "Photo first seen",
    "fact.changed.first_seen": "Just now — change time unknown",
    "fact.changed.unknown": "Unknown",
    "fact.changed.none": "No photo",
    "fact.sp": "SharePoint last refreshed",
    "fact.sp.never": "Not yet",
    "fact.sp.no_profile": "No SharePoint profile yet",
    "fact.sp.unavailable": "Couldn't read SharePoint",
    "fact.stale": "Out-of-date copy",
    "stale.none": "None — both copies match",
    "stale.sharepoint": "SharePoint's copy",
    "stale.master": "Microsoft 365 master photo",
    "stale.unknown": "Can't tell yet",
    "fact.expected": "Usually by",
    "fact.expected.value": "{time}",
    "fact.field": "Can take until",
    "fact.field.value": "{time}",
    "fact.timing": "Sync time",
    "fact.timing.value": "No fixed time; usually a day, up to {field_hours} h",
    # --- diagnosis: per case ---------------------------------------------------------------------------
    "diag.pending.title.self": "Your new photo is on its way to SharePoint",
    "diag.pending.title.other": "{name}'s new photo is on its way to SharePoint",
    "diag.pending.why.self": "Your Microsoft 365 photo (the master copy) is up to date. SharePoint keeps its "
    "own copy and hasn't refreshed it since your photo changed ({bot} first saw the new photo {changed}). "
    "That's normal this soon after a change.",
    "diag.pending.why.other": "{name}'s Microsoft 365 photo (the master copy) is up to date. SharePoint "
    "keeps its own copy and hasn't refreshed it since the photo changed ({bot} first saw the new photo "
    "{changed}). That's normal this soon after a change.",
    "diag.pending.advice.self": "Open your own photo in SharePoint, preferably in a private browser window "
    "(it avoids cached pictures): that's what makes SharePoint refresh its copy. Microsoft gives no fixed "
    "time; it usually takes up to a day after that, and field reports say up to {field_hours} hours.",
    "diag.pending.advice.other": "{name} can make SharePoint refresh its copy by opening their own photo in "
    "SharePoint. Microsoft gives no fixed time; it usually takes up to a day after that, and field reports "
    "say up to {field_hours} hours.",
    "diag.stale.title.self": "SharePoint still shows your old photo",
    "diag.stale.title.other": "SharePoint still shows {name}'s old photo",
    "diag.stale.why.self": "Your Microsoft 365 photo (the master copy) is current, but SharePoint's own copy "
    "is out of date. {bot} first saw your new photo {changed}. Microsoft gives no fixed time, but SharePoint "
    "usually catches up within a day, so it's at least {overdue} later than usual.",
    "diag.stale.why.other": "{name}'s Microsoft 365 photo (the master copy) is current, but SharePoint's own "
    "copy is out of date. {bot} first saw the new photo {changed}. Microsoft gives no fixed time, but "
    "SharePoint usually catches up within a day, so it's at least {overdue} later than usual.",
    "diag.stale.advice.self": "Open your own photo in SharePoint in a private browser window: that's what "
    "makes SharePoint refresh its copy. Still old a day later? Ask IT to run the Picture Sync diagnostic in "
    "the Microsoft 365 admin center.",
    "diag.stale.advice.other": "Ask {name} to open their own photo in SharePoint in a private browser "
    "window: that's what makes SharePoint refresh its copy; only {name} can start it. Still old a day later? "
    "An admin can run the Picture Sync diagnostic in the Microsoft 365 admin center.",
    "diag.stale_placeholder.title.self": "SharePoint doesn't show your photo yet",
    "diag.stale_placeholder.title.other": "SharePoint doesn't show {name}'s photo yet",
    "diag.stale_placeholder.why.self": "You have a photo in Microsoft 365 (the master copy), but SharePoint "
    "hasn't made its own copy of it and shows a placeholder instead.",
    "diag.stale_placeholder.why.other": "{name} has a photo in Microsoft 365 (the master copy), but "
    "SharePoint hasn't made its own copy of it and shows a placeholder instead.",
    "diag.on_premises.title.self": "Your photo is managed in your on-premises directory",
    "diag.on_premises.title.other": "{name}'s photo is managed in your on-premises directory",
    "diag.on_premises.why.self": "Your organisation takes profile photos from its on-premises Active "
    "Directory, so the Microsoft 365 master photo can only change there. Photo changes in the cloud are "
    "blocked, and nothing started in the cloud can change it.",
    "diag.on_premises.why.other": "Your organisation takes profile photos from its on-premises Active "
    "Directory, so {name}'s Microsoft 365 master photo can only change there. Photo changes in the cloud are "
    "blocked, and nothing started in the cloud can change it.",
    "diag.on_premises.advice.self": "Ask your IT department to change your photo in Active Directory, or "
    "change it there yourself if you're allowed to.",
    "diag.on_premises.advice.other": "Change {name}'s photo in the on-premises Active Directory (or ask the "
    "team that manages it).",
    "diag.on_premises.sp_refresh.self": "SharePoint last refreshed its own copy {sp_refreshed}, before {bot} "
    "first saw your current photo ({changed}), so SharePoint may still show an older one. Opening your own "
    "photo in SharePoint makes SharePoint refresh its copy: that needs no change on-premises. Only the "
    "Microsoft 365 photo itself has to change there.",
    "diag.on_premises.sp_refresh.other": "SharePoint last refreshed its own copy {sp_refreshed}, before "
    "{bot} first saw {name}'s current photo ({changed}), so SharePoint may still show an older one. "
    "{name} can make SharePoint refresh it by opening their own photo in SharePoint: that needs no change "
    "on-premises. Only the Microsoft 365 photo itself has to change there.",
    "diag.profile_importing.title.self": "SharePoint hasn't imported your profile yet",
    "diag.profile_importing.title.other": "SharePoint hasn't imported {name}'s profile yet",
    "diag.profile_importing.why.self": "SharePoint has no user profile for you yet, so it has no copy of "
    "your photo either. Either the profile import hasn't reached your account yet (it runs in batches, and "
    "during a migration the backlog can be long), or your account is blocked or unlicensed, and the import "
    "skips those.",
    "diag.profile_importing.why.other": "SharePoint has no user profile for {name} yet, so it has no copy of "
    "the photo either. Either the profile import hasn't reached the account yet (it runs in batches, and "
    "during a migration the backlog can be long), or the account is blocked or unlicensed, and the import "
    "skips those.",
    "diag.profile_importing.advice.self": "Please give it time: Microsoft gives no fixed time for the "
    "profile import, and profile edits can take up to {edit_hours} hours to show. Check again tomorrow; if "
    "there's still no profile after a few days, ask IT to check that your account is active and licensed.",
    "diag.profile_importing.advice.other": "Give it time: Microsoft gives no fixed time for the profile "
    "import, and profile edits can take up to {edit_hours} hours to show. If there's still no profile for "
    "{name} after a few days, an admin should check that the account isn't blocked, has a licence, and that "
    "the profile import runs.",
    "diag.sync_disabled.title.self": "SharePoint isn't picking up your photo",
    "diag.sync_disabled.title.other": "SharePoint isn't picking up {name}'s photo",
    "diag.sync_disabled.why.self": "SharePoint isn't pulling your photo from Exchange, so its copy doesn't "
    "follow your Microsoft 365 photo. Possible causes: no Exchange Online licence; the profile's Picture "
    "property isn't set to “Allow users to edit”; an admin uploaded a picture to SharePoint directly; or "
    "your mailbox is on-premises.",
    "diag.sync_disabled.why.other": "SharePoint isn't pulling {name}'s photo from Exchange, so its copy "
    "doesn't follow the Microsoft 365 photo. Possible causes: no Exchange Online licence; the profile's "
    "Picture property isn't set to “Allow users to edit”; an admin uploaded a picture to SharePoint "
    "directly; or the mailbox is on-premises.",
    "diag.sync_disabled.advice.self": "This needs an admin: ask IT to check your Exchange Online licence, "
    "SharePoint's Picture property and where your mailbox is. Refreshing SharePoint's copy won't help until "
    "that's fixed.",
    "diag.sync_disabled.advice.other": "An admin needs to check {name}'s Exchange Online licence, "
    "SharePoint's Picture property and where the mailbox is. Refreshing SharePoint's copy won't help until "
    "that's fixed.",
    "diag.no_photo.title.self": "You don't have a profile photo yet",
    "diag.no_photo.title.other": "{name} doesn't have a profile photo yet",
    "diag.no_photo.why.self": "There is no photo in Microsoft 365 (the master copy), so SharePoint and the "
    "other apps have nothing to copy.",
    "diag.no_photo.why.other": "There is no photo of {name} in Microsoft 365 (the master copy), so "
    "SharePoint and the other apps have nothing to copy.",
    "diag.no_photo.advice.self": "Add a photo to your Microsoft 365 profile: the profile link below opens "
    "it. If you're not allowed to change it yourself, ask IT. Then open your own photo in SharePoint so "
    "SharePoint picks it up (usually within a day).",
    "diag.no_photo.advice.other": "{name} can add a photo to their Microsoft 365 profile, or an admin can "
    "add one. Then {name} should open their own photo in SharePoint so SharePoint picks it up (usually "
    "within a day).",
    "diag.in_sync.title.self": "Your photo is up to date",
    "diag.in_sync.title.other": "{name}'s photo is up to date",
    "diag.in_sync.why.self": "Both copies match: SharePoint refreshed its copy {sp_refreshed}, after {bot} "
    "first saw your current photo ({changed}).",
    "diag.in_sync.why.other": "Both copies match: SharePoint refreshed its copy {sp_refreshed}, after {bot} "
    "first saw {name}'s current photo ({changed}).",
    "diag.in_sync.advice.self": "If an app still shows your old photo, it's most likely a cached copy. Try a "
    "private browser window, or sign out and back in.",
    "diag.in_sync.advice.other": "If an app still shows {name}'s old photo, it's most likely a cached copy. "
    "A private browser window, or signing out and back in, shows the current one.",
    "diag.change_time_unknown.title.self": "SharePoint may not have your latest photo",
    "diag.change_time_unknown.title.other": "SharePoint may not have {name}'s latest photo",
    "diag.change_time_unknown.why.self": "SharePoint last refreshed your photo {sp_refreshed}. {bot} is "
    "seeing your current photo for the first time, so I can't tell when it changed: if you changed it after "
    "that time, the change hasn't reached SharePoint yet.",
    "diag.change_time_unknown.why.other": "SharePoint last refreshed {name}'s photo {sp_refreshed}. {bot} is "
    "seeing the current photo for the first time, so I can't tell when it changed: if it changed after that "
    "time, the change hasn't reached SharePoint yet.",
    "diag.change_time_gap.title.self": "I can't tell if SharePoint has your latest photo",
    "diag.change_time_gap.title.other": "I can't tell if SharePoint has {name}'s latest photo",
    "diag.change_time_gap.why.self": "SharePoint last refreshed your photo {sp_refreshed}, and your photo "
    "changed around then: {bot} first saw the current one {changed}, but last saw the previous one before "
    "SharePoint's refresh. So I can't tell whether SharePoint copied your new photo or the old one.",
    "diag.change_time_gap.why.other": "SharePoint last refreshed {name}'s photo {sp_refreshed}, and the "
    "photo changed around then: {bot} first saw the current one {changed}, but last saw the previous one "
    "before SharePoint's refresh. So I can't tell whether SharePoint copied the new photo or the old one.",
    "diag.change_time_gap.advice.self": "If SharePoint still shows your old photo, open your own photo in "
    "SharePoint in a private browser window: that makes SharePoint refresh its copy. If it shows your new "
    "one, SharePoint is up to date and an old photo in an app is most likely a cached copy.",
    "diag.change_time_gap.advice.other": "If SharePoint still shows {name}'s old photo, ask {name} to open "
    "their own photo in SharePoint: that makes SharePoint refresh its copy. If it shows the new one, "
    "SharePoint is up to date and an old photo in an app is most likely a cached copy.",
    "diag.change_time_unknown.advice.self": "If your new photo is more recent than that, open your own photo "
    "in SharePoint in a private browser window: that makes SharePoint refresh its copy. If you haven't "
    "changed it since, SharePoint is up to date and an old photo in an app is most likely a cached copy.",
    "diag.change_time_unknown.advice.other": "If {name}'s new photo is more recent than that, ask {name} to "
    "open their own photo in SharePoint: that makes SharePoint refresh its copy. Otherwise SharePoint is up "
    "to date and an old photo in an app is most likely a cached copy.",
    "diag.requested_by": "Requested by {requested_by}",
    # --- helpdesk: picking a user, no match, not allowed -----------------------------------------------
    "pick.title": "Several people match “{query}” — which one?",
    "pick.text": "Choose the person whose photo you want me to check.",
    "pick.action": "Check",
    "pick.more": "Showing the first {shown} of {total} matches. Use an email address to find one person.",
    "not_found.title": "No one matches “{query}”",
    "not_found.text": "I couldn't find anyone in your organisation's directory by that name.",
    "not_found.tips.heading": "Tips",
    "not_found.tip.email": "• Use their email address, for example “check jane.doe@contoso.com”.",
    "not_found.tip.mention": "• Or @mention them in your message.",
    "refused.title": "Only helpdesk staff can check other people's photos",
    "refused.text": "You can ask about your own photo in a chat with me.",
    # --- proactive notices ------------------------------------------------------------------------------
    "action.stop_notices": "Don't notify me again",
    "action.start_notices": "Turn photo notices back on",
    "notice.title": "Your photo in SharePoint is out of date",
    "notice.why": "You have a new profile photo: {bot} first saw it {changed}. SharePoint last refreshed its "
    "copy {sp_refreshed}, so SharePoint (and apps that read from it) still show your old photo.",
    "notice.why.never": "You have a new profile photo: {bot} first saw it {changed}. SharePoint hasn't made "
    "its own copy of it yet, so SharePoint (and apps that read from it) still show your old photo.",
    "notice.timing": "Microsoft gives no fixed time. SharePoint usually catches up within a day after you "
    "open your own photo there; field reports say up to {field_hours} hours. It has been {overdue} since "
    "{bot} first saw your photo; the real change may be a little older.",
    "notice.advice": "Open your own photo in SharePoint in a private browser window: that's what makes "
    "SharePoint refresh its copy.",
    "notice.advice.link": "Press “Refresh my photo in SharePoint”: it opens your own photo in SharePoint, which "
    "makes SharePoint fetch the new one. {bot} then checks until SharePoint shows it and tells you.",
    "notice.footer": "{bot} sends one notice per photo change. Don't want them? Press “Don't notify me "
    "again” or type “stop”.",
    "optout.stopped.title": "You won't get photo notices any more",
    "optout.stopped.text": "Type “start” to turn them back on. You can still ask me about your photo at any "
    "time.",
    "optout.started.title": "Photo notices are on again",
    "optout.started.text": "{bot} will tell you when SharePoint's copy of your photo falls behind. Type "
    "“stop” to turn them off.",
    # --- the sync started as the user (Teams SSO) -----------------------------------------------------
    "sso.started.title": "SharePoint is fetching your photo now",
    "sso.started.text": "I opened your own photo in SharePoint as you {at}, which makes SharePoint fetch your "
    "current photo. I'll check and tell you when SharePoint shows it.",
    "sso.started.stored": "SharePoint's copy last stored",
    "sso.failed.title": "I couldn't open your photo in SharePoint as you",
    "sso.failed.text": "SharePoint didn't take the request just now. Nothing was changed. Please try again in a "
    "few minutes.",
    "sso.failed.text.link": "SharePoint didn't take the request just now. Nothing was changed. The button "
    "opens your own photo in SharePoint in your browser instead, which does the same.",
    "sso.signin.title": "Signing you in to SharePoint",
    "sso.signin.text": "Teams signs you in with your work account, then I open your photo in SharePoint as you. "
    "If Teams asks, accept once. Or use the button to open your photo in your browser.",
    "sso.retry.title": "You're signed in",
    "sso.retry.text": "Press “Refresh my photo in SharePoint” on the card again to start.",
}
