/** The floor's stand-in for a calendar write: returns at once. */
export async function touchCalendar(_bookingId: string, _userId: string): Promise<void> {}

export const floorActivities = { touchCalendar };
export type FloorActivities = typeof floorActivities;
