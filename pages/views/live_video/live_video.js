// The live view (pages/views/live_video/view.py): the camera filtered on the GPU, every frame,
// with the kernel, border, flip and mapping the server describes (convkit.explain.live_plan).
// Nothing leaves the device while live; Freeze sends one frame, as a PNG, as a trigger value.
//
// Passes, each a full-frame triangle into a float texture (texel row 0 = the picture's top):
//   prep:   the camera frame -> bytes 0..255 as floats, gray by OpenCV's whole-number weights
//   filter: one 2-D pass, or a row pass then a column pass for a separable kernel
//   range:  (minmax only) the response's lowest and highest value, 4 x 4 blocks at a time
//   map:    the response -> bytes, as convkit.to_uint8 does
//   show:   the original left of the divider, the filtered frame right of it, on the canvas.

const BORDERS = { replicate: 0, constant: 1, reflect: 2, reflect_101: 3, wrap: 4 };
const MAPPINGS = { tutorial: 0, clip: 1, abs: 2, minmax: 3, divide: 4 };
const MAX_SIDE = 31;

const VERTEX = `#version 300 es
void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}`;

const HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
out vec4 result;
`;

// The border modes of convkit.padding as index rules: -1 means "the constant value".
const EDGE = `
int floorMod(int i, int n) { return i - n * int(floor(float(i) / float(n))); }
int edge(int i, int n, int mode) {
  if (i >= 0 && i < n) return i;
  if (mode == 0) return clamp(i, 0, n - 1);                       // aaa|abc|ccc
  if (mode == 1) return -1;                                       // vvv|abc|vvv
  if (mode == 2) {                                                // cba|abc|cba
    int m = floorMod(i, 2 * n);
    return m >= n ? 2 * n - 1 - m : m;
  }
  if (mode == 3) {                                                // cb|abc|ba
    if (n == 1) return 0;
    int m = floorMod(i, 2 * n - 2);
    return m >= n ? 2 * n - 2 - m : m;
  }
  return floorMod(i, n);                                          // bc|abc|ab
}`;

const PREP = `${HEADER}
uniform sampler2D frame;
uniform bool gray;
uniform uvec3 grayWeights;
uniform uint grayShift;
void main() {
  uvec3 rgb = uvec3(round(texelFetch(frame, ivec2(gl_FragCoord.xy), 0).rgb * 255.0));
  if (gray) {
    uint g = (grayWeights.r * rgb.r + grayWeights.g * rgb.g + grayWeights.b * rgb.b
              + (1u << (grayShift - 1u))) >> grayShift;
    result = vec4(vec3(float(g)), 255.0);
  } else {
    result = vec4(vec3(rgb), 255.0);
  }
}`;

const FILTER_2D = `${HEADER}${EDGE}
uniform sampler2D source;
uniform sampler2D weights;
uniform ivec2 kernelSize;
uniform int border;
uniform float fill;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ivec2 size = textureSize(source, 0);
  vec4 total = vec4(0.0);
  for (int ky = 0; ky < kernelSize.y; ky++) {
    int y = edge(p.y + ky - kernelSize.y / 2, size.y, border);
    for (int kx = 0; kx < kernelSize.x; kx++) {
      int x = edge(p.x + kx - kernelSize.x / 2, size.x, border);
      vec4 pixel = (x < 0 || y < 0) ? vec4(fill) : texelFetch(source, ivec2(x, y), 0);
      total += texelFetch(weights, ivec2(kx, ky), 0).r * pixel;
    }
  }
  result = total;
}`;

// One 1-D pass, along a row or along a column; outside a constant border the
// column pass reads the fill times the row's sum, which the row pass made of a padded row.
const FILTER_1D = `${HEADER}${EDGE}
uniform sampler2D source;
uniform sampler2D weights;
uniform int taps;
uniform bool alongRows;
uniform int border;
uniform float fill;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ivec2 size = textureSize(source, 0);
  int along = alongRows ? p.x : p.y;
  int extent = alongRows ? size.x : size.y;
  vec4 total = vec4(0.0);
  for (int k = 0; k < taps; k++) {
    int i = edge(along + k - taps / 2, extent, border);
    ivec2 q = alongRows ? ivec2(i, p.y) : ivec2(p.x, i);
    vec4 pixel = i < 0 ? vec4(fill) : texelFetch(source, q, 0);
    total += texelFetch(weights, ivec2(k, 0), 0).r * pixel;
  }
  result = total;
}`;

const RANGE = `${HEADER}
uniform sampler2D source;
uniform bool first;
uniform bool gray;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ivec2 size = textureSize(source, 0);
  float low = 3.4e38, high = -3.4e38;
  for (int dy = 0; dy < 4; dy++) {
    for (int dx = 0; dx < 4; dx++) {
      ivec2 q = p * 4 + ivec2(dx, dy);
      if (q.x >= size.x || q.y >= size.y) continue;
      vec4 v = texelFetch(source, q, 0);
      if (!first) { low = min(low, v.r); high = max(high, v.g); }
      else if (gray) { low = min(low, v.r); high = max(high, v.r); }
      else { low = min(low, min(v.r, min(v.g, v.b))); high = max(high, max(v.r, max(v.g, v.b))); }
    }
  }
  result = vec4(low, high, 0.0, 1.0);
}`;

const MAP = `${HEADER}
uniform sampler2D source;
uniform sampler2D range;
uniform int mapping;
uniform float divisor;
uniform float offset;
uniform bool gray;
float byteOf(float raw, vec2 span) {
  if (mapping == 0) {   // rescale_intensity(in_range=(0, 255)), * 255, astype: truncates
    float scaled = clamp(raw, 0.0, 255.0) / 255.0;
    return floor(scaled * 255.0);
  }
  float shown = raw;
  if (mapping == 2) shown = abs(raw);
  if (mapping == 3) {
    if (span.y <= span.x) return 0.0;
    shown = (raw - span.x) * (255.0 / (span.y - span.x));
  }
  if (mapping == 4) shown = raw / divisor + offset;
  return clamp(roundEven(shown), 0.0, 255.0);
}
void main() {
  vec4 raw = texelFetch(source, ivec2(gl_FragCoord.xy), 0);
  vec2 span = mapping == 3 ? texelFetch(range, ivec2(0), 0).rg : vec2(0.0);
  vec3 bytes = gray ? vec3(byteOf(raw.r, span))
                    : vec3(byteOf(raw.r, span), byteOf(raw.g, span), byteOf(raw.b, span));
  result = vec4(bytes / 255.0, 1.0);
}`;

const SHOW = `${HEADER}
uniform sampler2D original;
uniform sampler2D filtered;
uniform float split;
void main() {
  ivec2 size = textureSize(filtered, 0);
  ivec2 p = ivec2(int(gl_FragCoord.x), size.y - 1 - int(gl_FragCoord.y));
  float divider = split * float(size.x);
  if (split > 0.0 && split < 1.0 && abs(gl_FragCoord.x - divider) < 1.5) {
    // A white line edged in black: seen on any picture.
    result = abs(gl_FragCoord.x - divider) < 0.75 ? vec4(1.0) : vec4(0.0, 0.0, 0.0, 1.0);
  } else if (gl_FragCoord.x < divider) {
    result = vec4(texelFetch(original, p, 0).rgb / 255.0, 1.0);
  } else {
    result = texelFetch(filtered, p, 0);
  }
}`;

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".cklv");
  if (!root) root = build(parentElement, setTriggerValue);
  root.cklvData = data;
  root.querySelector(".cklv-canvas").setAttribute("aria-label", data.alt);
  if (data.frozen) say(root, data.frozen);
}

function build(parentElement, setTriggerValue) {
  const root = document.createElement("div");
  root.className = "cklv";
  const id = `cklv-${Math.random().toString(36).slice(2)}`;
  root.innerHTML = `
    <div class="cklv-controls">
      <label for="${id}-facing">Camera</label>
      <select id="${id}-facing" class="cklv-facing">
        <option value="user">Front (facing you)</option>
        <option value="environment">Back</option>
      </select>
      <button type="button" class="cklv-start">Start the live view</button>
      <button type="button" class="cklv-stop" disabled>Stop</button>
      <button type="button" class="cklv-freeze" disabled>Freeze this frame</button>
    </div>
    <div class="cklv-split-row">
      <label for="${id}-split">Original | filtered: divider at</label>
      <input id="${id}-split" class="cklv-split" type="range" min="0" max="100" value="50"
             aria-valuetext="50% original on the left">
    </div>
    <canvas class="cklv-canvas" role="img" width="320" height="240" hidden></canvas>
    <p class="cklv-status" role="status" aria-live="polite">Not started: press Start the live
      view, and allow the camera.</p>
    <p class="cklv-fps" aria-live="off"></p>`;
  parentElement.appendChild(root);
  root.cklvSend = setTriggerValue;
  root.querySelector(".cklv-start").addEventListener("click", () => start(root));
  root.querySelector(".cklv-stop").addEventListener("click", () => {
    stop(root);
    say(root, "Stopped: the camera is off.");
  });
  root.querySelector(".cklv-freeze").addEventListener("click", () => freeze(root));
  // Another camera chosen while live: switch to it.
  root.querySelector(".cklv-facing").addEventListener("change", () => {
    if (!root.cklvRunning) return;
    stop(root);
    start(root);
  });
  const split = root.querySelector(".cklv-split");
  split.addEventListener("input", () => {
    split.setAttribute("aria-valuetext", `${split.value}% original on the left`);
    if (root.cklvGl && !root.cklvRunning) render(root, false);
  });
  // Battery and privacy: the camera stops when the page is hidden (another tab, a locked
  // phone); the visitor starts it again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && root.cklvRunning) {
      stop(root);
      say(root, "Stopped because the page was hidden; press Start to go on.");
    }
  });
  // Test and bench hooks: read back what the GPU computed, and time it.
  root.cklvSnapshot = (plan, colour) => snapshot(root, plan, colour);
  root.cklvBench = (seconds, plan) => bench(root, seconds, plan);
  return root;
}

function say(root, text) {
  root.querySelector(".cklv-status").textContent = text;
}

function buttons(root, running) {
  root.querySelector(".cklv-start").disabled = running;
  root.querySelector(".cklv-stop").disabled = !running;
  root.querySelector(".cklv-freeze").disabled = !running;
}

async function start(root) {
  if (root.cklvRunning) return;
  const canvas = root.querySelector(".cklv-canvas");
  if (!root.cklvGl) {
    const gl = canvas.getContext("webgl2", { antialias: false, alpha: false, depth: false,
      premultipliedAlpha: false, preserveDrawingBuffer: false });
    if (!gl) {
      say(root, "This browser cannot run the live view: it has no WebGL2 (it may be switched " +
        "off, or the graphics driver is blocked). Every other page works; the camera in the " +
        "sidebar takes single photos.");
      return;
    }
    if (!gl.getExtension("EXT_color_buffer_float")) {
      say(root, "This browser's WebGL2 cannot draw into float pictures (no " +
        "EXT_color_buffer_float), which the exact sums need. Every other page works.");
      return;
    }
    try {
      root.cklvGl = setUp(gl);
    } catch (error) {
      say(root, "This browser's graphics could not prepare the live view's shaders " +
        `(${String(error.message || error).slice(0, 200)}). Every other page works.`);
      return;
    }
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say(root, "This browser offers no camera to this page (a camera needs a secure, https " +
      "address). Every other page works.");
    return;
  }
  say(root, "Asking for the camera…");
  const facing = root.querySelector(".cklv-facing").value;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: false,
      video: { facingMode: facing, width: { ideal: 640 }, height: { ideal: 480 } } });
  } catch (error) {
    say(root, cameraProblem(error));
    return;
  }
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    say(root, `The camera started but its picture cannot be shown (${error.name}).`);
    return;
  }
  root.cklvStream = stream;
  root.cklvVideo = video;
  root.cklvRunning = true;
  root.cklvFrames = [];
  canvas.hidden = false;
  buttons(root, true);
  say(root, "Live: the kernel runs in this browser on every frame; nothing is sent.");
  loop(root);
}

function cameraProblem(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Camera permission was refused. To use the live view, allow the camera for this " +
      "site in the browser's settings and press Start again. Every other page works.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") {
    return "No camera could be used: none was found, or another program holds it. Every " +
      "other page works; upload a photo in the sidebar instead.";
  }
  return `The camera could not start (${name || "unknown reason"}). Every other page works.`;
}

function stop(root) {
  root.cklvRunning = false;
  if (root.cklvStream) root.cklvStream.getTracks().forEach((track) => track.stop());
  root.cklvStream = null;
  if (root.cklvVideo) root.cklvVideo.srcObject = null;
  root.cklvVideo = null;
  buttons(root, false);
  root.querySelector(".cklv-fps").textContent = "";
}

function loop(root) {
  if (!root.cklvRunning) return;
  // Gone from the page (another page opened): the camera goes off with it.
  if (!root.isConnected) {
    stop(root);
    return;
  }
  const video = root.cklvVideo;
  if (video.readyState >= 2 && video.videoWidth > 0) {
    try {
      render(root, true);
    } catch (error) {
      stop(root);
      say(root, `The live view stopped: the graphics failed (${String(error.message || error)
        .slice(0, 200)}). Every other page works.`);
      return;
    }
    countFrame(root);
  }
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => loop(root));
  else requestAnimationFrame(() => loop(root));
}

function countFrame(root) {
  const now = performance.now();
  const frames = root.cklvFrames;
  frames.push(now);
  while (frames.length && now - frames[0] > 2000) frames.shift();
  if (!root.cklvFpsShown || now - root.cklvFpsShown > 1000) {
    root.cklvFpsShown = now;
    const span = (frames[frames.length - 1] - frames[0]) / 1000;
    const [width, height] = root.cklvSize;
    root.querySelector(".cklv-fps").textContent = span > 0
      ? `${((frames.length - 1) / span).toFixed(1)} frames per second, ${width} x ${height} px`
      : `Measuring the frame rate, ${width} x ${height} px…`;
  }
}

// ------------------------------------------------------------------------------ WebGL

function program(gl, fragment) {
  const made = gl.createProgram();
  for (const [type, text] of [[gl.VERTEX_SHADER, VERTEX], [gl.FRAGMENT_SHADER, fragment]]) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, text);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      throw new Error(gl.getShaderInfoLog(shader));
    }
    gl.attachShader(made, shader);
  }
  gl.linkProgram(made);
  if (!gl.getProgramParameter(made, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(made));
  const uniforms = {};
  const count = gl.getProgramParameter(made, gl.ACTIVE_UNIFORMS);
  for (let i = 0; i < count; i++) {
    const name = gl.getActiveUniform(made, i).name;
    uniforms[name] = gl.getUniformLocation(made, name);
  }
  return { program: made, uniforms };
}

function setUp(gl) {
  return {
    gl,
    prep: program(gl, PREP),
    filter2d: program(gl, FILTER_2D),
    filter1d: program(gl, FILTER_1D),
    range: program(gl, RANGE),
    map: program(gl, MAP),
    show: program(gl, SHOW),
    framebuffer: gl.createFramebuffer(),
    frame: texture(gl),
    weights: { full: texture(gl), row: texture(gl), column: texture(gl) },
    targets: {},
    size: [0, 0],
    planKey: null,
  };
}

function texture(gl) {
  const made = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, made);
  for (const [name, value] of [[gl.TEXTURE_MIN_FILTER, gl.NEAREST],
    [gl.TEXTURE_MAG_FILTER, gl.NEAREST], [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE],
    [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, name, value);
  return made;
}

function floatTarget(gl, width, height) {
  const made = texture(gl);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, width, height);
  return { texture: made, width, height };
}

function resize(state, width, height) {
  const { gl } = state;
  for (const target of Object.values(state.targets).flat()) gl.deleteTexture(target.texture);
  const bytes = texture(gl);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
  const ranges = [];
  for (let w = width, h = height; w > 1 || h > 1;) {
    w = Math.ceil(w / 4);
    h = Math.ceil(h / 4);
    ranges.push(floatTarget(gl, w, h));
  }
  if (!ranges.length) ranges.push(floatTarget(gl, 1, 1));
  state.targets = { input: floatTarget(gl, width, height), middle: floatTarget(gl, width, height),
    raw: floatTarget(gl, width, height), output: { texture: bytes, width, height }, ranges };
  state.size = [width, height];
}

function uploadWeights(gl, target, values, width, height) {
  gl.bindTexture(gl.TEXTURE_2D, target);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, width, height, 0, gl.RED, gl.FLOAT,
    new Float32Array(values));
}

function usePlan(state, plan) {
  const key = JSON.stringify(plan);
  if (key === state.planKey) return;
  const [height, width] = plan.shape;
  if (height > MAX_SIDE || width > MAX_SIDE) throw new Error("kernel larger than 31 x 31");
  const { gl } = state;
  uploadWeights(gl, state.weights.full, plan.weights, width, height);
  if (plan.column) {
    uploadWeights(gl, state.weights.row, plan.row, width, 1);
    uploadWeights(gl, state.weights.column, plan.column, height, 1);
  }
  state.planKey = key;
}

function pass(state, made, target, inputs, set) {
  const { gl } = state;
  gl.useProgram(made.program);
  gl.bindFramebuffer(gl.FRAMEBUFFER, target ? state.framebuffer : null);
  if (target) {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D,
      target.texture, 0);
    gl.viewport(0, 0, target.width, target.height);
  } else {
    gl.viewport(0, 0, state.size[0], state.size[1]);
  }
  Object.entries(inputs).forEach(([name, input], unit) => {
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, input);
    gl.uniform1i(made.uniforms[name], unit);
  });
  set(made.uniforms);
  gl.drawArrays(gl.TRIANGLES, 0, 3);
}

// Filter the current frame (a new one from the camera when `upload`) and show it.
function render(root, upload, plan = null, split = null, colour = null) {
  const state = root.cklvGl;
  const { gl } = state;
  const data = root.cklvData;
  plan = plan || data.plan;
  if (upload) {
    const video = root.cklvVideo;
    const [width, height] = [video.videoWidth, video.videoHeight];
    if (width !== state.size[0] || height !== state.size[1]) {
      resize(state, width, height);
      const canvas = root.querySelector(".cklv-canvas");
      canvas.width = width;
      canvas.height = height;
      root.cklvSize = [width, height];
    }
    gl.bindTexture(gl.TEXTURE_2D, state.frame);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, video);
  }
  usePlan(state, plan);
  const gray = !(colour === null ? data.colour : colour);
  const t = state.targets;
  pass(state, state.prep, t.input, { frame: state.frame }, (u) => {
    gl.uniform1i(u.gray, gray);
    gl.uniform3ui(u.grayWeights, ...plan.gray);
    gl.uniform1ui(u.grayShift, plan.grayShift);
  });
  const border = BORDERS[plan.border];
  const [height, width] = plan.shape;
  if (plan.column) {
    const rowSum = plan.row.reduce((a, b) => a + b, 0);
    pass(state, state.filter1d, t.middle, { source: t.input.texture, weights: state.weights.row },
      (u) => {
        gl.uniform1i(u.taps, width);
        gl.uniform1i(u.alongRows, true);
        gl.uniform1i(u.border, border);
        gl.uniform1f(u.fill, plan.value);
      });
    pass(state, state.filter1d, t.raw,
      { source: t.middle.texture, weights: state.weights.column }, (u) => {
        gl.uniform1i(u.taps, height);
        gl.uniform1i(u.alongRows, false);
        gl.uniform1i(u.border, border);
        gl.uniform1f(u.fill, plan.value * rowSum);
      });
  } else {
    pass(state, state.filter2d, t.raw, { source: t.input.texture, weights: state.weights.full },
      (u) => {
        gl.uniform2i(u.kernelSize, width, height);
        gl.uniform1i(u.border, border);
        gl.uniform1f(u.fill, plan.value);
      });
  }
  const mapping = MAPPINGS[plan.mapping];
  if (mapping === MAPPINGS.minmax) {
    let source = t.raw;
    t.ranges.forEach((target, index) => {
      pass(state, state.range, target, { source: source.texture }, (u) => {
        gl.uniform1i(u.first, index === 0);
        gl.uniform1i(u.gray, gray);
      });
      source = target;
    });
  }
  const range = t.ranges[t.ranges.length - 1];
  pass(state, state.map, t.output, { source: t.raw.texture, range: range.texture }, (u) => {
    gl.uniform1i(u.mapping, mapping);
    gl.uniform1f(u.divisor, plan.divisor);
    gl.uniform1f(u.offset, plan.offset);
    gl.uniform1i(u.gray, gray);
  });
  const shown = split === null ? Number(root.querySelector(".cklv-split").value) / 100 : split;
  pass(state, state.show, null, { original: t.input.texture, filtered: t.output.texture },
    (u) => gl.uniform1f(u.split, shown));
}

// The camera frame as the GPU received it: RGBA bytes, top row first.
function readFrame(state) {
  const { gl } = state;
  const [width, height] = state.size;
  gl.bindFramebuffer(gl.FRAMEBUFFER, state.framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, state.frame, 0);
  const pixels = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  return pixels;
}

function pngOf(pixels, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(pixels.buffer),
    width, height), 0, 0);
  return canvas.toDataURL("image/png");
}

function freeze(root) {
  const state = root.cklvGl;
  if (!root.cklvRunning || !state || !state.size[0]) return;
  const [width, height] = state.size;
  const png = pngOf(readFrame(state), width, height);
  root.cklvFrozen = png;
  say(root, `Sending this ${width} x ${height} px frame to the app…`);
  root.cklvSend("freeze", { png, width, height });
}

// The filtered frame read back from the canvas (all of it filtered), and the camera frame,
// both as base64 RGBA, top row first; `plan` and `colour` override the page's for this one
// frame.
function snapshot(root, plan, colour) {
  const state = root.cklvGl;
  if (!state || !state.size[0]) return null;
  const { gl } = state;
  const [width, height] = state.size;
  render(root, false, plan || null, 0, colour === undefined ? null : colour);
  const upsideDown = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, upsideDown);
  const filtered = new Uint8Array(width * height * 4);
  const row = width * 4;
  for (let y = 0; y < height; y++) {
    filtered.set(upsideDown.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  }
  const frame = readFrame(state);
  render(root, false);
  return { width, height, filtered: base64(filtered), frame: base64(frame),
    frozen: root.cklvFrozen || null };
}

function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

// Frames per second of the whole chain (camera upload included) with `plan`, over at least
// `seconds` and at least 3 frames; the renderer's name says which GPU (or software) ran it.
function bench(root, seconds, plan) {
  const state = root.cklvGl;
  if (!state || !root.cklvVideo) return null;
  const { gl } = state;
  const one = new Uint8Array(4);
  render(root, true, plan || null);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, one);
  const begin = performance.now();
  let frames = 0;
  while (frames < 3 || performance.now() - begin < seconds * 1000) {
    render(root, true, plan || null);
    // Reading a pixel waits for the GPU: the time is the frame's, not the queue's.
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, one);
    frames += 1;
  }
  const elapsed = (performance.now() - begin) / 1000;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return { fps: frames / elapsed, frames, size: state.size,
    renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER) };
}
