/** `npm run build:dashboards [outdir]`: writes each dashboard's JSON to build/dashboards/<uid>.json. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DASHBOARDS, renderDashboard } from "./index";

const outdir = path.resolve(process.argv[2] ?? path.join("build", "dashboards"));
mkdirSync(outdir, { recursive: true });
// A dashboard removed from the list must not survive in the folder as a stale file.
for (const file of readdirSync(outdir)) if (file.endsWith(".json")) rmSync(path.join(outdir, file));
for (const dashboard of DASHBOARDS) {
  writeFileSync(path.join(outdir, `${dashboard.uid}.json`), renderDashboard(dashboard));
}
console.log(`${DASHBOARDS.length} dashboards → ${path.relative(process.cwd(), outdir) || "."}`);
