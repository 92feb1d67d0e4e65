/** The emulators' seeded PRNG (mulberry32), so a chaos run repeats exactly with `--seed`. */
export { seededRandom } from 'calendar-emulators/shared';

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
