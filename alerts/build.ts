/** `npm run build:rules [-- <dir>]`: writes the rule files to build/rules/ (or <dir>) for promtool and review. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderRuleFiles } from "./render";

export function writeRuleFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return renderRuleFiles().map(({ file, content }) => {
    const path = join(dir, file);
    writeFileSync(path, content);
    return path;
  });
}

if (require.main === module) {
  for (const path of writeRuleFiles(resolve(process.argv[2] ?? join(__dirname, "..", "build", "rules"))))
    console.log(path);
}
