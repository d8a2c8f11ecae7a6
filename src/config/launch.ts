import * as os from 'node:os';
import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION } from '../common/contracts';
import { UserCancelledError, errorMessage } from '../common/errors';
import { inputSecretId } from '../common/config/parse';
import { findSecretsInArgs, maskSecretArgs } from '../common/config/secretsInArgs';
import { confirmationFingerprint, formatCommandLine, rememberFingerprint, trustDecision } from '../common/config/startConfirmation';
import type { InputDefinition, LaunchPreparation, LaunchResolver, ResolvedLaunch, ServerDefinition } from '../common/config/types';
import { ConfigResolutionError, resolveDefinition } from '../common/config/variables';
import { REDACTED, type Redactor } from '../common/redact';
import { type ServerSource, describeSource } from '../common/serverId';
import type { ComponentLogger } from '../log';
import type { SecretStore } from '../vscode-adapters/secretStore';
import type { ConfigService } from './configService';

/**
 * Input values. Password inputs are asked once and kept in SecretStorage (purpose 'input', id `<sourceKey>/<inputId>`);
 * later starts read them from there. Other inputs are asked on first use and remembered in memory for this session
 * only (so crash restarts do not prompt), until Clear Secrets... forgets them. Concurrent requests for one input share
 * one prompt.
 */
export class InputValues {
  private readonly session = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly secrets: SecretStore, private readonly log: ComponentLogger) {}

  get(source: ServerSource, input: InputDefinition, serverName: string): Promise<string> {
    const id = inputSecretId(source, input.id);
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.lookup(id, input, serverName).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  /** Forgets remembered (non-password) values: one id, or all. */
  forget(id?: string): void {
    if (id === undefined) this.session.clear();
    else this.session.delete(id);
  }

  private async lookup(id: string, input: InputDefinition, serverName: string): Promise<string> {
    if (input.type === 'promptString' && input.password) {
      const stored = await this.secrets.get('input', id);
      if (stored !== undefined) return stored;
      const value = await askString(input, serverName, true);
      await this.secrets.store('input', id, value);
      this.log.info(`input "${input.id}" for ${serverName} stored in SecretStorage`);
      return value;
    }
    const remembered = this.session.get(id);
    if (remembered !== undefined) return remembered;
    const value = input.type === 'pickString' ? await askPick(input, serverName) : await askString(input, serverName, false);
    this.session.set(id, value);
    return value;
  }
}

async function askString(input: Extract<InputDefinition, { type: 'promptString' }>, serverName: string, password: boolean): Promise<string> {
  const value = await vscode.window.showInputBox({
    title: `MCP server "${serverName}": ${input.id}`,
    prompt: input.description ?? `Value of input "${input.id}"`,
    password,
    ignoreFocusOut: true,
    ...(input.default !== undefined && !password ? { value: input.default } : {}),
  });
  if (value === undefined) throw new UserCancelledError();
  return value;
}

async function askPick(input: Extract<InputDefinition, { type: 'pickString' }>, serverName: string): Promise<string> {
  const value = await vscode.window.showQuickPick([...input.options], {
    title: `MCP server "${serverName}": ${input.id}`,
    placeHolder: input.description ?? `Pick a value for "${input.id}"`,
    ignoreFocusOut: true,
  });
  if (value === undefined) throw new UserCancelledError();
  return value;
}

/** The LaunchResolver: variables, inputs (prompting), envFile and environment. Every secret met is registered with the redactor. */
export function createLaunchResolver(config: ConfigService, inputs: InputValues, redactor: Redactor, log: ComponentLogger): LaunchResolver {
  return (def) => resolveDefinition(def, {
    platform: process.platform,
    home: os.homedir(),
    env: process.env,
    folders: (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, path: f.uri.fsPath })),
    inputs: config.inputsFor(def.source),
    getInput: (input) => inputs.get(def.source, input, def.name),
    readFile: async (path) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path))),
    onSecret: (value) => redactor.add(value),
    onWarning: (message) => log.warn(message),
  });
}

/** Outcome of preparing a start (ready, needsTrust, cancelled, configError). Expected outcomes are values, not exceptions. */
export type StartPreparation = LaunchPreparation;

const CONFIRMED_KEY = 'mcpManager.confirmedFirstStarts';
const START = 'Start Server';

/**
 * The trust / first-start gate. The server manager calls `prepareStart(definition)` before every start (also
 * restarts): no workspace-defined server starts in Restricted Mode (nothing is prompted either), and the first start
 * of a workspace-defined stdio server asks for confirmation of its exact command line (secrets masked). Agreement is
 * remembered in globalState as a hash of id + command + args + env names.
 */
export class StartGate {
  constructor(
    private readonly resolve: LaunchResolver,
    private readonly config: ConfigService,
    private readonly globalState: vscode.Memento,
    private readonly redactor: Redactor,
    private readonly log: ComponentLogger,
  ) {}

  /** Synchronous pre-check: whether Restricted Mode blocks this server. */
  needsTrust(def: ServerDefinition): boolean {
    return this.decide(def) === 'needsTrust';
  }

  async prepareStart(def: ServerDefinition): Promise<StartPreparation> {
    const decision = this.decide(def);
    if (decision === 'needsTrust') {
      this.log.info(`${def.id}: not started, the workspace is not trusted`);
      return { kind: 'needsTrust' };
    }
    let launch: ResolvedLaunch;
    try {
      launch = await this.resolve(def);
    } catch (err) {
      if (err instanceof UserCancelledError || err instanceof vscode.CancellationError) return { kind: 'cancelled' };
      const reason = this.redactor.redact(err instanceof ConfigResolutionError ? err.message : `Cannot resolve the configuration: ${errorMessage(err)}`);
      this.log.warn(`${def.id}: ${reason}`);
      return { kind: 'configError', reason };
    }
    if (decision === 'needsConfirmation' && launch.type === 'stdio') {
      if (!(await this.confirm(def, launch))) {
        this.log.info(`${def.id}: first start declined`);
        return { kind: 'cancelled' };
      }
    }
    return { kind: 'ready', launch };
  }

  /** Forgets every remembered first-start confirmation (Clear All Stored Data). */
  async forgetConfirmations(): Promise<void> {
    await this.globalState.update(CONFIRMED_KEY, undefined);
  }

  private decide(def: ServerDefinition) {
    const confirmFirstStart = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(SETTINGS.confirmFirstStart, true);
    const confirmed = this.globalState.get<string[]>(CONFIRMED_KEY, []);
    return trustDecision(def, { trusted: vscode.workspace.isTrusted, confirmFirstStart, confirmed: (f) => confirmed.includes(f) });
  }

  private async confirm(def: ServerDefinition, launch: Extract<ResolvedLaunch, { type: 'stdio' }>): Promise<boolean> {
    // Flags are found on the unresolved args (which know the password inputs); the mask is applied to the resolved ones.
    const flagged = new Set(def.config.type === 'stdio' ? findSecretsInArgs(def.config.args, this.config.inputsFor(def.source)).map((f) => f.index) : []);
    const masked = maskSecretArgs(launch.args, [], REDACTED);
    const args = launch.args.map((a, i) => (flagged.has(i) ? (/^(--?[A-Za-z][\w.-]*=)/.exec(a)?.[1] ?? '') + REDACTED : masked[i] ?? a));
    const commandLine = formatCommandLine({ ...launch, args }, (s) => this.redactor.redact(s));
    const envNames = def.config.type === 'stdio' ? Object.keys(def.config.env) : [];
    const detail = [
      'It runs this command on your machine:', '', commandLine, '',
      `Working directory: ${this.redactor.redact(launch.cwd)}`,
      envNames.length ? `Environment variables set: ${envNames.join(', ')} (values hidden)` : undefined,
      '', 'You are asked again only if its command, arguments or environment variable names change.',
    ].filter((l) => l !== undefined).join('\n');
    const choice = await vscode.window.showWarningMessage(
      `Start the MCP server "${def.name}" defined in ${describeSource(def.source)}?`, { modal: true, detail }, START);
    if (choice !== START) return false;
    await this.globalState.update(CONFIRMED_KEY, rememberFingerprint(this.globalState.get<string[]>(CONFIRMED_KEY, []), confirmationFingerprint(def)));
    return true;
  }
}
