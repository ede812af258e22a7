// Bundles the studio for the server assembly (no CDN, no eval: the page's CSP is script-src 'self').
//   node build.mjs [--out DIR]   -> DIR/studio.js, studio.css, studio.html (default obj/studio)
//   node build.mjs --tests       -> obj/tests/*.test.mjs for `node --test`
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const common = { bundle: true, format: "esm", target: "es2022", jsx: "automatic", jsxImportSource: "preact", logLevel: "warning" };

if (args.includes("--tests")) {
  const tests = readdirSync("test").filter(f => f.endsWith(".test.ts")).map(f => join("test", f));
  await build({ ...common, entryPoints: tests, outdir: "obj/tests", platform: "node", outExtension: { ".js": ".mjs" }, entryNames: "[name]" });
} else {
  const out = outIndex >= 0 ? args[outIndex + 1] : "obj/studio";
  mkdirSync(out, { recursive: true });
  await build({ ...common, entryPoints: ["src/main.tsx"], outfile: join(out, "studio.js"), minify: true, sourcemap: false, legalComments: "none" });
  copyFileSync("src/studio.css", join(out, "studio.css"));
  copyFileSync("src/studio.html", join(out, "studio.html"));
}
