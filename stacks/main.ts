/** Entry point for the cdktf CLI (`cdktf diff` / `cdktf deploy` in CI). */
import { buildApp } from "./app";

buildApp().synth();
