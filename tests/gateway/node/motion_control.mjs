#!/usr/bin/env node
// The calls useapi's published motion-control script (useapi/kling-api,
// motion-control/kling-motion.mjs) makes, in plain Node 20 with no dependencies:
//
//   GET /accounts → POST /assets (the image; the motion video, or a motion of the library)
//   → POST /videos/motion-create (2026 body) → GET /tasks/{id} every few seconds
//   → GET /assets/download → the cdnUrl downloaded without any header → the video on disk.
//
// Pointed at useapi, at MotionHub's gateway or at MotionHub's sandbox alike: only the base URL
// and the token change. Ids are read with JSON.parse, as every Node script does (doubles).
//
//   USEAPI_BASE_URL=http://127.0.0.1:8000/useapi/v1/kling USEAPI_TOKEN=mhk_… \
//     node motion_control.mjs --image person.jpg --video dance.mp4 --out result.mp4
//   (--motion library: the first official motion of GET /videos/motions instead of --video)

import { readFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    image: { type: "string" },
    video: { type: "string" },
    motion: { type: "string", default: "upload" },
    out: { type: "string", default: "result.mp4" },
    prompt: { type: "string", default: "The person dances, smiling." },
    poll: { type: "string", default: process.env.POLL_SECONDS || "20" },
    timeout: { type: "string", default: "600" },
  },
});
const base = (process.env.USEAPI_BASE_URL || "https://api.useapi.net/v1/kling").replace(/\/$/, "");
const token = process.env.USEAPI_TOKEN;
if (!token || !args.image || (args.motion === "upload" && !args.video)) {
  console.error("Set USEAPI_TOKEN and pass --image (and --video, or --motion library).");
  process.exit(2);
}
const auth = { Authorization: `Bearer ${token}` };
const sleep = (seconds) => new Promise((done) => setTimeout(done, seconds * 1000));
const MIME = { ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".mp4": "video/mp4", ".mov": "video/quicktime" };

async function call(method, path, { body, headers = {} } = {}) {
  const response = await fetch(`${base}${path}`, { method, body, headers: { ...auth, ...headers } });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = { error: text }; }
  return { status: response.status, json };
}

function fail(what, answer) {
  console.error(`${what}: HTTP ${answer.status}`, JSON.stringify(answer.json));
  process.exit(1);
}

async function upload(path, email) {
  const type = MIME[extname(path).toLowerCase()];
  const query = email ? `?email=${encodeURIComponent(email)}` : "";
  const answer = await call("POST", `/assets/${query}`, {
    body: await readFile(path), headers: { "Content-Type": type } });
  if (answer.status !== 200) fail(`POST /assets ${path}`, answer);
  return answer.json;
}

const accounts = await call("GET", "/accounts");
if (accounts.status !== 200) fail("GET /accounts", accounts);
const email = Object.values(accounts.json)[0]?.email;
console.log(`account: ${email}`);

const image = await upload(args.image, email);
let motionUrl;
if (args.motion === "library") {
  const motions = await call("GET", `/videos/motions?email=${encodeURIComponent(email)}`);
  if (motions.status !== 200 || !motions.json.length) fail("GET /videos/motions", motions);
  motionUrl = motions.json[0].url ?? motions.json[0].resource?.resource;
} else {
  motionUrl = (await upload(args.video, email)).resourceUrl;
}
console.log(`imageUrl: ${image.url}\nmotionUrl: ${motionUrl}`);

// useapi's script: a 429 (every account busy) waits 10 s and tries again, six times at most.
let created;
for (let attempt = 1; ; attempt++) {
  created = await call("POST", "/videos/motion-create", {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, imageUrl: image.url, motionUrl, model_name: "kling-v3-0",
                           keepAudio: false, motionDirection: "motion_direction", mode: "std",
                           prompt: args.prompt }),
  });
  if (created.status !== 429 || attempt >= 6) break;
  await sleep(10);
}
const taskId = created.json?.task?.id;
if (created.status !== 200 || !taskId) fail("POST /videos/motion-create", created);
console.log(`task: ${taskId}`);

const deadline = Date.now() + Number(args.timeout) * 1000;
let task;
for (;;) {
  task = await call("GET", `/tasks/${taskId}`);
  if (task.status !== 200) fail(`GET /tasks/${taskId}`, task);
  console.log(`status: ${task.json.status_name}`);
  if (task.json.status_final) break;
  if (Date.now() > deadline) fail("timed out waiting for the task", task);
  await sleep(Number(args.poll));
}
if (task.json.status_name !== "succeed") fail("the task failed", task);
const work = task.json.works[0];

let url;
const download = await call("GET", `/assets/download?workIds=${work.workId}&fileTypes=MP4`);
if (download.status === 200 && download.json.cdnUrl) {
  url = download.json.cdnUrl;
} else {
  console.log(`no clean master (${download.status}): the watermarked video instead`);
  url = work.resource.resource;
}
const file = await fetch(url); // no header at all: the URL is all a script has
if (!file.ok) fail(`GET ${url}`, { status: file.status, json: {} });
const bytes = Buffer.from(await file.arrayBuffer());
await writeFile(args.out, bytes);
console.log(`saved: ${args.out} (${bytes.length} bytes)`);
