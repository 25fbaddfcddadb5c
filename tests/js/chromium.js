// Flags every headless Chromium of the test tools starts with: no GPU, and no background networking, so the
// browser itself never tries to reach beyond loopback (tests reach only 127.0.0.0/8 and ::1, see
// CONTRIBUTING.md). Shared by render_cards.js and ui_driver.js.
"use strict";

const CHROMIUM_FLAGS = Object.freeze([
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]);

module.exports = { CHROMIUM_FLAGS };
