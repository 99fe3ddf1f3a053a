import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { compileStandIns } from "../../services/devchain/contracts/build";
import { loadStandIn, readArtifacts, STAND_IN_CONTRACTS } from "../../services/devchain/contracts/artifacts";

const CONTRACTS_DIR = path.join(__dirname, "../../services/devchain/contracts");

describe("stand-in exchange build", () => {
  const committed = readArtifacts();

  it("records the hash of each committed source", () => {
    for (const name of STAND_IN_CONTRACTS) {
      const source = readFileSync(path.join(CONTRACTS_DIR, committed.contracts[name].source));
      expect(createHash("sha256").update(source).digest("hex")).toBe(committed.contracts[name].sourceSha256);
    }
  });

  it("recompiles to exactly the committed artifacts (run build.ts after editing a .sol file)", () => {
    expect(compileStandIns()).toEqual(committed);
  }, 30_000);

  it("loads with typed ABIs whose events are the listener's", () => {
    expect(loadStandIn("StandInExchangeV1").deployedBytecode).toMatch(/^0x60/);
    expect(loadStandIn("StandInExchangeV2").abi.map((item) => item.type)).toContain("event");
  });
});
