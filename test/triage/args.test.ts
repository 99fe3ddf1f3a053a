import { parseTriageArgs, UsageError } from "../../services/triage/args";
import { scopeMatchers, triageQueries } from "../../services/triage/queries";

describe("triage arguments", () => {
  it("defaults to the last 15 minutes of every region on $PROMETHEUS_URL", () => {
    expect(parseTriageArgs([], { PROMETHEUS_URL: "http://prom:9090" })).toEqual({
      prometheusUrl: "http://prom:9090",
      window: "15m",
      region: undefined,
      env: undefined,
      json: false,
    });
    expect(parseTriageArgs([], {})).toMatchObject({ prometheusUrl: "http://127.0.0.1:9090" });
  });

  it("takes region, env, window, prometheus and json", () => {
    const args = ["--region", "eu-1", "--env", "prod", "--window", "1h", "--prometheus", "http://p:9090", "--json"];
    expect(parseTriageArgs(args, {})).toEqual({ prometheusUrl: "http://p:9090", window: "1h", region: "eu-1", env: "prod", json: true });
  });

  it.each([
    [["--window", "15"], /--window "15" is not a duration/],
    [["--window", "0m"], /--window "0m" is not a duration/],
    [["--region", 'eu"} or vector(1'], /--region .* is not a region name/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["eu-1"], /positional argument/],
  ])("rejects %j with a message naming it", (argv, message) => {
    expect(() => parseTriageArgs(argv, {})).toThrow(UsageError);
    expect(() => parseTriageArgs(argv, {})).toThrow(message);
  });

  it("filters every query on the scope, escaping the value", () => {
    expect(scopeMatchers({ window: "5m", region: "eu-1", env: "prod" })).toBe('region="eu-1",env="prod"');
    expect(scopeMatchers({ window: "5m", region: 'a"b' })).toBe('region="a\\"b"');
    const queries = Object.values(triageQueries({ window: "10m", region: "eu-1" }));
    for (const q of queries) expect(q).toContain('region="eu-1"');
    for (const q of queries.filter((q) => q.includes("["))) expect(q).toMatch(/\[10m\]/);
  });
});
