// The client display: draws what motionmusic sends, nothing else. Positions arrive in picture
// heights, already mirrored; zones as sectors (screen degrees, 0 down, 90 right). Calm by design:
// nothing changes its look more often than 3 times a second, and with reduced motion nothing moves
// but the figure.
"use strict";

const MIN_FLIP_MS = 334; // a zone lights or darkens at most 3 times a second
const BURST_MS = 700; // a reached target's ring grows and fades over this long
const BURST_GAP_MS = 400; // and never starts again sooner
const BONES = [
  ["left_shoulder", "right_shoulder"], ["left_shoulder", "left_elbow"],
  ["left_elbow", "left_wrist"], ["right_shoulder", "right_elbow"],
  ["right_elbow", "right_wrist"], ["left_shoulder", "left_hip"],
  ["right_shoulder", "right_hip"], ["left_hip", "right_hip"],
];
const PLACES = {
  in: "In view",
  partly: "Partly in view: move to the middle",
  unsteady: "Tracking unsteady: move closer or add light",
  out: "Not in view",
};

const canvas = document.getElementById("stage");
const ctx = canvas.getContext("2d");
const placeText = document.getElementById("place");
const noteText = document.getElementById("note");
let settings = {
  colours: { background: "#101418", figure: "#f0f0f0", target: "#2f6fb0",
             reached: "#ffd23f", text: "#f0f0f0" },
  large_text: false, reduced_motion: false,
};
let settingsText = "";
let frame = null;
let connected = false;
let reference = null; // where the body is and how big: {cx, cy, unit} in picture heights
const zoneLook = {}; // feature -> {lit, since}: the lit state shown, and when it last changed
const reachedSeen = {}; // feature -> the `reached` count last drawn
const bursts = {}; // feature -> start time of its burst
const lags = []; // ms from the app offering a frame to this page drawing it (the last 300)
let arrived = null; // {lag so far, when} of the newest message, until it is drawn

function connect() {
  const token = new URLSearchParams(location.search).get("token");
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  const ws = new WebSocket(`ws://${location.host}/ws${query}`);
  ws.onopen = () => { connected = true; };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    arrived = { lag: Date.now() - message.t, at: performance.now() };
    applySettings(message.settings);
    frame = message.frame;
    follow(frame.points);
    noticeBursts(frame.zones, performance.now());
  };
  ws.onclose = () => {
    connected = false;
    setTimeout(connect, 1000); // the app restarted, or the network blinked: try again
  };
}

function applySettings(next) {
  const text = JSON.stringify(next);
  if (text === settingsText) return;
  settingsText = text;
  settings = next;
  document.body.style.background = next.colours.background;
  document.body.style.color = next.colours.text;
  document.body.classList.toggle("large", next.large_text);
}

function noticeBursts(zones, now) {
  for (const zone of zones) {
    const before = reachedSeen[zone.feature];
    reachedSeen[zone.feature] = zone.reached;
    if (before === undefined || zone.reached <= before) continue;
    const last = bursts[zone.feature];
    if (last === undefined || now - last >= BURST_GAP_MS) bursts[zone.feature] = now;
  }
}

function shownLit(zone, now) {
  const look = zoneLook[zone.feature] || (zoneLook[zone.feature] = { lit: false, since: -1e9 });
  if (zone.inside !== look.lit && now - look.since >= MIN_FLIP_MS) {
    look.lit = zone.inside;
    look.since = now;
  }
  return look.lit;
}

function resize() {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(window.innerWidth * ratio);
  canvas.height = Math.round(window.innerHeight * ratio);
}

function bodyReference(points) {
  // the client's own size and place: shoulders' middle, and a unit of the larger of shoulder
  // width and (most of) the torso's length, so the figure fills the screen wherever they stand
  const ls = points.left_shoulder;
  const rs = points.right_shoulder;
  if (!ls || !rs) return null;
  const cx = (ls[0] + rs[0]) / 2;
  const cy = (ls[1] + rs[1]) / 2;
  let unit = Math.hypot(ls[0] - rs[0], ls[1] - rs[1]);
  const lh = points.left_hip;
  const rh = points.right_hip;
  if (lh && rh) unit = Math.max(unit, 0.8 * Math.hypot((lh[0] + rh[0]) / 2 - cx, (lh[1] + rh[1]) / 2 - cy));
  return { cx, cy, unit };
}

function follow(points) {
  // eased (a third of a second), so the figure never jumps when a hand is lost for a frame
  const seen = bodyReference(points);
  if (seen === null) return;
  if (reference === null) {
    reference = seen;
    return;
  }
  for (const key of ["cx", "cy", "unit"]) reference[key] += 0.1 * (seen[key] - reference[key]);
}

function layout(aspect) {
  // the body fitted to the screen: 6.4 units across (arms and their zones out to both sides),
  // 5 high with the shoulders below the middle (arms and zones overhead); before any body, the
  // whole picture
  if (reference === null) {
    const scale = Math.min(canvas.width / aspect, canvas.height) * 0.9;
    return { scale, x0: (canvas.width - aspect * scale) / 2, y0: (canvas.height - scale) / 2 };
  }
  const scale = Math.min(canvas.width / 6.4, canvas.height / 5) / reference.unit;
  return {
    scale,
    x0: canvas.width / 2 - reference.cx * scale,
    y0: canvas.height * 0.58 - reference.cy * scale,
  };
}

function toScreen(point, fit) {
  return [fit.x0 + point[0] * fit.scale, fit.y0 + point[1] * fit.scale];
}

function sectorAngle(degrees) {
  // screen degrees (0 down, 90 right) to the canvas's (0 right, clockwise)
  return ((90 - degrees) * Math.PI) / 180;
}

function drawZone(zone, fit, now) {
  const [px, py] = toScreen(zone.pivot, fit);
  const radius = zone.radius * fit.scale * 1.15;
  const lit = shownLit(zone, now);
  const colours = settings.colours;
  ctx.beginPath();
  ctx.moveTo(px, py);
  // canvas angles run the other way round: draw from `to` back to `from`
  ctx.arc(px, py, radius, sectorAngle(zone.to), sectorAngle(zone.from));
  ctx.closePath();
  ctx.globalAlpha = lit ? 0.75 : 0.35;
  ctx.fillStyle = lit ? colours.reached : colours.target;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.lineWidth = Math.max(2, radius * 0.02);
  ctx.strokeStyle = lit ? colours.reached : colours.target;
  ctx.stroke();
  const start = bursts[zone.feature];
  if (start === undefined) return;
  const age = (now - start) / BURST_MS;
  if (age >= 1) return;
  if (settings.reduced_motion) {
    // no movement: the whole zone glows, steady, for the burst's time
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = colours.reached;
    ctx.beginPath();
    ctx.moveTo(px, py);
    ctx.arc(px, py, radius, sectorAngle(zone.to), sectorAngle(zone.from));
    ctx.closePath();
    ctx.fill();
    ctx.globalAlpha = 1;
    return;
  }
  ctx.globalAlpha = 1 - age * age; // grows and fades smoothly: no flash
  ctx.strokeStyle = colours.reached;
  ctx.lineWidth = radius * 0.08;
  ctx.beginPath();
  ctx.arc(px, py, radius * (1 + 0.25 * age), sectorAngle(zone.to), sectorAngle(zone.from));
  ctx.stroke();
  ctx.globalAlpha = 1;
}

function drawFigure(points, fit) {
  ctx.strokeStyle = settings.colours.figure;
  ctx.fillStyle = settings.colours.figure;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  const unit = reference ? reference.unit * fit.scale : fit.scale * 0.1;
  ctx.lineWidth = unit * 0.24; // thick limbs: seen from across the room
  for (const [a, b] of BONES) {
    if (!(a in points && b in points)) continue;
    const [ax, ay] = toScreen(points[a], fit);
    const [bx, by] = toScreen(points[b], fit);
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(bx, by);
    ctx.stroke();
  }
  if ("nose" in points) {
    const [nx, ny] = toScreen(points.nose, fit);
    let size = unit * 0.45;
    if ("left_ear" in points && "right_ear" in points) {
      const [lx, ly] = toScreen(points.left_ear, fit);
      const [rx, ry] = toScreen(points.right_ear, fit);
      size = Math.max(size * 0.6, Math.hypot(lx - rx, ly - ry) * 0.75);
    }
    ctx.beginPath();
    ctx.arc(nx, ny, size, 0, 2 * Math.PI);
    ctx.fill();
  }
}

function drawPlace(place) {
  // colour, shape and words, never colour alone: a filled disc with a tick, a half disc, a ring
  // with a cross
  const unit = settings.large_text ? 34 : 22;
  const ratio = window.devicePixelRatio || 1;
  const r = unit * ratio;
  const cx = 2.2 * r;
  const cy = 2.2 * r;
  const look = place === "unsteady" ? "partly" : place; // a half disc: in view, not well seen
  const colour = settings.colours[look] || settings.colours.text;
  ctx.lineWidth = r * 0.22;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, 2 * Math.PI);
  ctx.stroke();
  if (place === "in") {
    ctx.fill();
    ctx.strokeStyle = settings.colours.background;
    ctx.beginPath();
    ctx.moveTo(cx - 0.5 * r, cy);
    ctx.lineTo(cx - 0.1 * r, cy + 0.4 * r);
    ctx.lineTo(cx + 0.55 * r, cy - 0.4 * r);
    ctx.stroke();
  } else if (look === "partly") {
    ctx.beginPath();
    ctx.arc(cx, cy, r, Math.PI / 2, (3 * Math.PI) / 2);
    ctx.fill();
  } else {
    ctx.beginPath();
    ctx.moveTo(cx - 0.45 * r, cy - 0.45 * r);
    ctx.lineTo(cx + 0.45 * r, cy + 0.45 * r);
    ctx.moveTo(cx + 0.45 * r, cy - 0.45 * r);
    ctx.lineTo(cx - 0.45 * r, cy + 0.45 * r);
    ctx.stroke();
  }
  placeText.textContent = PLACES[place] || "";
  placeText.style.color = colour;
}

function drawNote(note, muted) {
  // the sounding note: a disc at its height on the right, in its colour, its name beside it
  if (muted) {
    noteText.textContent = "muted";
    return;
  }
  if (!note) {
    noteText.textContent = "";
    return;
  }
  const margin = canvas.height * 0.1;
  const y = canvas.height - margin - note.height * (canvas.height - 2 * margin);
  const x = canvas.width - canvas.width * 0.06;
  const r = canvas.height * (0.025 + 0.035 * note.amp);
  ctx.fillStyle = note.colour;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
  noteText.textContent = note.name;
}

function pointerLayout(pointer) {
  // the zones' band, centred: its rectangle and each zone's size, in canvas pixels
  const size = settings.pointer_size || 0.5;
  const height = canvas.height * size;
  const width = canvas.width * 0.92;
  return {
    x0: (canvas.width - width) / 2,
    y0: (canvas.height - height) / 2,
    width,
    height,
    cell: { w: width / pointer.columns, h: height / pointer.rows },
  };
}

function drawPointer(pointer) {
  // large zones in their notes' colours, dim until the one the pointer dwells on sounds; the
  // pointer a white disc, its dwell a ring closing around it
  const box = pointerLayout(pointer);
  const ratio = window.devicePixelRatio || 1;
  const gap = 6 * ratio;
  ctx.font = `bold ${(settings.large_text ? 44 : 30) * ratio}px sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  pointer.zones.forEach((zone, i) => {
    const column = i % pointer.columns;
    const row = Math.floor(i / pointer.columns);
    const x = box.x0 + column * box.cell.w + gap / 2;
    const y = box.y0 + (pointer.rows - 1 - row) * box.cell.h + gap / 2;
    const sounding = pointer.sounding === i;
    ctx.globalAlpha = sounding ? 1.0 : pointer.zone === i ? 0.55 : 0.3;
    ctx.fillStyle = zone.colour;
    ctx.fillRect(x, y, box.cell.w - gap, box.cell.h - gap);
    ctx.globalAlpha = 1.0;
    ctx.fillStyle = sounding && bright(zone.colour) ? "#000000" : settings.colours.text;
    ctx.fillText(zone.note, x + (box.cell.w - gap) / 2, y + (box.cell.h - gap) * 0.2);
  });
  ctx.textBaseline = "alphabetic";
  if (pointer.x === null) return;
  const px = box.x0 + pointer.x * box.width;
  const py = box.y0 + (1 - pointer.y) * box.height;
  const r = Math.min(box.cell.w, box.cell.h) * 0.12;
  ctx.fillStyle = settings.colours.figure;
  ctx.beginPath();
  ctx.arc(px, py, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.lineWidth = r * 0.35;
  ctx.strokeStyle = settings.colours.background; // the dwell ring, outlined: seen on any zone
  ctx.beginPath();
  ctx.arc(px, py, r * 1.6, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.strokeStyle = settings.colours.figure;
  ctx.lineWidth = r * 0.22;
  ctx.beginPath();
  ctx.arc(px, py, r * 1.6, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * pointer.progress);
  ctx.stroke();
}

function bright(colour) {
  // a light colour (#rrggbb) wants dark writing on it
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150;
}

function drawGestures(gestures) {
  // a bar per gesture along the bottom: how far the face or finger is, a line at the threshold,
  // the hold filling beneath it, and the bar lit (with its name in capitals) while it is on
  if (!gestures || gestures.length === 0) return;
  const ratio = window.devicePixelRatio || 1;
  const count = gestures.length;
  const gap = canvas.width * 0.02;
  const width = Math.min(canvas.width * 0.16, (canvas.width * 0.8 - gap * (count - 1)) / count);
  const height = canvas.height * 0.28;
  const left = (canvas.width - (count * width + (count - 1) * gap)) / 2;
  const bottom = canvas.height * 0.9;
  ctx.font = `${(settings.large_text ? 30 : 20) * ratio}px sans-serif`;
  ctx.textAlign = "center";
  gestures.forEach((gesture, i) => {
    const x = left + i * (width + gap);
    const colour = gesture.on ? settings.colours.reached : settings.colours.target;
    ctx.lineWidth = 3 * ratio;
    ctx.strokeStyle = settings.colours.figure;
    ctx.strokeRect(x, bottom - height, width, height);
    ctx.fillStyle = colour;
    ctx.fillRect(x, bottom - height * gesture.level, width, height * gesture.level);
    const line = bottom - height * gesture.threshold;
    ctx.strokeStyle = settings.colours.text;
    ctx.setLineDash([8 * ratio, 6 * ratio]);
    ctx.beginPath();
    ctx.moveTo(x, line);
    ctx.lineTo(x + width, line);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = settings.colours.reached;
    ctx.fillRect(x, bottom + 6 * ratio, width * gesture.progress, 8 * ratio);
    ctx.fillStyle = settings.colours.text;
    const name = gesture.on ? gesture.name.toUpperCase() : gesture.name;
    ctx.fillText(name, x + width / 2, bottom + 40 * ratio);
  });
}

function draw() {
  render(performance.now());
  requestAnimationFrame(draw);
}

function render(now) {
  // one picture of the newest frame (a test calls it too, to photograph a frame it can measure)
  if (arrived !== null) {
    lags.push(arrived.lag + (now - arrived.at));
    if (lags.length > 300) lags.shift();
    arrived = null;
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!connected || frame === null) {
    placeText.textContent = "waiting for motionmusic…";
    noteText.textContent = "";
  } else {
    const fit = layout(frame.aspect);
    if (frame.place !== "out") {
      for (const zone of frame.zones) drawZone(zone, fit, now);
      drawFigure(frame.points, fit);
    }
    if (frame.pointer) drawPointer(frame.pointer);
    drawGestures(frame.gestures);
    drawPlace(frame.place);
    drawNote(frame.note, frame.muted);
  }
}

window.addEventListener("resize", resize);
resize();
connect();
requestAnimationFrame(draw);
