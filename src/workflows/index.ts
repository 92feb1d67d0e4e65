// The worker bundle's entry: every workflow this service runs.
export { bookingWorkflow } from './booking';
