/**
 * The contract's method names without the schemas, for the Electron preload: a sandboxed preload is one small file
 * that can import nothing but `electron`, so it cannot pull in zod. `veilContract.ts` checks that both lists agree.
 */
export const VEIL_METHOD_NAMES = [
  'system.getInfo',
  'settings.get',
  'settings.update',
  'models.list',
  'models.catalog',
  'models.import',
  'models.remove',
  'models.load',
  'models.unload',
  'models.estimateFit',
  'downloads.list',
  'downloads.start',
  'downloads.pause',
  'downloads.resume',
  'downloads.cancel',
  'chats.list',
  'chats.get',
  'chats.create',
  'chats.rename',
  'chats.updateSettings',
  'chats.delete',
  'chats.search',
  'chats.exportMarkdown',
  'chats.exportJson',
  'chats.importJson',
  'chat.send',
  'chat.regenerate',
  'chat.edit',
  'chat.stop',
  'chat.switchBranch',
  'network.listModels',
  'provider.getStatus',
] as const;

export type VeilMethodName = (typeof VEIL_METHOD_NAMES)[number];
