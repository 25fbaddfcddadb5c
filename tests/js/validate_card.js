#!/usr/bin/env node
// Parse Adaptive Cards with the official renderer (npm adaptivecards 3.0.6) and report every event.
//
// stdin:  a JSON array of card objects.
// stdout: a JSON array, one entry per card, in order:
//   {index, parseEvents: [...], validationEvents: [...], itemCount, actionCount}
// Each event is {phase, event, message} with the enum names resolved ("Parse", "UnknownElementType").
// One process for all cards. No network: the renderer only parses here, nothing is fetched.
"use strict";

const AC = require("adaptivecards/dist/adaptivecards.min.js");

function describe(e) {
  return {
    phase: AC.ValidationPhase[e.phase] ?? e.phase,
    event: AC.ValidationEvent[e.event] ?? e.event,
    message: e.message,
  };
}

function validate(json, index) {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  const parseEvents = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    parseEvents.push(describe(ctx.getEventAt(i)));
  }
  const validationEvents = card.validateProperties().validationEvents.map(describe);
  return {
    index,
    parseEvents,
    validationEvents,
    itemCount: card.getItemCount(),
    actionCount: card.getActionCount(),
  };
}

function main() {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const cards = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (!Array.isArray(cards)) {
      process.stderr.write("validate_card.js: stdin must be a JSON array of cards\n");
      process.exit(2);
    }
    const results = cards.map((json, index) => {
      try {
        return validate(json, index);
      } catch (err) {
        return {
          index,
          parseEvents: [{ phase: "Exception", event: "Exception", message: String(err && err.stack) }],
          validationEvents: [],
          itemCount: -1,
          actionCount: -1,
        };
      }
    });
    process.stdout.write(JSON.stringify(results));
  });
}

main();
