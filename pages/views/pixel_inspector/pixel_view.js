// The pixel inspector's two pictures and arrows, drawn in the browser (pages/ui/pixel_view.py).
// The server sends the overview once encoded and the magnified window as raw bytes; the
// browser scales them, draws the grid and the marks, and sends back where a visitor clicked.
export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let root = parentElement.querySelector(".ckv");
  if (!root) {
    root = document.createElement("div");
    root.className = "ckv";
    root.innerHTML = `
      <figure class="ckv-overview"><figcaption></figcaption>
        <div class="ckv-frame"><img alt="" draggable="false">
          <div class="ckv-box"></div></div></figure>
      <figure class="ckv-zoom"><figcaption></figcaption>
        <canvas tabindex="0" role="img"></canvas>
        <div class="ckv-arrows">
          <button type="button" data-step="-1,0" aria-label="Move left one pixel"
            title="Move left one pixel">←</button>
          <button type="button" data-step="1,0" aria-label="Move right one pixel"
            title="Move right one pixel">→</button>
          <button type="button" data-step="0,-1" aria-label="Move up one pixel"
            title="Move up one pixel">↑</button>
          <button type="button" data-step="0,1" aria-label="Move down one pixel"
            title="Move down one pixel">↓</button>
        </div>
        <p class="ckv-live" role="status" aria-live="polite"></p></figure>`;
    parentElement.appendChild(root);
    const img = root.querySelector(".ckv-overview img");
    const canvas = root.querySelector("canvas");
    // Each event carries the window as drawn, so a click is read against what was seen.
    img.addEventListener("click", (event) => {
      setTriggerValue("pick", { picture: "overview", x: event.offsetX, y: event.offsetY,
        width: img.clientWidth, height: img.clientHeight });
    });
    canvas.addEventListener("click", (event) => {
      const zoom = root.ckvData.zoom;
      setTriggerValue("pick", { picture: "zoom", x: event.offsetX, y: event.offsetY,
        width: canvas.clientWidth, height: canvas.clientHeight, window: zoom.window });
    });
    const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    canvas.addEventListener("keydown", (event) => {
      if (!(event.key in steps)) return;
      event.preventDefault();
      setTriggerValue("pick", { step: steps[event.key] });
    });
    for (const button of root.querySelectorAll("button[data-step]")) {
      button.addEventListener("click", () => {
        setTriggerValue("pick", { step: button.dataset.step.split(",").map(Number) });
      });
    }
  }
  root.ckvData = data;
  drawOverview(root, data.overview, setStateValue);
  drawZoom(root, data.zoom);
  // A status region: screen readers say its new text after each move, without moving focus.
  const live = root.querySelector(".ckv-live");
  if (live.textContent !== data.announce) live.textContent = data.announce;
}

function colour(rgb) {
  return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
}

function drawOverview(root, overview, setStateValue) {
  root.querySelector(".ckv-overview figcaption").textContent = overview.caption;
  const img = root.querySelector(".ckv-overview img");
  img.alt = overview.alt;
  // The picture only changes with the image or the view, and the server sends it only when
  // this page does not hold it yet: the page says which one it holds ("held"), and says it
  // again when that is not what the server believes (a new picture, or a fresh page).
  if (overview.src && img.dataset.digest !== overview.digest) {
    img.src = overview.src;
    img.dataset.digest = overview.digest;
  }
  const held = img.dataset.digest === overview.digest ? overview.digest : null;
  if (held !== overview.held) setStateValue("held", held);
  img.style.width = `${overview.width}px`;
  const [left, top, width, height] = overview.box;  // fractions of the image
  const box = root.querySelector(".ckv-box");
  Object.assign(box.style, { left: `${100 * left}%`, top: `${100 * top}%`,
    width: `max(3px, ${100 * width}%)`, height: `max(3px, ${100 * height}%)`,
    borderColor: colour(overview.colour) });
}

function drawZoom(root, zoom) {
  root.querySelector(".ckv-zoom figcaption").textContent = zoom.caption;
  const canvas = root.querySelector("canvas");
  canvas.setAttribute("aria-label", zoom.label);
  const [rows, cols] = [zoom.rows, zoom.cols];
  const factor = zoom.factor;
  canvas.width = cols * factor;
  canvas.height = rows * factor;
  const context = canvas.getContext("2d");
  const bytes = Uint8ClampedArray.from(atob(zoom.rgb), (c) => c.charCodeAt(0));
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0, j = 0; i < rows * cols; i += 1, j += 3) {
    rgba[4 * i] = bytes[j];
    rgba[4 * i + 1] = bytes[j + 1];
    rgba[4 * i + 2] = bytes[j + 2];
    rgba[4 * i + 3] = 255;
  }
  // Nearest-neighbour enlargement: every pixel a factor x factor block, never blurred.
  const small = document.createElement("canvas");
  small.width = cols;
  small.height = rows;
  small.getContext("2d").putImageData(new ImageData(rgba, cols, rows), 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
  if (zoom.grid) {
    // The grid sits in the last row and column of every block.
    context.fillStyle = colour(zoom.grid);
    for (let r = 1; r <= rows; r += 1) context.fillRect(0, r * factor - 1, canvas.width, 1);
    for (let c = 1; c <= cols; c += 1) context.fillRect(c * factor - 1, 0, 1, canvas.height);
  }
  for (const mark of zoom.marks) {
    // [row, column, rows, columns] in cells; a 2 px line inside the rectangle.
    // A mark with "lining" gets a black line inside its 2 px line (as zoom_picture draws it):
    // the yellow footprint alone is 1.55:1 on white pixels.
    const [r, c, h, w] = mark.cells;
    if (mark.lining) {
      context.strokeStyle = "black";
      context.lineWidth = 3;
      context.strokeRect(c * factor + 1.5, r * factor + 1.5, w * factor - 3, h * factor - 3);
    }
    context.strokeStyle = colour(mark.colour);
    context.lineWidth = 2;
    context.strokeRect(c * factor + 1, r * factor + 1, w * factor - 2, h * factor - 2);
  }
}
