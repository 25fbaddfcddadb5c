#!/usr/bin/env node
// UI driver: PhotoSync bot + Microsoft 365 Agents Playground, used through the Playground's web UI in headless
// Chromium (npm playwright-core + Debian chromium), like a person would.
//
// Run it ONLY inside a loopback-only network namespace (the Playground phones home), from the repo root:
//
//   unshare -n sh -c 'ip link set lo up; exec node tests/e2e/ui_driver.js --out DIR'
//
// It starts the bot (`python -m bot`: demo tenant, tmp SQLite, anonymous auth — as tests/e2e/driver.py does)
// and the Playground (reading .m365agentsplayground.yml), then walks the flows below, writing DIR/<name>.png
// per step and DIR/result.json: {ok, errors, elapsed_s, steps: {name: {ok, error, png, card_text, ms}}}.
// It never asserts: tests/e2e/test_playground_ui.py does. Children are always killed (process groups);
// every wait is bounded and a hard deadline ends the whole run within two minutes.
//
// Flows: personal-diagnosis (type "why is my photo old?", Enter, wait for the card), personal-sync-started
// (click "Refresh my photo in SharePoint": a browser tab opens the bot's sync link, which redirects to the
// user's own photo in the demo SharePoint; the card turns into "SharePoint is fetching your photo"),
// personal-sync-fixed (the same card, once the bot's check saw the new picture), personal-dutch ("waarom is
// mijn foto oud?"), channel-mention (General channel: type "@PhotoSync", pick the menuitem, ask, wait).
//
// Env: PYTHON (the interpreter that has the bot installed; the pytest side passes its own; default python3),
// CHROMIUM (default /usr/bin/chromium).
"use strict";

const fs = require("fs");
const os = require("os");
const net = require("net");
const path = require("path");
const http = require("http");
const { spawn } = require("child_process");

const REPO = path.resolve(__dirname, "..", "..");
const JS = path.join(REPO, "tests", "js");
const { chromium } = require(path.join(JS, "node_modules", "playwright-core"));
const PKG = path.join(JS, "node_modules", "@microsoft", "m365agentsplayground");
const CLI = path.join(PKG, "cli.js");
const CONFIG = path.join(REPO, ".m365agentsplayground.yml");

const DEADLINE_MS = 120_000; // hard: kill everything and exit
const STARTUP_MS = 15_000;
const STEP_MS = 10_000; // one UI step (type + wait for the card)
const DEMO_SYNC_S = 2; // the demo SharePoint refreshes a user's picture this long after their own request
const SYNC_MS = 30_000; // from the click to the bot's check that sees it (demo: DEMO_SYNC_S + 2 s + a pass)
const { CHROMIUM_FLAGS } = require("../js/chromium.js");
const VIEWPORT = { width: 1280, height: 1120 }; // tall enough for the question + a whole diagnosis card

const t0 = Date.now();
const elapsed = () => (Date.now() - t0) / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs() {
  const i = process.argv.indexOf("--out");
  if (i < 0 || !process.argv[i + 1]) {
    process.stderr.write("usage: node ui_driver.js --out DIR\n");
    process.exit(2);
  }
  return { out: path.resolve(process.argv[i + 1]) };
}

// Refuse to run with any non-loopback interface up: this must be inside `unshare -n`.
function assertLoopbackOnly() {
  const bad = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs || []) if (!a.internal) bad.push(`${name} ${a.address}`);
  }
  if (bad.length) throw new Error(`non-loopback interfaces present (${bad.join(", ")}): run inside unshare -n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, body: String(e) }));
  });
}

async function waitHttp(url, children) {
  const end = Date.now() + STARTUP_MS;
  let last = "";
  while (Date.now() < end) {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`${c.spawnargs.slice(0, 3).join(" ")} exited (${c.exitCode ?? c.signalCode}) waiting for ${url}`);
      }
    }
    const r = await get(url);
    if (r.status === 200) return;
    last = r.status ? `HTTP ${r.status}` : r.body;
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${STARTUP_MS / 1000} s (${last})`);
}

function startChild(cmd, args, opts, logFile) {
  const fd = fs.openSync(logFile, "w");
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", fd, fd], detached: true });
  fs.closeSync(fd);
  child.on("error", () => {});
  return child;
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  try { process.kill(-child.pid, "SIGTERM"); } catch {}
  if (await Promise.race([gone.then(() => true), sleep(4000).then(() => false)])) return;
  try { process.kill(-child.pid, "SIGKILL"); } catch {}
  await Promise.race([gone, sleep(2000)]);
}

function tail(file, n = 4000) {
  try { return fs.readFileSync(file, "utf8").slice(-n); } catch { return ""; }
}

function pythonExe() {
  if (process.env.PYTHON) return process.env.PYTHON;
  return "python3";
}

// ---------------------------------------------------------------- UI helpers

const isLoopback = (url) => {
  try {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return true;
    return ["127.0.0.1", "localhost", "[::1]", "::1"].includes(u.hostname);
  } catch {
    return false;
  }
};

// The Adaptive Card DOM nodes in the message list (Playground renders them with the official renderer).
const CARD = ".ac-adaptiveCard";
// A diagnosis card's fact label (the welcome card also mentions "SharePoint", so that is not enough).
const DIAGNOSIS = "Out-of-date copy";
const DIAGNOSIS_NL = "Verouderde kopie";
const SYNC_BUTTON = "Refresh my photo in SharePoint";

// Wait until a card shows `pattern` (the clicked card, replaced in place: no new message is posted for it)
// and return it.
async function waitCard(page, pattern, timeout) {
  await page.waitForFunction(
    ([sel, src]) => [...document.querySelectorAll(sel)].some((el) => new RegExp(src).test(el.innerText)),
    [CARD, pattern.source],
    { timeout },
  );
  return page.locator(CARD, { hasText: pattern }).first();
}

async function openChat(page, name) {
  const item = page.getByRole("treeitem", { name, exact: false }).first();
  await item.click({ timeout: STEP_MS });
  await page.locator('[data-lexical-editor="true"]').first().waitFor({ timeout: STEP_MS });
}

async function cardCount(page) {
  return page.locator(CARD).count();
}

// Wait until the number of cards has not changed for `quietMs` (e.g. the welcome card after install).
async function settle(page, quietMs = 700, maxMs = 4000) {
  const end = Date.now() + maxMs;
  let n = await cardCount(page);
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await sleep(100);
    const m = await cardCount(page);
    if (m !== n) { n = m; since = Date.now(); }
  }
}

// Type into the composer and press Enter; wait for a NEW card (index >= the count before sending) whose text
// contains `expect`, and return it.
// (A chat re-render could drop the marks; then an old card could match: `expect` is chosen to avoid that.)
async function ask(page, text, expect, { mention } = {}) {
  await settle(page);
  // Mark the cards already shown: the answer is an unmarked card (channels list the newest post first, so
  // DOM order says nothing).
  const tag = `q${Date.now()}`;
  await page.evaluate(([sel, t]) => document.querySelectorAll(sel).forEach((el) => el.setAttribute("data-seen", t)), [CARD, tag]);
  const editor = page.locator('[data-lexical-editor="true"]').first();
  await editor.click();
  if (mention) {
    await editor.pressSequentially(`@${mention}`, { delay: 30 });
    await page.getByRole("menuitem", { name: new RegExp(mention, "i") }).first().click({ timeout: STEP_MS });
    await editor.pressSequentially(" ", { delay: 10 });
  }
  await editor.pressSequentially(text, { delay: 10 });
  await editor.press("Enter");
  const answer = `a${Date.now()}`;
  await page.waitForFunction(
    ([sel, t, want, mark]) => {
      for (const el of document.querySelectorAll(sel)) {
        if (el.getAttribute("data-seen") !== t && el.innerText.includes(want)) {
          el.setAttribute("data-answer", mark);
          return true;
        }
      }
      return false;
    },
    [CARD, tag, expect, answer],
    { timeout: STEP_MS },
  );
  return page.locator(`${CARD}[data-answer="${answer}"]`);
}

async function shot(page, card, file) {
  // Card bottom (its buttons) at the bottom of the message list, so the question above it shows too.
  await card.evaluate((el) => el.scrollIntoView({ block: "end" }));
  await sleep(300); // let the message list settle (animations, avatar images)
  await page.screenshot({ path: file });
}

// ---------------------------------------------------------------- main

async function main() {
  const { out } = parseArgs();
  fs.mkdirSync(out, { recursive: true });
  const result = { ok: false, errors: [], steps: {}, blocked: [] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "photosync-ui-"));
  const botLog = path.join(tmp, "bot.log");
  const pgLog = path.join(tmp, "playground.log");
  let bot = null;
  let pg = null;
  let context = null;
  let finished = false;

  const finish = async () => {
    if (finished) return;
    finished = true;
    if (context) await Promise.race([context.close().catch(() => {}), sleep(5000)]);
    await Promise.all([stopChild(pg), stopChild(bot)]);
    result.elapsed_s = Math.round(elapsed() * 100) / 100;
    result.bot_log_tail = tail(botLog);
    result.playground_log_tail = tail(pgLog);
    fs.writeFileSync(path.join(out, "result.json"), JSON.stringify(result, null, 1));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const hard = setTimeout(async () => {
    result.errors.push(`run deadline (${DEADLINE_MS / 1000} s) exceeded`);
    result.ok = false;
    await finish();
    process.exit(1);
  }, DEADLINE_MS);

  try {
    assertLoopbackOnly();
    if (!fs.existsSync(CLI)) throw new Error(`Playground package missing: ${CLI} (npm ci in tests/js)`);
    fs.writeFileSync(path.join(PKG, "dist", "server", "config.json"), '{"aiKey": ""}\n'); // no telemetry
    const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
    if (!fs.existsSync(executablePath)) throw new Error(`chromium missing: ${executablePath}`);

    const botPort = await freePort();
    const pgPort = await freePort();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(PHOTOSYNC_|Microsoft|MICROSOFT)/.test(k)),
    );
    bot = startChild(pythonExe(), ["-m", "bot"], {
      cwd: REPO,
      env: {
        ...env,
        PORT: String(botPort),
        PHOTOSYNC_HOST: "127.0.0.1",
        PHOTOSYNC_DATABASE_URL: `sqlite+aiosqlite:///${tmp}/bot.db`,
        PHOTOSYNC_LOG_FORMAT: "text",
        PHOTOSYNC_DEMO_SYNC_SECONDS: String(DEMO_SYNC_S),
        MicrosoftAppId: "",
        MicrosoftAppPassword: "",
      },
    }, botLog);
    pg = startChild("node", [
      CLI, "-e", `http://127.0.0.1:${botPort}/api/messages`, "-c", "msteams", "-p", String(pgPort), "--disable-telemetry",
    ], {
      cwd: tmp, // the Playground writes ./devTools/*.log relative to its cwd
      env: {
        ...env,
        TEAMSAPPTESTER_BROWSER: "none",
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: CONFIG,
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(tmp, "playground-traffic.log"),
      },
    }, pgLog);
    const base = `http://127.0.0.1:${pgPort}`;
    await waitHttp(`${base}/_debug/ping`, [bot, pg]);
    await waitHttp(`http://127.0.0.1:${botPort}/readyz`, [bot, pg]);
    result.startup_s = elapsed();

    const home = path.join(tmp, "home");
    fs.mkdirSync(home);
    context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
      executablePath,
      headless: true,
      args: CHROMIUM_FLAGS,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache") },
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      serviceWorkers: "block",
      locale: "en-US",
      timezoneId: "Europe/Amsterdam",
    });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      result.blocked.push(url);
      return route.abort("blockedbyclient");
    });
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(STEP_MS);
    await page.goto(base, { waitUntil: "domcontentloaded", timeout: 3 * STEP_MS }); // first load: the whole client bundle
    result.browser_ready_s = elapsed();

    const step = async (name, fn) => {
      const s0 = Date.now();
      const rec = { ok: false, error: null, png: null, card_text: null };
      result.steps[name] = rec;
      try {
        const card = await fn();
        rec.card_text = await card.innerText();
        rec.png = path.join(out, `${name}.png`);
        await shot(page, card, rec.png);
        rec.ok = true;
      } catch (e) {
        rec.error = String(e && e.message ? e.message : e).split("\n").slice(0, 6).join("\n");
        try { await page.screenshot({ path: path.join(out, `${name}-FAILED.png`) }); } catch {}
      }
      rec.ms = Date.now() - s0;
      return rec;
    };

    let diagnosisCard = null;
    await step("personal-diagnosis", async () => {
      await openChat(page, "Personal Chat");
      diagnosisCard = await ask(page, "why is my photo old?", DIAGNOSIS);
      return diagnosisCard;
    });

    // The sync loop as a user lives it: click "Refresh my photo in SharePoint" (the browser opens the bot's
    // one-click link, which sends it on to the user's own photo in the demo SharePoint), then watch the same
    // card turn into "SharePoint is fetching your photo" and, once the demo SharePoint has refreshed
    // (PHOTOSYNC_DEMO_SYNC_SECONDS) and the bot's next check saw it, "SharePoint now shows your new photo".
    let started = null;
    await step("personal-sync-started", async () => {
      if (!diagnosisCard) throw new Error("no diagnosis card to click");
      const before = await cardCount(page);
      const opened = context.waitForEvent("page", { timeout: STEP_MS }).catch((e) => e);
      // Teams renders an Action.OpenUrl as a button with the link role (the URL is its title)
      await diagnosisCard.getByRole("link", { name: SYNC_BUTTON }).click();
      const tab = await opened;
      if (tab instanceof Error) throw new Error(`no browser tab opened: ${tab.message}`);
      await tab.waitForLoadState("load", { timeout: STEP_MS });
      result.sync_tab_url = tab.url();
      await tab.close();
      started = await waitCard(page, /SharePoint is fetching your photo/, STEP_MS);
      result.cards_after_sync_start = (await cardCount(page)) - before;
      return started;
    });

    await step("personal-sync-fixed", async () => {
      if (!started) throw new Error("the sync was not started");
      const before = await cardCount(page);
      const fixed = await waitCard(page, /SharePoint now shows your new photo/, SYNC_MS);
      result.cards_after_sync_fixed = (await cardCount(page)) - before;
      return fixed;
    });

    // The web client always sends locale en-US; the answer follows the message's language (Dutch).
    await step("personal-dutch", async () => ask(page, "waarom is mijn foto oud?", DIAGNOSIS_NL));

    await step("channel-mention", async () => {
      await openChat(page, "General");
      return ask(page, "why is my photo old?", DIAGNOSIS, { mention: "PhotoSync" });
    });

    result.errors.push(...Object.entries(result.steps).filter(([, r]) => !r.ok).map(([n, r]) => `${n}: ${r.error}`));
    result.ok = result.errors.length === 0;
  } catch (e) {
    result.errors.push(String(e && e.stack ? e.stack : e));
  } finally {
    clearTimeout(hard);
    await finish();
  }
  process.exit(result.ok ? 0 : 1);
}

main();
