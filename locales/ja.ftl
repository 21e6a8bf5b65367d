# Seroma、日本語。機能ごとに `##` セクション。キーは機能名で始まる。
# { $x } で挿入する値はボット側で HTML エスケープ済み。

## commands
cmd-start = メインメニュー
cmd-status = 現在の温度と湿度
cmd-rooms = サイトのすべての部屋（ハブ）
cmd-history = 最新の測定値: /history [n]
cmd-language = 言語を選ぶ
cmd-help = このボットでできること
cmd-alerts = 未解決のインシデント
cmd-ack = インシデントを確認: /ack [id]
cmd-mute = アラートをミュート: /mute [30m|1h|1d] [対象]
cmd-unmute = ミュート解除: /unmute [対象]
cmd-snapshot = 今の部屋の写真
cmd-clip = 短い動画: /clip [秒]
cmd-media = 保存された写真と動画: /media [日付]
cmd-arm = 勤務時間中も動きを監視する
cmd-disarm = 勤務時間外のみの監視に戻す
cmd-servers = サーバーの一覧と状態
cmd-server = サーバーを今すぐ確認: /server 名前
cmd-addserver = サーバーを追加（管理者）
cmd-removeserver = サーバーを削除（管理者）: /removeserver 名前
cmd-backup = データベースを今すぐバックアップ（管理者）
cmd-web = Web ダッシュボードを開く（1 回限りのリンク）

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
auth-refused-again = まだ { $room } のスタッフとして登録されていません。あなたのユーザー ID は <code>{ $id }</code> です。部屋の管理者に伝えてください。
auth-refused-button = このコンソールを使う権限がありません。
auth-admin-only = 管理者のみが実行できます。
auth-staff-only = スタッフのみが実行できます。利用できるはずの場合は、管理者にスタッフとして追加するよう依頼してください（あなたの Telegram ユーザー ID は <code>{ $id }</code> です）。

## errors
error-generic = 処理中にこちら側でエラーが発生しました。ログに記録しました。少し待ってからもう一度お試しください。
error-button-expired = このボタンはもう使えません。コマンドをもう一度送ってください。

## long answers (cut to Telegram's limits; the full text follows as a .txt)
fit-more = …ほか { $n } 件
fit-full-text = 📄 上のメッセージの全文です。

## start
start-greeting =
    こんにちは、{ $name } さん。<b>{ $room }</b> のコンソール <b>Seroma</b> です。
    あなたの権限は <b>{ $role }</b> です。何を表示しますか?
start-role-admin = 管理者
start-role-staff = スタッフ
start-role-viewer = 閲覧のみ
start-button-status = 🌡 状態
start-button-history = 📜 履歴
start-button-language = 🌐 言語
start-button-help = ❔ ヘルプ
help-text =
    <b>Seroma</b> は <b>{ $room }</b> を見守っています。

    /status – 現在の温度と湿度、傾向としきい値
    /history [n] – 最新 n 件の測定値(既定 { $default } 件、最大 { $max } 件)
    /chart [6h|24h|7d] – 温度と湿度のグラフ
    /access [件数|名前] – 入退室ログ (新しい順); /who – 今日の入室者
    /export access [日数] – 入退室ログを CSV で
    /staff – スタッフカード; 管理者はここから無効化・復元・連携解除・招待
    /enroll – 新しいカードの登録 (管理者): かざす、名前、役割、確認
    /snapshot – 部屋の写真、/clip [秒] – 短い動画（既定 { $clip } 秒）
    /media [today|yesterday|YYYY-MM-DD] – 保存された写真と動画
    /arm、/disarm – 今すぐ動きを監視 / 勤務時間外のみ監視
    /servers – 全サーバーの状態、/server 名前 – 今すぐ確認
    /addserver、/removeserver 名前 – サーバーの管理（管理者）
    /alerts – 未解決のインシデント。/ack [id] で確認
    /mute [30m|1h|1d] [temperature|humidity|sensor|door|motion|camera|servers|all] – 一定時間アラートを止める。/unmute で解除
    /backup – データベースを今すぐバックアップ（管理者。{ $nightly ->
        [off] 夜間の自動バックアップはありません
       *[other] 毎晩 { $nightly } にも実行
    }）
    /web – Web ダッシュボード: 個別チャットに 1 回限りのリンクを送ります
    /language – 英語か日本語を選ぶ
    /help – この説明

# /web: Web ダッシュボードへの入口
dashboard-button-open = 📊 ダッシュボードを開く
dashboard-menu-button = ダッシュボード
dashboard-link =
    🔑 <b>{ $room }</b> のダッシュボードへのリンクです。使えるのは <b>1 回だけ</b>、{ $minutes } 分以内（{ $until } まで）です。新しいリンクは /web でもう一度。
    転送しないでください: 最初に開いた人があなたとしてログインします。
dashboard-link-inline =
    🔑 <b>{ $room }</b> のダッシュボードへのリンクです:
    { $link }
    使えるのは <b>1 回だけ</b>、{ $minutes } 分以内（{ $until } まで）です。新しいリンクは /web でもう一度。コンソールに届く端末で開いてください。
    転送しないでください: 最初に開いた人があなたとしてログインします。
dashboard-private-only = 🔒 ダッシュボードのログインリンクは個別チャットにだけ送ります。ボタンを押すと、個別チャットでリンクを送ります。
dashboard-off = この部屋の Web ダッシュボードはオフになっています。管理者がコンソールの設定でオンにできます。
dashboard-failed = ⚠️ ログインリンクを作れませんでした: ダッシュボードが今応答していません。少し待ってからもう一度試してください。続く場合は管理者に伝えてください。

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
status-refreshed = 新しい測定値です(測定: { $age })。
status-unchanged = すでに最新です(測定: { $age })。センサーは { $seconds } 秒ごとに新しい値を返します。
status-refresh-failed = 新しい測定値を取得できませんでした(センサーが応答しません)。表示中の値の測定: { $age }。
status-sampling = 新しく測定しています…
status-driver-sim = シミュレーション
status-driver-dht22 = DHT22

## history
history-title = <b>{ $room }</b> · 最新 { $count } 件({ $tz })
history-empty = まだ測定値が保存されていません。
history-bad-argument = 「{ $arg }」を解釈できません。/history または /history n（n は 1 から { $max }、例: /history 20）を使ってください。
history-header = 時刻               °C     %RH

## language
language-choose = 言語を選んでください。「自動」は Telegram アプリの設定に従います。
language-auto = 自動
language-set = 言語を日本語に設定しました。
language-set-auto = 言語は Telegram アプリの設定に従います。

## alerts
alert-severity-critical = 危険
alert-severity-warning = 警告
alert-severity-info = 情報
alert-icon-critical = 🔥
alert-icon-warning = ⚠️
alert-icon-info = ℹ️
alert-quantity-temperature = 温度
alert-quantity-humidity = 湿度
alert-direction-high = 高い
alert-direction-low = 低い
alert-head-raised = { $icon } <b>{ $severity }</b> · { $room }
alert-head-escalated = { $icon } <b>{ $severity } に悪化</b> · { $room }
alert-head-reminder = 🔔 <b>再通知: { $severity }(未確認)</b> · { $room }
alert-head-recovered = ✅ <b>復旧</b> · { $room }
alert-climate = { $quantity }が{ $direction }状態です: <b>{ $value } { $unit }</b>(しきい値 { $limit } { $unit })。
alert-sensor-dead = 温湿度センサーが応答しません({ $failures } 回連続で失敗): { $reason }
alert-sensor-stuck = 温湿度センサーが { $minutes } 分間まったく同じ値 { $value } を報告しています。故障の可能性があります。
alert-since = 発生: { $time }({ $tz })。
alert-open-for = 継続時間: { $duration }。
alert-recovered-climate = { $quantity }は { $duration } 後に { $value } { $unit } に戻りました。
alert-recovered-sensor-dead = 温湿度センサーは { $duration } 後に応答を再開しました。
alert-recovered-sensor-stuck = 温湿度センサーの値は { $duration } 後に再び変化しています。
alert-late = ⏰ 遅延配信: { $time } に検知({ $ago })。
alert-acked = ✔️ { $name } さんが { $time } に確認しました。
alert-muted-by = 🔕 { $name } さんが { $time } までミュートしました。
alert-started = 🟢 <b>Seroma 起動</b> · { $room }
    温湿度センサー: { $driver }。未解決のインシデント: { $open } 件。
alert-digest-title = 📬 配信に失敗していた間の <b>{ $count } 件のアラート</b> · { $room }
alert-button-ack = ✔️ 確認
alert-button-mute-1h = 🔕 1 時間ミュート
alert-button-mute-24h = 🔕 24 時間ミュート
alert-ack-done = 確認しました。
alert-ack-already = { $name } さんが確認済みです。
alert-ack-resolved = このインシデントはすでに解決しています。
alert-ack-unknown = このインシデントは見つかりません。
alert-mute-done = { $what } を { $duration } ミュートしました。
duration-minutes = { $n } 分
duration-hours = { $n } 時間 { $m } 分
duration-days = { $n } 日 { $h } 時間
rule-climate-temperature = 温度
rule-climate-humidity = 湿度
rule-sensor-dead = センサー無応答
rule-sensor-stuck = センサー固着
rule-all = すべてのアラート
alert-reader-dead = ドアのカードリーダーが応答しません: { $reason }
alert-door-breach = 時間外の入室: <b>{ $name }</b>(カード <code>{ $uid }</code>)、{ $time }。
alert-door-unknown = 未登録のカード <code>{ $uid }</code> がドアで使われました({ $time })。入室拒否。
alert-door-revoked = 無効化された <b>{ $name }</b> さんのカード(<code>{ $uid }</code>)がドアで使われました({ $time })。入室拒否。
alert-door-wrong-room = <b>{ $name }</b> さんのカード(<code>{ $uid }</code>)がこの部屋のドアで使われました({ $time })。このカードではこの部屋に入れません。入室拒否。
alert-door-enrollment = { $by } さんが始めたカード登録のために読み取られたものです。
alert-recovered-reader-dead = ドアのカードリーダーは { $duration } 後に応答を再開しました。
rule-reader-dead = カードリーダー無応答
rule-door-breach = 時間外入室
rule-door-unknown-card = 未登録カード
rule-door-revoked-card = 無効カード
rule-door-wrong-room-card = 他の部屋用のカード
alert-camera-dead = カメラが動作していません: { $reason }
alert-recovered-camera-dead = { $duration } 後にカメラが復旧しました。
alert-motion-dead = 人感センサーが動作していません: { $reason }
alert-recovered-motion-dead = { $duration } 後に人感センサーが復旧しました。
alert-room-motion = 勤務時間外の { $time } に室内で動きを検知しました（{ $source }）。
alert-room-motion-armed = 監視中の { $time } に室内で動きを検知しました（{ $source }）。
rule-camera-dead = カメラ異常
rule-motion-dead = 人感センサー異常
rule-room-motion = 室内の動き
alert-server-down = サーバー <b>{ $host }</b> を確認できません（{ $failures ->
        [1] 1 回失敗
       *[other] { $failures } 回連続で失敗
    }）: { $reason }
alert-server-disk = サーバー <b>{ $host }</b>: ディスク使用率が { $limit } を超えています: { $mounts }。
alert-server-disk-more = { $mounts } …ほか { $n } 件（/server { $host }）
alert-server-service = サーバー <b>{ $host }</b>: 停止しているサービス: { $services }。
alert-server-journal = サーバー <b>{ $host }</b>: システムジャーナルに新しいエラーが { $count } 件。最新: <code>{ $latest }</code>
alert-server-load = サーバー <b>{ $host }</b>: { $cores } コアで負荷 { $load }（上限 1 コアあたり { $limit }）。
alert-server-memory = サーバー <b>{ $host }</b>: メモリ使用 { $used }（上限 { $limit }）。
alert-recovered-server-down = { $duration } 後にサーバー <b>{ $host }</b> が応答するようになりました。
alert-recovered-server-disk = サーバー <b>{ $host }</b>: { $duration } 後にディスク使用率が上限を下回りました。
alert-recovered-server-service = サーバー <b>{ $host }</b>: { $duration } 後に全サービスが動作しています。
alert-recovered-server-journal = サーバー <b>{ $host }</b>: 前回の確認以降、新しいジャーナルエラーはありません（{ $duration } 後）。
alert-recovered-server-load = サーバー <b>{ $host }</b>: { $duration } 後に負荷が上限を下回りました。
alert-recovered-server-memory = サーバー <b>{ $host }</b>: { $duration } 後にメモリ使用が上限を下回りました。
rule-server-down = { $host } 応答なし
rule-server-disk = { $host } ディスク
rule-server-service = { $host } サービス
rule-server-journal = { $host } ジャーナルエラー
rule-server-load = { $host } 負荷
rule-server-memory = { $host } メモリ
rule-servers = 全サーバー
alert-backup-failed = 💾❌ <b>バックアップ失敗</b> · { $room }
    { $error }
    次は明晩に実行されます。/backup で今すぐ実行できます。
alert-resolved-at = ✅ { $time } に解消しました。
alert-now = 現在: { $temperature } °C、{ $humidity } %（{ $time } 時点）。
alerts-none = { $room } に未解決のインシデントはありません。✅
alerts-title = <b>未解決のインシデント { $count } 件</b> · { $room }
alerts-mutes = 🔕 ミュート中: { $list }
alerts-mute-item = { $what }({ $time } まで)
ack-none = 確認待ちのインシデントはありません。
ack-done = { $count } 件のインシデントを確認しました。
ack-unknown = ID「{ $id }」の未解決インシデントはありません。/alerts を確認してください。
mute-usage = 使い方: /mute [期間] [対象]。期間は 30m、2h、1d など(最大 7d、既定 1h)。対象は temperature、humidity、sensor、door、motion、camera、servers、devices、power、clock、storage、all(既定)。
mute-done = 🔕 { $name } さんが { $what } を { $time } までミュートしました。
unmute-usage = 使い方: /unmute [対象]。temperature、humidity、sensor、door、motion、camera、servers、devices、power、clock、storage、all(既定)。
unmute-done = 🔔 { $what } のミュートを解除しました。
unmute-none = { $what } はミュートされていません。
summary-title = 📊 <b>日次サマリー</b> · { $room }
summary-incidents = 過去 24 時間のインシデント: { $count } 件。未解決: { $open } 件。

## alerts: the console's own storage, and alerts that could not be delivered
alert-storage-write = コンソールが自身のストレージに書き込めません: { $reason }。アラートはメモリに保持したまま送信し、書き込みが回復し次第保存します。
alert-recovered-storage-write = { $duration } 後にストレージへの書き込みが回復しました。メモリに保持していた内容を保存しました。
alert-storage-space = コンソールのデータ用の空き容量が不足しています: <code>{ $path }</code> の空きは <b>{ $free }</b>(全 { $size } の { $pct } %)。古い写真と動画から削除して容量を確保します。
alert-recovered-storage-space = { $duration } 後、コンソールのデータ用の空き容量が { $free }({ $pct } %)に回復しました。
rule-storage-write = ストレージ書き込み不可
rule-storage-space = ディスク容量不足
alert-undeliverable = 📭 <b>アラートを配信できませんでした</b> · { $room }
    配信先: { $channel }。Telegram または AWS が恒久的に拒否しました: { $error }
    内容: { $what }
alert-channel-telegram = スタッフグループ
alert-channel-telegram-room = { $room } のスタッフグループ
alert-channel-admins = 管理者の個人チャット
alert-channel-sns = SNS(メール、SMS)
alert-safe-form = (短縮版: 完全なアラートは拒否されました: { $error }。詳細は /alerts)
alert-database-replaced = 🗄️ <b>データベースを開けなかったため退避しました</b> · { $room }
    エラー: { $error }
    元のファイルは <code>{ $setAside }</code> として保存してあります。コンソールは空のデータベースで起動しました(復元するまでスタッフカード、履歴、サーバーはありません)。
    最新のバックアップを復元するには: コンソールを停止し、<code>{ $backup }</code> を <code>{ $file }</code> にコピーしてから再起動してください。
alert-database-replaced-no-backup = 🗄️ <b>データベースを開けなかったため退避しました</b> · { $room }
    エラー: { $error }
    元のファイルは <code>{ $setAside }</code> として保存してあります。コンソールは空のデータベースで起動しました(スタッフカード、履歴、サーバーはありません)。<code>{ $backups }</code> にバックアップがありません: カードを再登録するか、コンソール停止中にお手持ちのコピーを <code>{ $file }</code> に復元してください。
alerts-undelivered = 📭 過去 7 日間に配信できなかったアラート: { $count } 件。最新({ $time }、{ $channel } 宛): { $what }({ $error })

## alerts: the Pi's own health (clock, power) and its devices
alert-clock-unsynced = Pi の時計が同期されていません({ $reason })。同期されるまで、営業時間の判定(時間外の入室かどうか)が正しくない可能性があります。その間の入退室の判定にはその旨を記します。
alert-recovered-clock-unsynced = { $duration } 後に Pi の時計が同期されました。
alert-power-undervoltage = Pi の電源が現在弱すぎます(電圧低下)。SD カードやセンサーが誤動作する可能性があります。純正電源(Pi 4 は 5 V 3 A、Pi 5 は 5 V 5 A)を使ってください。
alert-recovered-power-undervoltage = { $duration } 後に Pi の電源電圧が正常に戻りました。
alert-power-throttled = Pi の処理速度が現在落ちています: { $what }。
alert-recovered-power-throttled = { $duration } 後に Pi が通常の速度に戻りました。
alert-power-undervoltage-seen = { $time } 以降に Pi の電源電圧が一時的に低下しました(現在は回復)。電源とケーブルを確認してください。
alert-throttled-capped = CPU の周波数が制限されています
alert-throttled-throttled = スロットリング中です
alert-throttled-soft-temp = 温度上限に近づいています
alert-device-missing = この Pi で{ $device }が見つからないため、シミュレーションで動作しています({ $driver }): { $reason }
alert-device-stopped = { $device }({ $driver })を開始できませんでした: { $reason }
alert-recovered-device-missing = { $duration } 後に{ $device }が見つかりました({ $driver })。
alert-room-silent = 部屋 <b>{ $silentRoom }</b> から応答がありません: { $reason }。Pi の電源断、ネットワーク断、またはコンソールの停止が考えられます。復帰するまで、その部屋の情報(アラート、入退室、温湿度)はハブに届きません。
alert-recovered-room-silent = 部屋 <b>{ $silentRoom }</b> からの応答が戻りました({ $duration } 後)。その間に保持されていた通知が続いて届きます。
rule-clock-unsynced = 時計未同期
rule-power-undervoltage = 電圧低下
rule-power-throttled = スロットリング
rule-power-undervoltage-seen = 過去の電圧低下
rule-device-missing = { $device }なし
rule-room-silent = 部屋 { $silentRoom } 応答なし
alert-hub-broker = ハブがサイトのブローカー <b>{ $broker }</b> に { $seconds } 秒間接続できていません。その間、どの部屋の情報も届きません(各部屋のアラートは部屋側で保持され、部屋の応答途絶も検知できません)。ブローカーのサービス、証明書、ネットワークを確認してください。
alert-hub-broker-error = 最後のエラー: { $error }
alert-recovered-hub-broker = ハブがブローカー <b>{ $broker }</b> に再接続しました({ $duration } 後)。その間に各部屋が保持していた通知が続いて届きます。
rule-hub-broker = ハブのブローカー接続
rule-devices = 見つからないデバイス
rule-power = 電源とスロットリング
device-climate = 温湿度センサー
device-cards = カードリーダー
device-display = ディスプレイ
device-camera = カメラ
device-motion = 人感センサー
alert-started-device = { $device }: { $driver }
alert-started-devices = デバイス: { $list }。
access-clock-unsynced = ⚠️ この時点では Pi の時計が同期されていませんでした。

## alerts: calm cards (one row of buttons, More ▾ for the rest), /alerts buttons
alert-button-more = その他 ▾
alert-button-less = 閉じる ▴
alert-reply-recovered = ✅ <b>復旧しました。</b>{ $what }
alerts-line-muted = 🔕 { $time } までミュート
alerts-line-resolved = ✅ 解決済み

## lcd (部屋の液晶表示: 半角カナと ASCII、1 行 16 文字)
lcd-climate = { $t }°C  { $h }%RH
lcd-no-reading = ソクテイ マチ
lcd-welcome = ヨウコソ
lcd-off-hours = ジカンガイ ニュウシツ
lcd-denied = ニュウシツ キョヒ
lcd-unknown = ミトウロク カード
lcd-wrong-room = ヘヤ チガイ
lcd-card-read = カード ヨミトリ
lcd-enroll-by = トウロク: { $name }
lcd-enrolled = カード トウロク:

## unhandled
unhandled-command = そのコマンドはわかりません。/help で使えるコマンドを確認してください。
unhandled-text = コマンドにのみ応答します。/help で一覧を確認してください。

## chart
# chart-title、chart-subtitle、chart-range-*、chart-temperature ~ chart-critical は画像にも描かれる:
# 画像ではプレーンテキスト(描画側でエスケープ)、キャプションでは HTML エスケープ済み。
cmd-chart = 温度と湿度のグラフ: /chart [6h|24h|7d]
chart-title = { $room } · 室内環境
chart-subtitle = { $range } · { $from } – { $to }({ $tz })
chart-range-6h = 過去 6 時間
chart-range-24h = 過去 24 時間
chart-range-7d = 過去 7 日間
chart-temperature = 温度
chart-humidity = 湿度
chart-warning = 注意
chart-critical = 危険
chart-no-data-label = この期間の測定値はありません
chart-caption-title = 📈 <b>{ $room }</b> · { $range }
chart-caption-window = { $from } – { $to }({ $tz })
chart-caption-temperature = 🌡 温度: 最低 { $min } · 平均 { $avg } · 最高 { $max } °C
chart-caption-humidity = 💧 湿度: 最低 { $min } · 平均 { $avg } · 最高 { $max } %
chart-caption-legend = 測定値 { $count } 件から集計。
chart-empty = { $range }の測定値がないため、まだグラフを作れません。
chart-bad-argument = 「{ $arg }」を解釈できません。/chart (過去 24 時間)または /chart に次のいずれかを付けてください: { $ranges }

## door: commands
cmd-access = 入退室ログ: /access [件数|名前]
cmd-who = 今日の入室者
cmd-staff = スタッフカード (管理者: 無効化・復元・連携解除・招待)
cmd-enroll = 新しいスタッフカードの登録 (管理者)
cmd-export = 入退室ログを CSV で: /export access [日数]

## door: /access, /who, /export
access-decision-allowed = 許可
access-decision-off-hours = 時間外 (侵入)
access-decision-unknown = 未登録カード
access-decision-revoked = 無効化されたカード
access-decision-wrong-room = この部屋では無効
access-empty = 入退室の記録はまだありません。
access-older = ⬇️ さらに前
access-title = 🚪 <b>{ $room }</b> · 最新 { $count } 件の入退室
access-title-person = 🚪 <b>{ $name }</b> ({ $room }) · 最新 { $count } 件
access-bad-count = 1〜{ $max } の数か名前を指定してください: /access 20、/access Ada
access-no-person = <b>{ $name }</b> という名前のカードはありません。/staff で一覧を見られます。
access-which = <b>{ $name }</b> に該当する人が複数います。どなたですか?
who-nobody = 今日は <b>{ $room }</b> に誰も入室していません。
who-title = 👥 <b>{ $room }</b> 今日 · { $count } 人
who-line = • <b>{ $name }</b> { $first }–{ $last } ({ $count } 回){ $flag }
export-usage = 使い方: /export access [日数] (1〜366 日、既定 30)
export-caption = 入退室ログ: { $count } 件、過去 { $days } 日

## door: /staff
staff-role-admin = 管理者
staff-role-staff = スタッフ
staff-revoked = 無効
staff-empty = スタッフカードはまだありません。管理者が /enroll で登録できます。
staff-title = 🪪 <b>スタッフカード</b> · 有効 { $active } 件、無効 { $revoked } 件
staff-not-found = カード <code>{ $uid }</code> は登録されていません。
staff-button-revoke = ⛔ 無効にする
staff-button-restore = ♻️ 復元する
staff-button-keep = そのままにする
# the list's buttons: what each does, to whom ({ $name } is cut to fit a button)
staff-button-list-revoke = ⛔ { $name } のカードを無効にする
staff-button-list-restore = ♻️ { $name } のカードを復元する
staff-button-list-invite = 🔗 { $name } の招待リンク
staff-button-list-unlink = ✂️ { $name } の Telegram 連携を解除
staff-refuse-own-card = ⛔ 自分のカード (<b>{ $name }</b>、<code>{ $uid }</code>) は無効にできません: 入室と権限を自分で失うことになります。ほかの管理者なら無効にできます。何も変更していません。
staff-refuse-last-admin = ⛔ <b>{ $name }</b> のカード (<code>{ $uid }</code>) は最後の有効な管理者カードです: 無効にすると管理者カードがなくなります。先に別の管理者カードを登録し (/enroll)、そのあとでこのカードを無効にしてください。何も変更していません。
staff-confirm-revoke = <b>{ $name }</b> のカード (<code>{ $uid }</code>) を無効にしますか? 以後ドアで拒否され、連携した Telegram アカウントも権限を失います。
staff-confirm-restore = <b>{ $name }</b> のカード (<code>{ $uid }</code>) を復元しますか? 業務時間内は再び入室できます。
staff-unchanged = 変更していません。
staff-done-revoke = ⛔ <b>{ $name }</b> のカード (<code>{ $uid }</code>) を { $by } が { $at } に無効にしました。
staff-done-restore = ♻️ <b>{ $name }</b> のカード (<code>{ $uid }</code>) を { $by } が { $at } に復元しました。
staff-already-revoked = <b>{ $name }</b> のカードはすでに無効です。変更していません。
staff-already-restored = <b>{ $name }</b> のカードはすでに有効です。変更していません。
staff-button-unlink = ✂️ 連携を解除する
staff-confirm-unlink = <b>{ $name }</b> のカード (<code>{ $uid }</code>) から Telegram アカウント (id <code>{ $id }</code>) の連携を解除しますか? そのアカウントはこのチャットでのカードの権限を失います。カード自体はドアで引き続き使えます。再び連携するには新しい招待リンクを作ってください。
staff-done-unlink = ✂️ <b>{ $name }</b> のカード (<code>{ $uid }</code>) から Telegram アカウント <code>{ $id }</code> の連携を { $by } が { $at } に解除しました。
staff-unlink-stale = 変更していません: そのアカウントはもうこのカードに連携されていません。
staff-button-undo = ↩️ 取り消す
staff-undone = ↩️ { $by } が連携を取り消しました: Telegram アカウント <code>{ $id }</code> は <b>{ $name }</b> のカード (<code>{ $uid }</code>) に連携されていません。
staff-rooms-all = すべての部屋
staff-rooms-usage = 使い方: /staff rooms 名前 dc-1,dc-2(このカードで入れる部屋)または /staff rooms 名前 all(すべての部屋)。名前の代わりにカード UID も使えます。
staff-rooms-bad = <code>{ $rooms }</code> は部屋の一覧ではありません。部屋 ID をカンマで区切る(英小文字、数字、- と _)か、<b>all</b> を指定してください。何も変更していません。
staff-rooms-no-card = <b>{ $name }</b> に一致するカードはありません。何も変更していません。
staff-rooms-ambiguous = <b>{ $name }</b> に一致するカードが複数あります: { $names }。フルネームかカード UID を指定してください。何も変更していません。
staff-rooms-unchanged = <b>{ $name }</b> のカード(<code>{ $uid }</code>)はすでに { $rooms } に入れます。何も変更していません。
staff-rooms-done = 🚪 <b>{ $name }</b> のカード(<code>{ $uid }</code>)で入れる部屋を { $rooms } にしました({ $by }、{ $at })。他の部屋のドアでは拒否されます。
staff-rooms-unheard = ⚠️ このハブはまだ { $rooms } からの連絡を受けていません。綴りを確認してください。
staff-undo-stale = 取り消すものはありません: そのアカウントはもうこのカードに連携されていません。

## door: /enroll
enroll-button-cancel = ✖️ キャンセル
enroll-button-invite = 🔗 招待リンク
enroll-button-no-invite = リンクなし
enroll-button-save = ✅ 保存
enroll-tap = 🪪 <b>新しいカードをリーダーにかざしてください。</b> { $seconds } 秒待ちます。やめるには /cancel かキャンセルを押してください。
enroll-timeout = ⌛ { $seconds } 秒以内にカードがかざされませんでした。何も保存していません。/enroll でやり直せます。
enroll-cancelled = 登録をキャンセルしました。何も保存していません。
enroll-duplicate = ⚠️ カード <code>{ $uid }</code> はすでに <b>{ $name }</b> ({ $role }) に登録されています。何も変更していません。
enroll-duplicate-revoked = ⚠️ カード <code>{ $uid }</code> は <b>{ $name }</b> ({ $role }) のもので、無効化されています。/staff で復元してください。何も変更していません。
enroll-ask-name = カード <code>{ $uid }</code> を読み取りました。<b>持ち主の名前は?</b> (1〜{ $max } 文字)
enroll-name-empty = 名前が空です。持ち主の名前を送ってください。
enroll-name-too-long = 名前が長すぎます。{ $max } 文字以内にしてください。
enroll-name-control = 改行や見えない制御文字が含まれています。1 行のテキストで送ってください。
enroll-name-command = 名前を「/」で始めることはできません。名前を送るか /cancel してください。
enroll-too-many-tries = 無効な名前が続いたため登録を中止しました。何も保存していません。
enroll-ask-role = <b>{ $name }</b> にどの役割を割り当てますか?
enroll-ask-link = <b>{ $name }</b> の Telegram アカウントを連携しますか? 1 回だけ使える招待リンク (有効 { $minutes } 分) を作ります。
enroll-invite-yes = 1 回限りの招待リンク
enroll-invite-no = なし
enroll-confirm =
    確認してください:
    カード: <code>{ $uid }</code>
    名前: <b>{ $name }</b>
    役割: { $role }
    Telegram: { $invite }
enroll-saved = ✅ <b>{ $name }</b> を{ $role }として登録しました (カード <code>{ $uid }</code>)。部屋の表示にも出ます。
enroll-invite = 🔗 このリンクを <b>{ $name }</b> に送ってください。{ $until } まで 1 回だけ使えます:
    { $link }
enroll-not-yours = この登録に答えられるのは、登録を始めた管理者だけです。
enroll-reader-dead = ⚠️ カードリーダーが現在応答していません (/alerts 参照)。復旧するまで読み取れない可能性があります。
enroll-busy = このチャットでは別の管理者がカードを登録中です。終わるまで待つか、私との個人チャットを使ってください。
enroll-hint-tap = カードを待っています。リーダーにかざすか /cancel してください。
enroll-hint-name = 名前をテキストで送るか /cancel してください。
enroll-hint-button = 上のボタンを使うか /cancel してください。

## door: invite links
invite-unknown = このリンクは無効です (使用済みか、コンソールが再起動しました)。管理者に新しいリンクを頼んでください。
invite-expired = このリンクは期限切れです。管理者に新しいリンクを頼んでください。
invite-already-linked = あなたの Telegram アカウントはすでに別のカードに連携されています。管理者に相談してください。
invite-linked = ✅ ようこそ、<b>{ $name }</b> さん! Telegram アカウントをカードに連携しました。<b>{ $room }</b> の{ $role }です。/start を送ってください。
invite-revoked = このカードは無効化されているため、リンクは使えません。管理者に相談してください。
invite-card-linked = このカードはすでに Telegram アカウントに連携されています。管理者が先に (/staff で) 連携を解除し、新しいリンクを作る必要があります。
invite-account = { $name } ({ $username }id <code>{ $id }</code>)
invite-used = 🔗 <b>{ $name }</b> (カード <code>{ $uid }</code>) の招待リンクが { $account } によって使われました。このアカウントは{ $role }の権限を持ちます。本人でなければ「取り消す」を押してください。
invite-sent-privately = 🔗 { $admin } さん、<b>{ $name }</b> の招待リンクを個別チャットに送りました。招待リンクはグループには投稿しません (ここの誰でも使えてしまうため)。
invite-not-sent = ⚠️ { $admin } さん、<b>{ $name }</b> の招待リンクを個別チャットに送れませんでした: まだ私との個別チャットを開いていないか、ブロックされています。私 (@{ $bot }) との個別チャットを開いて「開始」を押し、そこで /staff から改めてリンクを作ってください。リンクはここには投稿しておらず、無効にしました。

## camera: /snapshot, /clip, /media, /arm, /disarm
camera-button-snapshot = 📷 写真
camera-button-clip = 🎥 動画 { $n } 秒
camera-button-recorded = 🎞 記録された写真と動画
camera-taking = 撮影しています…
camera-recording = { $n } 秒録画しています…
camera-snapshot-caption = 📷 <b>{ $room }</b> · { $time } · { $driver }
camera-clip-caption = 🎥 <b>{ $room }</b> · { $time } · { $n } 秒
camera-clip-progress = 🎥 { $n } 秒録画中… { $percent } %
camera-clip-encoding = 🎥 { $n } 秒録画しました。動画を準備しています…
camera-clip-done = ✅ { $n } 秒の動画を送りました（{ $size }）。
camera-clip-too-large = 🎥 { $n } 秒の動画は保存しましたが、{ $size } あり Telegram のボット上限（50 MB）を超えています。短い動画を頼むか、管理者がカメラの画像サイズ（現在 { $width }×{ $height }）を小さくしてください。
camera-clip-usage = 使い方: /clip [秒]: 1〜{ $max } 秒（既定 { $def } 秒）。
camera-failed = 📷❌ カメラで撮影できませんでした: { $reason }
camera-failed-timeout = 📷❌ カメラが時間内に応答しませんでした: { $reason }。担当者に通知しました。
camera-failed-unavailable = 📷❌ 使えるカメラがありません: { $reason }
media-title = 📁 <b>{ $date } のメディア</b> · { $room }
media-line = { $icon } { $time } · { $reason } · { $size }{ $seconds }
media-none = その日の記録はありません。
media-no-more = その日のこれより古い記録はありません。
media-older = ⬅ 古い順
media-usage = 使い方: /media [today|yesterday|YYYY-MM-DD]
media-caption = { $time } · { $reason }
media-gone = そのファイルはもう保存されていません（保存容量の上限で削除されました）。
media-sending = 送信しています…
media-incident-none = このアラートで記録されたものはありません。
media-reason-request = リクエスト
media-reason-motion = 動き
media-reason-breach = 時間外入室
media-reason-alert = アラート
watch-armed = 🛡 { $name } が<b>監視を開始</b>しました: { $room } で動きがあると写真と動画付きでアラートします（{ $sensor }）。/disarm で終了します。
watch-disarmed = 🔓 監視を解除しました。
watch-not-armed = 監視は開始されていませんでした。
watch-off-hours = 勤務時間外はいずれにしても監視されます。

## servers: /servers, /server, /addserver, /removeserver
servers-title = 🖥 <b>サーバー { $n } 台</b> · { $room }
servers-none = サーバーはまだありません。管理者が /addserver で追加します。
servers-never = 未確認
servers-up-days = 稼働 { $d } 日 { $h } 時間
servers-up-hours = 稼働 { $h } 時間 { $m } 分
servers-load = 負荷 { $load }/{ $cores }
servers-memory = メモリ { $pct } %
servers-disk = ディスク { $pct } %（{ $mount }）
servers-services = サービス { $active }/{ $total }
servers-journal = ジャーナルエラー { $n } 件
servers-journal-unavailable = このホストには systemd ジャーナルがありません
servers-failure-unreachable = 到達できません
servers-failure-timeout = 応答なし（タイムアウト）
servers-failure-host-key-mismatch = 🚨 ホスト鍵が変わったため拒否
servers-failure-auth-failed = ログイン拒否
servers-failure-key-file = SSH 鍵を読めません
servers-failure-dropped = 接続が切れました
servers-details-title = 🖥 <b>{ $name }</b> · <code>{ $address }</code>
servers-checked = { $ago }に確認（{ $ms } ms）。
servers-presented-key = 固定された鍵ではなく <code>{ $key }</code> が提示されました。再インストールした場合は削除して追加し直してください。そうでなければ攻撃として扱ってください。
servers-load-detail = 負荷 { $l1 } / { $l5 } / { $l15 }（{ $cores } コア）
servers-memory-detail = メモリ使用 { $pct } %（{ $total } 中 { $used }）
servers-button-check = 🔄 { $name }
servers-button-details = ℹ️ { $name }
servers-checking = ⏳ <b>{ $name }</b> を確認しています…
servers-checking-short = { $name } を確認しています…
servers-unknown = 「{ $name }」というサーバーはありません。/servers を確認してください。
servers-unknown-short = そのサーバーはもう一覧にありません。
servers-usage = 使い方: /server 名前（名前は /servers で確認）
addserver-ask-name = 🖥 新しいサーバー。短い名前は？（英小文字・数字・- _、例: <code>web1</code>）/cancel で中止。
addserver-bad-name = その名前は使えません: 英小文字・数字・- _ で 1〜32 文字、先頭は英字か数字。
addserver-exists = 「{ $name }」というサーバーはすでにあります。
addserver-ask-address = <b>{ $name }</b> のアドレスは？ホスト名か IP、必要ならポート付き（<code>10.0.0.5</code>、<code>db.lan:2222</code>、<code>[fd00::5]:22</code>）
addserver-bad-address = ホスト名または IP アドレスではありません（ポートは :1〜65535）。
addserver-ask-user = ログインするユーザーは？（読み取り専用アカウントで十分です。例: <code>seroma</code>）
addserver-bad-user = ユーザー名ではありません（英数字と . _ -、32 文字まで）。
addserver-fetching = 🔑 { $address } にホスト鍵を問い合わせています…
addserver-no-key = ホスト鍵を取得できませんでした: { $reason }。何も保存していません。
addserver-confirm-key =
    🔑 <b>{ $name }</b>（{ $address }）の { $type } ホスト鍵:
    <code>{ $fingerprint }</code>

    サーバー上で確認してください（<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>）。一致する場合のみ信頼してください。今後この鍵が変わるとコンソールはこのサーバーを拒否します。
addserver-button-trust = ✅ 一致: 信頼する
addserver-ask-services = 動作していなければならない systemd サービスをカンマ区切りで（例: <code>nginx, postgresql</code>）、なければ <code>-</code>
addserver-bad-services = ユニット名ではありません（英数字と @ . _ : -、最大 20 個）。
addserver-saved = ✅ <b>{ $name }</b> を追加しました。確認しています…
addserver-cancelled = 中止しました。何も保存していません。
addserver-hint-text = テキストで答えるか /cancel してください。
addserver-busy = このチャットで別の人がサーバーを追加中です。終わるまでお待ちください。
removeserver-usage = 使い方: /removeserver 名前（名前は /servers で確認）
removeserver-confirm = <b>{ $name }</b>（{ $address }）を削除しますか？未解決のアラートは閉じられ、確認履歴は残ります。
removeserver-button = 🗑 削除
removeserver-done = 🗑 <b>{ $name }</b> を削除しました。

## backup
backup-done = 💾 バックアップを書き込みました: <code>{ $file }</code>（{ $size } MB、{ $ms } ms）。<code>{ $dir }</code> に { $kept } 件保存しています。
backup-failed = 💾❌ バックアップに失敗しました: { $error }
backup-running = 💾 データベースをバックアップしています…
backup-uploaded = ☁️ <code>{ $url }</code> にアップロードしました。
backup-upload-failed = ⚠️ ローカルには保存しましたが、S3 へのアップロードに失敗しました: { $error }

## background work (録画・サーバー確認・バックアップはチャットの更新処理とは別に実行)
background-busy = ⏳ このチャットの前のリクエストをまだ処理しています。どれかが終わってからもう一度お試しください。
background-stopping = コンソールを再起動しています。1 分ほどしてからもう一度お試しください。
background-stopped = ⏹ 中断しました: コンソールを再起動しています。1 分ほどしてからもう一度お試しください。

## rooms
rooms-not-hub = このコンソールは単独の部屋です。/rooms はサイトのハブ(<code>ROLE=hub</code>、README「Several rooms」)で部屋の一覧を表示します。
rooms-none = まだどの部屋もこのハブに報告していません。
rooms-title = 🏢 <b>サイトの部屋</b>({ $count })
rooms-room = 📍 <b>{ $room }</b>
rooms-reading = 🌡 { $temperature } °C · 💧 { $humidity } %({ $age })
rooms-no-reading = まだ測定値がありません。
rooms-no-incidents = ✅ 未解決のインシデントはありません。
rooms-incidents = 未解決のインシデント { $count } 件:
rooms-incident = { $icon } { $rule }({ $since } から)
rooms-no-answer = ⏱ <b>{ $seconds } 秒以内に応答なし:</b> { $rooms }
rooms-silent = 🔴 { $room }: 応答なし({ $reason })、最終受信 { $age }
rooms-quiet = 🟡 { $room }: 最終受信 { $age }
rooms-unknown = <b>{ $room }</b> という部屋はこのハブに報告していません。部屋: { $rooms }
rooms-timeout = ⏱ <b>{ $room }</b> は { $seconds } 秒以内に応答しませんでした。
rooms-failed = <b>{ $room }</b> は応答できませんでした: { $error }
rooms-sample-failed = ⚠️ センサーが今失敗しました: { $reason }
rooms-site-title = 🏢 <b>サイト</b>({ $count } 部屋)
rooms-site-line = 📍 <b>{ $room }</b> · 🌡 { $temperature } °C · 💧 { $humidity } % · { $incidents }
rooms-site-line-no-reading = 📍 <b>{ $room }</b> · 測定値なし · { $incidents }
rooms-site-calm = ✅
rooms-site-open = { $icon } 未解決 { $count } 件
rooms-site-hint = 部屋をタップすると状態・カメラ・更新。各部屋のインシデントは /rooms。
rooms-pick = 📍 <b>どの部屋ですか?</b>({ $command })
rooms-asking = { $room } に問い合わせ中…
rooms-gone = { $room } はもうこのサイトの部屋ではありません。
rooms-clip-progress = 🎥 <b>{ $room }</b> で { $n } 秒録画中…
rooms-watch-disarmed = 🔓 <b>{ $room }</b>: 解除しました。
rooms-watch-not-armed = <b>{ $room }</b> は警戒中ではありませんでした。
rooms-server-unknown = <b>{ $room }</b> に <b>{ $name }</b> というサーバーはありません。
rooms-server-usage = 使い方: /server 部屋 名前(例: /server dc-1 web1)。
rooms-access-usage = 使い方: /access 部屋 [n](n は 1〜{ $max }):その部屋の入退室記録の最新分。個人の記録は /access 名前(この部屋)。
rooms-ack-ok = { $room } で確認済みにしました。
rooms-ack-already = { $room } では { $name } が確認済みです。
rooms-ack-resolved = { $room } では既に解決しています。
rooms-ack-not-found = { $room } はこのインシデントを知りません(もうありません)。
rooms-ack-failed = { $room } が応答しませんでした。何も確認されていません。もう一度どうぞ。
rooms-acked = ✔️ <b>{ $room }</b>: { $rule } を { $name } が確認しました。
rooms-enroll-pick = 🪪 新しいカードをどの部屋のカードリーダーにかざしますか?

## Dashboard
# Web ダッシュボードの文言（web/public。この見出しからファイル末尾までを /i18n/ja.ftl として配信するので、この節は最後に置くこと）。プレーンテキスト（HTML 不可）。
web-title = Seroma
web-language-label = 言語
web-language-en = English
web-language-ja = 日本語
web-dismiss = 閉じる
web-nav-label = 画面
web-nav-room = 部屋
web-nav-door = 入退室
web-nav-servers = サーバー
web-nav-media = 記録
web-nav-live = ライブ
web-nav-staff = スタッフ
web-nav-settings = 設定
web-live-on = 接続中
web-live-reconnecting = 再接続しています…
web-older = さらに表示
web-minutes = { $count } 分
web-hours = { $count } 時間
web-seconds = { $count } 秒

# ログイン
web-login-title = ボットからログインしてください
web-login-how = コンソールのボットとの個別チャットで /web を送ってください。このダッシュボードを開くリンクが届きます。
web-login-how-bot = { $bot } との個別チャットで /web を送ってください。このダッシュボードを開くリンクが届きます。
web-login-once = リンクは一度だけ、数分間のみ有効です。Telegram 内ではボットの「ダッシュボードを開く」ボタンからそのままログインできます。
web-login-session-ended = セッションが終了しました（ログアウトしたか、アクセス権が変更されました）。
web-login-not-staff = このダッシュボードはサーバールームのスタッフ専用です。
web-login-expired = Telegram のログイン情報の有効期限が切れています。ダッシュボードを閉じて、ボットから開き直してください。

# エラー
web-error-unreachable = コンソールに接続できません。通信状態を確認して、もう一度お試しください。
web-error-http = コンソールがエラーを返しました（HTTP { $status }）。
web-error-not-found = すでに存在しません。
web-error-forbidden = この操作は管理者のみ行えます。
web-error-rate-limited = 試行回数が多すぎます。1 分ほど待ってからお試しください。
web-error-already = すでに他の人が確認済みにしています。
web-error-resolved = このインシデントはすでに解消しています。

# 部屋
web-room-temperature = 温度
web-room-humidity = 湿度
web-room-measured = { $time } 測定
web-room-door = 今日の入室者
web-room-door-today = 今日は { $people } 人、{ $entries } 回の入室
web-room-sensor-failing = 温湿度センサーが応答しません: { $error }
web-level-ok = 正常
web-level-warn = 注意
web-level-critical = 危険
web-level-unknown = 測定値なし
web-incidents-title = インシデント
web-incidents-none = 未解決のインシデントはありません。
web-incident-critical = 危険
web-incident-warning = 注意
web-incident-open = 発生中
web-incident-resolved = 解消
web-incident-opened = 発生: { $time }
web-incident-resolved-at = 解消: { $time }
web-incident-acked-by = { $name } さんが { $time } に確認
web-incident-muted = { $time } まで通知停止中
web-incident-muted-by = { $name } さんが { $time } まで通知を停止
web-incident-ack = 確認
web-incident-mute-1h = 1 時間ミュート
web-incident-mute-24h = 24 時間ミュート
web-incident-acked-toast = 確認済みにしました。
web-incident-muted-toast = 通知を停止しました。
web-chart-title = 温湿度の推移
web-chart-range = 期間
web-chart-24h = 24 時間
web-chart-7d = 7 日間
web-chart-temperature = 温度（°C）
web-chart-humidity = 湿度（%）
web-chart-point = { $time }: { $temperature } °C、{ $humidity } %
web-chart-empty = この期間の測定値はありません。

# 入退室
web-door-today-title = 今日の入室者
web-door-nobody = 今日はまだ誰も入室していません。
web-door-person-times = { $first }〜{ $last }・{ $taps } 回
web-door-log-title = 入退室ログ
web-door-from = 開始日
web-door-to = 終了日
web-door-decision = 結果
web-door-any = すべて
web-door-search = 名前またはカード
web-door-search-hint = 例: Ada、66:1B
web-door-apply = 表示
web-door-csv = CSV をダウンロード
web-door-no-entries = 該当する記録はありません。
web-door-allowed = 許可
web-door-off-hours = 時間外
web-door-unknown = 未登録カード
web-door-revoked = 無効化済みカード
web-door-wrong-room = この部屋では無効

# サーバー
web-servers-none = 監視しているサーバーはありません。ボットの /addserver で追加できます。
web-server-up = 正常
web-server-down = 停止
web-server-warning = 注意
web-server-unknown = 未確認
web-server-host = アドレス
web-server-checked = 確認日時
web-server-summary = 状態
web-server-problems = 問題点
web-server-recent = 最近の確認
web-server-services = サービス

# 記録（写真・動画）
web-media-kind = 種類
web-media-snapshots = 写真
web-media-clips = 動画
web-media-no-snapshots = 写真はまだありません。
web-media-no-clips = 動画はまだありません。
web-media-snapshot-label = 写真（{ $time }）
web-media-clip-label = 動画（{ $time }）

# ライブカメラ
web-live-title = カメラ
web-live-start = 再生
web-live-stop = 停止
web-live-connecting = カメラに接続しています…
web-live-playing = ライブ
web-live-paused = 一時停止中
web-live-ended = 配信が終了しました。
web-live-busy = 視聴者が上限に達しています。しばらくしてからお試しください。
web-live-unavailable = この部屋にはカメラがありません。
web-live-rate = { $fps } fps・遅延 { $ms } ms

# スタッフ（管理者のみ）
web-staff-none = 登録されたカードはありません。
web-role-admin = 管理者
web-role-staff = スタッフ
web-staff-revoked = 無効
web-staff-linked = Telegram 連携済み
web-staff-not-linked = Telegram 未連携
web-staff-revoke = 無効にする
web-staff-restore = 有効に戻す
web-staff-invite = 招待リンク
web-staff-invite-link = 招待リンク
web-staff-invite-ready = このリンクをカードの持ち主に送ってください。{ $time } まで、一度だけ使えます。
web-staff-copy = コピー
web-staff-copied = コピーしました。
web-staff-revoked-toast = { $name } さんのカードを無効にしました。
web-staff-restored-toast = { $name } さんのカードを再び有効にしました。

# 設定（閲覧のみ）
web-settings-climate = 温湿度
web-settings-temperature-warn = 温度の正常範囲
web-settings-temperature-critical = 温度の危険ライン
web-settings-humidity-warn = 湿度の正常範囲
web-settings-humidity-critical = 湿度の危険ライン
web-settings-hysteresis = ヒステリシス
web-settings-sampling = 測定スケジュール
web-settings-office-hours = 勤務時間
web-settings-days = 曜日
web-settings-closed = 休み
web-settings-hours = 時間帯
web-settings-time-zone = タイムゾーン
web-settings-alerts = アラート
web-settings-min-duration = 通知までの継続時間
web-settings-remind-every = 再通知の間隔
web-settings-camera = カメラ
web-settings-driver = ドライバー
web-settings-size = 画像サイズ
web-settings-clip = 動画の長さ
web-settings-servers = サーバー
web-settings-check-every = 確認間隔
web-settings-server-count = 監視中のサーバー数
web-settings-dashboard = ダッシュボード
web-settings-public-url = 公開アドレス
web-settings-none = なし
web-settings-login-minutes = ログインリンクの有効期間
web-settings-session-hours = 無操作でセッション終了まで
web-settings-storage = 保存先
