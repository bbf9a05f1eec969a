// A drawing area (pages/ui/sketchpad.py): draw with a mouse, a pen or a finger, or with the
// keyboard (arrow keys move a pen on a coarse grid, Space puts it down and lifts it). Each
// finished stroke sends every stroke so far, points as fractions 0-1 of the area, to the
// server; Clear sends none.
const STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
// A point closer than this (a fraction of the side) to the last one adds nothing.
const MIN_STEP = 0.006;

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".cks");
  if (!root) root = build(parentElement, data, setStateValue);
  root.cksData = data;
  root.querySelector(".cks-hint").textContent = data.hint;
  root.querySelector("canvas").setAttribute("aria-label", data.label);
}

function build(parentElement, data, setStateValue) {
  const root = document.createElement("div");
  root.className = "cks";
  const id = `cks-${Math.random().toString(36).slice(2)}`;
  root.innerHTML = `
    <canvas tabindex="0" role="application" width="${data.side}" height="${data.side}"
      aria-describedby="${id}-hint ${id}-status"></canvas>
    <div class="cks-row"><button type="button" class="cks-clear">Clear</button>
      <span class="cks-status" id="${id}-status" aria-live="polite"></span></div>
    <p class="cks-hint" id="${id}-hint"></p>`;
  parentElement.appendChild(root);
  root.cksData = data;
  const canvas = root.querySelector("canvas");
  // The drawing survives a remount (another page and back): the server keeps it.
  root.strokes = Array.isArray(data.strokes) ? data.strokes.map((s) => s.map((p) => [...p])) : [];
  root.pen = { cell: [Math.floor(data.grid / 2), Math.floor(data.grid / 2)], down: false };
  const send = (said) => {
    setStateValue("strokes", root.strokes);
    say(root, said);
  };
  listenToPointer(root, canvas, send);
  listenToKeys(root, canvas, send);
  root.querySelector(".cks-clear").addEventListener("click", () => {
    root.strokes = [];
    root.pen.down = false;
    redraw(root);
    send("Cleared");
  });
  redraw(root);
  return root;
}

function listenToPointer(root, canvas, send) {
  // The stroke being drawn and the pointer drawing it: a second finger meanwhile is ignored.
  let drawing = null;
  let pointer = null;
  const at = (event) => {
    const rect = canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(Math.max(v, 0), 1);
    return [clamp((event.clientX - rect.left) / rect.width),
      clamp((event.clientY - rect.top) / rect.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (drawing || event.button !== 0) return;
    event.preventDefault();
    if (root.strokes.length >= root.cksData.max_strokes) {
      say(root, `At most ${root.cksData.max_strokes} strokes: Clear to draw again`);
      return;
    }
    pointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    drawing = [at(event)];
    root.strokes.push(drawing);
    redraw(root);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing || event.pointerId !== pointer) return;
    const point = at(event);
    const last = drawing[drawing.length - 1];
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP) return;
    if (countPoints(root) >= root.cksData.max_points) return;
    drawing.push(point);
    redraw(root);
  });
  const finish = (event) => {
    if (!drawing || event.pointerId !== pointer) return;
    drawing = null;
    send(`Stroke ${root.strokes.length} sent`);
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
}

function listenToKeys(root, canvas, send) {
  canvas.addEventListener("keydown", (event) => {
    const { grid } = root.cksData;
    const pen = root.pen;
    if (event.key in STEPS) {
      event.preventDefault();
      root.focused = true;
      const [dx, dy] = STEPS[event.key];
      pen.cell = [Math.min(Math.max(pen.cell[0] + dx, 0), grid - 1),
        Math.min(Math.max(pen.cell[1] + dy, 0), grid - 1)];
      if (pen.down && countPoints(root) < root.cksData.max_points) {
        root.strokes[root.strokes.length - 1].push(cellPoint(pen.cell, grid));
      }
      redraw(root);
      say(root, `Pen ${pen.down ? "down" : "up"} at column ${pen.cell[0] + 1}, row `
        + `${pen.cell[1] + 1} of ${grid}`);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (pen.down) {
        pen.down = false;
        redraw(root);
        send(`Pen up: stroke ${root.strokes.length} sent`);
      } else if (root.strokes.length < root.cksData.max_strokes) {
        pen.down = true;
        root.strokes.push([cellPoint(pen.cell, grid)]);
        redraw(root);
        say(root, "Pen down: arrow keys draw, Space lifts the pen");
      }
    }
  });
  canvas.addEventListener("blur", () => {
    root.focused = false;
    if (root.pen.down) {
      root.pen.down = false;
      send(`Pen up: stroke ${root.strokes.length} sent`);
    }
    redraw(root);
  });
  canvas.addEventListener("focus", () => {
    // Only a keyboard focus shows the pen: a click or a touch draws without it.
    root.focused = canvas.matches(":focus-visible");
    redraw(root);
  });
}

function cellPoint(cell, grid) {
  return [(cell[0] + 0.5) / grid, (cell[1] + 0.5) / grid];
}

function countPoints(root) {
  return root.strokes.reduce((sum, stroke) => sum + stroke.length, 0);
}

function redraw(root) {
  const canvas = root.querySelector("canvas");
  const context = canvas.getContext("2d");
  const side = canvas.width;
  context.fillStyle = "#000";
  context.fillRect(0, 0, side, side);
  context.strokeStyle = "#fff";
  context.fillStyle = "#fff";
  context.lineCap = "round";
  context.lineJoin = "round";
  context.lineWidth = side / 16;
  for (const stroke of root.strokes) {
    if (stroke.length === 1) {
      context.beginPath();
      context.arc(stroke[0][0] * side, stroke[0][1] * side, side / 32, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.beginPath();
    stroke.forEach(([x, y], i) => (i ? context.lineTo(x * side, y * side)
      : context.moveTo(x * side, y * side)));
    context.stroke();
  }
  // The pen shows while the area has focus (document.activeElement would be the shadow host).
  if (root.focused) {
    // The keyboard's pen: a yellow square, dashed while lifted, solid while drawing.
    const { grid } = root.cksData;
    const cell = side / grid;
    context.strokeStyle = "#ffd200";
    context.lineWidth = 2;
    context.setLineDash(root.pen.down ? [] : [4, 3]);
    context.strokeRect(root.pen.cell[0] * cell + 1, root.pen.cell[1] * cell + 1, cell - 2,
      cell - 2);
    context.setLineDash([]);
  }
}

function say(root, text) {
  root.querySelector(".cks-status").textContent = text;
}
