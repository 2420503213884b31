// Clock controls in the header, shown only when the simulator runs on a virtual clock.
import { get, post } from "../api.js";
import { h, clear, time, errorBox } from "../dom.js";

function clockOf(overview) {
  const clock = overview?.clock ?? {};
  return { kind: clock.mode ?? clock.kind, now: clock.now_epoch ?? clock.now, paused: Boolean(clock.paused) };
}

export function mountClock(root) {
  const render = (overview) => {
    const clock = clockOf(overview);
    if (clock.kind !== "virtual") { root.hidden = true; return; }
    root.hidden = false;
    const seconds = h("input", { type: "number", min: "0", step: "any", value: "60", "aria-label": "seconds to advance", class: "narrow" });
    const act = (path, body) => async () => {
      try { render({ clock: await post(`clock/${path}`, body?.()) }); refresh(); } catch (error) { clear(root).append(errorBox(error)); }
    };
    clear(root).append(
      h("span", { class: "muted" }, "virtual clock "), h("span", { class: "mono", "data-test": "clock-now" }, time(clock.now)),
      clock.paused ? h("span", { class: "badge neutral" }, "paused") : null,
      h("button", { type: "button", onclick: act("advance", () => ({ seconds: Number(seconds.value) })) }, "Advance"), seconds, "s",
      clock.paused ? h("button", { type: "button", onclick: act("resume") }, "Resume")
        : h("button", { type: "button", onclick: act("pause") }, "Pause"));
  };
  const refresh = () => get("overview").then(render).catch(() => { root.hidden = true; });
  refresh();
  return refresh;
}
