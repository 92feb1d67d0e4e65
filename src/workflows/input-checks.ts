import type { z } from 'zod';
import type * as schemas from '../domain/booking-input-schemas';
import type { GeneratedValidator } from './generated/input-validators';
import * as validators from './generated/input-validators';
import {
  bookingWorkflowInputIssues,
  cancelChangeIssues,
  confirmChangeIssues,
  type InputIssue,
  rescheduleChangeIssues,
} from './input-rules';

/**
 * How the workflows check each signal and start input: the validator generated from its zod
 * schema in src/domain/booking-input-schemas.ts (`npm run generate:validators`), then the rules
 * JSON Schema cannot say (input-rules.ts). The value's type is the schema's output, imported as a
 * type only: zod itself stays out of the workflow bundle.
 */
export interface InputCheck<T> {
  validate: GeneratedValidator;
  /** Run once the value has the shape `validate` checks. */
  rules?: (value: T) => InputIssue[];
}

type Output<K extends keyof typeof schemas> = (typeof schemas)[K] extends z.ZodType ? z.output<(typeof schemas)[K]> : never;

export const bookingWorkflowInputCheck: InputCheck<Output<'bookingWorkflowInputSchema'>> = {
  validate: validators.bookingWorkflowInput,
  rules: bookingWorkflowInputIssues,
};
export const calendarAccountWorkflowInputCheck: InputCheck<Output<'calendarAccountWorkflowInputSchema'>> = {
  validate: validators.calendarAccountWorkflowInput,
};
export const confirmChangeCheck: InputCheck<Output<'confirmChangeSchema'>> = {
  validate: validators.confirmChange,
  rules: confirmChangeIssues,
};
export const rescheduleChangeCheck: InputCheck<Output<'rescheduleChangeSchema'>> = {
  validate: validators.rescheduleChange,
  rules: rescheduleChangeIssues,
};
export const cancelChangeCheck: InputCheck<Output<'cancelChangeSchema'>> = { validate: validators.cancelChange, rules: cancelChangeIssues };
export const syncConnectionRequestCheck: InputCheck<Output<'syncConnectionRequestSchema'>> = { validate: validators.syncConnectionRequest };
export const connectedEventCheck: InputCheck<Output<'connectedEventSchema'>> = { validate: validators.connectedEvent };
export const disconnectRequestCheck: InputCheck<Output<'disconnectRequestSchema'>> = { validate: validators.disconnectRequest };
export const eraseParticipantRequestCheck: InputCheck<Output<'eraseParticipantRequestSchema'>> = {
  validate: validators.eraseParticipantRequest,
};
