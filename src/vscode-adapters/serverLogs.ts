import * as vscode from 'vscode';
import type { ServerDefinition } from '../common/config/types';
import { serverLogName } from '../common/contracts';
import type { ServerId } from '../common/serverId';
import { sourceKey } from '../common/serverId';
import type { LogLevel, ServerLogSink } from '../servers/logSink';

const CHANNEL_LEVELS: Record<LogLevel, vscode.LogLevel> = {
  trace: vscode.LogLevel.Trace, debug: vscode.LogLevel.Debug, info: vscode.LogLevel.Info, warn: vscode.LogLevel.Warning, error: vscode.LogLevel.Error,
};

/**
 * One LogOutputChannel per server (`MCP Manager: <name>`), created on first use. Lines arrive redacted and batched
 * from the supervisor (stderr as warnings, notifications/message at their level, lifecycle, trace).
 */
export class ServerLogs implements vscode.Disposable {
  private readonly channels = new Map<ServerId, vscode.LogOutputChannel>();
  private readonly names = new Map<ServerId, string>();

  sinkFor(definition: ServerDefinition): ServerLogSink {
    const clash = [...this.names.entries()].some(([id, name]) => id !== definition.id && name === definition.name);
    this.names.set(definition.id, definition.name);
    const channelName = clash ? `${serverLogName(definition.name)} (${sourceKey(definition.source)})` : serverLogName(definition.name);
    return {
      append: (level: LogLevel, lines: readonly string[]) => {
        const channel = this.channel(definition.id, channelName);
        for (const line of lines) channel[level](line);
      },
      enabled: (level: LogLevel) => {
        const shown = this.channel(definition.id, channelName).logLevel;
        return shown !== vscode.LogLevel.Off && shown <= CHANNEL_LEVELS[level];
      },
    };
  }

  /** Shows a server's log (creating the channel if the server never logged yet). */
  show(id: ServerId, name: string, preserveFocus = false): void {
    this.channel(id, serverLogName(name)).show(preserveFocus);
  }

  private channel(id: ServerId, name: string): vscode.LogOutputChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = vscode.window.createOutputChannel(name, { log: true });
      this.channels.set(id, channel);
    }
    return channel;
  }

  dispose(): void {
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }
}
