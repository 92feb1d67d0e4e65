import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go into an encoded payload (so the payload codec encrypts
 * them) instead of plain history fields. Loaded by path: the workflow bundle includes it too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
