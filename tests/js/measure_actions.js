#!/usr/bin/env node
// Measure every button title of Adaptive Cards rendered by the official renderer (npm adaptivecards 3.0.6) in
// headless Chromium: does the title fit its button on one line, or does the renderer cut it with an ellipsis?
//
// usage:  node measure_actions.js CARDS.json WIDTH
//   CARDS.json: [{"name": "...", "card": {...}}, ...]; WIDTH: the card's width in px (Teams' narrow: 400).
// stdout: a JSON array, one entry per button, in card order:
//   {card, title, textWidth, boxWidth, fits, alone}
//   textWidth: the title's rendered width in px; boxWidth: the room the button gives it (inside padding);
//   fits: no ellipsis (the title is not cut).
//   Each button is measured twice: `alone: true` (vertical, stretched: the label against the full width) and
//   `alone: false` (the host's own horizontal row, shared with the card's other buttons).
// exit 1 on any failure. Same page, host config, fonts and network rules as render_cards.js.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");
const { CHROMIUM_FLAGS } = require("./chromium.js");
const { HOST_CONFIG, PAGE_CSS, RENDERER, isLoopback, processMarkdown } = require("./render_cards.js");

async function main() {
  const [cardsFile, widthArg] = process.argv.slice(2);
  const width = Number(widthArg);
  if (!cardsFile || !Number.isInteger(width) || width < 200) {
    console.error("usage: node measure_actions.js CARDS.json WIDTH");
    process.exit(2);
  }
  const cards = JSON.parse(fs.readFileSync(cardsFile, "utf8"));
  if (!Array.isArray(cards)) throw new Error(`${cardsFile}: expected a JSON array of {name, card}`);

  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) throw new Error(`chromium not found at ${executablePath}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "measure-actions-"));
  const home = path.join(tmp, "home");
  fs.mkdirSync(home);
  const context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache") },
    viewport: { width: width + 100, height: 800 },
    deviceScaleFactor: 1,
    serviceWorkers: "block",
  });
  let results;
  try {
    await context.route("**/*", (route) =>
      isLoopback(route.request().url()) ? route.continue() : route.abort("blockedbyclient"));
    const page = context.pages()[0] || (await context.newPage());
    const css = PAGE_CSS.replace(/\.card-frame \{ width: \d+px;/, `.card-frame { width: ${width}px;`);
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head>` +
      `<body><div id="stage"><div class="card-frame" id="frame"></div></div></body></html>`);
    await page.addScriptTag({ path: RENDERER });
    await page.evaluate(() => document.fonts.ready);
    results = await page.evaluate(
      ({ hostConfig, md, cards }) => {
        // eslint-disable-next-line no-new-func
        AdaptiveCards.AdaptiveCard.onProcessMarkdown = new Function(`return (${md})`)();
        const layouts = [
          { alone: true, config: new AdaptiveCards.HostConfig({ ...hostConfig,
            actions: { ...hostConfig.actions, actionsOrientation: "vertical", actionAlignment: "stretch" } }) },
          { alone: false, config: new AdaptiveCards.HostConfig(hostConfig) },
        ];
        const out = [];
        const frame = document.getElementById("frame");
        for (const { name, card: json } of cards) {
          for (const { alone, config } of layouts) {
            frame.replaceChildren();
            const card = new AdaptiveCards.AdaptiveCard();
            card.hostConfig = config;
            card.parse(json, new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5));
            const el = card.render();
            if (!el) throw new Error(`${name}: card.render() returned nothing`);
            frame.appendChild(el);
            for (const button of frame.querySelectorAll(".ac-pushButton")) {
              const title = button.lastElementChild; // the renderer's title <div> (after any icon)
              const range = document.createRange();
              range.selectNodeContents(title);
              const textWidth = range.getBoundingClientRect().width;
              // The room the button gives its title: its width inside padding (the title <div> itself only
              // shrink-wraps the text, so its own width says nothing when the text fits).
              const style = getComputedStyle(button);
              const boxWidth = button.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
              out.push({
                card: name,
                title: title.innerText,
                textWidth: Math.round(textWidth * 10) / 10,
                boxWidth: Math.round(boxWidth * 10) / 10,
                fits: title.scrollWidth <= title.clientWidth && textWidth <= boxWidth + 0.5,
                alone,
              });
            }
          }
        }
        return out;
      },
      { hostConfig: HOST_CONFIG, md: processMarkdown.toString(), cards },
    );
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results) + "\n");
}

main().catch((err) => {
  console.error(`measure_actions: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
