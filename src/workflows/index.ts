// The worker bundle's entry: every workflow this service runs.
export { bookingWorkflow } from './booking';
export { bulkSyncWorkflow } from './bulk-sync';
export { connectionWorkflow } from './calendar-account';
export { notificationWorkflow } from './notification';
export { retentionWorkflow } from './retention';
export { userErasureWorkflow } from './user-erasure';
