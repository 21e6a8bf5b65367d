# Seroma、日本語。機能ごとに `##` セクション。キーは機能名で始まる。
# { $x } で挿入する値はボット側で HTML エスケープ済み。

## commands
cmd-start = メインメニュー
cmd-status = 現在の温度と湿度
cmd-history = 最新の測定値: /history [n]
cmd-language = 言語を選ぶ
cmd-help = このボットでできること

## common
common-unit-celsius = °C
common-unit-percent = %
age-now = たった今
age-seconds = { $n } 秒前
age-minutes = { $n } 分前
age-hours = { $n } 時間前
age-days = { $n } 日前

## auth
auth-refused =
    申し訳ありません。これは <b>{ $room }</b> のスタッフ専用コンソールです。
    あなたの Telegram ユーザー ID は <code>{ $id }</code> です。利用が必要なら管理者に追加を依頼してください。
auth-refused-button = このコンソールを使う権限がありません。
auth-admin-only = 管理者のみが実行できます。

## errors
error-generic = 処理中にこちら側でエラーが発生しました。ログに記録しました。少し待ってからもう一度お試しください。
error-button-expired = このボタンはもう使えません。コマンドをもう一度送ってください。

## start
start-greeting =
    こんにちは、{ $name } さん。<b>{ $room }</b> のコンソール <b>Seroma</b> です。
    あなたの権限は <b>{ $role }</b> です。何を表示しますか?
start-role-admin = 管理者
start-role-staff = スタッフ
start-button-status = 🌡 状態
start-button-history = 📜 履歴
start-button-language = 🌐 言語
start-button-help = ❔ ヘルプ
help-text =
    <b>Seroma</b> は <b>{ $room }</b> を見守っています。

    /status – 現在の温度と湿度、傾向としきい値
    /history [n] – 最新 n 件の測定値(既定 { $default } 件、最大 { $max } 件)
    /language – 英語か日本語を選ぶ
    /help – この説明

## status
status-title = <b>{ $room }</b> · 室内環境
status-temperature = 🌡 温度: <b>{ $value } °C</b> { $level } { $trend }
status-humidity = 💧 湿度: <b>{ $value } %</b> { $level } { $trend }
status-level-ok = ✅
status-level-warn = ⚠️
status-level-critical = 🔥
status-trend-rising = ↗ 上昇中
status-trend-falling = ↘ 下降中
status-trend-steady = → 安定
status-trend-unknown = { "" }
status-taken = { $age }({ $time })に { $driver } センサーで測定。
status-stale = ⚠️ 古い測定値です。センサーから { $age } 報告がありません。
status-sensor-failing = ⚠️ 現在センサーが応答しません: { $reason }
status-thresholds = 範囲: { $tmin }–{ $tmax } °C(危険 { $tcmin }–{ $tcmax })、{ $hmin }–{ $hmax } %(危険 { $hcmin }–{ $hcmax })。
status-no-readings = まだ測定値がありません。センサーは { $interval } 秒ごとに測定します。少し待ってからお試しください。
status-button-refresh = 🔄 更新
status-refreshed = 更新しました。
status-unchanged = すでに最新です。
status-driver-sim = シミュレーション
status-driver-dht22 = DHT22

## history
history-title = <b>{ $room }</b> · 最新 { $count } 件({ $tz })
history-empty = まだ測定値が保存されていません。
history-bad-argument = 「{ $arg }」を解釈できません。<code>/history</code> または <code>/history n</code>(n は 1 から { $max })を使ってください。
history-header = 時刻               °C     %RH

## language
language-choose = 言語を選んでください。「自動」は Telegram アプリの設定に従います。
language-auto = 自動
language-set = 言語を日本語に設定しました。
language-set-auto = 言語は Telegram アプリの設定に従います。

## unhandled
unhandled-command = そのコマンドはわかりません。/help で使えるコマンドを確認してください。
unhandled-text = コマンドにのみ応答します。/help で一覧を確認してください。
