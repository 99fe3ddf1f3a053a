/**
 * Where an alert's runbook_url points: the runbook's page in the repository, so the link in a page opens the version
 * on main. The tests resolve every runbook_url back to a file in runbooks/.
 */
export const RUNBOOK_BASE_URL = "https://github.com/polysync/poly-syncer-platform/blob/main/runbooks/";

export function runbookUrl(file: string): string {
  if (!/^[a-z0-9-]+\.md$/.test(file)) throw new Error(`runbook ${file}: expected a file name like "service-down.md"`);
  return `${RUNBOOK_BASE_URL}${file}`;
}
