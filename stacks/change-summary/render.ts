/**
 * Markdown for the pull-request comment: one headline, one table per stack that changes, and unchanged stacks on a
 * single line so that a one-resource change in a twenty-stack app stays readable.
 */
import { compareStrings, type ResourceChange, type StackChange } from "./diff";
import { describeValueChange, scrubText, type ValueDisplay } from "./redact";

export interface RenderOptions {
  /** Heading above the summary, to tell summaries apart when one comment carries several. */
  title?: string;
}

const DEFAULT_TITLE = "Infrastructure change summary";

/** Same order as the headline (and as Terraform's plan summary). */
const ACTION_ORDER: readonly ResourceChange["action"][] = ["add", "change", "remove"];

const STATUS_NOTE: Partial<Record<StackChange["status"], string>> = {
  added: "New stack.",
  // cdktf deploys only the stacks in the app, so a dropped stack's resources live on until someone destroys them.
  removed: "Stack removed from the app: deploys stop managing everything below; it stays up until destroyed.",
};

export function renderMarkdown(changes: readonly StackChange[], opts: RenderOptions = {}): string {
  const stacks = [...changes].sort((a, b) => compareStrings(a.stack, b.stack));
  const changed = stacks.filter((s) => s.status !== "unchanged");
  const unchanged = stacks.filter((s) => s.status === "unchanged");

  const lines = [`## ${scrubText(opts.title ?? DEFAULT_TITLE)}`, "", headline(changed, stacks.length), ""];
  for (const stack of changed) lines.push(...stackSection(stack), "");
  if (unchanged.length > 0) lines.push(`Unchanged: ${unchanged.map((s) => scrubText(s.stack)).join(", ")}`, "");
  return lines.join("\n");
}

function headline(changed: readonly StackChange[], total: number): string {
  if (changed.length === 0) return `**No changes across ${plural(total, "stack")}.**`;
  const count = (action: ResourceChange["action"]) =>
    changed.reduce((n, s) => n + s.resources.filter((r) => r.action === action).length, 0);
  const totals = `${count("add")} to add, ${count("change")} to change, ${count("remove")} to remove`;
  return `**${totals} across ${plural(changed.length, "stack")}**`;
}

function stackSection(stack: StackChange): string[] {
  const note = STATUS_NOTE[stack.status];
  const byAction = (r: ResourceChange) => ACTION_ORDER.indexOf(r.action);
  const rows = [...stack.resources]
    .sort((a, b) => byAction(a) - byAction(b) || compareStrings(a.address, b.address))
    .map((r) => `| ${r.action} | ${code(r.address)} | ${attributesCell(r)} |`);
  return [
    `### ${scrubText(stack.stack)}`,
    "",
    ...(note ? [note, ""] : []),
    "| action | resource | changed attributes |",
    "| --- | --- | --- |",
    ...rows,
  ];
}

/** One line per changed path; the paths past the cap arrive as a final "… and N more" without an attribute. */
function attributesCell(resource: ResourceChange): string {
  return resource.changedPaths
    .map((path, i) => {
      const attribute = resource.attributes[i];
      return attribute ? `${code(path)}: ${showValues(describeValueChange(resource, attribute))}` : escapeCell(path);
    })
    .join("<br>");
}

function showValues(display: ValueDisplay): string {
  if ("note" in display) return display.note;
  const side = (value: string | undefined) => (value === undefined ? "(none)" : code(value));
  return `${side(display.before)} → ${side(display.after)}`;
}

/** Code spans keep `_` and `*` in names from turning into emphasis; the fence outgrows any backticks inside. */
function code(text: string): string {
  const content = escapeCell(text);
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = content.startsWith("`") || content.endsWith("`") ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** GitHub reads `\|` as a literal pipe even inside code spans; a newline would end the table row. */
function escapeCell(text: string): string {
  return scrubText(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
