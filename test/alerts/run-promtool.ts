/** Writes the rule files and the unit tests for them into a temporary directory and runs promtool once on each. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRuleFiles } from "../../alerts/build";
import { ruleFiles } from "../../alerts/rules";
import { promtool, renderTestFile, type TestGroup } from "./promtool-tests";

export interface PromtoolRun {
  check: ReturnType<typeof promtool>;
  test: ReturnType<typeof promtool>;
}

export function runPromtool(groups: TestGroup[]): PromtoolRun {
  const dir = mkdtempSync(join(tmpdir(), "polysync-rules-"));
  try {
    const paths = writeRuleFiles(dir);
    const files = ruleFiles();
    const testFiles = [...new Set(groups.map((g) => g.clock.step))].map((step) => {
      const file = join(dir, `tests-${step}m.yml`);
      writeFileSync(
        file,
        renderTestFile(
          files,
          paths,
          step,
          groups.filter((g) => g.clock.step === step),
        ),
      );
      return file;
    });
    return { check: promtool(["check", "rules", ...paths]), test: promtool(["test", "rules", ...testFiles]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
