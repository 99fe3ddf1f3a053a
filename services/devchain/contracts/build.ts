import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import solc from "solc";
import { z } from "zod";
import { ARTIFACTS_PATH, STAND_IN_CONTRACTS, type StandInArtifacts } from "./artifacts";

// Pinned so the committed bytecode only changes when a source or this file changes. "shanghai" (PUSH0, no
// transient storage) runs on every anvil hardfork we would pick.
const EVM_VERSION = "shanghai";
const OPTIMIZER = { enabled: true, runs: 200 } as const;

const solcOutput = z.object({
  errors: z.array(z.object({ severity: z.string(), formattedMessage: z.string() })).optional(),
  contracts: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.object({
          abi: z.array(z.record(z.string(), z.unknown())),
          evm: z.object({ deployedBytecode: z.object({ object: z.string() }) }),
        }),
      ),
    )
    .optional(),
});

/** Compiles the stand-in sources in-process with the pinned npm `solc`; throws on any compiler error. */
export function compileStandIns(): StandInArtifacts {
  const sources = Object.fromEntries(
    STAND_IN_CONTRACTS.map((name) => [sourceName(name), readFileSync(path.join(__dirname, sourceName(name)), "utf8")]),
  );
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([file, content]) => [file, { content }])),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: OPTIMIZER,
      outputSelection: { "*": { "*": ["abi", "evm.deployedBytecode.object"] } },
    },
  };
  const output = solcOutput.parse(JSON.parse(solc.compile(JSON.stringify(input)) as string));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);

  const contracts = Object.fromEntries(
    STAND_IN_CONTRACTS.map((name) => {
      const file = sourceName(name);
      const compiled = output.contracts?.[file]?.[name];
      if (!compiled) throw new Error(`solc produced no output for ${file}:${name}`);
      return [
        name,
        {
          source: file,
          sourceSha256: createHash("sha256").update(sources[file] ?? "").digest("hex"),
          abi: compiled.abi,
          deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
        },
      ];
    }),
  );
  return {
    solcVersion: solc.version() as string,
    evmVersion: EVM_VERSION,
    optimizer: OPTIMIZER,
    contracts,
  } as StandInArtifacts;
}

function sourceName(contract: string): string {
  return `${contract}.sol`;
}

if (require.main === module) {
  const artifacts = compileStandIns();
  writeFileSync(ARTIFACTS_PATH, `${JSON.stringify(artifacts, null, 2)}\n`);
  for (const [name, c] of Object.entries(artifacts.contracts)) {
    console.log(`${name}: ${(c.deployedBytecode.length - 2) / 2} bytes runtime`);
  }
  console.log(`wrote ${path.relative(process.cwd(), ARTIFACTS_PATH)} (solc ${artifacts.solcVersion})`);
}
