// What the emulators share with their users: fault rule shapes and the seeded PRNG faults use.
export { seededRandom } from './faults';
export type * from './types';
