// Clock controls in the header, shown only when the simulator runs on a virtual clock.
import { get, post } from "../api.js";
import { h, append, clear, time } from "../dom.js";

function clockOf(state) {
  const clock = state?.clock ?? state ?? {};
  return { kind: clock.mode ?? clock.kind, now: clock.now_epoch ?? clock.now, paused: Boolean(clock.paused) };
}

export function mountClock(root) {
  let seconds = "60";
  let problem = "";
  const render = (state) => {
    const clock = clockOf(state);
    if (clock.kind !== "virtual") { root.hidden = true; return; }
    root.hidden = false;
    const input = h("input", { type: "number", min: "0", step: "any", value: seconds, "aria-label": "seconds to advance", class: "narrow" });
    input.addEventListener("input", () => { seconds = input.value; });
    const act = (path, body) => async () => {
      try {
        problem = "";
        render(await post(`clock/${path}`, body?.()));
      } catch (error) {
        problem = error.message;
        refresh();
      }
    };
    const stamp = time(clock.now);
    append(clear(root), [
      h("span", { class: "clock-kind" }, "virtual clock"),
      h("span", { class: "mono", "data-test": "clock-now", title: stamp }, stamp.slice(11)),
      clock.paused ? h("span", { class: "badge paused" }, "paused") : null,
      h("span", { class: "clock-step" }, "+", input, "s"),
      h("button", { type: "button", onclick: act("advance", () => ({ seconds: Number(input.value) })) }, "Advance"),
      clock.paused ? h("button", { type: "button", onclick: act("resume") }, "Resume")
        : h("button", { type: "button", onclick: act("pause") }, "Pause"),
      problem ? h("span", { class: "badge bad", title: problem, role: "alert" }, "!") : null]);
  };
  const refresh = () => get("clock").then(render).catch(() => { root.hidden = true; });
  refresh();
  return refresh;
}
