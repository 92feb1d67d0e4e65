import path from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { KeyringEntry } from '../crypto/keyring';
import { EncryptionCodec } from './payload-codec';

/**
 * The module the workflow bundle and the worker load the failure converter from: the sibling
 * source file, `.ts` when running from source (tsx, tests) and `.js` when built.
 */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, `failure-converter${path.extname(__filename)}`);

/** What the client, the worker and the replayer all use: payloads and failures encrypted. */
export function dataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The data converter for a keyring (ENCRYPTION_KEYS). */
export function encryptingDataConverter(keyring: KeyringEntry[]): DataConverter {
  return dataConverter(new EncryptionCodec(keyring));
}
