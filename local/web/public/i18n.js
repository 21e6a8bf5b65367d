// The page's own words (labels, buttons, the panel, errors, hints) in English and Japanese. What
// the bot writes is the bot's (its /language); this is only the page around it.
//
// The language is the one chosen with the switch in the page (kept in localStorage), else the
// browser's first language we have, else English. `t(key, params)` says a text, `{name}` replaced
// by params.name; `tCount(key, count)` picks `key.one` / `key.other` by the language's plural
// rules. index.html marks its texts with data-i18n (text), data-i18n-label (aria-label),
// data-i18n-title, data-i18n-placeholder and data-i18n-alt; `translateStatic` fills them in.
// The console's sentences that come with a code (`code`, `params`: local/web/server.ts,
// local/hardware-panel.ts) are said by `consoleText` from "server.CODE" / "notice.CODE".
//
// This module touches the browser only when asked (no document or storage at import), so the
// tests can read the dictionaries in Node.

export const LANGUAGES = { en: "English", ja: "日本語" };
const STORAGE_KEY = "seroma.local.language";

const en = {
  "page.title": "Seroma — local console",
  "brand.sub": "local console",
  "persona.label": "You are",
  "persona.aria": "Who you are",
  "persona.option": "{name} ({role})",
  "persona.userFallback": "User {id}",
  "role.admin": "admin",
  "role.staff": "staff",
  "role.viewer": "viewer",
  "role.stranger": "stranger",
  "role.user": "user",
  "language.label": "Page language",
  "sidebar.aria": "Chats",
  "chatList.aria": "Chat list",
  "chatList.group": "group",
  "chatList.bot": "bot",
  "chatList.unread": "unread messages",
  "chat.aria": "Open chat",
  "chat.groupFallback": "Group",
  "chat.botFallback": "Bot",
  "chat.private": "{bot} (private)",
  "chat.youAre": "you are {name}",
  "chat.group": "group",
  "chat.bot": "bot",
  "nav.back": "Back to the chats",
  "nav.panel": "Hardware",
  "nav.openPanel": "Open the hardware panel",
  "nav.closePanel": "Back",
  "messages.aria": "Messages",
  "messages.none": "No messages here yet",
  "messages.loading": "Loading…",
  "message.photo": "Photo",
  "message.video": "Video",
  "message.gif": "GIF",
  "message.file": "File",
  "message.generic": "Message",
  "message.unknownSender": "Unknown",
  "message.replyTitle": "Show the message this replies to",
  "message.notShown": "not shown",
  "message.edited": "edited",
  "message.empty": "(empty message)",
  "error.dismiss": "Dismiss",
  "error.generic": "Something went wrong.",
  "error.disconnected": "Disconnected from the console — retrying…",
  "error.unreadableEvent": 'The console sent an unreadable "{type}" update.',
  "error.unreachable": "Could not reach the console — is it still running?",
  "error.unreadableAnswer": "The console sent an answer the page cannot read.",
  "error.http": "The console answered HTTP {status}.",
  "error.notLoaded": "The console has not loaded yet, so there is no chat to send to.",
  "error.badLink": "This button's link is not an http, https or tg link, so the page does not open it.",
  "error.buttonKind": "This kind of button does not work in local mode.",
  "error.climateNumbers": "Temperature and humidity must be numbers, like 21.5.",
  "error.climateEmpty": "Enter a temperature or a humidity to hold.",
  "error.chooseCard": "Choose a card, or enter the UID of a new card.",
  "toast.ok": "OK",
  "composer.commands": "Bot commands",
  "composer.placeholder": "Message",
  "composer.aria": "Message",
  "composer.send": "Send",
  "composer.sendTitle": "Send (Enter)",
  "composer.noCommands": "The bot has no commands here.",
  "action.typing": "{bot} is typing…",
  "action.upload_photo": "{bot} is sending a photo…",
  "action.record_video": "{bot} is recording a video…",
  "action.upload_video": "{bot} is sending a video…",
  "action.record_voice": "{bot} is recording a voice message…",
  "action.upload_voice": "{bot} is sending a voice message…",
  "action.upload_document": "{bot} is sending a file…",
  "action.choose_sticker": "{bot} is choosing a sticker…",
  "action.find_location": "{bot} is picking a location…",
  "action.record_video_note": "{bot} is recording a video message…",
  "action.upload_video_note": "{bot} is sending a video message…",
  "action.other": "{bot} is busy ({action})…",
  "dashboard.open": "Open dashboard",
  "dashboard.title": "Open the room's dashboard as {name}, with a one-time link (like /web)",
  "webapp.title": "Opens the Mini App as {name}, signed in like Telegram does it",
  "deeplink.title": "Open this link to the bot as…",
  "deeplink.cancel": "Cancel",
  "media.photoMissing": "(the photo is not available)",
  "media.videoMissing": "(the video is not available)",
  "media.file": "file",
  "media.download": "Download {name}",
  "media.unsupported": "(unsupported media: {kind})",
  "media.unknownKind": "unknown",
  "overlay.alt": "Enlarged",
  "entity.spoiler": "Show spoiler",
  "entity.sendCommand": "Send {command}",
  "entity.showMore": "Show more",
  "hw.aria": "Hardware panel",
  "hw.title": "Hardware",
  "hw.notConfigured": "Not configured",
  "hw.office": "Office hours",
  "hw.openNow": "Open now",
  "hw.closedNow": "Closed now",
  "hw.climate": "Climate",
  "hw.temperatureField": "Temperature °C",
  "hw.humidityField": "Humidity %",
  "hw.temperatureAria": "Temperature in °C",
  "hw.humidityAria": "Humidity in %",
  "hw.set": "Set",
  "hw.setTitle": "Hold these values (a reading is taken at once)",
  "hw.release": "Release",
  "hw.releaseTitle": "Back to natural drift",
  "hw.breakSensor": "Break sensor",
  "hw.repairSensor": "Repair sensor",
  "hw.broken": "Broken",
  "hw.held": "Held",
  "hw.drifting": "Drifting",
  "hw.reading": "{t} °C · {h} %",
  "hw.noReading": "No reading yet",
  "hw.readAt": "read at {time}",
  "hw.okRange": "OK range {tMin}–{tMax} °C, {hMin}–{hMax} %",
  "hw.door": "Door",
  "hw.card": "Card",
  "hw.newCardUid": "New card UID",
  "hw.newCardPlaceholder": "UID of a new card",
  "hw.newCardOption": "New card…",
  "hw.cardUnknownName": "Unknown",
  "hw.cardLabel": "{name} — {uid}",
  "hw.cardLabelRevoked": "{name} — {uid} (revoked)",
  "hw.tapCard": "Tap card",
  "hw.breakReader": "Break reader",
  "hw.repairReader": "Repair reader",
  "hw.readerBroken": "Reader broken",
  "hw.readerOk": "Reader OK",
  "hw.cards.one": "{count} card enrolled",
  "hw.cards.other": "{count} cards enrolled",
  "hw.cardsRevoked.one": "{count} card enrolled ({revoked} revoked)",
  "hw.cardsRevoked.other": "{count} cards enrolled ({revoked} revoked)",
  "hw.motion": "Motion & camera",
  "hw.someoneMoves": "Someone moves",
  "hw.someoneMovesTitle": "Someone moves in the room (and walks into the camera's picture)",
  "hw.breakCamera": "Break camera",
  "hw.repairCamera": "Repair camera",
  "hw.motionSensor": "Motion sensor",
  "hw.motionNotConfigured": "Motion sensor: not configured",
  "hw.camera": "Camera",
  "hw.cameraNotConfigured": "Camera: not configured",
  "hw.ok": "OK",
  "hw.armed": "Armed",
  "hw.notArmed": "Not armed",
  "hw.lcd": "LCD",
  "hw.lcdSize": "{cols}×{rows} characters",
  "hw.servers": "Servers",
  "hw.noServers": "No servers configured",
  "hw.up": "Up",
  "hw.down": "Down",
  "hw.disk": "disk {pct} %",
  "hw.load": "load {load}/core",
  "hw.memory": "memory {pct} %",
  "hw.service.active": "active",
  "hw.service.failed": "failed",
  "hw.lastCheck": "Last check {time}: {mark} {summary}",
  "hw.lastCheckUntimed": "Last check: {mark} {summary}",
  "hw.notChecked": "Not checked yet",
  "hw.takeDown": "Take down",
  "hw.bringUp": "Bring up",
  "hw.failService": "Fail {service}",
  "hw.fixService": "Fix {service}",
  "hw.fillDisk": "Fill disk",
  "hw.freeDisk": "Free disk",
  "server.not-member": "{name} is not a member of {group}.",
  "server.message-empty": "Type a message first.",
  "server.message-too-long": "A message is at most {limit} characters.",
  "server.button-gone": "That button is no longer there (the message changed or was deleted).",
  "server.temperature-range": "Temperature (°C) must be a number from {lo} to {hi}.",
  "server.humidity-range": "Humidity (%) must be a number from {lo} to {hi}.",
  "server.climate-empty": "Give a temperature, a humidity, or both.",
  "server.card-uid": '"{uid}" is not a card UID: 4, 7 or 10 bytes in hex, e.g. DE:AD:BE:EF or 04A1B2C3D4E5F6.',
  "server.reader-broken": "The card reader is broken: repair it first.",
  "server.motion-broken": "The motion sensor is broken: repair it first.",
  "server.dashboard-off": "The dashboard is off in this console.",
  "server.dashboard-down": "The dashboard is not answering; try again in a moment.",
  "server.webapp-unknown": "The bot offered {name} no Mini App at that address.",
  "notice.climate-set": "The sensor now reads {t} °C, {h} %.",
  "notice.climate-set-broken": "Values set; the sensor is broken, so no reading was taken.",
  "notice.climate-release": "The climate drifts naturally again.",
  "notice.climate-break":
    "The climate sensor stopped answering. After a few failed readings the console raises “sensor dead”.",
  "notice.climate-repair": "The climate sensor answers again.",
  "notice.door-tap": "Card {uid} tapped at the door.",
  "notice.door-tap-ignored": "The reader ignored {uid}: the same card was tapped a moment ago.",
  "notice.door-break": "The card reader stopped answering.",
  "notice.door-repair": "The card reader answers again.",
  "notice.motion-trigger": "Someone moves in the room (and walks into the camera's picture).",
  "notice.motion-trigger-logged":
    "Someone moves in the room (and walks into the camera's picture). It is office hours and the watch is not armed, so that is only logged: /arm to be alerted.",
  "notice.motion-cooldown": "The motion sensor is in its cooldown; it ignored that. Try again in a few seconds.",
  "notice.motion-break": "The motion sensor stopped answering.",
  "notice.motion-repair": "The motion sensor works again.",
  "notice.camera-break": "The camera is unplugged: snapshots and clips fail until it is repaired.",
  "notice.camera-repair": "The camera is plugged in again.",
  "notice.server-down": "{name} is down: its SSH port refuses connections. Checking it now.",
  "notice.server-up": "{name} is back up. Checking it now.",
  "notice.server-fill-disk": "{name}'s disk is {pct} % full. Checking it now.",
  "notice.server-free-disk": "{name}'s disk is back to {pct} %. Checking it now.",
  "notice.service-failed": "{service} on {name} has failed. Checking it now.",
  "notice.service-fixed": "{service} on {name} is running again. Checking it now.",
};

/** @type {typeof en} */
const ja = {
  "page.title": "Seroma — ローカルコンソール",
  "brand.sub": "ローカルコンソール",
  "persona.label": "あなたは",
  "persona.aria": "操作するユーザー",
  "persona.option": "{name}（{role}）",
  "persona.userFallback": "ユーザー {id}",
  "role.admin": "管理者",
  "role.staff": "スタッフ",
  "role.viewer": "閲覧者",
  "role.stranger": "部外者",
  "role.user": "ユーザー",
  "language.label": "ページの言語",
  "sidebar.aria": "チャット",
  "chatList.aria": "チャット一覧",
  "chatList.group": "グループ",
  "chatList.bot": "ボット",
  "chatList.unread": "未読メッセージ",
  "chat.aria": "開いているチャット",
  "chat.groupFallback": "グループ",
  "chat.botFallback": "ボット",
  "chat.private": "{bot}（個人チャット）",
  "chat.youAre": "あなた: {name}",
  "chat.group": "グループ",
  "chat.bot": "ボット",
  "nav.back": "チャット一覧に戻る",
  "nav.panel": "ハードウェア",
  "nav.openPanel": "ハードウェアパネルを開く",
  "nav.closePanel": "戻る",
  "messages.aria": "メッセージ",
  "messages.none": "まだメッセージはありません",
  "messages.loading": "読み込み中…",
  "message.photo": "写真",
  "message.video": "動画",
  "message.gif": "GIF アニメ",
  "message.file": "ファイル",
  "message.generic": "メッセージ",
  "message.unknownSender": "不明",
  "message.replyTitle": "返信元のメッセージを表示",
  "message.notShown": "表示できません",
  "message.edited": "編集済み",
  "message.empty": "（空のメッセージ）",
  "error.dismiss": "閉じる",
  "error.generic": "問題が発生しました。",
  "error.disconnected": "コンソールとの接続が切れました — 再接続しています…",
  "error.unreadableEvent": "コンソールから読み取れない「{type}」の更新が届きました。",
  "error.unreachable": "コンソールに接続できません — まだ動いていますか？",
  "error.unreadableAnswer": "コンソールの応答を読み取れませんでした。",
  "error.http": "コンソールが HTTP {status} を返しました。",
  "error.notLoaded": "コンソールがまだ読み込まれていないため、送信先のチャットがありません。",
  "error.badLink": "このボタンのリンクは http・https・tg のいずれでもないため、開きません。",
  "error.buttonKind": "この種類のボタンはローカルモードでは使えません。",
  "error.climateNumbers": "温度と湿度は 21.5 のような数値で入力してください。",
  "error.climateEmpty": "固定する温度か湿度を入力してください。",
  "error.chooseCard": "カードを選ぶか、新しいカードの UID を入力してください。",
  "toast.ok": "OK",
  "composer.commands": "ボットのコマンド",
  "composer.placeholder": "メッセージ",
  "composer.aria": "メッセージ",
  "composer.send": "送信",
  "composer.sendTitle": "送信（Enter）",
  "composer.noCommands": "このチャットではボットのコマンドはありません。",
  "action.typing": "{bot}が入力中…",
  "action.upload_photo": "{bot}が写真を送信中…",
  "action.record_video": "{bot}が動画を録画中…",
  "action.upload_video": "{bot}が動画を送信中…",
  "action.record_voice": "{bot}がボイスメッセージを録音中…",
  "action.upload_voice": "{bot}がボイスメッセージを送信中…",
  "action.upload_document": "{bot}がファイルを送信中…",
  "action.choose_sticker": "{bot}がスタンプを選択中…",
  "action.find_location": "{bot}が位置情報を選択中…",
  "action.record_video_note": "{bot}がビデオメッセージを録画中…",
  "action.upload_video_note": "{bot}がビデオメッセージを送信中…",
  "action.other": "{bot}が処理中（{action}）…",
  "dashboard.open": "ダッシュボードを開く",
  "dashboard.title": "{name} として部屋のダッシュボードを開きます（/web と同じ 1 回限りのリンク）",
  "webapp.title": "{name} として、Telegram と同じようにログインした状態でミニアプリを開きます",
  "deeplink.title": "このボットへのリンクを誰として開きますか",
  "deeplink.cancel": "キャンセル",
  "media.photoMissing": "（写真は表示できません）",
  "media.videoMissing": "（動画は表示できません）",
  "media.file": "ファイル",
  "media.download": "{name} をダウンロード",
  "media.unsupported": "（未対応のメディア: {kind}）",
  "media.unknownKind": "不明",
  "overlay.alt": "拡大表示",
  "entity.spoiler": "ネタバレを表示",
  "entity.sendCommand": "{command} を送信",
  "entity.showMore": "続きを表示",
  "hw.aria": "ハードウェアパネル",
  "hw.title": "ハードウェア",
  "hw.notConfigured": "未設定",
  "hw.office": "勤務時間",
  "hw.openNow": "勤務時間内",
  "hw.closedNow": "勤務時間外",
  "hw.climate": "温湿度",
  "hw.temperatureField": "温度 °C",
  "hw.humidityField": "湿度 %",
  "hw.temperatureAria": "温度（°C）",
  "hw.humidityAria": "湿度（%）",
  "hw.set": "固定",
  "hw.setTitle": "この値に固定する（すぐに測定します）",
  "hw.release": "解除",
  "hw.releaseTitle": "自然な変動に戻す",
  "hw.breakSensor": "センサーを壊す",
  "hw.repairSensor": "センサーを直す",
  "hw.broken": "故障",
  "hw.held": "固定中",
  "hw.drifting": "自然変動",
  "hw.reading": "{t} °C・{h} %",
  "hw.noReading": "まだ測定値はありません",
  "hw.readAt": "{time} に測定",
  "hw.okRange": "正常範囲 {tMin}–{tMax} °C、{hMin}–{hMax} %",
  "hw.door": "ドア",
  "hw.card": "カード",
  "hw.newCardUid": "新しいカードの UID",
  "hw.newCardPlaceholder": "新しいカードの UID",
  "hw.newCardOption": "新しいカード…",
  "hw.cardUnknownName": "不明",
  "hw.cardLabel": "{name} — {uid}",
  "hw.cardLabelRevoked": "{name} — {uid}（失効）",
  "hw.tapCard": "カードをかざす",
  "hw.breakReader": "リーダーを壊す",
  "hw.repairReader": "リーダーを直す",
  "hw.readerBroken": "リーダー故障",
  "hw.readerOk": "リーダー正常",
  "hw.cards.one": "登録カード {count} 枚",
  "hw.cards.other": "登録カード {count} 枚",
  "hw.cardsRevoked.one": "登録カード {count} 枚（うち失効 {revoked} 枚）",
  "hw.cardsRevoked.other": "登録カード {count} 枚（うち失効 {revoked} 枚）",
  "hw.motion": "人感センサーとカメラ",
  "hw.someoneMoves": "誰かが動く",
  "hw.someoneMovesTitle": "部屋で誰かが動く（カメラにも映ります）",
  "hw.breakCamera": "カメラを壊す",
  "hw.repairCamera": "カメラを直す",
  "hw.motionSensor": "人感センサー",
  "hw.motionNotConfigured": "人感センサー: 未設定",
  "hw.camera": "カメラ",
  "hw.cameraNotConfigured": "カメラ: 未設定",
  "hw.ok": "正常",
  "hw.armed": "警戒中",
  "hw.notArmed": "警戒なし",
  "hw.lcd": "LCD 表示",
  "hw.lcdSize": "{cols}×{rows} 文字",
  "hw.servers": "サーバー",
  "hw.noServers": "サーバーは設定されていません",
  "hw.up": "稼働中",
  "hw.down": "停止",
  "hw.disk": "ディスク {pct} %",
  "hw.load": "負荷 {load}/コア",
  "hw.memory": "メモリ {pct} %",
  "hw.service.active": "稼働中",
  "hw.service.failed": "異常終了",
  "hw.lastCheck": "前回のチェック {time}: {mark} {summary}",
  "hw.lastCheckUntimed": "前回のチェック: {mark} {summary}",
  "hw.notChecked": "まだチェックしていません",
  "hw.takeDown": "停止させる",
  "hw.bringUp": "起動する",
  "hw.failService": "{service} を落とす",
  "hw.fixService": "{service} を直す",
  "hw.fillDisk": "ディスクを満杯に",
  "hw.freeDisk": "ディスクを空ける",
  "server.not-member": "{name} は {group} のメンバーではありません。",
  "server.message-empty": "先にメッセージを入力してください。",
  "server.message-too-long": "メッセージは {limit} 文字までです。",
  "server.button-gone": "そのボタンはもうありません（メッセージが変更されたか削除されました）。",
  "server.temperature-range": "温度（°C）は {lo} から {hi} までの数値にしてください。",
  "server.humidity-range": "湿度（%）は {lo} から {hi} までの数値にしてください。",
  "server.climate-empty": "温度か湿度、または両方を入力してください。",
  "server.card-uid":
    "「{uid}」はカードの UID ではありません。4・7・10 バイトの 16 進数で入力してください（例: DE:AD:BE:EF、04A1B2C3D4E5F6）。",
  "server.reader-broken": "カードリーダーが故障しています。先に直してください。",
  "server.motion-broken": "人感センサーが故障しています。先に直してください。",
  "server.dashboard-off": "このコンソールではダッシュボードがオフです。",
  "server.dashboard-down": "ダッシュボードが応答しません。少し待ってからもう一度どうぞ。",
  "server.webapp-unknown": "ボットは {name} にそのアドレスのミニアプリを案内していません。",
  "notice.climate-set": "センサーの値は {t} °C、{h} % になりました。",
  "notice.climate-set-broken": "値を設定しました。センサーが故障しているため、測定はしていません。",
  "notice.climate-release": "温湿度は再び自然に変動します。",
  "notice.climate-break":
    "温湿度センサーが応答しなくなりました。何度か測定に失敗すると、コンソールが「センサー停止」を通知します。",
  "notice.climate-repair": "温湿度センサーが再び応答します。",
  "notice.door-tap": "カード {uid} をドアのリーダーにかざしました。",
  "notice.door-tap-ignored": "リーダーは {uid} を無視しました。同じカードが少し前にかざされています。",
  "notice.door-break": "カードリーダーが応答しなくなりました。",
  "notice.door-repair": "カードリーダーが再び応答します。",
  "notice.motion-trigger": "部屋で誰かが動きました（カメラにも映っています）。",
  "notice.motion-trigger-logged":
    "部屋で誰かが動きました（カメラにも映っています）。勤務時間内で警戒していないため、記録だけします。通知を受けるには /arm。",
  "notice.motion-cooldown": "人感センサーは待機中のため、反応しませんでした。数秒後にもう一度どうぞ。",
  "notice.motion-break": "人感センサーが応答しなくなりました。",
  "notice.motion-repair": "人感センサーが再び動きます。",
  "notice.camera-break": "カメラを外しました。直すまで写真と動画は撮れません。",
  "notice.camera-repair": "カメラを再び接続しました。",
  "notice.server-down": "{name} を停止しました（SSH ポートが接続を拒否します）。今チェックしています。",
  "notice.server-up": "{name} が再び起動しました。今チェックしています。",
  "notice.server-fill-disk": "{name} のディスクが {pct} % 使用になりました。今チェックしています。",
  "notice.server-free-disk": "{name} のディスクが {pct} % に戻りました。今チェックしています。",
  "notice.service-failed": "{name} の {service} が異常終了しました。今チェックしています。",
  "notice.service-fixed": "{name} の {service} が再び動いています。今チェックしています。",
};

export const DICTIONARIES = { en, ja };

let current = initialLanguage();
const listeners = new Set();

/** The language of the page now ("en" or "ja"). */
export function language() {
  return current;
}

/** Whether the dictionary has this key (in English, the reference). */
export function hasText(key) {
  return Object.hasOwn(en, key);
}

/** The text for `key` in the page's language, `{name}` replaced by params.name. */
export function t(key, params) {
  const dictionary = DICTIONARIES[current] ?? en;
  const template = Object.hasOwn(dictionary, key) ? dictionary[key] : Object.hasOwn(en, key) ? en[key] : key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole,
  );
}

/** `key.one` or `key.other` by the language's plural rules, with {count} and the other params. */
export function tCount(key, count, params = {}) {
  const rule = new Intl.PluralRules(current).select(count);
  const full = hasText(`${key}.${rule}`) ? `${key}.${rule}` : `${key}.other`;
  return t(full, { ...params, count });
}

/**
 * A sentence of the console that came with a code (an error, a panel notice): in the page's
 * language when the dictionary knows the code, else the console's English.
 */
export function consoleText(prefix, text, fallback) {
  const code = text && typeof text.code === "string" ? text.code : "";
  const key = `${prefix}.${code}`;
  if (!code || !hasText(key)) return fallback;
  const params = text.params && typeof text.params === "object" ? text.params : undefined;
  return t(key, params);
}

/** The language to start in: the saved choice, else the browser's first one we have, else English. */
function initialLanguage() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved && Object.hasOwn(LANGUAGES, saved)) return saved;
  } catch {
    // storage disabled: fall through to the browser's languages
  }
  const wanted = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (Object.hasOwn(LANGUAGES, base)) return base;
  }
  return "en";
}

/** Fills in the texts index.html marks with data-i18n* attributes. */
export function translateStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const attributes = [
    ["i18nLabel", "aria-label"],
    ["i18nTitle", "title"],
    ["i18nPlaceholder", "placeholder"],
    ["i18nAlt", "alt"],
  ];
  for (const [data, attribute] of attributes) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const node of root.querySelectorAll(selector)) node.setAttribute(attribute, t(node.dataset[data]));
  }
  document.documentElement.lang = current;
}

/** Calls `listener` after every change of language. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Switches the page's language (and remembers it for the next visit). */
export function setLanguage(lang) {
  if (!Object.hasOwn(LANGUAGES, lang) || lang === current) return;
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered; the page still switches
  }
  translateStatic();
  for (const listener of listeners) listener(lang);
}

/** The language switch (a select in index.html): its choices, the current one, and what a change does. */
export function bindLanguageSelect(select) {
  select.replaceChildren(
    ...Object.entries(LANGUAGES).map(([code, name]) => {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = name;
      option.lang = code;
      return option;
    }),
  );
  select.value = current;
  select.addEventListener("change", () => setLanguage(select.value));
  onLanguageChange((lang) => {
    select.value = lang;
  });
}
