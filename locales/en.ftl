# Seroma, English. One `##` section per feature; keys are prefixed by the feature.
# Values inserted with { $x } are already HTML-escaped by the bot.

## commands (descriptions registered with setMyCommands)
cmd-start = Main menu
cmd-status = Current temperature and humidity
cmd-history = Latest readings: /history [n]
cmd-language = Choose the language
cmd-help = What this bot can do
cmd-alerts = Open incidents
cmd-ack = Acknowledge open incidents: /ack [id]
cmd-mute = Silence alerts: /mute [30m|1h|1d] [what]
cmd-unmute = End a mute: /unmute [what]

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
auth-refused-button = You are not allowed to use this console.
auth-admin-only = Only an admin can do that.
auth-staff-only = Only staff can do that. Ask an admin to add your user id <code>{ $id }</code> to STAFF_IDS.

## errors
error-generic = Something went wrong on my side while handling that. The team has been told in the logs; please try again in a moment.
error-button-expired = This button no longer works. Send the command again.

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
    /alerts – open incidents; /ack [id] acknowledges them
    /mute [30m|1h|1d] [temperature|humidity|sensor|all] – quiet alerts for a while; /unmute ends it
    /language – choose English or Japanese
    /help – this text

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
status-refreshed = Updated.
status-unchanged = Already up to date.
status-driver-sim = simulated
status-driver-dht22 = DHT22

## history
history-title = <b>{ $room }</b> · last { $count } readings ({ $tz })
history-empty = No readings stored yet.
history-bad-argument = I could not read “{ $arg }”. Use <code>/history</code> or <code>/history n</code> with n between 1 and { $max }.
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
alert-sensor-dead = The climate sensor is not answering ({ $failures } failures in a row): { $reason }
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
alert-digest-title = 📬 <b>{ $count } alerts held back</b> while delivery was failing · { $room }
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
alert-recovered-reader-dead = The door's card reader is answering again after { $duration }.
rule-reader-dead = card reader not answering
rule-door-breach = off-hours entries
rule-door-unknown-card = unknown cards
rule-door-revoked-card = revoked cards
alerts-none = No open incidents in { $room }. ✅
alerts-title = <b>{ $count } open incident(s)</b> · { $room }
alerts-mutes = 🔕 Muted: { $list }
alerts-mute-item = { $what } until { $time }
ack-none = Nothing to acknowledge: every open incident is acknowledged already.
ack-done = Acknowledged { $count } incident(s).
ack-unknown = No open incident with id “{ $id }”. See /alerts.
mute-usage = Usage: <code>/mute [duration] [what]</code>: duration like 30m, 2h, 1d (at most 7d, default 1h); what is temperature, humidity, sensor, door or all (default).
mute-done = 🔕 { $what } muted until { $time } by { $name }.
unmute-usage = Usage: <code>/unmute [what]</code>: temperature, humidity, sensor, door or all (default).
unmute-done = 🔔 { $what } unmuted.
unmute-none = Nothing was muted for { $what }.
summary-title = 📊 <b>Daily summary</b> · { $room }
summary-incidents = Incidents in the last 24 h: { $count }. Open now: { $open }.

## lcd (the room's character display: plain ASCII, 16 characters a line)
lcd-climate = { $t }°C  { $h }%RH
lcd-no-reading = No reading yet
lcd-welcome = Welcome,
lcd-off-hours = Off-hours entry
lcd-denied = Access denied
lcd-unknown = Unknown card
lcd-card-read = Card read
lcd-see-chat = See Telegram
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
chart-caption-legend = From { $count } readings.
chart-empty = No readings in the { $range }, so there is nothing to chart yet.
chart-bad-argument = I could not read “{ $arg }”. Use <code>/chart</code> (last 24 hours) or <code>/chart</code> with one of: { $ranges }.
