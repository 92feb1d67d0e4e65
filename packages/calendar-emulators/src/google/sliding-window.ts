// The limiter is shared with the Microsoft emulator; kept importable from here.
export { SlidingWindowRateLimiter } from '../shared/sliding-window';
