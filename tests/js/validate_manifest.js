#!/usr/bin/env node
// Validate Teams app manifest files (manifest.json, or a language file such as nl-nl.json) against the
// JSON schema that their "$schema" names, with the official validator of npm @microsoft/app-manifest 1.1.2:
// AppManifestUtils.validateAgainstSchema(json, schema).
//
// usage:  node validate_manifest.js FILE [FILE...]
// stdout: {"valid": bool, "results": [{"file", "schema", "schemaFile", "valid", "errors": [string],
//          "schemaFixes": [{"from", "to"}]}]}
// exit:   0 all valid, 1 some file invalid, 2 a file could not be checked (unreadable, or a schema the
//         package does not bundle).
//
// Offline by construction: the schema is read from the package's bundled json-schemas/ folder and handed to
// the validator, so the package's fallback (fetching the $schema URL) can never run. A $schema the package
// does not bundle is an error here, not a download.
// Packaging bug in 1.1.2: the package requires fs-extra without declaring it; package.json installs it.
// Schema bug (every bundled MicrosoftTeams.Localization.schema.json since v1.19): two patternProperties keys
// end in `\b]\.description$` / `\b]\.templateText$`, a lone `]` that ajv's unicode-mode RegExp rejects
// ("Lone quantifier brackets"), so the package cannot compile those schemas at all. A lone `]` outside a
// character class means a literal `]` in non-unicode mode, so escaping it keeps the meaning; we do exactly
// that, only for patterns that fail to compile, and list each rewrite in the result ("schemaFixes").
"use strict";

const fs = require("fs");
const path = require("path");
const { AppManifestUtils } = require("@microsoft/app-manifest");

const PACKAGE_DIR = path.dirname(require.resolve("@microsoft/app-manifest/package.json"));
const SCHEMA_ROOT = path.join(PACKAGE_DIR, "build", "json-schemas");
const SCHEMA_PREFIX = "https://developer.microsoft.com/json-schemas/";

class CheckError extends Error {}

// "https://developer.microsoft.com/[en-us/]json-schemas/teams/v1.24/X.json" -> bundled file path
function bundledSchemaFile(schemaUrl) {
  if (typeof schemaUrl !== "string" || schemaUrl === "") {
    throw new CheckError('no "$schema" property: cannot tell which schema applies');
  }
  let url;
  try {
    url = new URL(schemaUrl);
  } catch {
    throw new CheckError(`"$schema" is not a URL: ${schemaUrl}`);
  }
  const pathname = url.pathname.replace(/^\/[a-z]{2}(?:-[a-z]{2})?(?=\/json-schemas\/)/i, "");
  const normalised = `${url.protocol}//${url.host}${pathname}`;
  if (!normalised.startsWith(SCHEMA_PREFIX)) {
    throw new CheckError(`"$schema" ${schemaUrl} is not a developer.microsoft.com json-schemas URL`);
  }
  const relative = normalised.slice(SCHEMA_PREFIX.length);
  const file = path.resolve(SCHEMA_ROOT, relative);
  if (!file.startsWith(SCHEMA_ROOT + path.sep) || !fs.existsSync(file)) {
    throw new CheckError(
      `"$schema" ${schemaUrl} is not bundled by @microsoft/app-manifest (looked for ${file}); ` +
        "use a schema version the package bundles",
    );
  }
  return file;
}

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CheckError(`cannot read ${what} ${file}: ${err.message}`);
  }
  // the same clean-up the package applies to schemas it loads (\a, \v are not JSON escapes)
  if (what === "schema") text = text.replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b");
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new CheckError(`${what} ${file} is not valid JSON: ${err.message}`);
  }
}

function compilesAsUnicode(pattern) {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

// Escape every `]` that closes no character class: the only rewrite, same meaning as without the u flag.
function escapeLoneBrackets(pattern) {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
    } else if (c === "[" && !inClass) {
      inClass = true;
      out += c;
    } else if (c === "]") {
      out += inClass ? c : "\\]";
      inClass = false;
    } else {
      out += c;
    }
  }
  return out;
}

function fixPattern(pattern, fixes) {
  if (compilesAsUnicode(pattern)) return pattern;
  const fixed = escapeLoneBrackets(pattern);
  if (fixed === pattern || !compilesAsUnicode(fixed)) return pattern; // leave it: ajv will report it
  fixes.push({ from: pattern, to: fixed });
  return fixed;
}

// A copy of the schema whose `pattern` values and `patternProperties` keys all compile in unicode mode.
function unicodeSafeSchema(node, fixes) {
  if (Array.isArray(node)) return node.map((item) => unicodeSafeSchema(item, fixes));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "pattern" && typeof value === "string") {
      out[key] = fixPattern(value, fixes);
    } else if (key === "patternProperties" && value && typeof value === "object") {
      out[key] = {};
      for (const [pattern, sub] of Object.entries(value)) {
        out[key][fixPattern(pattern, fixes)] = unicodeSafeSchema(sub, fixes);
      }
    } else {
      out[key] = unicodeSafeSchema(value, fixes);
    }
  }
  return out;
}

async function check(file) {
  const result = { file, schema: null, schemaFile: null, valid: false, errors: [], schemaFixes: [] };
  try {
    const json = readJson(file, "file");
    result.schema = json.$schema ?? null;
    result.schemaFile = bundledSchemaFile(json.$schema);
    const schema = unicodeSafeSchema(readJson(result.schemaFile, "schema"), result.schemaFixes);
    result.errors = await AppManifestUtils.validateAgainstSchema(json, schema);
    result.valid = result.errors.length === 0;
  } catch (err) {
    result.errors = [err instanceof CheckError ? err.message : String((err && err.stack) || err)];
    result.unchecked = true;
  }
  return result;
}

async function main(argv) {
  if (argv.length === 0) {
    process.stderr.write("usage: node validate_manifest.js FILE [FILE...]\n");
    return 2;
  }
  const results = [];
  for (const file of argv) results.push(await check(path.resolve(file)));
  const valid = results.every((r) => r.valid);
  process.stdout.write(JSON.stringify({ valid, results }, null, 2) + "\n");
  if (results.some((r) => r.unchecked)) return 2;
  return valid ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`validate_manifest.js: ${(err && err.stack) || err}\n`);
    process.exitCode = 2;
  },
);
