// "Copy a link to this view" (pages/ui/copy_link.py): copies the address bar, which holds
// every setting of the view, and says what happened. Where the browser refuses the clipboard
// (a page served over plain HTTP has none, a visitor may have blocked it), the link appears
// selected in a text field with words saying how to copy it by hand.
export default function (component) {
  const { parentElement, data } = component;
  const label = (data && typeof data.label === "string") ? data.label : "Copy a link to this view";
  const root = parentElement.querySelector(".ckl") || build(parentElement, label);
  // A rerun after the view changed makes an earlier "Link copied" untrue: clear it.
  if (root.dataset.copied && root.dataset.copied !== window.location.href) {
    delete root.dataset.copied;
    root.querySelector(".ckl-status").textContent = "";
    root.querySelector(".ckl-fallback").hidden = true;
  }
}

function build(parentElement, label) {
  const root = document.createElement("div");
  root.className = "ckl";
  const id = `ckl-${Math.random().toString(36).slice(2)}`;
  root.innerHTML = `
    <button type="button" class="ckl-button"></button>
    <p class="ckl-status" id="${id}-status" role="status" aria-live="polite"></p>
    <div class="ckl-fallback" hidden>
      <label for="${id}-field">Link to this view</label>
      <input id="${id}-field" class="ckl-field" type="text" readonly>
    </div>`;
  // textContent: the label is text, never markup.
  root.querySelector(".ckl-button").textContent = label;
  parentElement.appendChild(root);
  root.querySelector("button").addEventListener("click", () => copy(root));
  return root;
}

function copy(root) {
  // Read at the click: the page writes its settings and the picked pixel into the address
  // bar after every run, so the address bar is the view as it is now.
  const link = window.location.href;
  const status = root.querySelector(".ckl-status");
  const fallback = root.querySelector(".ckl-fallback");
  const field = root.querySelector(".ckl-field");
  fallback.hidden = true;
  status.textContent = "";
  const copied = () => {
    status.textContent = "Link copied: paste it anywhere to open this view.";
    root.dataset.copied = link;
  };
  const refused = () => {
    field.value = link;
    fallback.hidden = false;
    field.focus();
    field.select();
    root.dataset.copied = link;
    status.textContent = "Your browser did not let the page copy. The link is selected "
      + "below: press Ctrl+C (Cmd+C on a Mac), or on a phone touch and hold it, then Copy.";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(link).then(copied, refused);
  } else {
    refused();
  }
}
