/**
 * Public surface of the sealed request protocol (docs/PROTOCOL.md). Coordinator, provider and requester code import
 * from here.
 */
export * from './constants';
export { ProtocolError, PROTOCOL_ERROR_CODES } from './ProtocolError';
export type { ProtocolErrorCode } from './ProtocolError';
export type { ChatMessage, ModelRef, SamplingParams, TokenCounts } from './schemas';
export { issueKeyCertificate, verifyKeyCertificate } from './KeyCertificate';
export type {
  IssueKeyCertificateOptions,
  KeyCertificateBody,
  VerifiedKeyCertificate,
  VerifyKeyCertificateOptions,
} from './KeyCertificate';
export { PinStore, PIN_STORE_FILE_NAME, isPinnedCertificate } from './PinStore';
export type { PinnedKeyCertificate, PinStoreOptions, ProviderPin } from './PinStore';
export { padmeLength, requestBucketFor, isRequestBucket } from './padding';
export {
  MAX_SEALED_REQUEST_BYTES,
  SEALED_REQUEST_HEADER_BYTES,
  encodeSealedRequestHeader,
  parseSealedRequestHeader,
} from './SealedRequestHeader';
export type { SealedRequestHeader } from './SealedRequestHeader';
export { sealRequest } from './sealRequest';
export { hashSealedRequest } from './hashSealedRequest';
export { MAX_AUTHORIZATION_BYTES, MAX_MESSAGES } from './innerRequest';
export type { RequestContent, SealRequestOptions, SealRequestTestOnlyValues } from './sealRequest';
export { PendingRequest } from './PendingRequest';
export { OpenedRequest } from './OpenedRequest';
export { openSealedRequest } from './openSealedRequest';
export type { OpenSealedRequestDependencies } from './openSealedRequest';
export { ReplayCache } from './ReplayCache';
export type { ReplayCacheOptions } from './ReplayCache';
export { ProviderKeyring } from './ProviderKeyring';
export type { ProviderKeyringOptions } from './ProviderKeyring';
export { ResponseStreamWriter } from './ResponseStreamWriter';
export type { FinishedResponse, ResponseStreamWriterOptions } from './ResponseStreamWriter';
export { ResponseStreamReader } from './ResponseStreamReader';
export type { ResponseStreamEvent, ResponseStreamOutcome } from './ResponseStreamReader';
export { PROVIDER_ERROR_CODES } from './streamChunk';
export type { ProviderErrorCode } from './streamChunk';
export { signReceipt, verifyReceipt } from './Receipt';
export type { ReceiptBody, VerifiedReceipt } from './Receipt';
export { signUsageRecord, verifyUsageRecord } from './UsageRecord';
export type { UsageRecordBody, VerifiedUsageRecord } from './UsageRecord';
export { deriveStreamKey, transcriptCommitment } from './responseKeys';
export {
  encodeCoordinatorToProvider,
  encodeCoordinatorToRequester,
  encodeProviderToCoordinator,
  encodeRequesterToCoordinator,
  parseCoordinatorToProvider,
  parseCoordinatorToRequester,
  parseProviderToCoordinator,
  parseRequesterToCoordinator,
} from './messages/controlMessage';
export { MAX_CONTROL_MESSAGE_CHARS } from './messages/controlFields';
export type { CoordinatorToProviderMessage, ProviderToCoordinatorMessage } from './messages/providerMessages';
export { COORDINATOR_ERROR_CODES } from './messages/requesterMessages';
export type {
  CoordinatorToRequesterMessage,
  RequesterToCoordinatorMessage,
} from './messages/requesterMessages';
