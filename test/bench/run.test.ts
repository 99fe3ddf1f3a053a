import { parseRunArgs } from "./run";

describe("npm run bench arguments", () => {
  it("runs every bench with its defaults when given nothing", () => {
    expect(parseRunArgs([])).toEqual({ benches: ["listener", "fanout"], flags: [] });
  });

  it("passes the flags after --only <bench> to that bench unchanged", () => {
    expect(parseRunArgs(["--only", "fanout", "--rounds", "5", "--shards", "16"])).toEqual({ benches: ["fanout"], flags: ["--rounds", "5", "--shards", "16"] });
    expect(parseRunArgs(["--only", "listener", "--phase-seconds", "60"])).toEqual({ benches: ["listener"], flags: ["--phase-seconds", "60"] });
  });

  it("refuses flags that do not say which bench they are for, and unknown benches", () => {
    expect(() => parseRunArgs(["--rounds", "5"])).toThrow(/need --only <bench>/);
    expect(() => parseRunArgs(["--only", "executor"])).toThrow(/--only takes one of listener, fanout, got executor/);
  });
});
