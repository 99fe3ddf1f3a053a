/**
 * The SDK publishes its modules only through package.json "exports" (`@grafana/grafana-foundation-sdk/dashboard`, …),
 * which this repository's `moduleResolution: "node"` does not read, so the compiler would find no types for them.
 * Node and jest do read "exports" at run time, so code imports the public subpaths and these declarations point the
 * compiler at the same files. Drop this file if tsconfig moves to `moduleResolution: "node16"` or `"bundler"`.
 */
declare module "@grafana/grafana-foundation-sdk/cog" {
  export * from "@grafana/grafana-foundation-sdk/dist/cog";
}
declare module "@grafana/grafana-foundation-sdk/common" {
  export * from "@grafana/grafana-foundation-sdk/dist/common";
}
declare module "@grafana/grafana-foundation-sdk/dashboard" {
  export * from "@grafana/grafana-foundation-sdk/dist/dashboard";
}
declare module "@grafana/grafana-foundation-sdk/prometheus" {
  export * from "@grafana/grafana-foundation-sdk/dist/prometheus";
}
declare module "@grafana/grafana-foundation-sdk/timeseries" {
  export * from "@grafana/grafana-foundation-sdk/dist/timeseries";
}
declare module "@grafana/grafana-foundation-sdk/heatmap" {
  export * from "@grafana/grafana-foundation-sdk/dist/heatmap";
}
declare module "@grafana/grafana-foundation-sdk/stat" {
  export * from "@grafana/grafana-foundation-sdk/dist/stat";
}
declare module "@grafana/grafana-foundation-sdk/statetimeline" {
  export * from "@grafana/grafana-foundation-sdk/dist/statetimeline";
}
