import type { z } from 'zod';
import { PROTOCOL_VERSION } from '../constants';
import { ProtocolError } from '../ProtocolError';
import { parseWithSchema } from '../schemas';
import { MAX_CONTROL_MESSAGE_CHARS } from './controlFields';
import { coordinatorToProviderSchema, providerToCoordinatorSchema } from './providerMessages';
import type { CoordinatorToProviderMessage, ProviderToCoordinatorMessage } from './providerMessages';
import { coordinatorToRequesterSchema, requesterToCoordinatorSchema } from './requesterMessages';
import type { CoordinatorToRequesterMessage, RequesterToCoordinatorMessage } from './requesterMessages';

function parseControlMessage<T extends z.ZodType>(schema: T, text: string, operation: string): z.infer<T> {
  if (text.length > MAX_CONTROL_MESSAGE_CHARS) {
    throw new ProtocolError(
      'TOO_LARGE',
      `${operation}: message exceeds ${MAX_CONTROL_MESSAGE_CHARS} characters`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError('MALFORMED', `${operation}: not JSON`);
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const version = (json as Record<string, unknown>).v;
    if (version !== PROTOCOL_VERSION) {
      throw new ProtocolError('BAD_VERSION', `${operation}: unsupported or missing version`);
    }
  }
  return parseWithSchema(schema, json, operation);
}

/** Parses a JSON text frame a provider sent to the coordinator. Throws `ProtocolError` only. */
export function parseProviderToCoordinator(text: string): ProviderToCoordinatorMessage {
  return parseControlMessage(providerToCoordinatorSchema, text, 'parseProviderToCoordinator');
}

/** Parses a JSON text frame the coordinator sent to a provider. */
export function parseCoordinatorToProvider(text: string): CoordinatorToProviderMessage {
  return parseControlMessage(coordinatorToProviderSchema, text, 'parseCoordinatorToProvider');
}

/** Parses a JSON text frame a requester sent to the coordinator. */
export function parseRequesterToCoordinator(text: string): RequesterToCoordinatorMessage {
  return parseControlMessage(requesterToCoordinatorSchema, text, 'parseRequesterToCoordinator');
}

/** Parses a JSON text frame the coordinator sent to a requester. */
export function parseCoordinatorToRequester(text: string): CoordinatorToRequesterMessage {
  return parseControlMessage(coordinatorToRequesterSchema, text, 'parseCoordinatorToRequester');
}

function encodeControlMessage<T extends z.ZodType>(
  schema: T,
  message: z.infer<T>,
  operation: string,
): string {
  const text = JSON.stringify(parseWithSchema(schema, message, operation));
  if (text.length > MAX_CONTROL_MESSAGE_CHARS) {
    throw new ProtocolError(
      'TOO_LARGE',
      `${operation}: message exceeds ${MAX_CONTROL_MESSAGE_CHARS} characters`,
    );
  }
  return text;
}

/** Serializes a provider → coordinator message, validating it first so a peer never receives what it would reject. */
export function encodeProviderToCoordinator(message: ProviderToCoordinatorMessage): string {
  return encodeControlMessage(providerToCoordinatorSchema, message, 'encodeProviderToCoordinator');
}

/** Serializes a coordinator → provider message. */
export function encodeCoordinatorToProvider(message: CoordinatorToProviderMessage): string {
  return encodeControlMessage(coordinatorToProviderSchema, message, 'encodeCoordinatorToProvider');
}

/** Serializes a requester → coordinator message. */
export function encodeRequesterToCoordinator(message: RequesterToCoordinatorMessage): string {
  return encodeControlMessage(requesterToCoordinatorSchema, message, 'encodeRequesterToCoordinator');
}

/** Serializes a coordinator → requester message. */
export function encodeCoordinatorToRequester(message: CoordinatorToRequesterMessage): string {
  return encodeControlMessage(coordinatorToRequesterSchema, message, 'encodeCoordinatorToRequester');
}
