# Seroma, English. One `##` section per feature; keys are prefixed by the feature.
# Values inserted with { $x } are already HTML-escaped by the bot.

## commands (descriptions registered with setMyCommands)
cmd-start = Main menu
cmd-status = Current temperature and humidity
cmd-history = Latest readings: /history [n]
cmd-language = Choose the language
cmd-help = What this bot can do

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

## errors
error-generic = Something went wrong on my side while handling that. The team has been told in the logs; please try again in a moment.
error-button-expired = This button no longer works. Send the command again.

## start
start-greeting =
    Hello, { $name }! I am <b>Seroma</b>, the console of <b>{ $room }</b>.
    You are signed in as <b>{ $role }</b>. What would you like to see?
start-role-admin = admin
start-role-staff = staff
start-button-status = 🌡 Status
start-button-history = 📜 History
start-button-language = 🌐 Language
start-button-help = ❔ Help
help-text =
    <b>Seroma</b> watches <b>{ $room }</b>.

    /status – current temperature and humidity, trend and thresholds
    /history [n] – the latest n readings (default { $default }, at most { $max })
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

## unhandled
unhandled-command = I don't know that command. Send /help to see what I can do.
unhandled-text = I answer commands only. Send /help to see them.
