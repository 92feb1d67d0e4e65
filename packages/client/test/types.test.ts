import { describe, expectTypeOf, it } from 'vitest';
import type { GenericNotification, NotificationOf, Problem, RequestBody, ResponseBody } from '../src';

// Type-level checks (tsc runs them); the assertions at run time are no-ops.
describe('calsync-client types', () => {
  it('Notification is the union of the webhooks payloads, or the generic shape without any', () => {
    interface Webhooks {
      'booking.synced': {
        parameters: object;
        get?: never;
        post: { requestBody: { content: { 'application/json': { type: 'booking.synced' } } } };
      };
      'connection.connected': {
        post: { requestBody?: { content: { 'application/json': { type: 'connection.connected'; data: { connectionId: string } } } } };
      };
    }
    expectTypeOf<NotificationOf<Webhooks>>().toEqualTypeOf<
      { type: 'booking.synced' } | { type: 'connection.connected'; data: { connectionId: string } }
    >();
    expectTypeOf<NotificationOf<Record<string, never>>>().toEqualTypeOf<GenericNotification>();
  });

  it('request bodies and problem answers come from the document', () => {
    expectTypeOf<RequestBody<'cancelBooking'>>().toHaveProperty('reason');
    expectTypeOf<RequestBody<'getBooking'>>().toBeNever();
    expectTypeOf<ResponseBody<'getBooking', 404>>().toEqualTypeOf<Problem>();
  });
});
