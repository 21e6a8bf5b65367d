// Which pane shows. Wide (a desktop): the chats, the open chat and the hardware panel side by side.
// Medium (a tablet): the chats and the open chat; the panel takes the chat's place behind a
// button. Narrow (a phone, below 720 px): one pane at a time: the chat list, a chat (with a back
// button), the panel (behind a button, with a back button).
//
// The app element's data-view ("list", "chat" or "panel") says which pane is in front; app.css
// decides what that means at each width. Where a step forward changes what you see, it is a
// history entry too, so the phone's own back button (or gesture) goes back like the page's.
import { ui } from "./ui.js";

const NARROW = window.matchMedia("(max-width: 719.98px)");
const MEDIUM = window.matchMedia("(max-width: 1099.98px)");

let view = ui.app.dataset.view || "list";
/** Where the panel's back button goes: the pane you opened the panel from. */
let beforePanel = "list";

/** Whether one pane shows at a time (a phone). */
export function isNarrow() {
  return NARROW.matches;
}

function show(next) {
  if (next === "panel" && view !== "panel") beforePanel = view;
  view = next;
  ui.app.dataset.view = next;
}

/** Whether going to `next` changes what is on the screen at this width. */
function visible(next) {
  return NARROW.matches || (MEDIUM.matches && (next === "panel" || view === "panel"));
}

function focusPane(next) {
  const target =
    next === "chat"
      ? ui.back
      : next === "panel"
        ? ui.panelBack
        : (ui.chatList.querySelector('[aria-current="true"]') ?? ui.chatList.querySelector('[data-testid="chat"]'));
  // Only what is on the screen can take the focus (a hidden back button cannot).
  if (target && target.getClientRects().length > 0) target.focus({ preventScroll: true });
}

/** Forward to a pane: a chat was opened from the list, the panel button was pressed. */
export function goTo(next) {
  if (next === view) return;
  const changesScreen = visible(next);
  show(next);
  if (changesScreen) {
    history.pushState({ seromaView: next }, "");
    focusPane(next);
  }
}

/** Back: from the panel to where you were, from a chat to the list. */
export function goBack() {
  if (view !== "list" && history.state?.seromaView === view) {
    history.back(); // popstate below shows the pane before
    return;
  }
  show(view === "panel" ? beforePanel : "list");
  focusPane(view);
}

window.addEventListener("popstate", (event) => {
  const wanted = event.state?.seromaView;
  show(typeof wanted === "string" ? wanted : view === "panel" ? beforePanel : "list");
  focusPane(view);
});

ui.back.addEventListener("click", goBack);
ui.panelBack.addEventListener("click", goBack);
ui.openPanel.addEventListener("click", () => goTo("panel"));
ui.chatOpenPanel.addEventListener("click", () => goTo("panel"));
