// The hardware panel (right, or behind a button on a phone): office hours, climate, door, motion
// and camera, the LCD and the servers as the console reports them (the state's "hardware", then
// "hardware" events), and what you may do to the simulated ones (POST /api/hardware;
// local/hardware-panel.ts says what is allowed).
import { api } from "./api.js";
import { asArray, el, formatTime, isObject, str } from "./dom.js";
import { consoleText, hasText, t, tCount } from "./i18n.js";
import { S } from "./state.js";
import { showError, ui } from "./ui.js";

const INFO_MS = 4000;

const hw = {};

function section(title) {
  const driver = el("span", { class: "driver" });
  const heading = el("h2", {}, el("span", { text: title }), driver);
  const info = el("div", { class: "hw-info" });
  const controls = el("div", { class: "hw-controls" });
  const note = el("div", { class: "hw-note", attrs: { role: "status" } });
  note.hidden = true;
  const root = el("section", { class: "hw-section", attrs: { "aria-label": title } }, heading, info, controls, note);
  ui.hardwareBody.append(root);
  return { root, driver, info, controls, note, noteTimer: null };
}

function badge(text, tone) {
  return el("span", { class: `state${tone ? ` ${tone}` : ""}`, text });
}

function line(...children) {
  return el("div", { class: "hw-line" }, ...children);
}

function mutedLine(text) {
  return el("div", { class: "hw-line muted", text });
}

function button(text, testid, extraClass = "") {
  return el("button", { text, testid, class: extraClass, attrs: { type: "button" } });
}

function field(label, control) {
  return el("label", { class: "hw-field" }, el("span", { text: label }), control);
}

function showInfo(sec, text) {
  if (!sec || !text) return;
  clearTimeout(sec.noteTimer);
  sec.note.textContent = text;
  sec.note.hidden = false;
  sec.noteTimer = setTimeout(() => {
    sec.note.hidden = true;
  }, INFO_MS);
}

/** A "Break …" button: sends break, or repair when the device is broken now. */
function onBreakToggle(node, sec, device) {
  node.addEventListener("click", () =>
    hardwareAction(node, sec, { device, action: S.hardware?.[device]?.broken ? "repair" : "break" }),
  );
}

async function hardwareAction(node, sec, payload) {
  node.disabled = true;
  try {
    const answer = await api("POST", "/api/hardware", payload);
    if (isObject(answer.hardware)) renderHardware(answer.hardware);
    if (typeof answer.info === "string" && answer.info)
      showInfo(sec, consoleText("notice", answer.notice, answer.info));
  } catch (error) {
    showError(error.message);
  } finally {
    node.disabled = false;
  }
}

function randomUid() {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

function parseNumber(input) {
  const raw = input.value.trim();
  if (raw === "") return undefined;
  const value = Number(raw.replace(",", "."));
  return Number.isFinite(value) ? value : Number.NaN;
}

function buildHardware() {
  ui.hardwareBody.replaceChildren();

  hw.office = section(t("hw.office"));
  hw.office.controls.hidden = true;

  // Climate
  hw.climate = section(t("hw.climate"));
  hw.temperature = el("input", {
    testid: "hw-temperature",
    attrs: { type: "number", step: "0.1", inputmode: "decimal", "aria-label": t("hw.temperatureAria") },
  });
  hw.humidity = el("input", {
    testid: "hw-humidity",
    attrs: { type: "number", step: "0.1", inputmode: "decimal", "aria-label": t("hw.humidityAria") },
  });
  hw.climateSet = button(t("hw.set"), "hw-climate-set", "primary");
  hw.climateRelease = button(t("hw.release"), "hw-climate-release");
  hw.climateBreak = button(t("hw.breakSensor"), "hw-climate-break", "danger");
  hw.climate.controls.append(
    el(
      "div",
      { class: "hw-row" },
      field(t("hw.temperatureField"), hw.temperature),
      field(t("hw.humidityField"), hw.humidity),
    ),
    el("div", { class: "hw-row" }, hw.climateSet, hw.climateRelease, hw.climateBreak),
  );
  hw.climateSet.title = t("hw.setTitle");
  hw.climateRelease.title = t("hw.releaseTitle");
  hw.climateSet.addEventListener("click", () => {
    const temperatureC = parseNumber(hw.temperature);
    const humidityPct = parseNumber(hw.humidity);
    if (Number.isNaN(temperatureC) || Number.isNaN(humidityPct)) {
      showError(t("error.climateNumbers"));
      return;
    }
    if (temperatureC === undefined && humidityPct === undefined) {
      showError(t("error.climateEmpty"));
      return;
    }
    const payload = { device: "climate", action: "set" };
    if (temperatureC !== undefined) payload.temperatureC = temperatureC;
    if (humidityPct !== undefined) payload.humidityPct = humidityPct;
    hardwareAction(hw.climateSet, hw.climate, payload);
  });
  hw.climateRelease.addEventListener("click", () =>
    hardwareAction(hw.climateRelease, hw.climate, { device: "climate", action: "release" }),
  );
  onBreakToggle(hw.climateBreak, hw.climate, "climate");

  // Door
  hw.door = section(t("hw.door"));
  hw.cardSelect = el("select", { testid: "hw-card-select", attrs: { "aria-label": t("hw.card") } });
  hw.cardUid = el("input", {
    testid: "hw-card-uid",
    attrs: {
      type: "text",
      placeholder: t("hw.newCardPlaceholder"),
      spellcheck: "false",
      autocomplete: "off",
      "aria-label": t("hw.newCardUid"),
    },
  });
  hw.cardTap = button(t("hw.tapCard"), "hw-card-tap", "primary");
  hw.doorBreak = button(t("hw.breakReader"), "hw-door-break", "danger");
  hw.door.controls.append(
    el("div", { class: "hw-row" }, field(t("hw.card"), hw.cardSelect)),
    el("div", { class: "hw-row" }, field(t("hw.newCardUid"), hw.cardUid)),
    el("div", { class: "hw-row" }, hw.cardTap, hw.doorBreak),
  );
  hw.cardSelect.addEventListener("change", () => {
    hw.cardUid.value = hw.cardSelect.value === "" ? randomUid() : "";
  });
  hw.cardSelect.addEventListener("blur", () => {
    if (hw.cardsPending) renderCards(S.hardware?.door);
  });
  hw.cardUid.addEventListener("input", () => {
    if (hw.cardUid.value.trim() !== "" && hw.cardSelect.value !== "") hw.cardSelect.value = "";
  });
  hw.cardTap.addEventListener("click", () => {
    const uid = hw.cardSelect.value === "" ? hw.cardUid.value.trim() : hw.cardSelect.value;
    if (!uid) {
      showError(t("error.chooseCard"));
      return;
    }
    hardwareAction(hw.cardTap, hw.door, { device: "door", action: "tap", uid });
  });
  onBreakToggle(hw.doorBreak, hw.door, "door");

  // Motion & camera
  hw.motion = section(t("hw.motion"));
  hw.motionTrigger = button(t("hw.someoneMoves"), "hw-motion-trigger", "primary");
  hw.motionBreak = button(t("hw.breakSensor"), "hw-motion-break", "danger");
  hw.cameraBreak = button(t("hw.breakCamera"), "hw-camera-break", "danger");
  hw.motionRow = el("div", { class: "hw-row" }, hw.motionTrigger, hw.motionBreak);
  hw.cameraRow = el("div", { class: "hw-row" }, hw.cameraBreak);
  hw.motion.controls.append(hw.motionRow, hw.cameraRow);
  hw.motionTrigger.title = t("hw.someoneMovesTitle");
  hw.motionTrigger.addEventListener("click", () =>
    hardwareAction(hw.motionTrigger, hw.motion, { device: "motion", action: "trigger" }),
  );
  onBreakToggle(hw.motionBreak, hw.motion, "motion");
  onBreakToggle(hw.cameraBreak, hw.motion, "camera");

  // LCD
  hw.lcdSection = section(t("hw.lcd"));
  hw.lcd = el("div", { class: "lcd", testid: "lcd", attrs: { "aria-label": t("hw.lcd") } });
  hw.lcdSection.info.after(hw.lcd);
  hw.lcdSection.controls.hidden = true;

  // Servers
  hw.servers = section(t("hw.servers"));
  hw.servers.controls.hidden = true;
  hw.serversEmpty = mutedLine(t("hw.noServers"));
  hw.serverList = el("div", { class: "server-list" });
  hw.servers.info.append(hw.serversEmpty, hw.serverList);
  hw.serverRows = new Map();
}

function setDriver(sec, device) {
  sec.driver.textContent = isObject(device) && device.driver ? str(device.driver) : "";
}

function setControlsVisible(sec, device) {
  sec.controls.hidden = !(isObject(device) && device.controllable === true);
}

function toggleBreakButton(node, broken, breakKey, repairKey) {
  node.textContent = broken ? t(repairKey) : t(breakKey);
  node.classList.toggle("danger", !broken);
  node.classList.toggle("repair", broken);
}

function renderOffice(office) {
  if (!isObject(office)) {
    hw.office.info.replaceChildren(mutedLine(t("hw.notConfigured")));
    return;
  }
  hw.office.info.replaceChildren(
    line(badge(office.open ? t("hw.openNow") : t("hw.closedNow"), office.open ? "ok" : "")),
    mutedLine(str(office.description)),
  );
}

function formatNumber(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

function renderClimate(climate) {
  setDriver(hw.climate, climate);
  setControlsVisible(hw.climate, climate);
  if (!isObject(climate)) {
    hw.climate.info.replaceChildren(mutedLine(t("hw.notConfigured")));
    return;
  }
  const last = isObject(climate.last) ? climate.last : null;
  const state = climate.broken
    ? badge(t("hw.broken"), "bad")
    : climate.held
      ? badge(t("hw.held"), "warn")
      : badge(t("hw.drifting"), "ok");
  const reading = last
    ? t("hw.reading", { t: formatNumber(last.temperatureC), h: formatNumber(last.humidityPct) })
    : t("hw.noReading");
  const parts = [line(el("strong", { text: reading }), " ", state)];
  const at = last && Number.isFinite(last.at) ? formatTime(new Date(last.at), "seconds") : "";
  const range = isObject(climate.range) ? climate.range : null;
  const temp = asArray(range?.temperature);
  const hum = asArray(range?.humidity);
  const rangeText =
    temp.length === 2 && hum.length === 2
      ? t("hw.okRange", { tMin: temp[0], tMax: temp[1], hMin: hum[0], hMax: hum[1] })
      : "";
  const details = [at ? t("hw.readAt", { time: at }) : "", rangeText].filter(Boolean).join(" · ");
  if (details) parts.push(mutedLine(details));
  hw.climate.info.replaceChildren(...parts);
  // Never overwrite what the user typed: only the placeholders follow the readings.
  hw.temperature.placeholder = last && Number.isFinite(last.temperatureC) ? formatNumber(last.temperatureC) : "21.5";
  hw.humidity.placeholder = last && Number.isFinite(last.humidityPct) ? formatNumber(last.humidityPct) : "45";
  toggleBreakButton(hw.climateBreak, climate.broken === true, "hw.breakSensor", "hw.repairSensor");
}

function cardLabel(card) {
  const name = str(card.name) || t("hw.cardUnknownName");
  return t(card.active === false ? "hw.cardLabelRevoked" : "hw.cardLabel", { name, uid: str(card.uid) });
}

function renderCards(door) {
  const cards = asArray(door?.cards).filter((c) => isObject(c) && typeof c.uid === "string");
  const signature = JSON.stringify(cards);
  if (hw.cardSelect.dataset.sig === signature) return;
  if (document.activeElement === hw.cardSelect) {
    hw.cardsPending = true; // rebuilt on blur; do not disturb a select the user is using
    return;
  }
  hw.cardsPending = false;
  const previous = hw.cardSelect.dataset.sig === undefined ? null : hw.cardSelect.value;
  hw.cardSelect.replaceChildren(
    ...cards.map((card) => el("option", { text: cardLabel(card), attrs: { value: card.uid } })),
    el("option", { text: t("hw.newCardOption"), attrs: { value: "" } }),
  );
  hw.cardSelect.dataset.sig = signature;
  if (previous !== null && (previous === "" || cards.some((c) => c.uid === previous))) {
    hw.cardSelect.value = previous;
  } else {
    hw.cardSelect.value = cards[0]?.uid ?? "";
    if (hw.cardSelect.value === "" && !hw.cardUid.value) hw.cardUid.value = randomUid();
  }
}

function renderDoor(door) {
  setDriver(hw.door, door);
  setControlsVisible(hw.door, door);
  if (!isObject(door)) {
    hw.door.info.replaceChildren(mutedLine(t("hw.notConfigured")));
    return;
  }
  const cards = asArray(door.cards);
  const revoked = cards.filter((c) => isObject(c) && c.active === false).length;
  hw.door.info.replaceChildren(
    line(door.broken ? badge(t("hw.readerBroken"), "bad") : badge(t("hw.readerOk"), "ok")),
    mutedLine(revoked ? tCount("hw.cardsRevoked", cards.length, { revoked }) : tCount("hw.cards", cards.length)),
  );
  renderCards(door);
  toggleBreakButton(hw.doorBreak, door.broken === true, "hw.breakReader", "hw.repairReader");
}

function renderMotion(motion, camera) {
  const drivers = [motion?.driver, camera?.driver].filter(Boolean).map(str);
  hw.motion.driver.textContent = [...new Set(drivers)].join(" / ");
  const motionControls = isObject(motion) && motion.controllable === true;
  const cameraControls = isObject(camera) && camera.controllable === true;
  hw.motionRow.hidden = !motionControls;
  hw.cameraRow.hidden = !cameraControls;
  hw.motion.controls.hidden = !motionControls && !cameraControls;
  const lines = [];
  if (isObject(motion)) {
    lines.push(
      line(
        `${t("hw.motionSensor")} `,
        motion.broken ? badge(t("hw.broken"), "bad") : badge(t("hw.ok"), "ok"),
        " ",
        motion.armed ? badge(t("hw.armed"), "warn") : badge(t("hw.notArmed")),
      ),
    );
  } else lines.push(mutedLine(t("hw.motionNotConfigured")));
  if (isObject(camera)) {
    lines.push(line(`${t("hw.camera")} `, camera.broken ? badge(t("hw.broken"), "bad") : badge(t("hw.ok"), "ok")));
  } else lines.push(mutedLine(t("hw.cameraNotConfigured")));
  hw.motion.info.replaceChildren(...lines);
  if (isObject(motion)) toggleBreakButton(hw.motionBreak, motion.broken === true, "hw.breakSensor", "hw.repairSensor");
  if (isObject(camera)) toggleBreakButton(hw.cameraBreak, camera.broken === true, "hw.breakCamera", "hw.repairCamera");
}

function lcdLine(text, cols) {
  const chars = Array.from(str(text));
  const cut = chars.slice(0, cols);
  while (cut.length < cols) cut.push(" ");
  return cut.join("");
}

function renderLcd(lcd) {
  setDriver(hw.lcdSection, lcd);
  if (!isObject(lcd)) {
    hw.lcdSection.info.replaceChildren(mutedLine(t("hw.notConfigured")));
    hw.lcd.hidden = true;
    return;
  }
  hw.lcd.hidden = false;
  const lines = asArray(lcd.lines);
  const cols =
    Number.isInteger(lcd.cols) && lcd.cols > 0 ? lcd.cols : Math.max(0, ...lines.map((l) => Array.from(str(l)).length));
  const rows = Number.isInteger(lcd.rows) && lcd.rows > 0 ? lcd.rows : lines.length;
  hw.lcdSection.info.replaceChildren(mutedLine(t("hw.lcdSize", { cols, rows })));
  const divs = [];
  for (let i = 0; i < rows; i++) divs.push(el("div", { text: lcdLine(lines[i], cols) }));
  hw.lcd.replaceChildren(...divs);
}

function serverRow(name) {
  const head = el("div", { class: "server-head" });
  const details = el("div", { class: "server-details" });
  const toggle = el("button", { attrs: { type: "button" } });
  const service = el("button", { attrs: { type: "button" } });
  const fill = el("button", { text: t("hw.fillDisk"), data: { action: "fill-disk" }, attrs: { type: "button" } });
  const free = el("button", { text: t("hw.freeDisk"), data: { action: "free-disk" }, attrs: { type: "button" } });
  const actions = el("div", { class: "hw-row" }, toggle, service, fill, free);
  const root = el("div", { class: "server", testid: "server", data: { server: name } }, head, details, actions);
  const row = { root, head, details, actions, toggle, service, fill, free };
  for (const node of [toggle, service, fill, free]) {
    node.addEventListener("click", () => {
      const action = node.dataset.action;
      const payload = { device: "server", name, action };
      if (action === "fail-service" || action === "fix-service") payload.service = node.dataset.service;
      hardwareAction(node, hw.servers, payload);
    });
  }
  return row;
}

/** A service's state (systemd's word) in the page's language, when the dictionary has it. */
function serviceState(state) {
  const key = `hw.service.${str(state)}`;
  return hasText(key) ? t(key) : str(state);
}

function renderServers(servers) {
  const list = asArray(servers).filter((s) => isObject(s) && typeof s.name === "string");
  const seen = new Set();
  hw.serversEmpty.hidden = list.length > 0;
  for (const [index, server] of list.entries()) {
    seen.add(server.name);
    let row = hw.serverRows.get(server.name);
    if (!row) {
      row = serverRow(server.name);
      hw.serverRows.set(server.name, row);
    }
    // Rows stay the same elements (a pressed button stays disabled, focus is kept); only move them
    // when the order changed.
    const at = hw.serverList.children[index] ?? null;
    if (at !== row.root) hw.serverList.insertBefore(row.root, at);
    const up = server.up === true;
    row.head.replaceChildren(
      el("span", { class: "server-name", text: server.name }),
      el("span", {
        class: "server-addr",
        text: [server.address, server.port].filter((v) => v !== undefined).join(":"),
      }),
      badge(up ? t("hw.up") : t("hw.down"), up ? "ok" : "bad"),
    );
    const services = isObject(server.services) ? Object.entries(server.services) : [];
    const stats = [
      Number.isFinite(server.diskPct) ? t("hw.disk", { pct: server.diskPct }) : "",
      Number.isFinite(server.loadPerCore) ? t("hw.load", { load: server.loadPerCore }) : "",
      Number.isFinite(server.memoryPct) ? t("hw.memory", { pct: server.memoryPct }) : "",
    ].filter(Boolean);
    const check = isObject(server.lastCheck) ? server.lastCheck : null;
    const checkAt = check && Number.isFinite(check.at) ? formatTime(new Date(check.at), "seconds") : "";
    const mark = check?.ok ? "✓" : "✗";
    row.details.replaceChildren(
      ...(stats.length ? [line(stats.join(" · "))] : []),
      ...(services.length ? [line(services.map(([n, s]) => `${n}: ${serviceState(s)}`).join(" · "))] : []),
      mutedLine(
        check
          ? checkAt
            ? t("hw.lastCheck", { time: checkAt, mark, summary: str(check.summary) })
            : t("hw.lastCheckUntimed", { mark, summary: str(check.summary) })
          : t("hw.notChecked"),
      ),
    );
    row.actions.hidden = server.simulated !== true;
    row.toggle.dataset.action = up ? "down" : "up";
    row.toggle.textContent = up ? t("hw.takeDown") : t("hw.bringUp");
    row.toggle.className = up ? "danger" : "repair";
    const first = services[0];
    if (first) {
      const active = first[1] === "active";
      row.service.hidden = false;
      row.service.dataset.action = active ? "fail-service" : "fix-service";
      row.service.dataset.service = first[0];
      row.service.textContent = t(active ? "hw.failService" : "hw.fixService", { service: first[0] });
      row.service.className = active ? "danger" : "repair";
    } else {
      row.service.hidden = true;
      delete row.service.dataset.action;
    }
  }
  for (const [name, row] of hw.serverRows) {
    if (!seen.has(name)) {
      row.root.remove();
      hw.serverRows.delete(name);
    }
  }
}

/** After a change of language: the panel built again in it, keeping what was typed and chosen. */
export function rebuildHardware() {
  if (!hw.office) return;
  const typed = { temperature: hw.temperature.value, humidity: hw.humidity.value, uid: hw.cardUid.value };
  const card = hw.cardSelect.value;
  for (const key of Object.keys(hw)) delete hw[key];
  if (!S.hardware) return;
  renderHardware(S.hardware);
  hw.temperature.value = typed.temperature;
  hw.humidity.value = typed.humidity;
  hw.cardUid.value = typed.uid;
  if ([...hw.cardSelect.options].some((o) => o.value === card)) hw.cardSelect.value = card;
}

export function renderHardware(hardware) {
  if (!isObject(hardware)) return;
  S.hardware = hardware;
  if (!hw.office) buildHardware();
  renderOffice(hardware.officeHours);
  renderClimate(hardware.climate);
  renderDoor(hardware.door);
  renderMotion(hardware.motion, hardware.camera);
  renderLcd(hardware.lcd);
  renderServers(hardware.servers);
}
