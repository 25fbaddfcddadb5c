#!/usr/bin/env node
// Render Adaptive Cards to PNG with the official renderer (npm adaptivecards 3.0.6) in headless Chromium.
//
// usage:  node render_cards.js CARDS.json OUTDIR
//   CARDS.json: [{"name": "diagnosis-stale-en", "card": {...}}, ...]; name = file stem ([A-Za-z0-9._-]+).
//   writes OUTDIR/<name>.png (the rendered card element only, Teams-like host config, 450 px wide).
// stdout: a JSON array, one entry per card, in order: {name, file, width, height, warnings: [...]}.
// exit 1 on any failure (bad input, render error, browser missing), message on stderr.
//
// Chromium: Debian `chromium` (apt), or $CHROMIUM. One browser for all cards. No network at all: a fresh
// user-data dir and HOME, the flags of chromium.js, and a route that aborts every non-loopback request
// (the page is built with setContent and the renderer is injected inline, so nothing needs fetching).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const RENDERER = require.resolve("adaptivecards/dist/adaptivecards.min.js");
const CARD_WIDTH = 450;
const { CHROMIUM_FLAGS } = require("./chromium.js");

// Teams-like (light theme) host config.
const HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, 'Helvetica Neue', 'Liberation Sans', 'DejaVu Sans', sans-serif",
  supportsInteractivity: true,
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E1DFDD" },
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
  lineHeights: { small: 16, default: 20, medium: 20, large: 24, extraLarge: 32 },
  containerStyles: {
    default: {
      backgroundColor: "#FFFFFF",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        dark: { default: "#252424", subtle: "#484644" },
        light: { default: "#FFFFFF", subtle: "#F3F2F1" },
        accent: { default: "#6264A7", subtle: "#8B8CC7" },
        good: { default: "#237B4B", subtle: "#4C9A6E" },
        warning: { default: "#835C00", subtle: "#A37C1F" },
        attention: { default: "#C4314B", subtle: "#D0687A" },
      },
    },
    emphasis: {
      backgroundColor: "#F5F5F5",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        accent: { default: "#6264A7", subtle: "#8B8CC7" },
        good: { default: "#237B4B", subtle: "#4C9A6E" },
        warning: { default: "#835C00", subtle: "#A37C1F" },
        attention: { default: "#C4314B", subtle: "#D0687A" },
      },
    },
  },
  actions: {
    maxActions: 6,
    spacing: "default",
    buttonSpacing: 8,
    showCard: { actionMode: "inline", inlineTopMargin: 16 },
    actionsOrientation: "horizontal",
    actionAlignment: "left",
    iconPlacement: "leftOfTitle",
    iconSize: 16,
  },
  factSet: {
    title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 150 },
    value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
    spacing: 8,
  },
  textBlock: { headingLevel: 2 },
};

// The renderer ships no CSS for buttons; these approximate Teams' Fluent buttons.
const PAGE_CSS = `
  html, body { margin: 0; padding: 0; background: #FFFFFF; }
  body { font-family: ${HOST_CONFIG.fontFamily}; -webkit-font-smoothing: antialiased; }
  #stage { padding: 12px; display: inline-block; background: #FFFFFF; }
  .card-frame { width: ${CARD_WIDTH}px; box-sizing: border-box; border: 1px solid #E0E0E0; border-radius: 6px;
                overflow: hidden; background: #FFFFFF; box-shadow: 0 1px 2px rgba(0,0,0,0.12); }
  .ac-pushButton { font-family: inherit; font-size: 14px; font-weight: 600; color: #242424; background: #FFFFFF;
                   border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 12px; min-height: 32px;
                   cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .ac-pushButton.style-positive, .ac-pushButton.primary { background: #5B5FC7; border-color: #5B5FC7; color: #FFFFFF; }
  .ac-pushButton.style-destructive { color: #C4314B; border-color: #C4314B; }
  .ac-textBlock a { color: #5B5FC7; text-decoration: none; }
  .ac-textBlock p { margin: 0; }
`;

// Minimal markdown (what Teams supports in TextBlocks, roughly): **bold**, _italic_/*italic*, [text](url),
// "- " bullet lines, line breaks. HTML in the text is escaped first.
function processMarkdown(text, result) {
  const escape = (s) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const inline = (s) =>
    escape(s)
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label, url) =>
        /^(https?:|mailto:)/i.test(url.replace(/&amp;/g, "&")) ? `<a href="${url}" target="_blank">${label}</a>` : label)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, "$1<em>$2</em>")
      .replace(/(^|[^\w])_([^_\s][^_]*)_(?!\w)/g, "$1<em>$2</em>");
  const html = String(text)
    .split(/\n{2,}/)
    .map((para) => {
      const lines = para.split("\n");
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ""))}</li>`).join("")}</ul>`;
      }
      return `<p>${lines.map(inline).join("<br>")}</p>`;
    })
    .join("");
  result.outputHtml = html;
  result.didProcess = true;
}

function isLoopback(url) {
  try {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:" || url === "about:blank") return true;
    const host = u.hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}

function readCards(file) {
  const cards = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(cards)) throw new Error(`${file}: expected a JSON array of {name, card}`);
  const seen = new Set();
  for (const [i, entry] of cards.entries()) {
    if (!entry || typeof entry.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(entry.name)) {
      throw new Error(`${file}[${i}]: name must match [A-Za-z0-9._-]+, got ${JSON.stringify(entry && entry.name)}`);
    }
    if (seen.has(entry.name)) throw new Error(`${file}[${i}]: duplicate name ${entry.name}`);
    seen.add(entry.name);
    if (!entry.card || typeof entry.card !== "object") throw new Error(`${file}[${i}] (${entry.name}): no card`);
  }
  return cards;
}

async function main() {
  const [cardsFile, outDir] = process.argv.slice(2);
  if (!cardsFile || !outDir) {
    console.error("usage: node render_cards.js CARDS.json OUTDIR");
    process.exit(2);
  }
  const cards = readCards(cardsFile);
  fs.mkdirSync(outDir, { recursive: true });

  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(`chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-cards-"));
  const home = path.join(tmp, "home");
  const profile = path.join(tmp, "profile");
  fs.mkdirSync(home);
  const blocked = [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache") },
    viewport: { width: CARD_WIDTH + 100, height: 800 },
    deviceScaleFactor: 1,
    offline: false,
    serviceWorkers: "block",
  });
  const results = [];
  try {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      blocked.push(url);
      return route.abort("blockedbyclient");
    });
    const page = context.pages()[0] || (await context.newPage());
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${PAGE_CSS}</style></head>` +
      `<body><div id="stage"><div class="card-frame" id="frame"></div></div></body></html>`);
    await page.addScriptTag({ path: RENDERER });
    await page.evaluate(
      ({ hostConfig, md }) => {
        // eslint-disable-next-line no-new-func
        const processMarkdown = new Function(`return (${md})`)();
        AdaptiveCards.AdaptiveCard.onProcessMarkdown = processMarkdown;
        window.__hostConfig = new AdaptiveCards.HostConfig(hostConfig);
        window.__renderCard = (json) => {
          const frame = document.getElementById("frame");
          frame.replaceChildren();
          const card = new AdaptiveCards.AdaptiveCard();
          card.hostConfig = window.__hostConfig;
          const ctx = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
          card.parse(json, ctx);
          const warnings = [];
          for (let i = 0; i < ctx.eventCount; i++) warnings.push(ctx.getEventAt(i).message);
          const el = card.render();
          if (!el) throw new Error("card.render() returned nothing");
          frame.appendChild(el);
          return warnings;
        };
      },
      { hostConfig: HOST_CONFIG, md: processMarkdown.toString() },
    );
    for (const { name, card } of cards) {
      let warnings;
      try {
        warnings = await page.evaluate((json) => window.__renderCard(json), card);
      } catch (err) {
        throw new Error(`${name}: render failed: ${err.message}`);
      }
      await page.evaluate(() => document.fonts.ready);
      const stage = page.locator("#stage");
      const file = path.join(outDir, `${name}.png`);
      await stage.screenshot({ path: file, animations: "disabled" });
      const box = await stage.boundingBox();
      results.push({ name, file, width: Math.round(box.width), height: Math.round(box.height), warnings });
    }
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (blocked.length) console.error(`render_cards: blocked ${blocked.length} non-loopback request(s): ${blocked.slice(0, 5).join(", ")}`);
  process.stdout.write(JSON.stringify(results, null, 1) + "\n");
}

module.exports = { HOST_CONFIG, PAGE_CSS, RENDERER, isLoopback, processMarkdown };

if (require.main === module) {
  main().catch((err) => {
    console.error(`render_cards: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}
