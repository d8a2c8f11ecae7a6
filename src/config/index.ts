import * as vscode from 'vscode';
import { ConfiguredServersModel } from '../common/config/configuredModel';
import type { ServersModel } from '../common/model';
import type { LaunchResolver, StartPreparer } from '../common/config/types';
import { Disposable } from '../common/lifecycle';
import type { Redactor } from '../common/redact';
import type { Logger } from '../log';
import type { SecretStore } from '../vscode-adapters/secretStore';
import { literalSecretValues } from '../common/config/portable';
import { ConfigService, copilotMcpConfigUri, userMcpJsonUri } from './configService';
import { InputValues, StartGate, createLaunchResolver } from './launch';
import { PlaintextSecretQuickFix, quickFixSelector } from './secretQuickFix';

export { ConfigService, type ConfigChange, type ConfigChangeListener, type UserConfigFiles } from './configService';
export { InputValues, StartGate, type StartPreparation } from './launch';

export interface ConfigFeatureDeps {
  readonly context: Pick<vscode.ExtensionContext, 'globalState' | 'globalStorageUri'>;
  readonly logger: Logger;
  readonly secrets: SecretStore;
  /** The Copilot user file (default: this machine's, copilotMcpConfigUri); `null`: not read. */
  readonly copilotMcpConfig?: vscode.Uri | null;
}

/**
 * Server configuration as one feature: the service (servers, definitions, plans), the LaunchResolver, the trust /
 * first-start gate, the input values used by the Set Secret... / Clear Secrets... commands, and the Quick Fix of a
 * plaintext secret in the portable files (whose values are registered with the redactor as soon as they are read).
 */
export class ConfigFeatures extends Disposable {
  readonly service: ConfigService;
  readonly inputs: InputValues;
  /** Resolution only (variables, inputs, envFile, env); no trust check. */
  readonly resolveLaunch: LaunchResolver;
  /** Trust check + resolution + first-start confirmation (StartGate.prepareStart): its outcome is a value. */
  readonly prepareStart: StartPreparer;
  readonly gate: StartGate;
  readonly redactor: Redactor;
  /** Resolves after the first load. */
  readonly ready: Promise<void>;
  private readonly trustEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires after Restricted Mode ends and `needsTrust` servers became startable (start them if they should auto-start). */
  readonly onDidGrantTrust = this.trustEmitter.event;

  constructor(deps: ConfigFeatureDeps) {
    super();
    const log = deps.logger.scoped('config');
    this.redactor = deps.logger.redactor;
    const copilotMcpConfig = deps.copilotMcpConfig === null ? undefined : deps.copilotMcpConfig ?? copilotMcpConfigUri();
    this.service = this._register(new ConfigService({ userMcpJson: userMcpJsonUri(deps.context.globalStorageUri), copilotMcpConfig }, log));
    // First of the listeners: a literal secret is masked before any view or log line can show it.
    this._register(this.service.onDidChange((change) => {
      this.redactor.add(...literalSecretValues(change.servers.flatMap((s) => (s.definition ? [s.definition] : []))));
    }));
    this._register(vscode.languages.registerCodeActionsProvider(
      quickFixSelector(copilotMcpConfig), new PlaintextSecretQuickFix((uri) => this.service.sourceOfFile(uri)), PlaintextSecretQuickFix.metadata,
    ));
    this.inputs = new InputValues(deps.secrets, log);
    this.resolveLaunch = createLaunchResolver(this.service, this.inputs, this.redactor, log);
    this.gate = new StartGate(this.resolveLaunch, this.service, deps.context.globalState, this.redactor, deps.logger.scoped('trust'));
    this.prepareStart = (def) => this.gate.prepareStart(def);
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('workspace trusted: workspace-defined servers may start');
      this.trustEmitter.fire();
    }));
    this.ready = this.service.ready;
  }

  /** Forgets what this feature keeps besides SecretStorage (Clear All Stored Data): input values, remembered consent. */
  async forgetStoredData(): Promise<void> {
    this.inputs.forget();
    await this.gate.forgetConfirmations();
  }

  /**
   * A ServersModel for the views over a runtime model (e.g. the server manager, which knows only runnable servers):
   * lists every configured entry, with configError / shadowed / needsTrust where they apply.
   */
  createServersModel(runtime: ServersModel): ConfiguredServersModel {
    const service = this.service;
    const model = new ConfiguredServersModel(
      { get servers() { return service.servers; }, onDidChange: (listener) => service.onDidChange(() => listener()), ready: service.ready },
      runtime,
      () => vscode.workspace.isTrusted,
    );
    model.trustChangedOn(this.onDidGrantTrust);
    return this._register(model);
  }
}

/**
 * The entry point extension.ts calls: `context.subscriptions.push(registerConfigFeatures({ context, logger, secrets }))`.
 */
export function registerConfigFeatures(deps: ConfigFeatureDeps): ConfigFeatures {
  return new ConfigFeatures(deps);
}
