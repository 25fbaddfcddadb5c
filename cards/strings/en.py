"""English card strings. Timings are worded with the certainty docs/DOMAIN.md ("Timing") gives each:
what Microsoft states, what is field experience (72 hours), and profile edits' 48 hours."""

from __future__ import annotations

EN: dict[str, str] = {
    # --- shared pieces ---------------------------------------------------------------------------------
    "footer.demo": "Demo data — not your real tenant",
    "footer.checked": "Checked {time}",
    "name.unknown": "this user",
    "action.check": "Check my photo",
    "action.check_again": "Check again",
    "action.try_again": "Try again",
    "action.resync.self": "Re-sync my photo",
    "action.resync.other": "Re-sync {name}'s photo",
    "action.profile.self": "Update my profile (Delve)",
    "action.profile.other": "Open {name}'s profile (Delve)",
    "note.delve.self": "“Update my profile (Delve)” opens your Microsoft 365 profile: Delve was retired in "
    "December 2024 and its links now lead there.",
    "note.delve.other": "“Open {name}'s profile (Delve)” opens the Microsoft 365 profile page: Delve was "
    "retired in December 2024 and its links now lead there.",
    "learn.heading": "Learn more",
    "learn.photo_sync": "Profile picture sync (Microsoft)",
    "learn.profile_sync": "User profile sync (Microsoft)",
    "advice.heading": "What to do next",
    "action.chat": "Chat with {name}",
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
    "welcome.what.2": "• Tell you which copy is old, why, and by when it should catch up.",
    "welcome.what.3": "• Re-submit your photo when SharePoint is overdue.",
    "welcome.examples.heading": "Try asking",
    "welcome.example.1": "“Why is my photo still old in SharePoint?”",
    "welcome.example.2": "“Check my photo”",
    "welcome.example.3": "“Help”",
    "welcome.fallback": "Hi, I'm {bot}. I check why your profile photo looks old and what you can do about "
    "it. Say “check my photo” to start.",
    "help.title": "What {bot} can do",
    "help.intro": "Your profile photo's master copy lives in Microsoft 365 (Entra ID and Exchange). "
    "SharePoint keeps its own copies and only refreshes them when a photo sync runs, so SharePoint and the "
    "places that use it can show an old photo for a while.",
    "help.cmd.check.title": "“check my photo”",
    "help.cmd.check.value": "I compare both copies and explain which one is old, why, and what to expect.",
    "help.cmd.resync.title": "Re-sync button",
    "help.cmd.resync.value": "Shown when SharePoint is overdue: I re-submit your photo so SharePoint makes "
    "fresh copies.",
    "help.cmd.help.title": "“help”",
    "help.cmd.help.value": "Shows this card.",
    "help.timing": "Timing: Microsoft says SharePoint can take {ms_hours} hours to pick up a new photo; "
    "field reports say up to {field_hours} hours. Opening your own profile makes SharePoint try a photo "
    "sync.",
    "help.caches": "Apps cache photos too: even when both copies are right, Teams or Outlook may show the "
    "old photo for a while. A private browser window or signing out and in again shows the current one.",
    "help.fallback": "{bot} checks why your profile photo looks old. Say “check my photo” to start.",
    "unknown.title": "Sorry, I didn't catch that",
    "unknown.text": "I can check why your profile photo looks old in SharePoint, Teams or Outlook, and "
    "re-sync it when SharePoint is overdue. Try “check my photo”, or type “help”.",
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
    "fact.changed": "Photo changed (first seen by {bot})",
    "fact.changed.first_seen": "Unknown — first time {bot} sees this photo",
    "fact.changed.unknown": "Unknown",
    "fact.changed.none": "No photo",
    "fact.sp": "SharePoint last refreshed",
    "fact.sp.never": "Not yet",
    "fact.sp.no_profile": "No SharePoint profile yet",
    "fact.sp.unavailable": "Couldn't read SharePoint just now",
    "fact.stale": "Out-of-date copy",
    "stale.none": "None — both copies match",
    "stale.sharepoint": "SharePoint's copy",
    "stale.master": "Microsoft 365 master photo",
    "stale.unknown": "Can't tell yet",
    "fact.expected": "Expected by",
    "fact.expected.value": "{time} (Microsoft: within {ms_hours} h of the change)",
    "fact.field": "Field reports",
    "fact.field.value": "up to {field_hours} h: {time}",
    "fact.timing": "Usual sync time",
    "fact.timing.value": "Microsoft: within {ms_hours} h of a change · field reports: up to {field_hours} h",
    # --- diagnosis: per case ---------------------------------------------------------------------------
    "diag.pending.title.self": "Your new photo is on its way to SharePoint",
    "diag.pending.title.other": "{name}'s new photo is on its way to SharePoint",
    "diag.pending.why.self": "Your Microsoft 365 photo (the master copy) is up to date. SharePoint keeps its "
    "own copy and hasn't refreshed it since your photo changed ({bot} first saw the new photo {changed}) — "
    "counted from then, that is still within the time Microsoft gives it.",
    "diag.pending.why.other": "{name}'s Microsoft 365 photo (the master copy) is up to date. SharePoint "
    "keeps its own copy and hasn't refreshed it since the photo changed ({bot} first saw the new photo "
    "{changed}) — counted from then, that is still within the time Microsoft gives it.",
    "diag.pending.advice.self": "Open your own profile (for example with “Update my profile” below, in a "
    "private browser window to avoid cached pictures): that makes SharePoint try a photo sync. Microsoft "
    "says to expect it by {expected_by}; field reports say it can take until {expected_by_field}.",
    "diag.pending.advice.other": "{name} can make SharePoint try a photo sync by opening their own profile. "
    "Microsoft says to expect it by {expected_by}; field reports say it can take until {expected_by_field}.",
    "diag.stale.title.self": "SharePoint still shows your old photo",
    "diag.stale.title.other": "SharePoint still shows {name}'s old photo",
    "diag.stale.why.self": "Your Microsoft 365 photo (the master copy) is current, but SharePoint's own copy "
    "is out of date. {bot} first saw your new photo {changed}; Microsoft says SharePoint picks a change up "
    "within {ms_hours} hours, so it is at least {overdue} overdue.",
    "diag.stale.why.other": "{name}'s Microsoft 365 photo (the master copy) is current, but SharePoint's own "
    "copy is out of date. {bot} first saw the new photo {changed}; Microsoft says SharePoint picks a change "
    "up within {ms_hours} hours, so it is at least {overdue} overdue.",
    "diag.stale.advice.self": "Re-sync your photo: I'll re-submit it so SharePoint makes fresh copies. Then "
    "open your own profile (a private browser window avoids cached pictures) to make SharePoint try the "
    "sync.",
    "diag.stale.advice.other": "Re-sync {name}'s photo: I'll re-submit it so SharePoint makes fresh copies. "
    "Then ask {name} to open their own profile, which makes SharePoint try the sync.",
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
    "blocked, and a cloud re-sync can't help.",
    "diag.on_premises.why.other": "Your organisation takes profile photos from its on-premises Active "
    "Directory, so {name}'s Microsoft 365 master photo can only change there. Photo changes in the cloud are "
    "blocked, and a cloud re-sync can't help.",
    "diag.on_premises.advice.self": "Ask your IT department to change your photo in Active Directory, or "
    "change it there yourself if you're allowed to.",
    "diag.on_premises.advice.other": "Change {name}'s photo in the on-premises Active Directory (or ask the "
    "team that manages it).",
    "diag.on_premises.sp_refresh.self": "SharePoint last refreshed its own copy {sp_refreshed}, before {bot} "
    "first saw your current photo ({changed}), so SharePoint may still show an older one. Opening your own "
    "profile makes SharePoint try to refresh its copy: that needs no change on-premises. Only the Microsoft "
    "365 photo itself has to change there.",
    "diag.on_premises.sp_refresh.other": "SharePoint last refreshed its own copy {sp_refreshed}, before "
    "{bot} first saw {name}'s current photo ({changed}), so SharePoint may still show an older one. "
    "{name} can make SharePoint try to refresh it by opening their own profile: that needs no change "
    "on-premises. Only the Microsoft 365 photo itself has to change there.",
    "diag.profile_importing.title.self": "SharePoint hasn't imported your profile yet",
    "diag.profile_importing.title.other": "SharePoint hasn't imported {name}'s profile yet",
    "diag.profile_importing.why.self": "SharePoint has no user profile for you yet, so it has no copy of "
    "your photo either. Profile changes travel to SharePoint in batches, and how long that takes depends on "
    "the import backlog — which can be large during a migration.",
    "diag.profile_importing.why.other": "SharePoint has no user profile for {name} yet, so it has no copy of "
    "the photo either. Profile changes travel to SharePoint in batches, and how long that takes depends on "
    "the import backlog — which can be large during a migration.",
    "diag.profile_importing.advice.self": "Please give it time: Microsoft gives no fixed time for the "
    "profile import, and profile edits can take up to {edit_hours} hours to show. Check again tomorrow; if "
    "there is still no profile after a few days, ask IT.",
    "diag.profile_importing.advice.other": "Give it time: Microsoft gives no fixed time for the profile "
    "import, and profile edits can take up to {edit_hours} hours to show. If there is still no profile for "
    "{name} after a few days, an admin should check the profile import.",
    "diag.sync_disabled.title.self": "SharePoint isn't picking up your photo",
    "diag.sync_disabled.title.other": "SharePoint isn't picking up {name}'s photo",
    "diag.sync_disabled.why.self": "SharePoint isn't pulling your photo from Exchange, so its copy doesn't "
    "follow your Microsoft 365 photo. Common causes: no Exchange Online licence, or the profile's Picture "
    "property isn't set to “Allow users to edit”.",
    "diag.sync_disabled.why.other": "SharePoint isn't pulling {name}'s photo from Exchange, so its copy "
    "doesn't follow the Microsoft 365 photo. Common causes: no Exchange Online licence, or the profile's "
    "Picture property isn't set to “Allow users to edit”.",
    "diag.sync_disabled.advice.self": "This needs an admin: ask IT to check your Exchange Online licence and "
    "SharePoint's Picture property. A re-sync won't help until that is fixed.",
    "diag.sync_disabled.advice.other": "An admin needs to check {name}'s Exchange Online licence and "
    "SharePoint's Picture property. A re-sync won't help until that is fixed.",
    "diag.no_photo.title.self": "You don't have a profile photo yet",
    "diag.no_photo.title.other": "{name} doesn't have a profile photo yet",
    "diag.no_photo.why.self": "There is no photo in Microsoft 365 (the master copy), so SharePoint and the "
    "other apps have nothing to copy.",
    "diag.no_photo.why.other": "There is no photo for {name} in Microsoft 365 (the master copy), so "
    "SharePoint and the other apps have nothing to copy.",
    "diag.no_photo.advice.self": "Add a photo to your Microsoft 365 profile — “Update my profile” below "
    "opens your profile. If your organisation doesn't let you change it, ask IT. SharePoint then picks it up "
    "(Microsoft: within {ms_hours} hours).",
    "diag.no_photo.advice.other": "{name} can add a photo to their Microsoft 365 profile, or an admin can "
    "add one. SharePoint then picks it up (Microsoft: within {ms_hours} hours).",
    "diag.in_sync.title.self": "Your photo is up to date",
    "diag.in_sync.title.other": "{name}'s photo is up to date",
    "diag.in_sync.why.self": "Both copies match: SharePoint refreshed its copy {sp_refreshed}, after {bot} "
    "first saw your current photo ({changed}).",
    "diag.in_sync.why.other": "Both copies match: SharePoint refreshed its copy {sp_refreshed}, after {bot} "
    "first saw {name}'s current photo ({changed}).",
    "diag.in_sync.advice.self": "If an app still shows your old photo, it is showing a cached copy. Try a "
    "private browser window, or sign out and back in.",
    "diag.in_sync.advice.other": "If an app still shows {name}'s old photo, it is showing a cached copy. A "
    "private browser window, or signing out and back in, shows the current one.",
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
    "diag.change_time_gap.advice.self": "If SharePoint still shows your old photo, re-sync it: I'll "
    "re-submit it so SharePoint makes fresh copies. If it shows your new one, SharePoint is up to date and "
    "an old photo in an app is a cached copy.",
    "diag.change_time_gap.advice.other": "If SharePoint still shows {name}'s old photo, re-sync it: I'll "
    "re-submit it so SharePoint makes fresh copies. If it shows the new one, SharePoint is up to date and an "
    "old photo in an app is a cached copy.",
    "diag.change_time_unknown.advice.self": "If your new photo is more recent than that, re-sync it: I'll "
    "re-submit it so SharePoint makes fresh copies. If you haven't changed it since, SharePoint is up to "
    "date and an old photo in an app is a cached copy.",
    "diag.change_time_unknown.advice.other": "If {name}'s new photo is more recent than that, re-sync it: "
    "I'll re-submit it so SharePoint makes fresh copies. Otherwise SharePoint is up to date and an old photo "
    "in an app is a cached copy.",
    "diag.requested_by": "Requested by {requested_by}",
    # --- re-sync results -------------------------------------------------------------------------------
    "resync.requested.title.self": "Your photo was re-submitted",
    "resync.requested.title.other": "{name}'s photo was re-submitted",
    "resync.requested.text.self": "I re-submitted your photo to Microsoft 365 {at}. SharePoint makes fresh "
    "copies the next time your photo is requested there: open your own profile (a private browser window "
    "avoids cached pictures) to start that. Microsoft says to expect it by {by}; field reports say it can "
    "take until {by_field}.",
    "resync.requested.text.other": "I re-submitted {name}'s photo to Microsoft 365 {at}. SharePoint makes "
    "fresh copies the next time the photo is requested there; {name} can start that by opening their own "
    "profile. Microsoft says to expect it by {by}; field reports say it can take until {by_field}.",
    "resync.cooldown.title.self": "Your re-sync is already on its way",
    "resync.cooldown.title.other": "{name}'s re-sync is already on its way",
    "resync.cooldown.text.self": "You already requested a re-sync {at}. Requesting it again won't make it "
    "faster: Microsoft says to expect it by {by}; field reports say it can take until {by_field}.",
    "resync.cooldown.text.other": "A re-sync of {name}'s photo was already requested {at}. Requesting it "
    "again won't make it faster: Microsoft says to expect it by {by}; field reports say it can take until "
    "{by_field}.",
    "resync.refused.title": "You can only re-sync your own photo",
    "resync.refused.text.self": "This photo belongs to someone else, so I can't re-sync it for you. They can "
    "do it themselves with {bot}, or ask your helpdesk.",
    "resync.refused.text.other": "This is {name}'s photo, so I can't re-sync it for you. {name} can do it "
    "themselves with {bot}, or ask your helpdesk.",
    "resync.failed.title.self": "I couldn't re-submit your photo",
    "resync.failed.title.other": "I couldn't re-submit {name}'s photo",
    "resync.failed.text": "Something went wrong while re-submitting it. Nothing was changed. Please try "
    "again later.",
    "resync.not_possible.title": "A re-sync can't help right now",
    "resync.not_possible.generic": "The photo's current state doesn't allow a re-sync.",
    "resync.not_possible.pending": "The photo changed recently, and SharePoint is still within the "
    "{ms_hours} hours Microsoft gives it.",
    "resync.not_possible.in_sync": "SharePoint already has the current photo.",
    "resync.not_possible.on_premises": "The photo is managed in the on-premises Active Directory, so it can "
    "only be changed there.",
    "resync.not_possible.no_photo": "There is no photo in Microsoft 365 to re-submit.",
    "resync.not_possible.sync_disabled": "SharePoint isn't pulling this photo from Exchange; an admin has to "
    "fix that first.",
    "resync.not_possible.profile_importing": "SharePoint has no profile for this account yet; the profile "
    "import has to reach it first.",
    "resync.not_possible.unavailable": "I couldn't check the photo just now.",
    "resync.not_possible.next": "Check the photo again to see what's going on and what you can do.",
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
    "notice.timing": "Microsoft says SharePoint picks up a new photo within {ms_hours} hours ({expected_by}); "
    "field reports say it can take up to {field_hours} hours ({expected_by_field}). It has been {overdue} "
    "since {bot} first saw your photo; the real change may be a little older.",
    "notice.advice": "Press “Re-sync my photo”: I re-submit your photo so SharePoint makes fresh copies at "
    "its next sync. Then open your own profile (a private window avoids cached photos) to start that sync.",
    "notice.footer": "{bot} sends one notice per photo change. Don't want them? Press “Don't notify me "
    "again” or say “stop”.",
    "optout.stopped.title": "You won't get photo notices any more",
    "optout.stopped.text": "Say “start” to turn them back on. You can still ask me about your photo at any "
    "time.",
    "optout.started.title": "Photo notices are on again",
    "optout.started.text": "{bot} will tell you when SharePoint's copy of your photo falls behind. Say "
    "“stop” to turn them off.",
}
