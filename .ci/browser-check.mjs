// Real-browser check (issue 9): every notebook in notebooks/ is executed with the runner, exported to
// HTML twice — by the runner itself and by Jupyter's nbconvert — and each page is opened in Debian's
// headless Chromium: every plotly figure must have rendered and the page must log no errors.
// Screenshots and pages stay in out/browser/ as CI output.
/* global document -- the callbacks given to evaluate() and waitForFunction() run in the page */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "out", "browser");
mkdirSync(out, { recursive: true });
const cli = join(root, "dist", "notebook", "cli.js");

const pages = [];
for (const nb of readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort()) {
  const name = basename(nb, ".ipynb");
  const executed = join(out, `${name}.ipynb`);
  const html = join(out, `${name}.html`);
  execFileSync(process.execPath, [cli, "run", join(root, "notebooks", nb), "-o", executed, "--html", html], { stdio: "inherit" });
  pages.push(html);
  execFileSync("/usr/bin/python3", ["-m", "nbconvert", "--to", "html", "--output-dir", out, "--output", `${name}.nbconvert`, executed], { stdio: "inherit" });
  pages.push(join(out, `${name}.nbconvert.html`));
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});
let failures = 0;
let figuresSeen = 0;
for (const page of pages) {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  const errors = [];
  tab.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  tab.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  // Pages must work offline: only file: URLs may load.
  await tab.route(/^(?!file:)/, (r) => r.abort());
  await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
  const figures = await tab.locator(".hypernote-figure").count();
  await tab.waitForFunction((n) => document.querySelectorAll(".hypernote-figure .main-svg").length >= n, figures, { timeout: 60_000 }).catch(() => undefined);
  const drawn = await tab.locator(".hypernote-figure .main-svg").count();
  const rendered = await tab.evaluate(() => document.querySelectorAll(".hypernote-figure[data-drawn]").length);
  await tab.screenshot({ path: page.replace(/\.html$/, ".png"), fullPage: false });
  figuresSeen += figures;
  const ok = errors.length === 0 && rendered === figures && (figures === 0 || drawn >= figures);
  console.log(`${ok ? "ok  " : "FAIL"} ${basename(page)}: ${rendered}/${figures} figures drawn${errors.length ? `; ${errors.length} error(s): ${errors.slice(0, 3).join(" | ")}` : ""}`);
  if (!ok) failures++;
  await tab.close();
}
await browser.close();
if (figuresSeen === 0) {
  console.log("FAIL no page had a figure: the check would be vacuous");
  failures++;
}
console.log(`browser check: ${pages.length - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
