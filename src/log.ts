import * as vscode from 'vscode';
import { Redactor } from './common/redact';

/**
 * The extension's logger: one LogOutputChannel ("MCP Manager") with `[component]` prefixes. Every line passes
 * through the shared Redactor, so a secret registered anywhere is masked everywhere.
 */
export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name: string, readonly redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  scoped(component: string): ComponentLogger {
    return new ComponentLogger(this, component);
  }

  show(preserveFocus = false): void { this.channel.show(preserveFocus); }

  dispose(): void { this.channel.dispose(); }
}

export class ComponentLogger {
  constructor(private readonly logger: Logger, private readonly component: string) {}

  private fmt(message: string): string { return this.logger.redactor.redact(`[${this.component}] ${message}`); }

  trace(message: string): void { this.logger.channel.trace(this.fmt(message)); }
  debug(message: string): void { this.logger.channel.debug(this.fmt(message)); }
  info(message: string): void { this.logger.channel.info(this.fmt(message)); }
  warn(message: string): void { this.logger.channel.warn(this.fmt(message)); }
  error(message: string | Error): void {
    this.logger.channel.error(this.fmt(message instanceof Error ? `${message.name}: ${message.message}` : message));
  }
}
