# Seroma, English. One `##` section per feature; keys are prefixed by the feature.
# Values inserted with { $x } are already HTML-escaped by the bot.

## commands (descriptions registered with setMyCommands)
cmd-start = Main menu
cmd-status = Current temperature and humidity
cmd-rooms = Every room of the site (on the hub)
cmd-history = Latest readings: /history [n]
cmd-language = Choose the language
cmd-help = What this bot can do
cmd-alerts = Open incidents
cmd-ack = Acknowledge open incidents: /ack [id]
cmd-mute = Silence alerts: /mute [30m|1h|1d] [what]
cmd-unmute = End a mute: /unmute [what]
cmd-snapshot = A photo of the room now
cmd-clip = A short video: /clip [seconds]
cmd-media = Stored photos and clips: /media [date]
cmd-arm = Watch for motion now, even in office hours
cmd-disarm = Back to watching outside office hours only
cmd-servers = Servers at a glance
cmd-server = Check a server now: /server NAME
cmd-addserver = Add a server (admins)
cmd-removeserver = Remove a server (admins): /removeserver NAME
cmd-backup = Back up the database now (admins)
cmd-web = Open the web dashboard (a one-time link)

## common
common-unit-celsius = °C
common-unit-percent = %
age-now = just now
age-seconds = { $n } s ago
age-minutes = { $n } min ago
age-hours = { $n } h ago
age-days = { $n } d ago

## auth
auth-refused =
    Sorry, this is a private console for the staff of <b>{ $room }</b>.
    Your Telegram user id is <code>{ $id }</code>. Ask an admin to add it if you should have access.
auth-refused-again = You are still not on the staff of { $room }. Your user id is <code>{ $id }</code>: send it to an admin of the room.
auth-refused-button = You are not allowed to use this console.
auth-admin-only = Only an admin can do that.
auth-staff-only = Only staff can do that. If you should have access, ask an admin to add you as staff (your Telegram user id is <code>{ $id }</code>).

## errors
error-generic = Something went wrong on my side while handling that. The team has been told in the logs; please try again in a moment.
error-button-expired = This button no longer works. Send the command again.

## long answers (cut to Telegram's limits; the full text follows as a .txt)
fit-more = … and { $n } more
fit-full-text = 📄 The full text of the message above.

## start
start-greeting =
    Hello, { $name }! I am <b>Seroma</b>, the console of <b>{ $room }</b>.
    You are signed in as <b>{ $role }</b>. What would you like to see?
start-role-admin = admin
start-role-staff = staff
start-role-viewer = viewer (read only)
start-button-status = 🌡 Status
start-button-history = 📜 History
start-button-language = 🌐 Language
start-button-help = ❔ Help
help-text =
    <b>Seroma</b> watches <b>{ $room }</b>.

    /status – current temperature and humidity, trend and thresholds
    /history [n] – the latest n readings (default { $default }, at most { $max })
    /chart [6h|24h|7d] – temperature and humidity as a chart
    /access [n|NAME] – the door log, newest first; /who – who came in today
    /export access [days] – the door log as CSV
    /staff – staff cards; admins revoke, restore, unlink and invite from there
    /enroll – enroll a new card (admins): tap, name, role, confirm
    /snapshot – a photo of the room; /clip [seconds] – a short video (default { $clip } s)
    /media [today|yesterday|YYYY-MM-DD] – stored photos and clips
    /arm, /disarm – watch for motion now / only outside office hours
    /servers – every server's status; /server NAME – check one now
    /addserver, /removeserver NAME – manage the servers (admins)
    /alerts – open incidents; /ack [id] acknowledges them
    /mute [30m|1h|1d] [temperature|humidity|sensor|door|motion|camera|servers|all] – quiet alerts for a while; /unmute ends it
    /backup – back up the database now (admins; { $nightly ->
        [off] there is no nightly backup
       *[other] nightly at { $nightly } anyway
    })
    /web – the web dashboard: a one-time link in our private chat
    /language – choose English or Japanese
    /help – this text

# /web: the way into the web dashboard
dashboard-button-open = 📊 Open dashboard
dashboard-menu-button = Dashboard
dashboard-link =
    🔑 Your link to the dashboard of <b>{ $room }</b>. It works <b>once</b>, within { $minutes ->
        [one] a minute
       *[other] { $minutes } minutes
    } (until { $until }); send /web again for a new one.
    Do not forward it: whoever opens it first is signed in as you.
dashboard-link-inline =
    🔑 Your link to the dashboard of <b>{ $room }</b>:
    { $link }
    It works <b>once</b>, within { $minutes ->
        [one] a minute
       *[other] { $minutes } minutes
    } (until { $until }); send /web again for a new one. Open it on a device that reaches the console.
    Do not forward it: whoever opens it first is signed in as you.
dashboard-private-only = 🔒 Login links to the dashboard are only sent in private chats. Tap the button: I will send you one in our private chat.
dashboard-off = The web dashboard is turned off for this room. An admin can turn it on in the console's settings.
dashboard-failed = ⚠️ I could not make a login link: the dashboard is not answering right now. Try again in a minute; if it keeps failing, tell an admin.

## status
status-title = <b>{ $room }</b> · climate
status-temperature = 🌡 Temperature: <b>{ $value } °C</b> { $level } { $trend }
status-humidity = 💧 Humidity: <b>{ $value } %</b> { $level } { $trend }
status-level-ok = ✅
status-level-warn = ⚠️
status-level-critical = 🔥
status-trend-rising = ↗ rising
status-trend-falling = ↘ falling
status-trend-steady = → steady
status-trend-unknown = { "" }
status-taken = Measured { $age } ({ $time }) by the { $driver } sensor.
status-stale = ⚠️ This reading is old: the sensor has not reported for { $age }.
status-sensor-failing = ⚠️ The sensor is not answering right now: { $reason }
status-thresholds = Limits: { $tmin }–{ $tmax } °C (critical { $tcmin }–{ $tcmax }), { $hmin }–{ $hmax } % (critical { $hcmin }–{ $hcmax }).
status-no-readings = No readings yet. The sensor is sampled every { $interval } s; try again shortly.
status-button-refresh = 🔄 Refresh
status-refreshed = Fresh reading, measured { $age }.
status-unchanged = Already the latest: measured { $age }. The sensor gives a new reading every { $seconds } s.
status-refresh-failed = No fresh reading: the sensor did not answer. Shown: the last one, measured { $age }.
status-sampling = Taking a fresh reading…
status-driver-sim = simulated
status-driver-dht22 = DHT22

## history
history-title = <b>{ $room }</b> · { $count ->
        [one] the latest reading
       *[other] last { $count } readings
    } ({ $tz })
history-empty = No readings stored yet.
history-bad-argument = I could not read “{ $arg }”. Use /history, or /history n with n between 1 and { $max } (e.g. /history 20).
history-header = time              °C     %RH

## language
language-choose = Choose your language. “Automatic” follows your Telegram app.
language-auto = Automatic
language-set = Language set to English.
language-set-auto = Language follows your Telegram app again.

## alerts
alert-severity-critical = CRITICAL
alert-severity-warning = WARNING
alert-severity-info = INFO
alert-icon-critical = 🔥
alert-icon-warning = ⚠️
alert-icon-info = ℹ️
alert-quantity-temperature = Temperature
alert-quantity-humidity = Humidity
alert-direction-high = high
alert-direction-low = low
alert-head-raised = { $icon } <b>{ $severity }</b> · { $room }
alert-head-escalated = { $icon } <b>Escalated to { $severity }</b> · { $room }
alert-head-reminder = 🔔 <b>Reminder: { $severity }, not acknowledged</b> · { $room }
alert-head-recovered = ✅ <b>Recovered</b> · { $room }
alert-climate = { $quantity } is { $direction }: <b>{ $value } { $unit }</b> (limit { $limit } { $unit }).
alert-sensor-dead = The climate sensor is not answering ({ $failures ->
        [one] { $failures } failure
       *[other] { $failures } failures in a row
    }): { $reason }
alert-sensor-stuck = The climate sensor has reported exactly { $value } for { $minutes } min: it may be stuck.
alert-since = Since { $time } ({ $tz }).
alert-open-for = Open for { $duration }.
alert-recovered-climate = { $quantity } is back to { $value } { $unit } after { $duration }.
alert-recovered-sensor-dead = The climate sensor is answering again after { $duration }.
alert-recovered-sensor-stuck = The climate sensor's values are changing again after { $duration }.
alert-late = ⏰ Delivered late: observed at { $time } ({ $ago }).
alert-acked = ✔️ Acknowledged by { $name } at { $time }.
alert-muted-by = 🔕 Muted by { $name } until { $time }.
alert-started = 🟢 <b>Seroma started</b> · { $room }
    Climate sensor: { $driver }. Open incidents: { $open }.
alert-digest-title = 📬 <b>{ $count ->
        [one] { $count } alert held back
       *[other] { $count } alerts held back
    }</b> while delivery was failing · { $room }
alert-button-ack = ✔️ Acknowledge
alert-button-mute-1h = 🔕 Mute 1 h
alert-button-mute-24h = 🔕 Mute 24 h
alert-ack-done = Acknowledged.
alert-ack-already = Already acknowledged by { $name }.
alert-ack-resolved = This incident is already resolved.
alert-ack-unknown = I don't know that incident (any more).
alert-mute-done = Muted { $what } for { $duration }.
duration-minutes = { $n } min
duration-hours = { $n } h { $m } min
duration-days = { $n } d { $h } h
rule-climate-temperature = temperature
rule-climate-humidity = humidity
rule-sensor-dead = sensor not answering
rule-sensor-stuck = sensor stuck
rule-all = all alerts
alert-reader-dead = The door's card reader is not answering: { $reason }
alert-door-breach = Entry outside office hours: <b>{ $name }</b> (card <code>{ $uid }</code>) at { $time }.
alert-door-unknown = Unknown card <code>{ $uid }</code> at the door at { $time }. Access denied.
alert-door-revoked = Revoked card of <b>{ $name }</b> (<code>{ $uid }</code>) at the door at { $time }. Access denied.
alert-door-wrong-room = Card of <b>{ $name }</b> (<code>{ $uid }</code>) at this room's door at { $time }: it does not open this room. Access denied.
alert-door-enrollment = Read for the card enrollment started by { $by }.
alert-recovered-reader-dead = The door's card reader is answering again after { $duration }.
rule-reader-dead = card reader not answering
rule-door-breach = off-hours entries
rule-door-unknown-card = unknown cards
rule-door-revoked-card = revoked cards
rule-door-wrong-room-card = cards for other rooms
alert-camera-dead = The camera is not working: { $reason }
alert-recovered-camera-dead = The camera works again after { $duration }.
alert-motion-dead = The motion sensor is not working: { $reason }
alert-recovered-motion-dead = The motion sensor works again after { $duration }.
alert-room-motion = Motion in the room outside office hours at { $time } ({ $source }).
alert-room-motion-armed = Motion in the room while armed at { $time } ({ $source }).
rule-camera-dead = camera not working
rule-motion-dead = motion sensor not working
rule-room-motion = motion in the room
alert-server-down = Server <b>{ $host }</b> cannot be checked (failed { $failures ->
        [one] once
       *[other] { $failures } times in a row
    }): { $reason }
alert-server-disk = Server <b>{ $host }</b>: disk over { $limit }: { $mounts }.
alert-server-disk-more = { $mounts } … and { $n } more (/server { $host })
alert-server-service = Server <b>{ $host }</b>: { $count ->
        [one] a service is
       *[other] { $count } services are
    } not running: { $services }.
alert-server-journal = Server <b>{ $host }</b>: { $count ->
        [one] { $count } new error
       *[other] { $count } new errors
    } in the system journal. Latest: <code>{ $latest }</code>
alert-server-load = Server <b>{ $host }</b>: load { $load } on { $cores ->
        [one] { $cores } core
       *[other] { $cores } cores
    } (limit { $limit } per core).
alert-server-memory = Server <b>{ $host }</b>: memory { $used } in use (limit { $limit }).
alert-recovered-server-down = Server <b>{ $host }</b> answers again after { $duration }.
alert-recovered-server-disk = Server <b>{ $host }</b>: disk usage is back under the limit after { $duration }.
alert-recovered-server-service = Server <b>{ $host }</b>: all its services run again after { $duration }.
alert-recovered-server-journal = Server <b>{ $host }</b>: no new journal errors since the last check (after { $duration }).
alert-recovered-server-load = Server <b>{ $host }</b>: load is back under the limit after { $duration }.
alert-recovered-server-memory = Server <b>{ $host }</b>: memory use is back under the limit after { $duration }.
rule-server-down = { $host } unreachable
rule-server-disk = { $host } disk
rule-server-service = { $host } services
rule-server-journal = { $host } journal errors
rule-server-load = { $host } load
rule-server-memory = { $host } memory
rule-servers = all servers
alert-backup-failed = 💾❌ <b>Backup failed</b> · { $room }
    { $error }
    The next one is tried tomorrow night; /backup runs one now.
alert-resolved-at = ✅ Resolved at { $time }.
alert-now = Now: { $temperature } °C, { $humidity } % (at { $time }).
alerts-none = No open incidents in { $room }. ✅
alerts-title = <b>{ $count ->
        [one] { $count } open incident
       *[other] { $count } open incidents
    }</b> · { $room }
alerts-mutes = 🔕 Muted: { $list }
alerts-mute-item = { $what } until { $time }
ack-none = Nothing to acknowledge: every open incident is acknowledged already.
ack-done = Acknowledged { $count ->
        [one] { $count } incident
       *[other] { $count } incidents
    }.
ack-unknown = No open incident with id “{ $id }”. See /alerts.
mute-usage = Usage: /mute [duration] [what]: duration like 30m, 2h, 1d (at most 7d, default 1h); what is temperature, humidity, sensor, door, motion, camera, servers, devices, power, clock, storage or all (default).
mute-done = 🔕 { $what } muted until { $time } by { $name }.
unmute-usage = Usage: /unmute [what]: temperature, humidity, sensor, door, motion, camera, servers, devices, power, clock, storage or all (default).
unmute-done = 🔔 { $what } unmuted.
unmute-none = Nothing was muted for { $what }.
summary-title = 📊 <b>Daily summary</b> · { $room }
summary-incidents = Incidents in the last 24 h: { $count }. Open now: { $open }.

## alerts: the console's own storage, and alerts that could not be delivered
alert-storage-write = The console cannot write to its own storage: { $reason }. Alerts are held in memory and still sent; they are stored as soon as writing works again.
alert-recovered-storage-write = The console writes to its storage again (after { $duration }); what was held in memory is stored.
alert-storage-space = Free space for the console's data is low: <b>{ $free }</b> left of { $size } ({ $pct } % free) in <code>{ $path }</code>. Old photos and clips are deleted first to make room.
alert-recovered-storage-space = Free space for the console's data is back to { $free } ({ $pct } % free) after { $duration }.
rule-storage-write = storage not writable
rule-storage-space = low disk space
alert-undeliverable = 📭 <b>An alert could not be delivered</b> · { $room }
    Channel: { $channel }. Telegram or AWS refused it for good: { $error }
    What it said: { $what }
alert-channel-telegram = the staff group
alert-channel-telegram-room = the staff group of { $room }
alert-channel-admins = the admins' private chats
alert-channel-sns = SNS (e-mail, SMS)
alert-safe-form = (Short form: the full alert was refused: { $error }. Details: /alerts)
alert-database-replaced = 🗄️ <b>The database could not be opened, and was set aside</b> · { $room }
    Error: { $error }
    The old file is kept as <code>{ $setAside }</code>; the console started on an empty database (staff cards, history and servers are missing until you restore).
    To restore the newest backup: stop the console, copy <code>{ $backup }</code> to <code>{ $file }</code>, start it again.
alert-database-replaced-no-backup = 🗄️ <b>The database could not be opened, and was set aside</b> · { $room }
    Error: { $error }
    The old file is kept as <code>{ $setAside }</code>; the console started on an empty database (staff cards, history and servers are missing). There is no backup in <code>{ $backups }</code>: re-enroll the cards or restore a copy of your own to <code>{ $file }</code> while the console is stopped.
alerts-undelivered = 📭 Not delivered in the last 7 days: { $count }. Latest, to { $channel } at { $time }: { $what } ({ $error })

## alerts: the Pi's own health (clock, power) and its devices
alert-clock-unsynced = The Pi's clock is not synchronised ({ $reason }): office hours, and so what counts as an off-hours entry, may be judged wrong until it is. Door decisions say so meanwhile.
alert-recovered-clock-unsynced = The Pi's clock is synchronised again (after { $duration }).
alert-power-undervoltage = The Pi's power supply is too weak right now (under-voltage): the SD card and the sensors may misbehave. Use the official supply (5 V 3 A for a Pi 4, 5 V 5 A for a Pi 5).
alert-recovered-power-undervoltage = The Pi's supply voltage is back to normal (after { $duration }).
alert-power-throttled = The Pi is slowed down right now: { $what }.
alert-recovered-power-throttled = The Pi runs at full speed again (after { $duration }).
alert-power-undervoltage-seen = The Pi's supply dipped too low since { $time } (under-voltage, now gone): check the power supply and its cable.
alert-throttled-capped = the CPU frequency is capped
alert-throttled-throttled = it is throttled
alert-throttled-soft-temp = it is near its temperature limit
alert-device-missing = The { $device } was not found on this Pi, so it is simulated ({ $driver }): { $reason }
alert-device-stopped = The { $device } ({ $driver }) could not start: { $reason }
alert-recovered-device-missing = The { $device } is found again ({ $driver }) after { $duration }.
alert-room-silent = Room <b>{ $silentRoom }</b> went silent: { $reason }. Its Pi may be off, cut from the network, or its console stopped; nothing from that room (alerts, door, climate) reaches the hub until it is back.
alert-recovered-room-silent = Room <b>{ $silentRoom }</b> is heard again (after { $duration }); what it held meanwhile follows.
rule-clock-unsynced = clock not synchronised
rule-power-undervoltage = under-voltage
rule-power-throttled = throttling
rule-power-undervoltage-seen = past under-voltage
rule-device-missing = { $device } missing
rule-room-silent = room { $silentRoom } silent
alert-hub-broker = The hub has not reached the site's broker <b>{ $broker }</b> for { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }: it hears no room meanwhile (their alerts wait in the rooms, and a room that goes silent cannot be noticed). Check the broker's service, its certificate and the network between them.
alert-hub-broker-error = Last error: { $error }
alert-recovered-hub-broker = The hub reaches the broker <b>{ $broker }</b> again (after { $duration }); what the rooms held meanwhile follows.
rule-hub-broker = the hub's link to the broker
rule-devices = missing devices
rule-power = power and throttling
device-climate = climate sensor
device-cards = card reader
device-display = display
device-camera = camera
device-motion = motion sensor
alert-started-device = { $device }: { $driver }
alert-started-devices = Devices: { $list }.
access-clock-unsynced = ⚠️ The Pi's clock was not synchronised at that time.

## alerts: calm cards (one row of buttons, More ▾ for the rest), /alerts buttons
alert-button-more = More ▾
alert-button-less = Less ▴
alert-reply-recovered = ✅ <b>Recovered.</b> { $what }
alerts-line-muted = 🔕 until { $time }
alerts-line-resolved = ✅ resolved

## lcd (the room's character display: plain ASCII, 16 characters a line)
lcd-climate = { $t }°C  { $h }%RH
lcd-no-reading = No reading yet
lcd-welcome = Welcome,
lcd-off-hours = Off-hours entry
lcd-denied = Access denied
lcd-unknown = Unknown card
lcd-wrong-room = Not this room
lcd-card-read = Card read
lcd-enroll-by = Enroll: { $name }
lcd-enrolled = Card enrolled:

## unhandled
unhandled-command = I don't know that command. Send /help to see what I can do.
unhandled-text = I answer commands only. Send /help to see them.

## chart
# chart-title, chart-subtitle, chart-range-*, chart-temperature ... chart-critical are also
# drawn on the image: plain text there (the renderer escapes it), HTML-escaped in captions.
cmd-chart = Temperature and humidity chart: /chart [6h|24h|7d]
chart-title = { $room } · climate
chart-subtitle = { $range } · { $from } – { $to } ({ $tz })
chart-range-6h = last 6 hours
chart-range-24h = last 24 hours
chart-range-7d = last 7 days
chart-temperature = Temperature
chart-humidity = Humidity
chart-warning = Warning
chart-critical = Critical
chart-no-data-label = No readings in this period
chart-caption-title = 📈 <b>{ $room }</b> · { $range }
chart-caption-window = { $from } – { $to } ({ $tz })
chart-caption-temperature = 🌡 Temperature: min { $min } · avg { $avg } · max { $max } °C
chart-caption-humidity = 💧 Humidity: min { $min } · avg { $avg } · max { $max } %
chart-caption-legend = From { $count ->
        [one] { $count } reading
       *[other] { $count } readings
    }.
chart-empty = No readings in the { $range }, so there is nothing to chart yet.
chart-bad-argument = I could not read “{ $arg }”. Use /chart (last 24 hours), or /chart followed by one of: { $ranges }.

## door: commands
cmd-access = Door log: /access [n|NAME]
cmd-who = Who came in today
cmd-staff = Staff cards (admins: revoke, restore, unlink, invite)
cmd-enroll = Enroll a new staff card (admins)
cmd-export = Door log as CSV: /export access [days]

## door: /access, /who, /export
access-decision-allowed = allowed
access-decision-off-hours = off hours (breach)
access-decision-unknown = unknown card
access-decision-revoked = revoked card
access-decision-wrong-room = not for this room
access-empty = No door entries yet.
access-older = ⬇️ Older
access-title = 🚪 <b>{ $room }</b> · { $count ->
        [one] the latest door entry
       *[other] latest { $count } door entries
    }
access-title-person = 🚪 <b>{ $name }</b> at { $room } · { $count ->
        [one] the latest entry
       *[other] latest { $count } entries
    }
access-bad-count = Please give a number from 1 to { $max }, or a name: /access 20, /access Ada.
access-no-person = Nobody called <b>{ $name }</b> has a card. /staff lists everyone.
access-which = Several people match <b>{ $name }</b>. Which one?
who-nobody = Nobody has come into <b>{ $room }</b> today.
who-title = 👥 <b>{ $room }</b> today · { $count ->
        [one] { $count } person
       *[other] { $count } people
    }
who-line = • <b>{ $name }</b> { $first }–{ $last } ({ $count }×){ $flag }
export-usage = Usage: /export access [days] (days 1–366, default 30).
export-caption = Door log: { $count ->
        [one] { $count } entry
       *[other] { $count } entries
    } from the last { $days ->
        [one] day
       *[other] { $days } days
    }.

## door: /staff
staff-role-admin = admin
staff-role-staff = staff
staff-revoked = revoked
staff-empty = No staff cards yet. An admin adds one with /enroll.
staff-title = 🪪 <b>Staff cards</b> · { $active } active, { $revoked } revoked
staff-not-found = No card <code>{ $uid }</code> is enrolled.
staff-button-revoke = ⛔ Yes, revoke
staff-button-restore = ♻️ Yes, restore
staff-button-keep = Keep as is
# the list's buttons: what each does, to whom ({ $name } is cut to fit a button)
staff-button-list-revoke = ⛔ Revoke { $name }'s card
staff-button-list-restore = ♻️ Restore { $name }'s card
staff-button-list-invite = 🔗 Invite link for { $name }
staff-button-list-unlink = ✂️ Unlink { $name }'s Telegram
staff-refuse-own-card = ⛔ You cannot revoke your own card (<b>{ $name }</b>, <code>{ $uid }</code>): it would take your door access and your role with it. Another admin can revoke it. Nothing changed.
staff-refuse-last-admin = ⛔ The card of <b>{ $name }</b> (<code>{ $uid }</code>) is the last active admin card: revoking it would leave no admin card. Enroll another admin card first (/enroll), then revoke this one. Nothing changed.
staff-confirm-revoke = Revoke the card of <b>{ $name }</b> (<code>{ $uid }</code>)? The door will refuse it from now on and a linked Telegram account loses its role.
staff-confirm-restore = Restore the card of <b>{ $name }</b> (<code>{ $uid }</code>)? The door will let it in again during office hours.
staff-unchanged = Nothing changed.
staff-done-revoke = ⛔ The card of <b>{ $name }</b> (<code>{ $uid }</code>) was revoked by { $by } at { $at }.
staff-done-restore = ♻️ The card of <b>{ $name }</b> (<code>{ $uid }</code>) was restored by { $by } at { $at }.
staff-already-revoked = The card of <b>{ $name }</b> was already revoked. Nothing changed.
staff-already-restored = The card of <b>{ $name }</b> is already active. Nothing changed.
staff-button-unlink = ✂️ Yes, unlink
staff-confirm-unlink = Unlink the Telegram account (id <code>{ $id }</code>) from the card of <b>{ $name }</b> (<code>{ $uid }</code>)? That account loses the card's role in this chat; the card keeps working at the door. To link an account again, make a new invite link.
staff-done-unlink = ✂️ The Telegram account <code>{ $id }</code> was unlinked from the card of <b>{ $name }</b> (<code>{ $uid }</code>) by { $by } at { $at }.
staff-unlink-stale = Nothing changed: that account is no longer linked to this card.
staff-button-undo = ↩️ Undo
staff-undone = ↩️ { $by } undid the link: the Telegram account <code>{ $id }</code> is no longer linked to the card of <b>{ $name }</b> (<code>{ $uid }</code>).
staff-rooms-all = every room
staff-rooms-usage = Usage: /staff rooms NAME dc-1,dc-2 (the rooms whose door the card opens) or /staff rooms NAME all (every room). NAME is the person's name or the card UID.
staff-rooms-bad = <code>{ $rooms }</code> is not a list of rooms: room ids separated by commas (letters, digits, - and _), or <b>all</b>. Nothing changed.
staff-rooms-no-card = No card matches <b>{ $name }</b>. Nothing changed.
staff-rooms-ambiguous = Several cards match <b>{ $name }</b>: { $names }. Give the full name or the card UID. Nothing changed.
staff-rooms-unchanged = The card of <b>{ $name }</b> (<code>{ $uid }</code>) already opens { $rooms }. Nothing changed.
staff-rooms-done = 🚪 The card of <b>{ $name }</b> (<code>{ $uid }</code>) now opens { $rooms } (set by { $by } at { $at }). Other rooms' doors refuse it.
staff-rooms-unheard = ⚠️ This hub has not heard from { $rooms } yet: check the spelling.
staff-undo-stale = Nothing to undo: that account is no longer linked to this card.

## door: /enroll
enroll-button-cancel = ✖️ Cancel
enroll-button-invite = 🔗 Invite link
enroll-button-no-invite = No link
enroll-button-save = ✅ Save
enroll-tap = 🪪 <b>Tap the new card on the reader now.</b> I wait { $seconds } s. Send /cancel or press Cancel to stop.
enroll-timeout = ⌛ No card was tapped within { $seconds } s. Nothing was saved; send /enroll to try again.
enroll-cancelled = Enrollment cancelled. Nothing was saved.
enroll-duplicate = ⚠️ Card <code>{ $uid }</code> is already enrolled to <b>{ $name }</b> ({ $role }). Nothing was changed.
enroll-duplicate-revoked = ⚠️ Card <code>{ $uid }</code> belongs to <b>{ $name }</b> ({ $role }) and is revoked. Restore it with /staff instead. Nothing was changed.
enroll-ask-name = Card <code>{ $uid }</code> read. <b>What is the holder's name?</b> (1–{ $max } characters)
enroll-name-empty = The name is empty. Please send the holder's name.
enroll-name-too-long = That name is too long: at most { $max } characters, please.
enroll-name-control = That name contains line breaks or invisible control characters. Please send it on one line, as plain text.
enroll-name-command = A name cannot start with "/". Please send the holder's name, or /cancel.
enroll-too-many-tries = Too many invalid names. Enrollment stopped; nothing was saved.
enroll-ask-role = Which role does <b>{ $name }</b> get?
enroll-ask-link = Link <b>{ $name }</b>'s Telegram account? I make a one-time link (valid { $minutes } min) for you to send them.
enroll-invite-yes = one-time invite link
enroll-invite-no = none
enroll-confirm =
    Please check:
    Card: <code>{ $uid }</code>
    Name: <b>{ $name }</b>
    Role: { $role }
    Telegram: { $invite }
enroll-saved = ✅ <b>{ $name }</b> is enrolled as { $role } (card <code>{ $uid }</code>). The room's display confirms it.
enroll-invite = 🔗 Send this link to <b>{ $name }</b>; it works once, until { $until }:
    { $link }
enroll-not-yours = Only the admin who started this enrollment can answer it.
enroll-reader-dead = ⚠️ The card reader is not answering right now (see /alerts): the tap may not be read until it is back.
enroll-busy = Another admin is enrolling a card in this chat. Please wait until they finish, or use a private chat with me.
enroll-hint-tap = Waiting for the card. Tap it on the reader, or /cancel.
enroll-hint-name = Please send the name as a text message, or /cancel.
enroll-hint-button = Please use the buttons above, or /cancel.

## door: invite links
invite-unknown = This link is not valid (it was used already, or the console restarted). Ask an admin for a new one.
invite-expired = This link has expired. Ask an admin for a new one.
invite-already-linked = Your Telegram account is already linked to another card. Ask an admin.
invite-linked = ✅ Welcome, <b>{ $name }</b>! Your Telegram account is now linked to your card. You are { $role } of <b>{ $room }</b>; send /start.
invite-revoked = This card has been revoked, so the link is not valid. Ask an admin.
invite-card-linked = This card is already linked to a Telegram account. An admin must unlink it first (in /staff), then make a new link.
invite-account = { $name } ({ $username }id <code>{ $id }</code>)
invite-used = 🔗 The invite for <b>{ $name }</b> (card <code>{ $uid }</code>) was used by { $account }. That account now has the { $role } role. Not them? Press Undo.
invite-sent-privately = 🔗 { $admin }, I sent you the invite link for <b>{ $name }</b> in our private chat. Invite links are never posted in a group: anyone here could use them.
invite-not-sent = ⚠️ { $admin }, I could not send you the invite link for <b>{ $name }</b> privately: you have not opened a private chat with me yet (or you blocked me). Open a private chat with me (@{ $bot }, then Start) and make the link again from /staff there. The link was not posted here and does not work.

## camera: /snapshot, /clip, /media, /arm, /disarm
camera-button-snapshot = 📷 Snapshot
camera-button-clip = 🎥 Clip { $n } s
camera-button-recorded = 🎞 Recorded photo and clip
camera-taking = Taking a snapshot…
camera-recording = Recording { $n } s…
camera-snapshot-caption = 📷 <b>{ $room }</b> · { $time } · { $driver }
camera-clip-caption = 🎥 <b>{ $room }</b> · { $time } · { $n } s
camera-clip-progress = 🎥 Recording { $n } s… { $percent } %
camera-clip-encoding = 🎥 Recorded { $n } s, preparing the video…
camera-clip-done = ✅ Clip of { $n } s sent ({ $size }).
camera-clip-too-large = 🎥 The clip of { $n } s is stored, but at { $size } it is larger than Telegram accepts from a bot (50 MB). Ask for a shorter one; or an admin can set a smaller camera picture size (now { $width }×{ $height }).
camera-clip-usage = Usage: /clip [seconds]: 1 to { $max } seconds (default { $def }).
camera-failed = 📷❌ The camera could not take the picture: { $reason }
camera-failed-timeout = 📷❌ The camera did not answer in time: { $reason }. The team has been alerted.
camera-failed-unavailable = 📷❌ No camera is available: { $reason }
media-title = 📁 <b>Media of { $date }</b> · { $room }
media-line = { $icon } { $time } · { $reason } · { $size }{ $seconds }
media-none = Nothing was recorded that day.
media-no-more = No older media that day.
media-older = ⬅ Older
media-usage = Usage: /media [today|yesterday|YYYY-MM-DD]
media-caption = { $time } · { $reason }
media-gone = That file is no longer stored (deleted by the retention budget).
media-sending = Sending…
media-incident-none = Nothing was recorded with this alert.
media-reason-request = on request
media-reason-motion = motion
media-reason-breach = door breach
media-reason-alert = alert
watch-armed = 🛡 <b>Armed</b> by { $name }: motion in { $room } now raises an alert with a photo and a clip ({ $sensor }). /disarm ends it.
watch-disarmed = 🔓 Disarmed.
watch-not-armed = It was not armed.
watch-off-hours = Outside office hours the room is watched anyway.

## servers: /servers, /server, /addserver, /removeserver
servers-title = 🖥 <b>{ $n ->
        [one] { $n } server
       *[other] { $n } servers
    }</b> · { $room }
servers-none = No servers yet. An admin adds one with /addserver.
servers-never = not checked yet
servers-up-days = up { $d } d { $h } h
servers-up-hours = up { $h } h { $m } min
servers-load = load { $load }/{ $cores }
servers-memory = mem { $pct } %
servers-disk = disk { $pct } % ({ $mount })
servers-services = { $active }/{ $total } { $total ->
        [one] service
       *[other] services
    }
servers-journal = { $n ->
        [one] { $n } journal error
       *[other] { $n } journal errors
    }
servers-journal-unavailable = no systemd journal on this host
servers-failure-unreachable = unreachable
servers-failure-timeout = no answer (timeout)
servers-failure-host-key-mismatch = 🚨 HOST KEY CHANGED, refused
servers-failure-auth-failed = login refused
servers-failure-key-file = SSH key unreadable
servers-failure-dropped = connection dropped
servers-details-title = 🖥 <b>{ $name }</b> · <code>{ $address }</code>
servers-checked = Checked { $ago } (took { $ms } ms).
servers-presented-key = The server presented <code>{ $key }</code> instead of the pinned key. If it was reinstalled, remove and add it again; otherwise treat this as an attack.
servers-load-detail = load { $l1 } / { $l5 } / { $l15 } on { $cores ->
        [one] { $cores } core
       *[other] { $cores } cores
    }
servers-memory-detail = memory { $pct } % in use ({ $used } of { $total })
servers-button-check = 🔄 { $name }
servers-button-details = ℹ️ { $name }
servers-checking = ⏳ Checking <b>{ $name }</b>…
servers-checking-short = Checking { $name }…
servers-unknown = No server called “{ $name }”. See /servers.
servers-unknown-short = That server is no longer in the list.
servers-usage = Usage: /server NAME (see /servers for the names).
addserver-ask-name = 🖥 New server. Its short name (lowercase letters, digits, - or _, e.g. <code>web1</code>)? /cancel stops.
addserver-bad-name = That name does not work: 1–32 lowercase letters, digits, - or _, starting with a letter or digit.
addserver-exists = There is a server called “{ $name }” already.
addserver-ask-address = Address of <b>{ $name }</b>: host name or IP, optionally with the port (<code>10.0.0.5</code>, <code>db.lan:2222</code>, <code>[fd00::5]:22</code>)?
addserver-bad-address = That is not a host name or IP address (with an optional :port 1–65535).
addserver-ask-user = User to log in as (a read-only account is enough, e.g. <code>seroma</code>)?
addserver-bad-user = That is not a user name (letters, digits, . _ -; up to 32).
addserver-fetching = 🔑 Asking { $address } for its host key…
addserver-no-key = Could not get the host key: { $reason }. Nothing was saved.
addserver-confirm-key =
    🔑 <b>{ $name }</b> ({ $address }) presents this { $type } host key:
    <code>{ $fingerprint }</code>

    Compare it on the server itself (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>). Only if it matches, trust it: from now on the console refuses this server if its key ever changes.
addserver-button-trust = ✅ It matches: trust it
addserver-ask-services = systemd services that must be running, separated by commas (e.g. <code>nginx, postgresql</code>), or <code>-</code> for none?
addserver-bad-services = Those are not unit names (letters, digits, @ . _ : -; at most 20).
addserver-saved = ✅ <b>{ $name }</b> added. Checking it now…
addserver-cancelled = Cancelled. Nothing was saved.
addserver-hint-text = Please answer with a text message, or /cancel.
addserver-busy = Someone is adding a server in this chat already; wait until they finish.
removeserver-usage = Usage: /removeserver NAME (see /servers for the names).
removeserver-confirm = Remove <b>{ $name }</b> ({ $address })? Its open alerts are closed; its check history is kept.
removeserver-button = 🗑 Remove
removeserver-done = 🗑 <b>{ $name }</b> removed.

## backup
backup-done = 💾 Backup written: <code>{ $file }</code> ({ $size } MB, { $ms } ms). { $kept ->
        [one] It is the only backup kept
       *[other] { $kept } backups are kept
    } in <code>{ $dir }</code>.
backup-failed = 💾❌ The backup failed: { $error }
backup-running = 💾 Backing up the database…
backup-uploaded = ☁️ Uploaded to <code>{ $url }</code>.
backup-upload-failed = ⚠️ Kept locally, but the upload to S3 failed: { $error }

## background work (clips, server checks, backups run outside the chat's update lane)
background-busy = ⏳ I am still working on earlier requests in this chat. Try again when one of them is done.
background-stopping = The console is restarting. Try again in a minute.
background-stopped = ⏹ Stopped: the console is restarting. Try again in a minute.

## rooms
rooms-not-hub = This console is a single room. /rooms lists the rooms of a site on its hub (<code>ROLE=hub</code>, README "Several rooms").
rooms-none = No room has reported to this hub yet.
rooms-title = 🏢 <b>Rooms of the site</b> ({ $count })
rooms-room = 📍 <b>{ $room }</b>
rooms-reading = 🌡 { $temperature } °C · 💧 { $humidity } % ({ $age })
rooms-no-reading = No reading yet.
rooms-no-incidents = ✅ No open incidents.
rooms-incidents = { $count ->
    [one] One open incident:
   *[other] { $count } open incidents:
}
rooms-incident = { $icon } { $rule } (since { $since })
rooms-no-answer = ⏱ <b>No answer within { $seconds } s:</b> { $rooms }
rooms-silent = 🔴 { $room }: silent ({ $reason }), last heard { $age }
rooms-quiet = 🟡 { $room }: last heard { $age }
rooms-unknown = No room called <b>{ $room }</b> has reported to this hub. Rooms: { $rooms }
rooms-timeout = ⏱ <b>{ $room }</b> did not answer within { $seconds } s.
rooms-failed = <b>{ $room }</b> could not answer: { $error }
rooms-sample-failed = ⚠️ The sensor failed just now: { $reason }
rooms-site-title = 🏢 <b>The site</b> ({ $count } rooms)
rooms-site-line = 📍 <b>{ $room }</b> · 🌡 { $temperature } °C · 💧 { $humidity } % · { $incidents }
rooms-site-line-no-reading = 📍 <b>{ $room }</b> · no reading yet · { $incidents }
rooms-site-calm = ✅
rooms-site-open = { $icon } { $count } open
rooms-site-hint = Tap a room for its status, camera and refresh; /rooms for every room's incidents.
rooms-pick = 📍 <b>Which room?</b> ({ $command })
rooms-asking = Asking { $room }…
rooms-gone = { $room } is no longer a room of this site.
rooms-clip-progress = 🎥 Recording { $n } s in <b>{ $room }</b>…
rooms-watch-disarmed = 🔓 <b>{ $room }</b>: disarmed.
rooms-watch-not-armed = <b>{ $room }</b> was not armed.
rooms-server-unknown = <b>{ $room }</b> has no server called <b>{ $name }</b>.
rooms-server-usage = Usage: /server ROOM NAME, e.g. /server dc-1 web1.
rooms-access-usage = Usage: /access ROOM [n] (n from 1 to { $max }): the latest entries of that room's door log. A person's entries: /access NAME, in this room.
rooms-ack-ok = Acknowledged in { $room }.
rooms-ack-already = Already acknowledged in { $room } by { $name }.
rooms-ack-resolved = It is resolved in { $room } already.
rooms-ack-not-found = { $room } does not know this incident (any more).
rooms-ack-failed = { $room } did not answer: nothing was acknowledged. Try again.
rooms-acked = ✔️ <b>{ $room }</b>: { $rule } acknowledged by { $name }.
rooms-enroll-pick = 🪪 At which room's card reader will the new card be tapped?

## Dashboard
# The web dashboard's words (web/public; served as /i18n/en.ftl from this heading to the end of
# the file, so keep this section last). Plain text: the page puts it in textContent, never HTML.
web-title = Seroma
web-language-label = Language
web-language-en = English
web-language-ja = 日本語
web-dismiss = Dismiss
web-nav-label = Views
web-nav-room = Room
web-nav-door = Door
web-nav-servers = Servers
web-nav-media = Media
web-nav-live = Live
web-nav-staff = Staff
web-nav-settings = Settings
web-live-on = live
web-live-reconnecting = reconnecting…
web-older = Older
web-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
web-hours = { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
web-seconds = { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }

# Signing in
web-login-title = Log in through the bot
web-login-how = Send /web to the console's bot in a private chat with it. It answers with a link that opens this dashboard.
web-login-how-bot = Send /web to { $bot } in a private chat. It answers with a link that opens this dashboard.
web-login-once = The link works once and only for a few minutes. Inside Telegram, the bot's "Open dashboard" button signs you in directly.
web-login-session-ended = Your session has ended (logged out, or your access was changed).
web-login-not-staff = This dashboard is for the server room's staff only.
web-login-expired = Telegram's sign-in data is too old. Close the dashboard and open it again from the bot.

# Errors
web-error-unreachable = The console cannot be reached. Check the connection and try again.
web-error-http = The console answered with an error (HTTP { $status }).
web-error-not-found = That is no longer there.
web-error-forbidden = Only admins can do that.
web-error-rate-limited = Too many attempts. Wait a minute and try again.
web-error-already = Someone has acknowledged this already.
web-error-resolved = This incident is already resolved.

# Room
web-room-temperature = Temperature
web-room-humidity = Humidity
web-room-measured = measured at { $time }
web-room-door = People in today
web-room-door-today = { $people ->
        [one] one person
       *[other] { $people } people
    }, { $entries ->
        [one] one entry
       *[other] { $entries } entries
    } today
web-room-sensor-failing = The climate sensor is not answering: { $error }
web-level-ok = OK
web-level-warn = Warning
web-level-critical = Critical
web-level-unknown = No reading
web-incidents-title = Incidents
web-incidents-none = No open incidents.
web-incident-critical = Critical
web-incident-warning = Warning
web-incident-open = Open
web-incident-resolved = Resolved
web-incident-opened = Opened { $time }
web-incident-resolved-at = Resolved { $time }
web-incident-acked-by = Acknowledged by { $name } at { $time }
web-incident-muted = Muted until { $time }
web-incident-muted-by = Muted by { $name } until { $time }
web-incident-ack = Acknowledge
web-incident-mute-1h = Mute 1 h
web-incident-mute-24h = Mute 24 h
web-incident-acked-toast = Acknowledged.
web-incident-muted-toast = Muted.
web-chart-title = Climate
web-chart-range = Period
web-chart-24h = 24 h
web-chart-7d = 7 days
web-chart-temperature = Temperature (°C)
web-chart-humidity = Humidity (%)
web-chart-point = { $time }: { $temperature } °C, { $humidity } %
web-chart-empty = No readings in this period.

# Door
web-door-today-title = In today
web-door-nobody = Nobody has come in today.
web-door-person-times = { $first }–{ $last } · { $taps ->
        [one] one tap
       *[other] { $taps } taps
    }
web-door-log-title = Door log
web-door-from = From
web-door-to = To
web-door-decision = Result
web-door-any = Any
web-door-search = Name or card
web-door-search-hint = e.g. Ada or 66:1B
web-door-apply = Show
web-door-csv = Download CSV
web-door-no-entries = No entries match.
web-door-allowed = Allowed
web-door-off-hours = Off hours
web-door-unknown = Unknown card
web-door-revoked = Revoked card
web-door-wrong-room = Not for this room

# Servers
web-servers-none = No servers are watched. Add one with /addserver in the bot.
web-server-up = Up
web-server-down = Down
web-server-warning = Warning
web-server-unknown = Not checked yet
web-server-host = Address
web-server-checked = Checked
web-server-summary = Status
web-server-problems = Problems
web-server-recent = Recent checks
web-server-services = Services

# Media
web-media-kind = Kind
web-media-snapshots = Snapshots
web-media-clips = Clips
web-media-no-snapshots = No snapshots yet.
web-media-no-clips = No clips yet.
web-media-snapshot-label = Snapshot, { $time }
web-media-clip-label = Clip, { $time }

# Live camera
web-live-title = Camera
web-live-start = Play
web-live-stop = Stop
web-live-connecting = Connecting to the camera…
web-live-playing = Live
web-live-paused = Paused
web-live-ended = The stream has ended.
web-live-busy = Too many people are watching. Try again in a moment.
web-live-unavailable = This room has no camera.
web-live-rate = { $fps } fps · { $ms } ms behind

# Staff (admins)
web-staff-none = No cards are enrolled.
web-role-admin = Admin
web-role-staff = Staff
web-staff-revoked = Revoked
web-staff-linked = Telegram linked
web-staff-not-linked = No Telegram account linked
web-staff-revoke = Revoke
web-staff-restore = Restore
web-staff-invite = Invite link
web-staff-invite-link = Invite link
web-staff-invite-ready = Send this link to the card's owner. It works once, until { $time }.
web-staff-copy = Copy
web-staff-copied = Copied.
web-staff-revoked-toast = { $name }'s card is revoked.
web-staff-restored-toast = { $name }'s card is active again.

# Settings (read only)
web-settings-climate = Climate
web-settings-temperature-warn = Temperature, normal range
web-settings-temperature-critical = Temperature, critical outside
web-settings-humidity-warn = Humidity, normal range
web-settings-humidity-critical = Humidity, critical outside
web-settings-hysteresis = Hysteresis
web-settings-sampling = Sampling schedule
web-settings-office-hours = Office hours
web-settings-days = Days
web-settings-closed = closed
web-settings-hours = Hours
web-settings-time-zone = Time zone
web-settings-alerts = Alerts
web-settings-min-duration = Alert after
web-settings-remind-every = Remind every
web-settings-camera = Camera
web-settings-driver = Driver
web-settings-size = Picture size
web-settings-clip = Clip length
web-settings-servers = Servers
web-settings-check-every = Checked every
web-settings-server-count = Servers watched
web-settings-dashboard = Dashboard
web-settings-public-url = Public address
web-settings-none = none
web-settings-login-minutes = Login links last
web-settings-session-hours = Sessions end after idle
web-settings-storage = Storage
