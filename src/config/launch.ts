import * as os from 'node:os';
import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION } from '../common/contracts';
import { UserCancelledError, errorMessage } from '../common/errors';
import { inputSecretId, legacyInputSecretId } from '../common/config/parse';
import { findSecretsInArgs, maskSecretArgs } from '../common/config/secretsInArgs';
import { confirmationFingerprint, describeRemote, formatCommandLine, pathChange, rememberFingerprint, trustDecision } from '../common/config/startConfirmation';
import type { InputDefinition, LaunchPreparation, LaunchResolver, RemoteServerConfig, ResolvedLaunch, ServerDefinition } from '../common/config/types';
import { ConfigResolutionError, resolveDefinition } from '../common/config/variables';
import { REDACTED, type Redactor } from '../common/redact';
import { type ServerSource, describeSource, ownerOf, usesVariables } from '../common/serverId';
import type { ComponentLogger } from '../log';
import type { SecretStore } from '../vscode-adapters/secretStore';
import type { ConfigService } from './configService';

/**
 * Input values. Password inputs are asked once and kept in SecretStorage (purpose 'input', id `<secretScope>/<inputId>`:
 * the owner is part of it, src/common/serverId.ts); later starts read them from there. A value stored by an earlier
 * version under the owner-less id (`workspace:app/<inputId>`, readable by every folder named `app`) is offered once,
 * with the folder named, and used only if the user agrees; either way the old id is deleted, so no other workspace is
 * offered it again. Other inputs are asked on first use and remembered in memory for this session
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
    const p = this.lookup(id, source, input, serverName).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  /** Forgets remembered (non-password) values: one id, or all. */
  forget(id?: string): void {
    if (id === undefined) this.session.clear();
    else this.session.delete(id);
  }

  private async lookup(id: string, source: ServerSource, input: InputDefinition, serverName: string): Promise<string> {
    if (input.type === 'promptString' && input.password) {
      const stored = await this.secrets.get('input', id) ?? await this.adoptLegacy(id, source, input, serverName);
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

  /** The migration of an owner-less stored value: with consent it moves to the owner's id; the old id goes either way. */
  private async adoptLegacy(id: string, source: ServerSource, input: InputDefinition, serverName: string): Promise<string | undefined> {
    const legacyId = legacyInputSecretId(source, input.id);
    const legacy = legacyId === undefined ? undefined : await this.secrets.get('input', legacyId);
    if (legacyId === undefined || legacy === undefined) return undefined;
    const USE = 'Use Saved Value';
    const choice = await vscode.window.showWarningMessage(
      `Use the saved value of "${input.id}" for MCP server "${serverName}" in ${ownerLabel(source)}?`,
      { modal: true, detail: `An earlier version of MCP Manager saved it for any workspace named like this one (${describeSource(source)}), so another checkout may have stored it. From now on values are kept per workspace. If you choose "${ENTER_NEW}", the saved value is deleted and you are asked for a new one.` },
      USE, ENTER_NEW,
    );
    if (choice === undefined) throw new UserCancelledError();
    await this.secrets.delete('input', legacyId);
    if (choice !== USE) { this.log.info(`input "${input.id}" for ${serverName}: the owner-less saved value was declined and deleted`); return undefined; }
    await this.secrets.store('input', id, legacy);
    this.log.info(`input "${input.id}" for ${serverName}: the saved value moved to this workspace's key`);
    return legacy;
  }
}

const ENTER_NEW = 'Enter a New Value';

/** The owner as a person reads it: the folder or workspace file path. */
export function ownerLabel(source: ServerSource): string {
  const owner = ownerOf(source);
  if (owner.kind === 'user') return 'your user configuration';
  const uri = vscode.Uri.parse(owner.uri);
  return uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
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
const CONNECT = 'Connect';

/**
 * The trust / first-start gate. The server manager calls `prepareStart(definition)` before every start (also
 * restarts), and Sign In goes through it too: no workspace-defined server starts or connects in Restricted Mode
 * (nothing is prompted, no variable is resolved), and the first start of a workspace-defined server asks the user:
 * a stdio server's exact command line (secrets masked), environment file and PATH change; a remote server's host,
 * header names and the `${env:…}` / `${input:…}` values it would send, asked BEFORE anything is resolved or sent.
 * Agreement is remembered in globalState as a hash over the owner and the whole unresolved entry (plus the envFile's
 * content), so any change, or another checkout of the same name, asks again.
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
    const ask = decision === 'needsConfirmation';
    const config = def.config;
    if (ask && config.type !== 'stdio' && !(await this.confirmed(def, confirmationFingerprint(def), () => this.confirmRemote(def, config)))) {
      return { kind: 'cancelled' };
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
    if (ask && launch.type === 'stdio') {
      const stdio = launch;
      if (!(await this.confirmed(def, confirmationFingerprint(def, stdio.envFile?.digest), () => this.confirmStdio(def, stdio)))) return { kind: 'cancelled' };
    }
    return { kind: 'ready', launch };
  }

  /** Forgets every remembered first-start confirmation (Clear All Stored Data). */
  async forgetConfirmations(): Promise<void> {
    await this.globalState.update(CONFIRMED_KEY, undefined);
  }

  private decide(def: ServerDefinition) {
    const confirmFirstStart = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(SETTINGS.confirmFirstStart, true);
    return trustDecision(def, { trusted: vscode.workspace.isTrusted, confirmFirstStart });
  }

  /** Whether the user agreed to this fingerprint before, else asks (and remembers a yes). */
  private async confirmed(def: ServerDefinition, fingerprint: string, ask: () => Promise<boolean>): Promise<boolean> {
    if (this.globalState.get<string[]>(CONFIRMED_KEY, []).includes(fingerprint)) return true;
    if (!(await ask())) {
      this.log.info(`${def.id}: first start declined`);
      return false;
    }
    await this.globalState.update(CONFIRMED_KEY, rememberFingerprint(this.globalState.get<string[]>(CONFIRMED_KEY, []), fingerprint));
    return true;
  }

  private async confirmRemote(def: ServerDefinition, config: RemoteServerConfig): Promise<boolean> {
    const { host, headerNames, variables } = describeRemote(config, !usesVariables(def.source));
    const detail = [
      `It connects to ${this.redactor.redact(host)} (${config.type === 'sse' ? 'SSE' : 'Streamable HTTP'}).`,
      headerNames.length ? `Headers it sends: ${headerNames.join(', ')} (values hidden)` : 'It sends no configured headers.',
      variables.length ? `Values from your machine it sends: ${variables.join(', ')}` : undefined,
      `Defined by: ${ownerLabel(def.source)}`,
      '', 'Nothing is sent until you agree. You are asked again if anything in its definition changes.',
    ].filter((l) => l !== undefined).join('\n');
    const choice = await vscode.window.showWarningMessage(
      `Connect to the MCP server "${def.name}" defined in ${describeSource(def.source)}?`, { modal: true, detail }, CONNECT);
    return choice === CONNECT;
  }

  private async confirmStdio(def: ServerDefinition, launch: Extract<ResolvedLaunch, { type: 'stdio' }>): Promise<boolean> {
    // Flags are found on the unresolved args (which know the password inputs); the mask is applied to the resolved ones.
    const flagged = new Set(def.config.type === 'stdio' ? findSecretsInArgs(def.config.args, this.config.inputsFor(def.source)).map((f) => f.index) : []);
    const masked = maskSecretArgs(launch.args, [], REDACTED);
    const args = launch.args.map((a, i) => (flagged.has(i) ? (/^(--?[A-Za-z][\w.-]*=)/.exec(a)?.[1] ?? '') + REDACTED : masked[i] ?? a));
    const commandLine = formatCommandLine({ ...launch, args }, (s) => this.redactor.redact(s));
    const envNames = def.config.type === 'stdio' ? Object.keys(def.config.env) : [];
    const pathFirst = pathChange(process.env, launch.env, process.platform);
    const detail = [
      'It runs this command on your machine:', '', commandLine, '',
      `Working directory: ${this.redactor.redact(launch.cwd)}`,
      envNames.length ? `Environment variables set: ${envNames.join(', ')} (values hidden)` : undefined,
      launch.envFile ? `Environment file ${this.redactor.redact(launch.envFile.path)} sets: ${launch.envFile.names.join(', ') || '(nothing)'} (values hidden)` : undefined,
      pathFirst.length ? `PATH changed: ${pathFirst.map((e) => this.redactor.redact(e)).join(process.platform === 'win32' ? ';' : ':')} comes first` : undefined,
      '', 'You are asked again if anything in its definition or its environment file changes.',
    ].filter((l) => l !== undefined).join('\n');
    const choice = await vscode.window.showWarningMessage(
      `Start the MCP server "${def.name}" defined in ${describeSource(def.source)}?`, { modal: true, detail }, START);
    return choice === START;
  }
}
