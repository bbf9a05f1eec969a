// The kernel lab's table (pages/views/kernel_lab/kernel_grid.py): one text box per weight.
// A box sends the whole table when its text changes (Enter, Tab or leaving it), so an edit
// cannot be lost between two others: the last table sent is every box as it reads. A click
// or a double-click selects the box's text, so typing replaces it, as in a spreadsheet;
// Enter moves down, Escape puts back the text last sent.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".ckg");
  // Within one version of the kernel the boxes are the truth (the server only echoes what
  // they sent, perhaps late): fill them from the server only for a new kernel.
  if (!root || root.ckgVersion !== data.version) {
    if (root) root.remove();
    root = build(parentElement, data, setStateValue);
  }
  root.querySelector("caption").textContent = data.caption;
}

function build(parentElement, data, setStateValue) {
  const rows = data.cells.length;
  const cols = data.cells[0].length;
  const root = document.createElement("div");
  root.className = "ckg";
  root.ckgVersion = data.version;
  const head = Array.from({ length: cols }, (_, x) => `<th scope="col">x=${x}</th>`).join("");
  const body = Array.from({ length: rows }, (_, y) => `<tr><th scope="row">y=${y}</th>`
    + Array.from({ length: cols }, (_, x) => `<td><input type="text" autocomplete="off"
        spellcheck="false" data-x="${x}" data-y="${y}"
        aria-label="weight at x=${x}, y=${y}"></td>`).join("") + "</tr>").join("");
  root.innerHTML = `<table><caption></caption><thead><tr><td></td>${head}</tr></thead>
    <tbody>${body}</tbody></table>`;
  parentElement.appendChild(root);
  for (const input of root.querySelectorAll("input")) {
    input.value = data.cells[Number(input.dataset.y)][Number(input.dataset.x)] ?? "";
    input.dataset.sent = input.value;
  }
  const send = () => setStateValue("cells", readCells(root));
  for (const input of root.querySelectorAll("input")) {
    input.addEventListener("focus", () => {
      input.select();
      root.ckgJustFocused = input;
    });
    // The click that focused the box would otherwise put the caret in, undoing select().
    input.addEventListener("mouseup", (event) => {
      if (root.ckgJustFocused === input) event.preventDefault();
      root.ckgJustFocused = null;
    });
    input.addEventListener("dblclick", () => input.select());
    input.addEventListener("change", () => {
      input.dataset.sent = input.value;
      send();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const below = root.querySelector(
          `input[data-x="${input.dataset.x}"][data-y="${Number(input.dataset.y) + 1}"]`);
        if (below) below.focus();
        else input.blur();
      } else if (event.key === "Escape") {
        input.value = input.dataset.sent;
        input.select();
      }
    });
  }
  return root;
}

function readCells(root) {
  const table = [];
  for (const input of root.querySelectorAll("input")) {
    const y = Number(input.dataset.y);
    (table[y] ??= [])[Number(input.dataset.x)] = input.value;
  }
  return table;
}
