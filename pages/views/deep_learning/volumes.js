// A layer drawn as volumes (pages/views/deep_learning/volumes.py): the page's SVG drawings,
// and two routes to pick an output cell: a click on it, or the keyboard (arrow keys move a
// cursor over the output map, Page Up and Page Down change map, Enter picks it).
const STEPS = { ArrowLeft: [0, -1, 0], ArrowRight: [0, 1, 0], ArrowUp: [0, 0, -1],
  ArrowDown: [0, 0, 1], PageUp: [-1, 0, 0], PageDown: [1, 0, 0] };

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".ckv");
  if (!root) {
    root = build(parentElement, setTriggerValue);
  }
  update(root, data);
}

function build(parentElement, setTriggerValue) {
  const root = document.createElement("div");
  root.className = "ckv";
  const id = `ckv-${Math.random().toString(36).slice(2)}`;
  root.innerHTML = `
    <div class="ckv-figures" tabindex="0" role="group"
         aria-describedby="${id}-hint ${id}-status"></div>
    <p class="ckv-hidden" id="${id}-hint"></p>
    <p class="ckv-hidden" id="${id}-status" aria-live="polite"></p>`;
  parentElement.appendChild(root);
  const figures = root.querySelector(".ckv-figures");
  figures.addEventListener("click", (event) => {
    const cell = event.target.closest("[data-f]");
    if (!cell) return;
    root.ckvPoint = ["f", "x", "y"].map((name) => Number(cell.dataset[name]));
    drawCursor(root);
    pick(root, setTriggerValue);
  });
  figures.addEventListener("keydown", (event) => {
    if (event.key in STEPS) {
      const moved = move(root, STEPS[event.key]);
      if (!moved) return;
      event.preventDefault();
      const [f, x, y] = root.ckvPoint;
      say(root, `Map ${f + 1}, output x=${x}, y=${y}: Enter breaks it down`);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      pick(root, setTriggerValue);
    }
  });
  return root;
}

function pick(root, setTriggerValue) {
  const [f, x, y] = root.ckvPoint;
  setTriggerValue("pick", { kind: "cell", filter: f, x, y });
  say(root, `Picked map ${f + 1}, output x=${x}, y=${y}`);
}

function move(root, [df, dx, dy]) {
  // Only to a cell the drawing has: the page draws every cell of every map.
  const [f, x, y] = root.ckvPoint;
  const next = [f + df, x + dx, y + dy];
  if (!cellAt(root, next)) return false;
  root.ckvPoint = next;
  drawCursor(root);
  return true;
}

function cellAt(root, [f, x, y]) {
  return root.querySelector(`[data-f="${f}"][data-x="${x}"][data-y="${y}"]`);
}

function update(root, data) {
  const previous = root.ckvData;
  root.ckvData = data;
  const figures = root.querySelector(".ckv-figures");
  // The drawings are the page's own markup (numbers and escaped words only).
  if (!previous || previous.html !== data.html) figures.innerHTML = data.html;
  figures.setAttribute("aria-label", data.label);
  root.querySelector(".ckv-hidden").textContent = data.hint;
  // A new cell from the server (a pick, typed numbers) moves the cursor there.
  if (!previous || previous.point.join() !== data.point.join() || !root.ckvPoint
      || !cellAt(root, root.ckvPoint)) {
    root.ckvPoint = [...data.point];
  }
  drawCursor(root);
}

function drawCursor(root) {
  const cursor = root.querySelector(".ckv-cursor");
  const cell = cellAt(root, root.ckvPoint);
  if (cursor && cell) cursor.setAttribute("points", cell.getAttribute("points"));
}

function say(root, text) {
  root.querySelector("[aria-live]").textContent = text;
}
