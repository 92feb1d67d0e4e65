export { createClient, type CalsyncClient, type ClientOptions } from './create-client';
export type { CallOperation } from './call';
export type { RawRequest, RawRequestInit } from './raw-request';
export type { ApiResult } from './result';
export { verifyNotification } from './notifications';
export { OPERATIONS } from './operations';
export type {
  CallInit,
  GenericNotification,
  Notification,
  NotificationOf,
  OperationId,
  OperationResult,
  OperationStatus,
  Problem,
  RequestBody,
  ResponseBody,
} from './types';
export type { components, operations, paths, webhooks } from './schema';
