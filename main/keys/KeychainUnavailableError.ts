import { ChatStoreError } from '../../app/chats/chatStoreErrors';

/** The operating system's keychain (Keychain, DPAPI, libsecret/KWallet) cannot encrypt right now. */
export class KeychainUnavailableError extends ChatStoreError {}
