// A clickable picture (pages/ui/clickable.py): the picture with its text alternative, a
// marker the browser draws round the chosen point, and two routes to choose a point: the
// pointer (a click, or a drag where the picture takes boxes) and the keyboard (arrow keys
// move the marker, Shift moves it ten pixels, Enter picks, Escape puts it back).
const STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const SVG = "http://www.w3.org/2000/svg";
// A press and release closer than this (screen pixels) both ways is a click, not a drag.
const CLICK_SLOP = 3;

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".ckc");
  if (!root) {
    root = build(parentElement, setTriggerValue);
  }
  update(root, data);
}

function build(parentElement, setTriggerValue) {
  const root = document.createElement("div");
  root.className = "ckc";
  const id = `ckc-${Math.random().toString(36).slice(2)}`;
  root.innerHTML = `
    <div class="ckc-frame">
      <img tabindex="0" draggable="false" aria-describedby="${id}-hint ${id}-status">
      <svg class="ckc-marks" aria-hidden="true" preserveAspectRatio="none">
        <rect class="ckc-marker" fill="none"></rect>
        <rect class="ckc-band" fill="none" stroke-dasharray="6 4" visibility="hidden"></rect>
      </svg>
    </div>
    <p class="ckc-hidden" id="${id}-hint"></p>
    <p class="ckc-hidden" id="${id}-status" aria-live="polite"></p>`;
  parentElement.appendChild(root);
  const img = root.querySelector("img");
  listenToPointer(root, img, setTriggerValue);
  listenToKeys(root, img, setTriggerValue);
  return root;
}

function listenToPointer(root, img, setTriggerValue) {
  // Where the pointer went down, in screen pixels from the picture's corner.
  let press = null;
  const shown = (event) => {
    const rect = img.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top,
      width: rect.width, height: rect.height };
  };
  img.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    img.focus({ preventScroll: true });
    press = shown(event);
    img.setPointerCapture(event.pointerId);
  });
  img.addEventListener("pointermove", (event) => {
    if (!press || !root.ckcData.drag) return;
    band(root, press, shown(event));
  });
  img.addEventListener("pointerup", (event) => {
    if (!press) return;
    const start = press;
    const end = shown(event);
    press = null;
    band(root, null, null);
    const moved = Math.abs(end.x - start.x) > CLICK_SLOP || Math.abs(end.y - start.y) > CLICK_SLOP;
    if (root.ckcData.drag) {
      // A click on a picture that takes boxes is a drag of no length: the server decides.
      setTriggerValue("pick", { kind: "drag", x1: start.x, y1: start.y, x2: end.x, y2: end.y,
        width: start.width, height: start.height });
    } else if (!moved) {
      setTriggerValue("pick", { kind: "click", x: start.x, y: start.y, width: start.width,
        height: start.height });
    }
  });
  img.addEventListener("pointercancel", () => {
    press = null;
    band(root, null, null);
  });
}

function listenToKeys(root, img, setTriggerValue) {
  img.addEventListener("keydown", (event) => {
    const data = root.ckcData;
    if (event.key in STEPS) {
      event.preventDefault();
      const [dx, dy] = STEPS[event.key];
      const step = (event.shiftKey ? 10 : 1) * (data.step || 1);
      const [width, height] = data.size;
      const [x, y] = root.ckcPoint;
      root.ckcPoint = [Math.min(Math.max(x + dx * step, 0), width - 1),
        Math.min(Math.max(y + dy * step, 0), height - 1)];
      drawMarker(root);
      say(root, `${data.what} at ${place(data, root.ckcPoint)}: Enter picks it`);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      setTriggerValue("pick", { kind: "key", x: root.ckcPoint[0], y: root.ckcPoint[1] });
      say(root, `Picked ${place(data, root.ckcPoint)}`);
    } else if (event.key === "Escape") {
      root.ckcPoint = [...data.point];
      drawMarker(root);
      say(root, `${data.what} back at ${place(data, data.point)}`);
    }
  });
}

function update(root, data) {
  const previous = root.ckcData;
  root.ckcData = data;
  const img = root.querySelector("img");
  if (img.getAttribute("src") !== data.src) img.setAttribute("src", data.src);
  img.alt = data.alt;
  img.style.cursor = "crosshair";
  root.classList.toggle("ckc-stretch", Boolean(data.stretch));
  root.classList.toggle("ckc-pixels", Boolean(data.pixelated));
  const [width, height] = data.size;
  // The picture's own size, so the page keeps its place before the picture is decoded.
  img.width = width;
  img.height = height;
  if (!data.stretch) img.style.width = `${width}px`;
  root.querySelector("svg").setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.querySelector(".ckc-hidden").textContent = data.hint;
  // A new point from the server (a pick, typed numbers) moves the marker there.
  if (!previous || previous.point[0] !== data.point[0] || previous.point[1] !== data.point[1]
      || !root.ckcPoint) {
    root.ckcPoint = [...data.point];
  }
  drawMarker(root);
}

function drawMarker(root) {
  // A box of `shape` centred on the point, its line inside it, as convkit's mark_patches
  // draws one into a picture (the same look whether burnt in or drawn here).
  const { marker } = root.ckcData;
  const [x, y] = root.ckcPoint;
  const [h, w] = marker.shape;
  const line = marker.line;
  const rect = root.querySelector(".ckc-marker");
  rect.setAttribute("x", x - Math.floor(w / 2) + line / 2);
  rect.setAttribute("y", y - Math.floor(h / 2) + line / 2);
  rect.setAttribute("width", Math.max(w - line, 0));
  rect.setAttribute("height", Math.max(h - line, 0));
  rect.setAttribute("stroke-width", line);
  rect.setAttribute("stroke", `rgb(${marker.colour.join(",")})`);
}

function band(root, start, end) {
  // The box being dragged, dashed, in image pixels.
  const rect = root.querySelector(".ckc-band");
  if (!start) {
    rect.setAttribute("visibility", "hidden");
    return;
  }
  const [width, height] = root.ckcData.size;
  const sx = width / start.width;
  const sy = height / start.height;
  rect.setAttribute("x", Math.min(start.x, end.x) * sx);
  rect.setAttribute("y", Math.min(start.y, end.y) * sy);
  rect.setAttribute("width", Math.abs(end.x - start.x) * sx);
  rect.setAttribute("height", Math.abs(end.y - start.y) * sy);
  rect.setAttribute("stroke-width", Math.max(1, root.ckcData.marker.line / 2));
  rect.setAttribute("stroke", `rgb(${root.ckcData.marker.colour.join(",")})`);
  rect.setAttribute("visibility", "visible");
}

function place(data, [x, y]) {
  // The picture's pixel in words; on a layer's maps (data.layout, laid out as
  // convkit.lessons.maps_picture lays them) the map and unit under it.
  const layout = data.layout;
  if (!layout) return `x=${x}, y=${y}`;
  const pitchX = layout.width * layout.scale + layout.gap;
  const pitchY = layout.height * layout.scale + layout.gap;
  const insideX = x % pitchX;
  const insideY = y % pitchY;
  const map = Math.floor(y / pitchY) * layout.perRow + Math.floor(x / pitchX);
  if (insideX >= layout.width * layout.scale || insideY >= layout.height * layout.scale
      || map >= layout.maps) {
    return "the gap between two maps";
  }
  return `map ${map + 1}, unit x=${Math.floor(insideX / layout.scale)}, ` +
    `y=${Math.floor(insideY / layout.scale)}`;
}

function say(root, text) {
  root.querySelector("[aria-live]").textContent = text;
}
