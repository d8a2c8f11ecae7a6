import type { ServersModel } from '../common/model';
import type { ChatSharing } from '../features/chatSharing';
import type { CommandTable } from './commandRunner';
import { pickServer } from './pickers';

export interface ChatCommandDeps {
  readonly servers: ServersModel;
  readonly sharing: Pick<ChatSharing, 'isShared' | 'setShared'>;
}

/** Share with VS Code Chat / Stop Sharing with VS Code Chat (src/features/chatSharing.ts). */
export function chatCommands({ servers, sharing }: ChatCommandDeps): Pick<CommandTable, 'shareWithChat' | 'stopSharingWithChat'> {
  return {
    shareWithChat: async (arg) => {
      const s = await pickServer(servers, arg, 'Share which server with VS Code chat?', (x) => !sharing.isShared(x.id) && x.state.kind !== 'shadowed',
        (x) => (sharing.isShared(x.id) ? `'${x.name}' is shared with VS Code chat already.` : `'${x.name}' is shadowed by another definition: share that one.`));
      await sharing.setShared(s, true);
    },
    stopSharingWithChat: async (arg) => {
      const s = await pickServer(servers, arg, 'Stop sharing which server with VS Code chat?', (x) => sharing.isShared(x.id), (x) => `'${x.name}' is not shared with VS Code chat.`);
      await sharing.setShared(s, false);
    },
  };
}
