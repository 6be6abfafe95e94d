import { VeilError } from '../errors/VeilError';

/** Base of every error the chat store raises on purpose. Messages name the operation and ids, never contents. */
export class ChatStoreError extends VeilError {}

/** The supplied key (passphrase, key file, keychain) does not open this store. Nothing on disk was touched. */
export class ChatKeyMismatchError extends ChatStoreError {}

/** The store holds data but its key is gone (for example a deleted key file). A new key is never made up for it. */
export class ChatKeyMissingError extends ChatStoreError {}

/** A key file exists but cannot be trusted or used: readable by others, wrong size, or not a regular file. */
export class ChatKeyFileError extends ChatStoreError {}

/** Stored data failed authentication or validation somewhere other than a torn final record. Nothing was changed. */
export class ChatStoreCorruptError extends ChatStoreError {}

/** The store was disposed; its key is wiped and it accepts no more calls. */
export class ChatStoreDisposedError extends ChatStoreError {}

/** No conversation with the given id exists in this store. */
export class ConversationNotFoundError extends ChatStoreError {}

/** No message with the given id exists in the conversation, or it cannot be used that way. */
export class ChatMessageNotFoundError extends ChatStoreError {}

/** Input passed to the store (a new message, settings, an imported file) is invalid; the message names the field. */
export class ChatInputError extends ChatStoreError {}

/** Another live process has the store open; two writers would interleave records and damage the logs. */
export class ChatStoreLockedError extends ChatStoreError {}
