/** An environment's Grafana: one folder, a Prometheus data source per replica, and the dashboards from `dashboards/`. */
import { Construct } from "constructs";
import { Folder } from "../../providers/gen/grafana/folder";
import { DataSource } from "../../providers/gen/grafana/data-source";
import { Dashboard } from "../../providers/gen/grafana/dashboard";
import type { DashboardDefinition } from "../../dashboards";

export interface GrafanaDashboardsProps {
  project: string;
  env: string;
  prometheusUrls: string[];
  dashboards: readonly DashboardDefinition[];
}

export class GrafanaDashboards extends Construct {
  readonly folder: Folder;
  readonly dataSources: DataSource[];

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    this.folder = new Folder(this, "folder", {
      uid: `${props.project}-${props.env}`,
      title: `Poly Syncer (${props.env})`,
      preventDestroyIfNotEmpty: true,
    });
    this.dataSources = props.prometheusUrls.map(
      (url, i) =>
        new DataSource(this, `prometheus-${i + 1}`, {
          name: `${props.project}-${props.env}-prometheus-${i + 1}`,
          uid: `${props.project}-${props.env}-prom-${i + 1}`,
          type: "prometheus",
          url,
          isDefault: i === 0,
          jsonDataEncoded: JSON.stringify({ httpMethod: "POST", timeInterval: "15s" }),
        }),
    );
    for (const dashboard of props.dashboards) {
      new Dashboard(this, `dashboard-${dashboard.uid}`, {
        folder: this.folder.uid,
        configJson: JSON.stringify(dashboard.json),
        overwrite: true,
        message: "deployed by cdktf",
      });
    }
  }
}
