import blessed from 'blessed';
import type { LogLine, LogStream } from '../logs/log-line.js';
import type { ServiceSnapshot, Status } from '../types.js';
import { formatBytes, formatPercent } from '../format.js';
import { Ring } from '../logs/ring.js';
import {
  HELP, buildRows, clampSelection, columnsFor, filterLines, formatHeader, formatLogLine, formatRate, formatRow, formatScaleLine, hasTraffic, sparkline,
  type DaemonInfo, type MonitRow,
} from './view-model.js';

export interface DashboardActions {
  restart(service: string): Promise<void>;
  toggle(service: string, status: Status): Promise<void>;
  recent(service: string): Promise<LogLine[]>;
  quit(): void;
}

export interface DashboardIO {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

const STATUS_TAGS: Record<Status, string> = {
  online: 'green-fg', starting: 'cyan-fg', stopping: 'yellow-fg', waiting: 'yellow-fg', stopped: 'gray-fg', errored: 'red-fg',
};
const LOG_LINES_KEPT = 1_000;
const HISTORY_KEPT = 300;

/** The `monit` screen: a table of instances, the selected one's history and logs. */
export class Dashboard {
  readonly screen: blessed.Widgets.Screen;
  private readonly header: blessed.Widgets.BoxElement;
  private readonly columns: blessed.Widgets.BoxElement;
  private readonly table: blessed.Widgets.ListElement;
  private readonly history: blessed.Widgets.BoxElement;
  private readonly logTitle: blessed.Widgets.BoxElement;
  private readonly logs: blessed.Widgets.BoxElement;
  private readonly footer: blessed.Widgets.BoxElement;
  private services: ServiceSnapshot[] = [];
  private rows: MonitRow[] = [];
  private selected = 0;
  private stream: LogStream = 'out';
  private daemon: DaemonInfo | null = null;
  private connected = false;
  private lines: LogLine[] = [];
  private readonly samples = new Map<string, Ring<{ cpu: number; memory: number }>>();
  /** req/s of each service with traffic figures, one value per snapshot. */
  private readonly rates = new Map<string, Ring<number>>();
  private withTraffic = false;
  private message = '';
  private messageTimer: NodeJS.Timeout | null = null;
  private loadedFor = '';

  constructor(private readonly actions: DashboardActions, io: DashboardIO = {}) {
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      title: 'apictl monit',
      input: io.input as never,
      output: io.output as never,
      terminal: process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm-256color',
      warnings: false,
    });
    const line = (options: blessed.Widgets.BoxOptions) => blessed.box({ parent: this.screen, height: 1, width: '100%', tags: true, ...options });
    this.header = line({ top: 0, style: { fg: 'white', bg: 'blue', bold: true } });
    this.columns = line({ top: 1, style: { bold: true } });
    this.table = blessed.list({ parent: this.screen, top: 2, width: '100%', height: 3, tags: true, style: { selected: { bg: 'blue', fg: 'white' } } });
    this.history = blessed.box({ parent: this.screen, width: '100%', height: 2, tags: true });
    this.logTitle = line({ style: { fg: 'black', bg: 'white' } });
    this.logs = blessed.box({ parent: this.screen, width: '100%', tags: false });
    this.footer = line({ bottom: 0, style: { fg: 'black', bg: 'cyan' } });
    this.bindKeys();
    this.screen.on('resize', () => this.render());
    this.render();
  }

  update(services: ServiceSnapshot[], daemon: DaemonInfo | null, connected: boolean): void {
    const before = this.rows[this.selected];
    this.services = services;
    this.daemon = daemon;
    this.connected = connected;
    this.withTraffic = hasTraffic(services);
    this.rows = buildRows(services, this.withTraffic);
    // Keep the same instance selected when rows move around.
    const same = before ? this.rows.findIndex((row) => row.service === before.service && row.instance === before.instance) : -1;
    this.selected = clampSelection(same >= 0 ? same : this.selected, this.rows.length);
    for (const service of services) {
      for (const instance of service.instances) {
        if (instance.pid === null) continue;
        const key = `${service.name}:${instance.index}`;
        let ring = this.samples.get(key);
        if (!ring) this.samples.set(key, (ring = new Ring(HISTORY_KEPT)));
        ring.push({ cpu: instance.cpu, memory: instance.memory });
      }
      if (service.requests) {
        let rates = this.rates.get(service.name);
        if (!rates) this.rates.set(service.name, (rates = new Ring(HISTORY_KEPT)));
        rates.push(service.requests.perSecond);
      }
    }
    // A deleted service's history goes with it.
    const names = new Set(services.map((service) => service.name));
    for (const name of this.rates.keys()) if (!names.has(name)) this.rates.delete(name);
    for (const key of this.samples.keys()) if (!names.has(key.slice(0, key.lastIndexOf(':')))) this.samples.delete(key);
    void this.loadRecent();
    this.render();
  }

  addLines(lines: LogLine[]): void {
    if (lines.length === 0) return;
    this.lines = [...this.lines, ...lines].slice(-LOG_LINES_KEPT);
    this.render();
  }

  selectedRow(): MonitRow | undefined {
    return this.rows[this.selected];
  }

  destroy(): void {
    if (this.messageTimer) clearTimeout(this.messageTimer);
    this.screen.destroy();
  }

  render(): void {
    const width = Number(this.screen.width) || 80;
    const height = Number(this.screen.height) || 24;
    // The history pane has a req/s line when some service's traffic goes through apictl, and a scale line for an autoscaled one.
    const selected = this.selectedRow();
    const scaleLine = formatScaleLine(this.services.find((service) => service.name === selected?.service), Date.now(), width);
    const historyHeight = (this.withTraffic ? 3 : 2) + (scaleLine ? 1 : 0);
    const tableHeight = Math.max(3, Math.min(this.rows.length || 1, Math.floor((height - 5 - historyHeight) * 0.45)));
    this.header.setContent(blessed.escape(formatHeader(this.services, this.daemon, this.connected)));
    this.columns.setContent(blessed.escape(formatRow(columnsFor(this.withTraffic), width)));
    this.table.height = tableHeight;
    this.table.setItems(this.rows.map((row) => this.paintRow(row, width)) as never);
    this.table.select(this.selected);
    this.history.top = 2 + tableHeight;
    this.history.height = historyHeight;
    this.history.setContent(this.historyText(width) + (scaleLine ? `\n${blessed.escape(scaleLine)}` : ''));
    this.logTitle.top = 2 + historyHeight + tableHeight;
    const row = this.selectedRow();
    this.logTitle.setContent(blessed.escape(` logs: ${row?.service ?? '-'} (${this.stream === 'out' ? 'stdout' : 'stderr'})`));
    this.logs.top = 3 + historyHeight + tableHeight;
    const logHeight = Math.max(1, height - 4 - historyHeight - tableHeight);
    this.logs.height = logHeight;
    const shown = filterLines(this.lines, row?.service, this.stream).slice(-logHeight);
    this.logs.setContent(shown.map((line) => formatLogLine(line).slice(0, width)).join('\n'));
    this.footer.setContent(blessed.escape(` ${this.message || HELP}`));
    this.screen.render();
  }

  private paintRow(row: MonitRow, width: number): string {
    const text = blessed.escape(formatRow(row.cells, width));
    const status = row.cells[1]!;
    const at = text.indexOf(status, row.cells[0]!.length);
    if (at < 0) return text;
    return `${text.slice(0, at)}{${STATUS_TAGS[row.status]}}${status}{/}${text.slice(at + status.length)}`;
  }

  private historyText(width: number): string {
    const row = this.selectedRow();
    const samples = row ? (this.samples.get(`${row.service}:${row.instance}`)?.toArray() ?? []) : [];
    const last = samples.at(-1);
    const graphWidth = Math.max(10, width - 24);
    const cpu = sparkline(samples.map((sample) => sample.cpu), graphWidth, Math.max(100, ...samples.map((sample) => sample.cpu)));
    const memory = sparkline(samples.map((sample) => sample.memory), graphWidth);
    const lines = [
      ` cpu ${formatPercent(last?.cpu ?? 0).padStart(7)}  {green-fg}${cpu}{/}`,
      ` mem ${formatBytes(last?.memory ?? 0).padStart(7)}  {cyan-fg}${memory}{/}`,
    ];
    if (this.withTraffic) {
      const rates = row ? (this.rates.get(row.service)?.toArray() ?? []) : [];
      const shown = rates.length > 0 ? formatRate(rates.at(-1)!) : '-';
      lines.push(` req/s ${shown.padStart(5)}  {yellow-fg}${sparkline(rates, graphWidth)}{/}`);
    }
    return lines.join('\n');
  }

  private async loadRecent(): Promise<void> {
    const service = this.selectedRow()?.service;
    if (!service || service === this.loadedFor) return;
    this.loadedFor = service;
    try {
      const recent = await this.actions.recent(service);
      const others = this.lines.filter((line) => line.service !== service);
      const known = new Set(this.lines.filter((line) => line.service === service).map((line) => `${line.time}|${line.stream}|${line.line}`));
      const fresh = recent.filter((line) => !known.has(`${line.time}|${line.stream}|${line.line}`));
      this.lines = [...others, ...fresh, ...this.lines.filter((line) => line.service === service)].slice(-LOG_LINES_KEPT);
      this.render();
    } catch {
      this.loadedFor = '';
    }
  }

  private bindKeys(): void {
    this.screen.key(['up', 'k'], () => this.move(-1));
    this.screen.key(['down', 'j'], () => this.move(1));
    this.screen.key(['l'], () => {
      this.stream = this.stream === 'out' ? 'err' : 'out';
      this.render();
    });
    this.screen.key(['r'], () => this.act('restarting', (row) => this.actions.restart(row.service)));
    this.screen.key(['s'], () =>
      this.act(['stopped', 'errored'].includes(this.selectedRow()?.status ?? '') ? 'starting' : 'stopping', (row) => this.actions.toggle(row.service, row.status)),
    );
    this.screen.key(['q', 'C-c', 'escape'], () => this.actions.quit());
  }

  private move(delta: number): void {
    this.selected = clampSelection(this.selected + delta, this.rows.length);
    void this.loadRecent();
    this.render();
  }

  private act(verb: string, action: (row: MonitRow) => Promise<void>): void {
    const row = this.selectedRow();
    if (!row) return;
    this.flash(`${verb} ${row.service}…`);
    action(row).then(
      () => this.flash(`${verb.replace(/ing$/, 'ed')} ${row.service}`),
      (error: Error) => this.flash(`${row.service}: ${error.message}`),
    );
  }

  private flash(message: string): void {
    this.message = message;
    if (this.messageTimer) clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => {
      this.message = '';
      this.render();
    }, 3_000);
    this.render();
  }
}
